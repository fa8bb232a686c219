//! `GET /api/v1/search?q=…`: full-text search of the meetings a caller can open (the
//! office: every one; a participant's token: its meeting; a person's tablet: every
//! meeting that summoned them) and the library's shelves. Each hit is checked against
//! its meeting's state with the caller's actor before it is answered (`archive::query`),
//! so a document the caller may not download gives no hit and no snippet.

use super::auth::{Caller, InMeeting};
use super::{ApiError, AppState};
use crate::archive::index::Kind;
use crate::archive::query::{self, QueryError};
use crate::store::Principal;
use axum::extract::{Query, State};
use axum::Json;
use protocol::{MeetingId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Hits answered by default and at most.
const DEFAULT_HITS: usize = 20;
const MAX_HITS: usize = 50;

#[derive(Debug, Deserialize)]
pub(super) struct Params {
    q: String,
    limit: Option<usize>,
    /// Only this meeting.
    meeting: Option<MeetingId>,
}

/// One thing found, for someone who may read it.
#[derive(Debug, Serialize)]
pub(super) struct Hit {
    meeting: MeetingId,
    meeting_title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    starts_at: Option<Timestamp>,
    /// `meeting`, `agenda`, `page`, `conclusion`, `poll` or `opinion`.
    kind: &'static str,
    /// The document, agenda item, poll or opinion request.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    /// For a page: the document's version and the page (1 is the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    title: String,
    /// HTML: the text escaped, the words found in `<b>`.
    snippet: String,
    /// For a page: where its bytes are, with `#page=N` for a PDF viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    open: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct Answer {
    hits: Vec<Hit>,
    /// More hits than `limit` were found.
    more: bool,
    /// Meetings are still being indexed: a search again later may find more.
    indexing: bool,
}

pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Query(params): Query<Params>,
) -> Result<Json<Answer>, ApiError> {
    // A search costs the hub more than a command: it spends from the same budget.
    state.senders.command(&principal)?;
    let limit = params.limit.unwrap_or(DEFAULT_HITS).clamp(1, MAX_HITS);
    let scope: Option<Vec<MeetingId>> = match (&principal, params.meeting) {
        (Principal::Office, asked) => asked.map(|m| vec![m]),
        (Principal::Participant { meeting, .. }, None) => {
            // Their meeting, and the library's shelves (each checked like any meeting).
            let shelves = state.library.shelves().into_iter().map(|s| s.meeting);
            Some(std::iter::once(*meeting).chain(shelves).collect())
        }
        (Principal::Participant { meeting, .. }, Some(asked))
            if asked == *meeting || state.library.shelf(asked).is_some() =>
        {
            Some(vec![asked])
        }
        (Principal::Participant { .. }, Some(_)) => {
            return Err(ApiError::forbidden("this token belongs to another meeting"))
        }
        // A person's tablet: every meeting that summoned them, and the shelves.
        (Principal::Device { person, .. }, asked) => {
            let summoned = state.office.read(|d| d.meetings_of(*person));
            let shelves = state.library.shelves().into_iter().map(|s| s.meeting);
            let mine: Vec<MeetingId> = summoned
                .into_iter()
                .map(|(m, _)| m)
                .chain(shelves)
                .collect();
            match asked {
                None => Some(mine),
                Some(m) if mine.contains(&m) => Some(vec![m]),
                Some(_) => {
                    return Err(ApiError::forbidden(
                        "you are not summoned to this meeting (bạn không được triệu tập)",
                    ))
                }
            }
        }
    };
    let archive = state.archive.clone();
    let q = params.q;
    let found = tokio::task::spawn_blocking(move || archive.search(&q, scope.as_deref()))
        .await
        .map_err(|e| ApiError::internal("searching", e))?;
    let found = found.map_err(|e| match e {
        QueryError::Archive(e) => ApiError::internal("searching", e),
        refused => ApiError::invalid(refused.to_string()),
    })?;
    let mut meetings: HashMap<MeetingId, Option<InMeeting>> = HashMap::new();
    let mut hits = Vec::new();
    let mut more = false;
    for candidate in &found.candidates {
        if let std::collections::hash_map::Entry::Vacant(slot) = meetings.entry(candidate.meeting) {
            // A meeting the caller cannot open (or that is gone) hides all its entries.
            slot.insert(super::library::reader(&state, &principal, candidate.meeting).await);
        }
        let Some(Some(call)) = meetings.get(&candidate.meeting) else {
            continue;
        };
        let seen = call.handle.read(|s| {
            query::visible(s, &call.actor, candidate)
                .then(|| s.meeting.as_ref().map(|m| (m.title.clone(), m.starts_at)))
                .flatten()
        });
        let Some((meeting_title, starts_at)) = seen else {
            continue;
        };
        if hits.len() == limit {
            more = true;
            break;
        }
        let page = candidate.kind == Kind::Page;
        hits.push(Hit {
            meeting: candidate.meeting,
            meeting_title,
            starts_at,
            kind: candidate.kind.as_str(),
            target: candidate.target.clone(),
            version: page.then_some(candidate.version),
            page: (page && candidate.page > 0).then_some(candidate.page),
            title: candidate.title.clone(),
            snippet: found.snippet_html(candidate),
            open: page.then(|| {
                // A shelf's item downloads through the library, which its readers reach.
                let route = match state.library.shelf(candidate.meeting) {
                    Some(_) => "library",
                    None => "meetings",
                };
                format!(
                    "/api/v1/{route}/{}/documents/{}#page={}",
                    candidate.meeting,
                    candidate.target.as_deref().unwrap_or_default(),
                    candidate.page.max(1)
                )
            }),
        });
    }
    Ok(Json(Answer {
        hits,
        more,
        indexing: state.archive.is_behind(),
    }))
}
