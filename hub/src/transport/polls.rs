//! Signed result exports and the hub's public key.
//!
//! `GET …/polls/{poll}/result.json` (or `result.csv`) gives the counted poll; the same path
//! with `.sig` appended gives the hub's detached Ed25519 signature over those exact bytes.
//! The chair and the secretariat may export a closed poll; every token of the meeting may,
//! once the result is published.

use super::auth::{in_meeting, Caller};
use super::{ApiError, AppState};
use crate::engine::Viewer;
use crate::export::{self, ExportError};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use protocol::{ErrorCode, MeetingId, PollId, PollStatus};
use std::sync::Arc;

/// `GET /api/v1/signing-key`: the public key in hex, for `hub verify --key`.
pub(super) async fn signing_key(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", state.signer.public_hex()),
    )
}

pub(super) async fn export(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, poll, file)): Path<(MeetingId, PollId, String)>,
) -> Result<axum::response::Response, ApiError> {
    if file == "box.json" {
        return sealed_box(&state, &principal, meeting, poll)
            .await
            .map(IntoResponse::into_response);
    }
    let (format, signature) = match file.as_str() {
        "result.json" => ("json", false),
        "result.json.sig" => ("json", true),
        "result.csv" => ("csv", false),
        "result.csv.sig" => ("csv", true),
        _ => {
            return Err(ApiError::not_found(
                "no such export: use result.json or result.csv, with .sig for the signature",
            ))
        }
    };
    let call = in_meeting(&state, &principal, meeting).await?;
    let full = Viewer::for_actor(&call.actor) == Viewer::Full;
    // A published secret poll's export carries its box, which the store keeps.
    let ballots = if format == "json" {
        state
            .store
            .poll_ballots(meeting, poll)
            .map_err(|e| ApiError::internal("reading the ballot box", e))?
    } else {
        Vec::new()
    };
    let bytes = call.handle.read(|s| {
        let p = s.polls.get(poll).ok_or(ExportError::NotFound)?;
        if !full && p.status != PollStatus::Published {
            return Ok(None);
        }
        let bytes = if format == "json" {
            export::json(s, p, &ballots)?
        } else {
            export::csv(s, p)?
        };
        Ok(Some(bytes))
    });
    let bytes = match bytes {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(ApiError::forbidden(
                "the result is not published yet; the chair and the secretariat may export it",
            ))
        }
        Err(ExportError::NotFound) => return Err(ApiError::not_found("no such poll")),
        Err(e @ ExportError::Record(_)) => return Err(ApiError::internal("export", e)),
        Err(e @ ExportError::NotCounted) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidState,
                e.to_string(),
            ))
        }
    };
    if signature {
        let sig = format!("{}\n", state.signer.sign_hex(&bytes));
        return Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            sig.into_bytes(),
        )
            .into_response());
    }
    let kind = if format == "json" {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
}

/// `GET …/polls/{poll}/box.json`: a closed secret poll's box, for the committee's devices to
/// check every ballot and add them up themselves before they give a share (a member must
/// never decrypt a sum it did not make), and for anyone of the meeting to see. Nothing in it
/// can be read without the committee: `{"committee","params","sum","ballots":[…]}`.
async fn sealed_box(
    state: &AppState,
    principal: &crate::store::Principal,
    meeting: MeetingId,
    poll: PollId,
) -> Result<axum::response::Response, ApiError> {
    let call = in_meeting(state, principal, meeting).await?;
    let header = call.handle.read(|s| {
        let p = s.polls.get(poll)?;
        let sealed = p.sealed.as_ref()?;
        Some((
            p.status,
            sealed.key.clone(),
            sealed.params,
            sealed.sum.clone(),
        ))
    });
    let (status, key, params, sum) =
        header.ok_or_else(|| ApiError::not_found("no such secret poll"))?;
    if !matches!(status, PollStatus::Closed | PollStatus::Published) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidState,
            "the box is shown once the poll is closed",
        ));
    }
    let ballots = state
        .store
        .poll_ballots(meeting, poll)
        .map_err(|e| ApiError::internal("reading the ballot box", e))?;
    let body = serde_json::json!({
        "committee": key,
        "params": params,
        "sum": sum,
        "ballots": ballots,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}
