//! What the secretariat prints: each participant's join QR code (PNG), the badge sheet
//! (PDF) for everyone or for one participant after a re-issue, and the meeting's public
//! link with its QR code. Join QR codes need the token itself, which the store keeps
//! sealed for that (see `store::links`).

use super::auth::{in_meeting, Caller, InMeeting};
use super::public::{png, public_url};
use super::{ApiError, AppState};
use crate::badges::{badge_sheet_with_ca, Badge};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{ErrorCode, MeetingId, Participant, ParticipantId, Role};
use serde_json::json;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

fn secretariat(call: &InMeeting) -> Result<(), ApiError> {
    if call.role == Role::Secretariat {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the secretariat prints badges and QR codes",
        ))
    }
}

/// The participant's current join URL, from the kept token.
fn join_url_of(
    state: &AppState,
    meeting: MeetingId,
    participant: ParticipantId,
) -> Result<Option<String>, ApiError> {
    let token = state
        .store
        .kept_token(meeting, participant)
        .map_err(|e| ApiError::internal("reading a kept token", e))?;
    Ok(token.map(|t| state.join_url(&t)))
}

fn no_token() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::InvalidState,
        "this participant has no printable token (it was revoked, or issued before the hub \
         kept tokens); re-issue it with POST …/token, then print the badge",
    )
}

/// `GET /meetings/{m}/participants/{p}/qr.png`.
pub(super) async fn participant_qr(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, participant)): Path<(MeetingId, ParticipantId)>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    if call.handle.read(|s| s.participant(participant).is_none()) {
        return Err(ApiError::not_found("no such participant in this meeting"));
    }
    let url = join_url_of(&state, meeting, participant)?.ok_or_else(no_token)?;
    png(&url)
}

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CACHE_CONTROL, "no-store".to_owned()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

fn badges_for(
    state: &AppState,
    meeting: MeetingId,
    people: &[Participant],
) -> Result<Vec<Badge>, ApiError> {
    let mut badges = Vec::with_capacity(people.len());
    for p in people {
        let Some(url) = join_url_of(state, meeting, p.id)? else {
            tracing::warn!(participant = %p.id, "no kept token; badge left out of the sheet");
            continue;
        };
        badges.push(Badge {
            name: p.name.clone(),
            position: p.position.clone(),
            unit: p.unit.clone(),
            seat: p.seat.clone(),
            role: p.role,
            url,
        });
    }
    Ok(badges)
}

/// `GET /meetings/{m}/badges.pdf`: every participant with a printable token, in the
/// order they were summoned (the seating plan).
pub(super) async fn sheet(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    let (title, people) = call.handle.read(|s| {
        let title = s
            .meeting
            .as_ref()
            .map(|m| m.title.clone())
            .unwrap_or_default();
        (title, s.participants.clone())
    });
    let badges = badges_for(&state, meeting, &people)?;
    // The whole sheet starts with the page for installing the hub's CA; one badge does not.
    let bytes = render(title, badges, state.ca_page.clone()).await?;
    Ok(pdf(bytes, "the-dai-bieu.pdf"))
}

/// `GET /meetings/{m}/participants/{p}/badge.pdf`: one badge, e.g. after a re-issue.
pub(super) async fn one_badge(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, participant)): Path<(MeetingId, ParticipantId)>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    secretariat(&call)?;
    let (title, person) = call.handle.read(|s| {
        let title = s
            .meeting
            .as_ref()
            .map(|m| m.title.clone())
            .unwrap_or_default();
        (title, s.participant(participant).cloned())
    });
    let person =
        person.ok_or_else(|| ApiError::not_found("no such participant in this meeting"))?;
    let badges = badges_for(&state, meeting, std::slice::from_ref(&person))?;
    if badges.is_empty() {
        return Err(no_token());
    }
    let bytes = render(title, badges, None).await?;
    Ok(pdf(bytes, "the-dai-bieu.pdf"))
}

/// Drawing a few hundred QR codes takes a moment: off the async threads.
async fn render(
    title: String,
    badges: Vec<Badge>,
    ca: Option<crate::badges::CaNotice>,
) -> Result<Vec<u8>, ApiError> {
    tokio::task::spawn_blocking(move || badge_sheet_with_ca(&title, &badges, ca.as_ref()))
        .await
        .map_err(|e| ApiError::internal("drawing the badge sheet", e))?
        .map_err(|e| ApiError::internal("drawing the badge sheet", e))
}

/// `GET /meetings/{m}/public`: the public page's URL and where its QR code is (any token
/// of the meeting: the chair may show it on the big screen).
pub(super) async fn public_link(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    in_meeting(&state, &principal, meeting).await?;
    let link = state
        .store
        .public_link(meeting)
        .map_err(|e| ApiError::internal("making the public link", e))?;
    // The link gets printed: it must survive a crash before anyone sees it.
    state
        .store
        .flush()
        .await
        .map_err(|e| ApiError::internal("making the public link", e))?;
    let url = public_url(&state.public_base, &link);
    Ok(Json(
        json!({ "url": url, "qr_png": format!("{url}/qr.png") }),
    ))
}
