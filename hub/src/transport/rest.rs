//! REST for setting a meeting up: meetings, agenda, participants and their tokens, and a
//! command endpoint that runs the same engine as the WebSocket.

use super::auth::{in_meeting, Caller, InMeeting};
use super::error::LineError;
use super::{ApiError, AppState};
use crate::live::Request;
use crate::setup::{self, join_url};
use crate::store::Principal;
use crate::tokens::Token;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use protocol::{
    Command, CommandId, Fraction, MeetingId, Participant, ParticipantId, Role, Timestamp,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// `Json` whose rejections are the hub's own error bodies.
pub(super) struct JsonBody<T>(pub(super) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid(e.body_text())),
            Err(e) => Err(ApiError::new(
                e.status(),
                protocol::ErrorCode::BadFrame,
                e.body_text(),
            )),
        }
    }
}

fn secretariat(call: &InMeeting) -> Result<(), ApiError> {
    if call.role == Role::Secretariat {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the secretariat may set the meeting up",
        ))
    }
}

#[derive(Deserialize)]
pub(super) struct NewMeeting {
    title: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    starts_at: Option<Timestamp>,
    #[serde(default)]
    quorum: Option<Fraction>,
}

pub(super) async fn create_meeting(
    State(state): Shared,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<NewMeeting>,
) -> Result<impl IntoResponse, ApiError> {
    if principal != Principal::Office {
        return Err(ApiError::forbidden(
            "only the hub's secretariat token may create meetings",
        ));
    }
    let create = Command::CreateMeeting {
        title: body.title,
        venue: body.venue,
        starts_at: body.starts_at,
        quorum: Some(body.quorum.unwrap_or(state.config.quorum)),
    };
    let id = MeetingId::new_random();
    let seq = state
        .meetings
        .create(id, Request::one(crate::engine::Actor::Office, None, create))
        .await?
        .seq;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "seq": seq }))))
}

pub(super) async fn list_meetings(
    State(state): Shared,
    Caller(principal): Caller,
) -> Result<impl IntoResponse, ApiError> {
    if principal != Principal::Office {
        return Err(ApiError::forbidden(
            "only the hub's secretariat token may list meetings",
        ));
    }
    // From the summaries beside the logs: listing loads no meeting.
    let mut list: Vec<_> = state
        .meetings
        .summaries()
        .map_err(|e| ApiError::internal("reading the meetings' summaries", e))?
        .into_iter()
        .map(|(_, s)| (s.meeting, s.seq))
        .collect();
    // The work calendar's order: soonest first, undated last.
    list.sort_by(|(a, _), (b, _)| {
        (a.starts_at.is_none(), a.starts_at, &a.title).cmp(&(
            b.starts_at.is_none(),
            b.starts_at,
            &b.title,
        ))
    });
    let list: Vec<_> = list
        .into_iter()
        .map(|(m, seq)| json!({ "meeting": m, "seq": seq }))
        .collect();
    Ok(Json(json!({ "meetings": list })))
}

pub(super) async fn get_meeting(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let viewer = crate::engine::Viewer::for_actor(&call.actor);
    let (seq, view) = call.handle.read(|s| (s.seq, s.view(viewer)));
    let view = view.ok_or_else(|| ApiError::not_found("no such meeting on this hub"))?;
    Ok(Json(json!({ "seq": seq, "view": view })))
}

#[derive(Deserialize)]
pub(super) struct CommandBody {
    id: CommandId,
    command: Command,
    /// The person's PIN, from an enrolled device (see `admission::needs_pin`).
    #[serde(default)]
    pin: Option<String>,
}

pub(super) async fn run_command(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    JsonBody(body): JsonBody<CommandBody>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    super::admission::admit(state.store.blobs(), &body.command)?;
    if let Principal::Device { device, .. } = principal {
        if super::admission::needs_pin(&body.command) {
            let pin = body.pin.as_deref();
            state
                .office
                .check_pin(device, pin)
                .await
                .map_err(crate::live::Refused::from)?;
        }
    }
    let ballot = super::ballots::check(&state.ballot_checks, &call.handle, &body.command).await?;
    let mut request = Request::one(call.actor, Some((principal, body.id)), body.command);
    request.ballot = ballot;
    let accepted = call.handle.run(request).await?;
    // A secret ballot's receipt goes to its voter in this answer, and nowhere else.
    match accepted.receipt {
        Some(receipt) => Ok(Json(json!({ "seq": accepted.seq, "receipt": receipt }))),
        None => Ok(Json(json!({ "seq": accepted.seq }))),
    }
}

#[derive(Deserialize)]
pub(super) struct NewItem {
    title: String,
    #[serde(default)]
    description: String,
}

