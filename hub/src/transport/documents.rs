//! Document routes: multipart upload (streamed to the blob store, its signatures checked,
//! then published through the engine), the list a caller may see, delivery; downloads are
//! in `download.rs`. The engine decides who may read what; these handlers translate.

#[path = "download.rs"]
pub(super) mod download;

pub(super) use download::{download_current, download_version, public_download, serve};

use super::auth::{in_meeting, Caller, InMeeting};
use super::files;
use super::{ApiError, AppState};
use crate::engine::documents::Denied;
use crate::engine::Viewer;
use crate::live::Request;
use crate::store::{BlobError, Stored};
use crate::trust::TrustError;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use futures_util::StreamExt;
use protocol::{
    AgendaItemId, Classification, Command, DocumentFile, DocumentId, ErrorCode, MeetingId,
    ParticipantId, Role,
};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

pub(super) fn secretariat(call: &InMeeting) -> Result<(), ApiError> {
    if call.role == Role::Secretariat {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the secretariat may upload files"))
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound(m) => ApiError::not_found(m),
            Denied::Forbidden(m) => ApiError::forbidden(m),
            Denied::Gone(m) => ApiError::new(StatusCode::GONE, ErrorCode::NotFound, m),
        }
    }
}

/// What an upload said besides its file.
#[derive(Default)]
pub(super) struct Form {
    title: Option<String>,
    classification: Option<Classification>,
    item: Option<AgendaItemId>,
    readers: Vec<ParticipantId>,
    pub(super) file: Option<DocumentFile>,
}

/// Reads the multipart body, streaming the `file` part into the blob store.
pub(super) async fn read_form(state: &AppState, multipart: Multipart) -> Result<Form, ApiError> {
    let mut multipart = multipart;
    let mut form = Form::default();
    let limit = state.config.limits.max_upload_bytes;
    let bad = |m: String| ApiError::invalid(m);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e.status(), e.body_text(), limit)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = files::clean_file_name(field.file_name().unwrap_or_default());
            let content_type = files::content_type(field.content_type(), &file_name);
            let over = AtomicBool::new(false);
            let body = field.map(|chunk| {
                chunk.map_err(|e| {
                    over.store(
                        e.status() == StatusCode::PAYLOAD_TOO_LARGE,
                        Ordering::Relaxed,
                    );
                    e.body_text()
                })
            });
            let stored = state.store.blobs().store(body, limit).await;
            let Stored { sha256, size } = match stored {
                Ok(s) => s,
                Err(BlobError::Body(_)) if over.load(Ordering::Relaxed) => {
                    return Err(too_large(limit))
                }
                Err(BlobError::TooLarge { .. }) => return Err(too_large(limit)),
                Err(BlobError::Body(m)) => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadFrame,
                        format!("the upload was interrupted: {m}"),
                    ))
                }
                Err(BlobError::Io(e)) => return Err(ApiError::internal("storing an upload", e)),
            };
            form.file = Some(DocumentFile {
                file_name,
                content_type,
                size,
                sha256,
                signatures: None,
                watermarked: false,
            });
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text(), limit))?;
        let text = text.trim();
        match name.as_str() {
            "title" => form.title = Some(text.to_owned()),
            "classification" => form.classification = Some(text.parse().map_err(bad)?),
            "item" if !text.is_empty() => {
                form.item = Some(
                    text.parse()
                        .map_err(|_| bad(format!("item '{text}' is not an id")))?,
                )
            }
            "readers" => {
                for r in text
                    .split([',', ' ', '\n'])
                    .filter(|r| !r.trim().is_empty())
                {
                    let id = r
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("reader '{r}' is not an id")))?;
                    form.readers.push(id);
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FrameTooLarge,
        format!(
            "the file is larger than the hub accepts ({} MiB); nothing of it was kept",
            limit / (1024 * 1024)
        ),
    )
}

fn multipart_error(status: StatusCode, text: String, limit: u64) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    // A body that stopped arriving (the body timeout) or broke off is the client's doing,
    // not a fault of the hub.
    if status.is_server_error() {
        let message = format!("the upload was interrupted: {text}");
        return ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadFrame, message);
    }
    ApiError::new(status, ErrorCode::BadFrame, text)
}

