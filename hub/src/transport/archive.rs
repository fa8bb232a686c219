//! `GET /api/v1/archive`: the closed meetings a caller took part in (the office: every
//! one), newest first, by year and title, from the meetings' summaries (nothing is loaded
//! to list them). `year=2026` keeps one year; `q=` keeps titles holding those words, with
//! or without diacritics.

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
}

#[derive(Debug, Serialize)]
pub(super) struct Listing {
    /// Every year that has a closed meeting for this caller, newest first.
    years: Vec<i32>,
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
    let mut years = BTreeSet::new();
    let mut meetings = Vec::new();
    for (id, summary) in summaries {
        let may = match &principal {
            Principal::Office => true,
            Principal::Participant { meeting, .. } => *meeting == id,
        };
        if !may || !summary.is_closed() || state.library.shelf(id).is_some() {
            continue;
        }
        let m = summary.meeting;
        let year = m.starts_at.map(|at| crate::engine::vietnam_date(at).year());
        if let Some(y) = year {
            years.insert(y);
        }
        if params.year.is_some() && params.year != year {
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
        });
    }
    meetings.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(a.title.cmp(&b.title)));
    let more = meetings.len() > MAX_LISTED;
    meetings.truncate(MAX_LISTED);
    Ok(Json(Listing {
        years: years.into_iter().rev().collect(),
        meetings,
        more,
    }))
}