pub(super) async fn add_agenda_item(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    JsonBody(body): JsonBody<NewItem>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let request = Request::one(
        call.actor,
        None,
        Command::AddAgendaItem {
            title: body.title,
            description: body.description,
        },
    );
    let id = request.steps[0].1;
    let seq = call.handle.run(request).await?.seq;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "seq": seq }))))
}

#[derive(Deserialize)]
pub(super) struct NewParticipant {
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    unit: String,
    role: Role,
    #[serde(default)]
    seat: Option<String>,
}

/// A participant with the token that is theirs, shown once.
#[derive(Serialize)]
pub(super) struct Issued {
    pub(super) participant: Participant,
    token: String,
    join_url: String,
}

pub(super) async fn add_participant(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    JsonBody(body): JsonBody<NewParticipant>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    let command = Command::AddParticipant {
        name: body.name,
        position: body.position,
        unit: body.unit,
        role: body.role,
        seat: body.seat,
        person: None,
    };
    let issued = summon(&state, &call, meeting, vec![command], &[]).await?;
    let one = issued
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("add participant", "nothing issued"))?;
    Ok((StatusCode::CREATED, Json(one)))
}

/// The most bad lines one refusal lists (its message counts them all): a refused import of
/// a huge file gets a small answer.
const MAX_LINE_ERRORS: usize = 100;

/// Imports `participants.csv` content: every row is checked first, the bad rows are
/// reported with their line numbers (the first [`MAX_LINE_ERRORS`]), and either all are
/// added or none.
pub(super) async fn import_participants(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::invalid("the file is not UTF-8 text; save the CSV as UTF-8 and try again")
    })?;
    let rows = crate::import::parse_participants_csv(text).map_err(|errors| {
        let mut e = ApiError::invalid(format!(
            "{} rows of the file cannot be imported; nothing was imported{}",
            errors.len(),
            listed(errors.len())
        ));
        e.errors = errors
            .into_iter()
            .take(MAX_LINE_ERRORS)
            .map(|r| LineError {
                line: r.line,
                message: r.message,
            })
            .collect();
        e
    })?;
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    let commands = rows.iter().map(|r| r.to_command()).collect();
    let issued = summon(&state, &call, meeting, commands, &lines).await?;
    Ok((StatusCode::CREATED, Json(json!({ "participants": issued }))))
}

/// Says that only the first lines are listed, when there are more.
fn listed(bad: usize) -> String {
    if bad > MAX_LINE_ERRORS {
        format!(" (the first {MAX_LINE_ERRORS} are listed)")
    } else {
        String::new()
    }
}

pub(super) async fn summon(
    state: &AppState,
    call: &InMeeting,
    meeting: MeetingId,
    commands: Vec<Command>,
    lines: &[u64],
) -> Result<Vec<Issued>, ApiError> {
    let mut request = Request {
        actor: call.actor,
        origin: None,
        steps: Vec::new(),
        grants: Vec::new(),
        token: None,
        ballot: None,
    };
    // Each token is granted, and kept sealed for printing badges later (see store::links),
    // in the one write that adds the participants: a refused request writes nothing.
    let summons = setup::summon(&mut request, meeting, commands);
    let refusals = call
        .handle
        .read(|s| setup::dry_run(s, &call.actor, &request.steps));
    if !refusals.is_empty() {
        let mut e = ApiError::invalid(format!(
            "{} participants cannot be added; nothing was added{}",
            refusals.len(),
            listed(refusals.len())
        ));
        e.errors = refusals
            .into_iter()
            .take(MAX_LINE_ERRORS)
            .map(|(n, err)| LineError {
                line: lines.get(n).copied().unwrap_or(n as u64 + 1),
                message: err.to_string(),
            })
            .collect();
        return Err(e);
    }
    call.handle.run(request).await?;
    let issued = call.handle.read(|s| {
        summons
            .into_iter()
            .filter_map(|sm| {
                let participant = s.participant(sm.participant)?.clone();
                let join_url = join_url(&state.public_base, &sm.token);
                Some(Issued {
                    participant,
                    token: sm.token.as_str().to_owned(),
                    join_url,
                })
            })
            .collect()
    });
    Ok(issued)
}

pub(super) async fn reissue_token(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, participant)): Path<(MeetingId, ParticipantId)>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    // Granted and kept sealed in one write, only if the participant exists.
    let token = Token::generate();
    let request = Request::token(call.actor, meeting, participant, Some(token.clone()));
    call.handle.run(request).await?;
    let url = join_url(&state.public_base, &token);
    Ok(Json(
        json!({ "participant": participant, "token": token.as_str(), "join_url": url }),
    ))
}

pub(super) async fn revoke_token(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, participant)): Path<(MeetingId, ParticipantId)>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    call.handle
        .run(Request::token(call.actor, meeting, participant, None))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
