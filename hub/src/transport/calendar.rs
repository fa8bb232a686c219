//! `GET /api/v1/calendar`: the work calendar (lịch công tác) by day or by week. The office
//! token sees every meeting and every body's events; a participant sees their own meeting
//! and its events. The listing itself is the engine's pure `calendar_days`.

use super::auth::Caller;
use super::{ApiError, AppState};
use crate::engine;
use crate::store::Principal;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Json;
use protocol::Timestamp;
use serde::Deserialize;
use std::sync::Arc;
use time::Date;

/// `from=YYYY-MM-DD&days=N` (default: today in Viet Nam, 7 days), or `week=YYYY-MM-DD`:
/// the Monday-to-Sunday week holding that day.
#[derive(Debug, Deserialize)]
pub(super) struct Range {
    from: Option<String>,
    days: Option<u32>,
    week: Option<String>,
}

fn parse_date(field: &str, text: &str) -> Result<Date, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map_err(|_| ApiError::invalid(format!("{field} must be a date such as 2026-11-23")))
}

fn today() -> Date {
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    engine::vietnam_date(Timestamp(now as i64))
}

pub(super) async fn calendar(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Query(range): Query<Range>,
) -> Result<impl IntoResponse, ApiError> {
    let (from, days) = match (&range.week, &range.from) {
        (Some(_), Some(_)) => return Err(ApiError::invalid("give either week or from, not both")),
        (Some(week), None) => {
            let day = parse_date("week", week)?;
            let back = i64::from(day.weekday().number_days_from_monday());
            (day - time::Duration::days(back), 7)
        }
        (None, from) => {
            let from = from
                .as_deref()
                .map_or_else(|| Ok(today()), |f| parse_date("from", f))?;
            (from, range.days.unwrap_or(7))
        }
    };
    if days == 0 || days > engine::MAX_CALENDAR_DAYS {
        return Err(ApiError::invalid(format!(
            "days is 1 to {}",
            engine::MAX_CALENDAR_DAYS
        )));
    }
    // From the summaries beside the logs: the calendar loads no meeting.
    let summaries = match &principal {
        Principal::Office => state
            .meetings
            .summaries()
            .map(|all| all.into_iter().map(|(_, s)| s).collect::<Vec<_>>()),
        Principal::Participant { meeting, .. } => state
            .meetings
            .summary(*meeting)
            .map(|s| s.into_iter().collect()),
        // A person's tablet: the calendar of every meeting that summoned them.
        Principal::Device { person, .. } => {
            let meetings = state.office.read(|d| d.meetings_of(*person));
            meetings
                .into_iter()
                .filter_map(|(m, _)| state.meetings.summary(m).transpose())
                .collect()
        }
    }
    .map_err(|e| ApiError::internal("reading the meetings' summaries", e))?;
    let entries = summaries
        .iter()
        .flat_map(|s| engine::summary_calendar_entries(&s.meeting, &s.calendar));
    let listed = engine::calendar_days(from, days, entries);
    Ok(Json(
        serde_json::json!({ "from": from.to_string(), "days": listed }),
    ))
}
