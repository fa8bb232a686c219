//! Exports of opinion requests: the compiled summary (tổng hợp ý kiến) as JSON and as CSV.
//! The engine decides who may read it; these handlers only serialise.

use super::auth::{in_meeting, Caller};
use super::{ApiError, AppState};
use crate::engine;
use crate::live::Refused;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::opinions::OpinionSummary;
use protocol::{MeetingId, OpinionRequestId};
use std::sync::Arc;

async fn compile(
    state: &AppState,
    principal: &crate::store::Principal,
    meeting: MeetingId,
    request: OpinionRequestId,
) -> Result<OpinionSummary, ApiError> {
    let call = in_meeting(state, principal, meeting).await?;
    call.handle
        .read(|s| engine::opinion_summary_for(s, &call.actor, request))
        .map_err(|e| ApiError::from(Refused::new(e.code(), e.to_string())))
}

/// `GET /api/v1/meetings/{meeting}/opinions/{request}/{file}`: the compiled summary as
/// `summary` (`{"summary": …, "signature": {"alg", "key", "sig"}}`, the signature over the
/// summary's compact JSON), or as files signed like the vote results: `summary.json` and
/// `summary.csv`, each with a detached `.sig` (hex Ed25519 over the exact bytes served),
/// which `hub verify` checks offline.
pub(super) async fn summary(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, request, file)): Path<(MeetingId, OpinionRequestId, String)>,
) -> Result<Response, ApiError> {
    let summary = compile(&state, &principal, meeting, request).await?;
    let json = || serde_json::to_vec_pretty(&summary).map_err(|e| ApiError::internal("summary", e));
    let csv = || {
        crate::record::opinion_summary_csv(&summary).map_err(|e| ApiError::internal("summary", e))
    };
    let signature = |bytes: &[u8]| format!("{}\n", state.signer.sign_hex(bytes));
    let text = "text/plain; charset=utf-8";
    Ok(match file.as_str() {
        "summary" => {
            let compact =
                serde_json::to_vec(&summary).map_err(|e| ApiError::internal("summary", e))?;
            let sig = serde_json::json!({
                "alg": "ed25519",
                "key": state.signer.public_hex(),
                "sig": state.signer.sign_hex(&compact),
            });
            Json(serde_json::json!({ "summary": summary, "signature": sig })).into_response()
        }
        "summary.json" => attachment(
            "application/json",
            &format!("tong-hop-y-kien-{request}.json"),
            json()?,
        ),
        "summary.json.sig" => ([(header::CONTENT_TYPE, text)], signature(&json()?)).into_response(),
        "summary.csv" => attachment(
            "text/csv; charset=utf-8",
            &format!("tong-hop-y-kien-{request}.csv"),
            csv()?,
        ),
        "summary.csv.sig" => ([(header::CONTENT_TYPE, text)], signature(&csv()?)).into_response(),
        _ => {
            return Err(ApiError::not_found(
                "the summary is summary, summary.json or summary.csv, each with a .sig",
            ))
        }
    })
}

fn attachment(kind: &str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/meetings/{meeting}/speakers.csv`: the speeches for the minutes, as the
/// record's table (Vietnamese headings, wire values). The list of speakers is public to the
/// hall, so any participant of the meeting may read it.
pub(super) async fn speakers_csv(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let file = format!("attachment; filename=\"danh-sach-phat-bieu-{meeting}.csv\"");
    let bytes = call
        .handle
        .read(crate::record::speakers_csv)
        .map_err(|e| ApiError::internal("speakers", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        bytes,
    ))
}