pub(super) fn multipart(m: Result<Multipart, MultipartRejection>) -> Result<Multipart, ApiError> {
    m.map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadFrame,
            format!(
                "send the document as multipart/form-data: {}",
                e.body_text()
            ),
        )
    })
}

/// `POST /meetings/{m}/documents`: fields `title`, `classification`, `item?`, `readers?`
/// (ids separated by commas) and `file`.
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
    let missing = |what: &str| ApiError::invalid(format!("the upload has no {what} field"));
    let classification = form
        .classification
        .ok_or_else(|| missing("classification"))?;
    let file = form.file.ok_or_else(|| missing("file"))?;
    let command = Command::PublishDocument {
        title: form.title.ok_or_else(|| missing("title"))?,
        classification,
        item: form.item,
        readers: form.readers,
        file: checked(&state, file, classification).await?,
    };
    let request = Request::one(call.actor, None, command);
    let id = DocumentId(request.steps[0].1);
    let seq = call.handle.run(request).await?.seq;
    let document = call.handle.read(|s| s.documents.get(id).cloned());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "document": document, "seq": seq })),
    ))
}

/// `POST /meetings/{m}/documents/{d}/versions`: field `file`, the next version.
pub(super) async fn upload_version(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    state.senders.upload(&principal)?;
    let form = read_form(&state, multipart(body)?).await?;
    let file = form
        .file
        .ok_or_else(|| ApiError::invalid("the upload has no file field"))?;
    // Checked as the class it will be served as; the engine refuses the version anyway
    // if the document is gone.
    let class = call
        .handle
        .read(|s| s.documents.get(document).map(|d| d.classification))
        .ok_or_else(|| ApiError::not_found("no such document in this meeting"))?;
    let file = checked(&state, file, class).await?;
    let command = Command::ReviseDocument { document, file };
    let seq = call
        .handle
        .run(Request::one(call.actor, None, command))
        .await?
        .seq;
    let document = call.handle.read(|s| s.documents.get(document).cloned());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "document": document, "seq": seq })),
    ))
}

/// `file`, stored, with what the hub found in it (`DocumentTrust::check_stored`). A
/// confidential or personnel PDF that cannot be watermarked is refused (422) here, before
/// anything names it.
pub(crate) async fn checked(
    state: &AppState,
    file: DocumentFile,
    class: Classification,
) -> Result<DocumentFile, ApiError> {
    state
        .trust
        .check_stored(state.store.blobs(), file, class)
        .await
        .map_err(|e| match e {
            TrustError::NotWatermarkable { .. } => ApiError::invalid(e.to_string()),
            other => ApiError::internal("checking an upload", other),
        })
}

/// `GET /meetings/{m}/documents`: what the caller may see, as in its snapshot.
pub(super) async fn list(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let viewer = Viewer::for_actor(&call.actor);
    let (seq, view) = call.handle.read(|s| (s.seq, s.view(viewer)));
    let documents = view.map(|v| v.documents).unwrap_or_default();
    Ok(Json(json!({ "seq": seq, "documents": documents })))
}

/// `GET /meetings/{m}/documents/{d}/delivery`: who holds the current version (secretariat, chair).
pub(super) async fn delivery(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if Viewer::for_actor(&call.actor) != Viewer::Full {
        return Err(ApiError::forbidden(
            "delivery is for the secretariat and the chair",
        ));
    }
    let view = call.handle.read(|s| s.view(Viewer::Full));
    let doc = view
        .and_then(|v| v.documents.into_iter().find(|d| d.id == document))
        .ok_or_else(|| ApiError::not_found("no such document in this meeting"))?;
    // The original's hash beside the copies' in `delivery`: both, for the record.
    let current = doc
        .current()
        .map(|v| (v.file.sha256.clone(), v.file.watermarked));
    let (sha256, watermarked) = current.unwrap_or_default();
    Ok(Json(json!({
        "document": doc.id,
        "status": doc.status,
        "sha256": sha256,
        "watermarked": watermarked,
        "delivery": doc.delivery,
    })))
}
