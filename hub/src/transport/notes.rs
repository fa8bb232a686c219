//! `GET …/participants/{participant}/notes`: a participant's private notes, for their
//! author only (the engine's rule); anyone else, the secretariat and chair included, gets
//! `403 forbidden`.

use super::auth::{in_meeting, Caller};
use super::{ApiError, AppState};
use crate::engine;
use crate::live::Refused;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use protocol::{MeetingId, ParticipantId};
use std::sync::Arc;

pub(super) async fn list(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, participant)): Path<(MeetingId, ParticipantId)>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    engine::may_read_notes(&call.actor, participant)
        .map_err(|e| ApiError::from(Refused::new(e.code(), e.to_string())))?;
    let notes = state
        .store
        .notes(meeting, participant)
        .map_err(|e| ApiError::internal("reading notes", e))?;
    Ok(Json(serde_json::json!({ "notes": notes })))
}
