//! The library's routes (see `crate::library`): the office makes a shelf
//! (`POST /api/v1/library/shelves`) and then publishes to it with the meetings' own
//! routes (`/meetings/{shelf}/documents`, `post_announcement` for news); every reader
//! lists what they may read (`GET /api/v1/library`) and downloads it
//! (`GET /api/v1/library/{shelf}/documents/{d}`) through the documents' own download.

use super::auth::{in_meeting, Caller, InMeeting};
use super::documents::download;
use super::rest::JsonBody;
use super::{ApiError, AppState};
use crate::engine::{Actor, Viewer};
use crate::library::{Audience, Shelf};
use crate::live::Request;
use crate::store::Principal;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::info::Announcement;
use protocol::{Command, Document, DocumentId, MeetingId, Role};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

#[derive(Debug, Deserialize)]
pub(super) struct NewShelf {
    title: String,
    #[serde(default = "everyone")]
    audience: Audience,
}

fn everyone() -> Audience {
    Audience::Everyone
}

/// `POST /api/v1/library/shelves`: a new shelf (the office only).
pub(super) async fn create_shelf(
    State(state): Shared,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<NewShelf>,
) -> Result<impl IntoResponse, ApiError> {
    if principal != Principal::Office {
        return Err(ApiError::forbidden(
            "only the hub's secretariat token may make a library shelf",
        ));
    }
    let id = MeetingId::new_random();
    let create = Command::CreateMeeting {
        title: body.title,
        venue: String::new(),
        starts_at: None,
        quorum: None,
    };
    state
        .meetings
        .create(id, Request::one(Actor::Office, None, create))
        .await?;
    let shelf = Shelf {
        meeting: id,
        audience: body.audience,
    };
    if let Audience::Body { body } = &shelf.audience {
        if state.office.read(|d| d.body(*body).is_none()) {
            return Err(ApiError::invalid("no such body in the office's directory"));
        }
    }
    state.library.add(shelf.clone()).map_err(|e| match e {
        crate::library::LibraryError::Full => ApiError::invalid(e.to_string()),
        e => ApiError::internal("recording a library shelf", e),
    })?;
    Ok((StatusCode::CREATED, Json(shelf)))
}

/// The actor `principal` reads `meeting` as: its own actor in a meeting it belongs to
/// (the office everywhere, a person's tablet where they are summoned), or, on a shelf whose
/// audience holds them, a reader the shelf does not name (what the engine lets any reader
/// see, and no named reader's papers).
pub(super) async fn reader(
    state: &AppState,
    principal: &Principal,
    meeting: MeetingId,
) -> Option<InMeeting> {
    if let Ok(call) = in_meeting(state, principal, meeting).await {
        return Some(call);
    }
    let shelf = state.library.shelf(meeting)?;
    let reaches = match (&shelf.audience, principal) {
        (_, Principal::Office) => true,
        (Audience::Everyone, _) => true,
        (Audience::Body { body }, Principal::Device { person, .. }) => state
            .office
            .read(|d| d.body(*body).is_some_and(|b| b.members.contains(person))),
        // A badge is one meeting's: it names no person whose bodies could be asked.
        (Audience::Body { .. }, Principal::Participant { .. }) => false,
    };
    if !reaches {
        return None;
    }
    // Someone the shelf does not name: an id no participant of it has.
    let id = match principal {
        Principal::Participant { participant, .. } => *participant,
        Principal::Device { person, .. } => protocol::ParticipantId(person.0),
        Principal::Office => return None,
    };
    let handle = state.meetings.get(meeting).await.ok()??;
    Some(InMeeting {
        actor: Actor::Participant {
            id,
            role: Role::Delegate,
        },
        role: Role::Delegate,
        name: String::new(),
        handle,
    })
}

/// The shelves' items as a principal other than its own members see them.
#[derive(Debug, Serialize)]
pub(super) struct ShelfView {
    id: MeetingId,
    title: String,
    audience: Audience,
    documents: Vec<Document>,
    news: Vec<Announcement>,
}

/// `GET /api/v1/library`: every shelf the caller reaches, with what they may read on it.
pub(super) async fn list(
    State(state): Shared,
    Caller(principal): Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut shelves = Vec::new();
    for shelf in state.library.shelves() {
        let Some(call) = reader(&state, &principal, shelf.meeting).await else {
            continue;
        };
        let view = call.handle.read(|s| s.view(Viewer::for_actor(&call.actor)));
        let Some(view) = view else { continue };
        let mut news = view.announcements;
        news.sort_by_key(|n| std::cmp::Reverse(n.posted_at));
        shelves.push(ShelfView {
            id: shelf.meeting,
            title: view.meeting.title,
            audience: shelf.audience,
            documents: view.documents,
            news,
        });
    }
    Ok(Json(serde_json::json!({ "shelves": shelves })))
}

/// `GET /api/v1/library/{shelf}/documents/{d}`: a library document's bytes, for a reader
/// the engine lets read it.
pub(super) async fn download_item(
    State(state): Shared,
    Caller(principal): Caller,
    Path((shelf, document)): Path<(MeetingId, DocumentId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if state.library.shelf(shelf).is_none() {
        return Err(ApiError::not_found("no such shelf in the library"));
    }
    let call = reader(&state, &principal, shelf)
        .await
        .ok_or_else(|| ApiError::forbidden("this shelf of the library does not reach you"))?;
    download::of(&state, &call, document, None, &headers).await
}
