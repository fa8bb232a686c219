//! Files that ride along with other work: the secretariat uploads a file once (streamed to
//! the blob store like a document), then names it by SHA-256 in `register_incoming` or
//! `create_opinion_request`; those it concerns download it here. The engine decides who.

use super::auth::{in_meeting, Caller};
use super::documents::{multipart, read_form, secretariat, serve};
use super::{ApiError, AppState};
use crate::engine::attachments as rules;
use crate::store::Blobs;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::opinions::Attachment;
use protocol::{Command, DocumentFile, IncomingId, MeetingId, OpinionRequestId};
use serde_json::json;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// `POST /meetings/{m}/files`: one multipart `file` field. Answers with the name and
/// SHA-256 to put in a command's attachment.
pub(super) async fn upload(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    state.senders.upload(&principal)?;
    let form = read_form(&state, multipart(body)?).await?;
    let file = form
        .file
        .ok_or_else(|| ApiError::invalid("the upload has no file field"))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "name": file.file_name,
            "sha256": file.sha256,
            "size": file.size,
            "content_type": file.content_type,
        })),
    ))
}

/// `GET /meetings/{m}/incoming/{item}/file`.
pub(super) async fn incoming_file(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, item)): Path<(MeetingId, IncomingId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let attachment = call
        .handle
        .read(|s| rules::incoming_file(s, &call.actor, item).cloned())?;
    send(&state, &attachment, &headers).await
}

/// `GET /meetings/{m}/opinions/{request}/attachments/{n}`, `n` from 1.
pub(super) async fn opinion_attachment(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, request, n)): Path<(MeetingId, OpinionRequestId, usize)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let attachment = call
        .handle
        .read(|s| rules::opinion_attachment(s, &call.actor, request, n).cloned())?;
    send(&state, &attachment, &headers).await
}

async fn send(
    state: &AppState,
    attachment: &Attachment,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let sha256 = attachment.sha256.clone().unwrap_or_default();
    let path = state.store.blobs().path(&sha256).ok_or_else(|| {
        ApiError::internal("serving an attachment", format!("blob {sha256} is missing"))
    })?;
    let size = tokio::fs::metadata(&path)
        .await
        .map_err(|e| ApiError::internal("serving an attachment", e))?
        .len();
    let file = DocumentFile {
        content_type: super::files::content_type(None, &attachment.name),
        file_name: attachment.name.clone(),
        size,
        sha256,
        signatures: None,
        watermarked: false,
    };
    serve(state, &file, headers).await
}

/// A command may only name files the hub holds: a typo in a hash must not register an
/// item whose file nobody can ever open.
pub(super) fn check_files(blobs: &Blobs, command: &Command) -> Result<(), String> {
    for sha256 in rules::referenced_files(command) {
        if blobs.path(sha256).is_none() {
            return Err(format!(
                "no file with SHA-256 {sha256} was uploaded; upload it first: POST …/files"
            ));
        }
    }
    Ok(())
}
