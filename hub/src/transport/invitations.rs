//! Summons from the directory and a meeting's invitation (giấy mời): a meeting summons a
//! body or named people (each a participant linked to their person); the office sends the
//! invitation to everyone it summoned so; each person confirms or declares an absence (báo
//! vắng) with a reason from their tablet, and the reason goes into the meeting's record as
//! the absence reason the minutes list (the meeting's own `set_absence_reason`).

use super::auth::{in_meeting, Caller};
use super::rest::{summon, JsonBody};
use super::{ApiError, AppState};
use crate::engine::directory::OfficeCommand;
use crate::engine::Actor;
use crate::live::{Refused, Request};
use crate::store::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use protocol::directory::{BodyId, Person, PersonId, Summons};
use protocol::{Command, InvitationAnswer, MeetingId, ParticipantId, Role};
use serde::Deserialize;
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
    let seat = state
        .office
        .read(|d| d.summoned_seat(meeting, person))
        .ok_or_else(|| ApiError::not_found("no invitation to that meeting"))?;
    let reason = match answer {
        InvitationAnswer::Attending => String::new(),
        InvitationAnswer::Absent { reason } => reason.trim().to_owned(),
    };
    // Only members are summoned in the minutes' sense: a secretary or a screen invited
    // answers the office, and the meeting's record has no absence for them.
    if seat.role.is_member() {
        let handle = state
            .meetings
            .get(meeting)
            .await
            .map_err(|e| ApiError::internal("loading a meeting", e))?
            .ok_or_else(|| ApiError::not_found("no such meeting on this hub"))?;
        let set = Command::SetAbsenceReason {
            participant: seat.participant,
            reason,
        };
        handle.run(Request::one(Actor::Office, None, set)).await?;
    }
    state
        .office
        .run(vec![command])
        .await
        .map_err(|e| ApiError::from(Refused::from(e)))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(super) struct NewSummons {
    /// Summon every member of this body…
    #[serde(default)]
    body: Option<BodyId>,
    /// …and these people.
    #[serde(default)]
    people: Vec<PersonId>,
    /// Their role in this meeting; delegate if not given.
    #[serde(default)]
    role: Option<Role>,
}

/// `POST /meetings/{meeting}/summon`: participants from the directory, each linked to
/// their person (and given a badge token too). People the meeting already summoned are
/// skipped, so summoning a body again adds only its new members.
pub(super) async fn summon_people(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    JsonBody(body): JsonBody<NewSummons>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if call.role != Role::Secretariat {
        return Err(ApiError::forbidden(
            "only the secretariat summons participants",
        ));
    }
    if body.people.len() > 5_000 {
        return Err(ApiError::invalid("one summons lists at most 5000 people"));
    }
    let role = body.role.unwrap_or(Role::Delegate);
    // A summons is two writes, the meeting's participants and then the directory's record
    // of them; a crash between the two leaves people in the meeting whom the directory does
    // not know it summoned. The meeting's participants are the truth: nobody in them is
    // added twice, and a record lost so is written with this summons (the secretariat's
    // retry of the one that failed).
    let in_meeting: Vec<(PersonId, ParticipantId, Role)> = call.handle.read(|s| {
        s.participants
            .iter()
            .filter_map(|p| Some((p.person?, p.id, p.role)))
            .collect()
    });
    let unrecorded: Vec<(PersonId, ParticipantId, Role)> = state.office.read(|d| {
        in_meeting
            .iter()
            .copied()
            .filter(|(person, ..)| {
                d.person(*person).is_some() && d.summoned_seat(meeting, *person).is_none()
            })
            .collect()
    });
    let in_meeting_people: std::collections::HashSet<PersonId> =
        in_meeting.iter().map(|&(person, ..)| person).collect();
    let people: Vec<Person> = state.office.read(|d| {
        let mut ids: Vec<PersonId> = body
            .body
            .and_then(|b| d.body(b))
            .map(|b| b.members.clone())
            .unwrap_or_default();
        ids.extend(&body.people);
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| {
            seen.insert(*id)
                && d.summoned_seat(meeting, *id).is_none()
                && !in_meeting_people.contains(id)
        });
        ids.iter().filter_map(|id| d.person(*id).cloned()).collect()
    });
    if let Some(b) = body.body {
        if state.office.read(|d| d.body(b).is_none()) {
            return Err(ApiError::not_found("no such body in the directory"));
        }
    }
    if body
        .people
        .iter()
        .any(|id| state.office.read(|d| d.person(*id).is_none()))
    {
        return Err(ApiError::not_found("no such person in the directory"));
    }
    let commands = people
        .iter()
        .map(|p| Command::AddParticipant {
            name: p.name.clone(),
            position: p.position.clone(),
            unit: p.unit.clone(),
            role,
            seat: None,
            person: Some(p.id),
        })
        .collect();
    let issued = summon(&state, &call, meeting, commands, &[]).await?;
    let participants: Vec<Summons> = issued
        .iter()
        .filter_map(|i| {
            Some(Summons {
                person: i.participant.person?,
                participant: i.participant.id,
            })
        })
        .collect();
    let mut records = Vec::new();
    if !participants.is_empty() {
        records.push(OfficeCommand::RecordSummons {
            meeting,
            body: body.body,
            role,
            participants,
        });
    }
    // One record per role: a record names one role for all it lists.
    let mut roles: Vec<Role> = Vec::new();
    for &(.., r) in &unrecorded {
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    for lost_role in roles {
        let lost: Vec<Summons> = unrecorded
            .iter()
            .filter(|(.., r)| *r == lost_role)
            .map(|&(person, participant, _)| Summons {
                person,
                participant,
            })
            .collect();
        records.push(OfficeCommand::RecordSummons {
            meeting,
            body: None,
            role: lost_role,
            participants: lost,
        });
    }
    if !records.is_empty() {
        state
            .office
            .run(records)
            .await
            .map_err(|e| ApiError::from(Refused::from(e)))?;
    }
    Ok((StatusCode::CREATED, Json(json!({ "participants": issued }))))
}
