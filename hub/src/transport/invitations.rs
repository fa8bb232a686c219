//! A meeting's invitation (giấy mời): the office sends it to everyone the meeting summoned
//! from the directory, each person confirms or declares an absence (báo vắng) with a reason
//! from their tablet, and the reason goes into the meeting's record as the absence reason
//! the minutes list (the meeting's own `set_absence_reason`, sent by the office).

use super::auth::{in_meeting, Caller};
use super::rest::JsonBody;
use super::{ApiError, AppState};
use crate::engine::directory::OfficeCommand;
use crate::engine::Actor;
use crate::live::{Refused, Request};
use crate::store::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use protocol::{Command, InvitationAnswer, MeetingId, Role};
use serde_json::json;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// `POST /meetings/{meeting}/invitation`: the office (or the meeting's secretariat) sends it.
pub(super) async fn send(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if call.role != Role::Secretariat {
        return Err(ApiError::forbidden(
            "only the secretariat sends invitations",
        ));
    }
    state
        .office
        .run(vec![OfficeCommand::SendInvitation { meeting }])
        .await
        .map_err(|e| ApiError::from(Refused::from(e)))?;
    let invited = state.office.read(|d| d.summoned(meeting).len());
    Ok((StatusCode::CREATED, Json(json!({ "invited": invited }))))
}

/// `GET /meetings/{meeting}/invitation`: who was invited and what each answered.
pub(super) async fn list(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if !matches!(call.role, Role::Secretariat | Role::Chair) {
        return Err(ApiError::forbidden(
            "only the secretariat and the chair see the invitations' answers",
        ));
    }
    let (sent, people) = state.office.read(|d| {
        let people: Vec<_> = d
            .summoned(meeting)
            .into_iter()
            .map(|(person, seat)| {
                json!({
                    "person": person,
                    "name": d.person(person).map(|p| p.name.clone()),
                    "participant": seat.participant,
                    "answer": d.answer(meeting, person),
                })
            })
            .collect();
        (d.invited(meeting), people)
    });
    Ok(Json(json!({ "sent": sent, "people": people })))
}

/// `POST /me/invitations/{meeting}`: the device's person answers, `{"answer":"attending"}`
/// or `{"answer":"absent","reason":"…"}`. No PIN: an answer can be changed until the
/// meeting, and the office sees who gave it.
pub(super) async fn answer(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    JsonBody(answer): JsonBody<InvitationAnswer>,
) -> Result<impl IntoResponse, ApiError> {
    let Principal::Device { person, .. } = principal else {
        return Err(ApiError::forbidden(
            "invitations are answered from the person's enrolled device",
        ));
    };
    let command = OfficeCommand::AnswerInvitation {
        meeting,
        person,
        answer,
    };
    // Checked first, so that a refused answer writes nothing in the meeting either.
    let refusal = state.office.read(|d| d.decide(&command).err());
    if let Some(e) = refusal {
        return Err(ApiError::from(Refused::new(e.code(), e.to_string())));
    }
    let OfficeCommand::AnswerInvitation { answer, .. } = &command else {
        unreachable!("built above");
    };
    let participant = state
        .office
        .read(|d| d.summoned_seat(meeting, person))
        .map(|s| s.participant)
        .ok_or_else(|| ApiError::not_found("no invitation to that meeting"))?;
    let reason = match answer {
        InvitationAnswer::Attending => String::new(),
        InvitationAnswer::Absent { reason } => reason.trim().to_owned(),
    };
    let handle = state
        .meetings
        .get(meeting)
        .await
        .map_err(|e| ApiError::internal("loading a meeting", e))?
        .ok_or_else(|| ApiError::not_found("no such meeting on this hub"))?;
    let set = Command::SetAbsenceReason {
        participant,
        reason,
    };
    handle.run(Request::one(Actor::Office, None, set)).await?;
    state
        .office
        .run(vec![command])
        .await
        .map_err(|e| ApiError::from(Refused::from(e)))?;
    Ok(StatusCode::NO_CONTENT)
}
