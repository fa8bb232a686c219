//! `GET /api/v1/archive`: the closed meetings a caller took part in (the office: every
//! one; a person's tablet: those that summoned them), newest first, by body, year and
//! title, from the meetings' summaries and the office's directory (nothing is loaded to
//! list them). `body=` keeps one body's, `year=2026` one year's; `q=` keeps titles
//! holding those words, with or without diacritics.

use super::auth::Caller;
use super::{ApiError, AppState};
use crate::archive::text;
use crate::store::Principal;
use axum::extract::{Query, State};
use axum::Json;
use protocol::{MeetingId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Meetings listed at most in one answer.
const MAX_LISTED: usize = 500;

#[derive(Debug, Deserialize)]
pub(super) struct Params {
    year: Option<i32>,
    q: Option<String>,
    /// Only the meetings this body summoned.
    body: Option<protocol::BodyId>,
}

#[derive(Debug, Serialize)]
pub(super) struct Closed {
    id: MeetingId,
    title: String,
    venue: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    starts_at: Option<Timestamp>,
    /// The year in Viet Nam, from `starts_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<i32>,
    /// The body that summoned it, when one did (the office's directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<BodyName>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct BodyName {
    name: String,
    id: protocol::BodyId,
}

#[derive(Debug, Serialize)]
pub(super) struct Listing {
    /// Every year that has a closed meeting for this caller, newest first.
    years: Vec<i32>,
    /// Every body that summoned one of them, by name.
    bodies: Vec<BodyName>,
    meetings: Vec<Closed>,
    /// More meetings matched than listed.
    more: bool,
}

pub(super) async fn list(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Query(params): Query<Params>,
) -> Result<Json<Listing>, ApiError> {
    let q = params.q.unwrap_or_default();
    if q.chars().count() > crate::archive::query::MAX_QUERY_CHARS {
        return Err(ApiError::invalid(format!(
            "a search is at most {} characters",
            crate::archive::query::MAX_QUERY_CHARS
        )));
    }
    let words = text::tokens(&q);
    let summaries = state
        .meetings
        .summaries()
        .map_err(|e| ApiError::internal("listing meetings", e))?;
    let mine: Option<Vec<MeetingId>> = match &principal {
        Principal::Device { person, .. } => Some(
            state
                .office
                .read(|d| d.meetings_of(*person))
                .into_iter()
                .map(|(m, _)| m)
                .collect(),
        ),
        _ => None,
    };
    let mut years = BTreeSet::new();
    let mut bodies = BTreeSet::new();
    let mut meetings = Vec::new();
    for (id, summary) in summaries {
        let may = match &principal {
            Principal::Office => true,
            Principal::Participant { meeting, .. } => *meeting == id,
            Principal::Device { .. } => mine.as_ref().is_some_and(|m| m.contains(&id)),
        };
        if !may || !summary.is_closed() || state.library.shelf(id).is_some() {
            continue;
        }
        let m = summary.meeting;
        let year = m.starts_at.map(|at| crate::engine::vietnam_date(at).year());
        let body = body_of(&state, id);
        if let Some(y) = year {
            years.insert(y);
        }
        if let Some(b) = &body {
            bodies.insert(b.clone());
        }
        if params.year.is_some() && params.year != year {
            continue;
        }
        if params.body.is_some() && params.body != body.as_ref().map(|b| b.id) {
            continue;
        }
        let title = text::tokens(&m.title);
        if !words
            .iter()
            .all(|w| title.iter().any(|t| t.starts_with(w.as_str())))
        {
            continue;
        }
        meetings.push(Closed {
            id,
            title: m.title,
            venue: m.venue,
            starts_at: m.starts_at,
            year,
            body,
        });
    }
    meetings.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(a.title.cmp(&b.title)));
    let more = meetings.len() > MAX_LISTED;
    meetings.truncate(MAX_LISTED);
    Ok(Json(Listing {
        years: years.into_iter().rev().collect(),
        bodies: bodies.into_iter().collect(),
        meetings,
        more,
    }))
}

/// The body whose members a meeting summoned (the first the directory names for it).
fn body_of(state: &AppState, meeting: MeetingId) -> Option<BodyName> {
    state.office.read(|d| {
        let body = d
            .summoned(meeting)
            .into_iter()
            .find_map(|(_, seat)| seat.body)?;
        d.body(body).map(|b| BodyName {
            id: b.id,
            name: b.name.clone(),
        })
    })
}
