//! Exports: the compiled opinions (tổng hợp ý kiến) as JSON and CSV, and the list of
//! speakers for the minutes as CSV.
//! The engine decides who may read the summary; these handlers only serialise.

use super::auth::{in_meeting, Caller};
use super::{ApiError, AppState};
use crate::engine;
use crate::live::Refused;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use protocol::opinions::OpinionSummary;
use protocol::{MeetingId, OpinionRequestId};
use std::sync::Arc;

fn compile(
    state: &AppState,
    principal: &crate::store::Principal,
    meeting: MeetingId,
    request: OpinionRequestId,
) -> Result<OpinionSummary, ApiError> {
    let call = in_meeting(state, principal, meeting)?;
    call.handle
        .read(|s| engine::opinion_summary_for(s, &call.actor, request))
        .map_err(|e| ApiError::from(Refused::new(e.code(), e.to_string())))
}

/// The summary with its signature: `{"summary": …, "signature": …}`. The summary's bytes
/// are its deterministic JSON (`serde_json::to_vec` of [`OpinionSummary`]), which is what a
/// signature covers.
///
/// MERGE(signing): this is the one place where the hub's Ed25519 signature is attached,
/// once the shared signing key (from the votes work) is in `AppState`: sign
/// `serde_json::to_vec(&summary)` and put `{"alg":"ed25519","key":…,"sig":…}` here, as the
/// vote results do. Until then `signature` is `null`.
fn signed(summary: OpinionSummary) -> serde_json::Value {
    serde_json::json!({ "summary": summary, "signature": null })
}

/// `GET /api/v1/meetings/{meeting}/opinions/{request}/summary`
pub(super) async fn summary_json(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, request)): Path<(MeetingId, OpinionRequestId)>,
) -> Result<impl IntoResponse, ApiError> {
    let summary = compile(&state, &principal, meeting, request)?;
    Ok(Json(signed(summary)))
}

/// `GET /api/v1/meetings/{meeting}/speakers.csv`: the speeches for the minutes. The list
/// of speakers is public to the hall, so any participant of the meeting may read it.
pub(super) async fn speakers_csv(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting)?;
    let file = format!("attachment; filename=\"danh-sach-phat-bieu-{meeting}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        call.handle.read(engine::speakers_csv),
    ))
}

/// `GET /api/v1/meetings/{meeting}/opinions/{request}/summary.csv`
pub(super) async fn summary_csv(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, request)): Path<(MeetingId, OpinionRequestId)>,
) -> Result<impl IntoResponse, ApiError> {
    let summary = compile(&state, &principal, meeting, request)?;
    let file = format!("attachment; filename=\"tong-hop-y-kien-{request}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        engine::opinion_summary_csv(&summary),
    ))
}
