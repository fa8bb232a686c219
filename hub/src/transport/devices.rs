//! A person's own tablet: the enrolment page (`/e/CODE`, from the QR code the office
//! printed), which sets the PIN and receives the device's token; and, with that token,
//! `/home` and `GET /api/v1/me`: who the person is, their bodies, today's and coming
//! meetings of every body that summoned them, their invitations and reminders.

use super::auth::{cookie_request_allowed, Caller, TOKEN_COOKIE};
use super::rest::JsonBody;
use super::{ApiError, AppState};
use crate::live::Refused;
use crate::store::Principal;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use protocol::directory::{MyMeeting, Reminder};
use protocol::MeetingStatus;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// A device's cookie lasts as long as a badge's: revocation is on the hub's side.
const COOKIE_MAX_AGE: u32 = 365 * 24 * 3600;
/// Hours before a meeting's start at which its reminder shows on the person's tablet.
pub const REMINDER_HOURS: [u32; 2] = [24, 1];
/// A meeting that started this long ago is no longer "today and coming".
const STARTED_WINDOW_MS: i64 = 12 * 3600 * 1000;

#[derive(Deserialize)]
pub(super) struct Enrol {
    code: String,
    pin: String,
}

/// `POST /api/v1/enrol {code, pin}`: spends the code, keeps the PIN's hash, and answers
/// with the device's token (shown once). A browser also gets it as the sign-in cookie.
pub(super) async fn enrol(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Enrol>,
) -> Result<Response, ApiError> {
    // A page of another site must not enrol this browser to someone else's person.
    if headers.contains_key("origin") || headers.contains_key("sec-fetch-site") {
        cookie_request_allowed(&Method::POST, &headers, &state.public_base)?;
    }
    let (token, device, person) = state
        .office
        .enrol(&body.code, &body.pin)
        .await
        .map_err(|e| ApiError::from(Refused::from(e)))?;
    let name = state
        .office
        .read(|d| d.person(person).map(|p| p.name.clone()));
    let cookie = format!(
        "{TOKEN_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}",
        token.as_str()
    );
    let joined = format!("hub_device=1; Path=/; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}");
    Ok((
        StatusCode::CREATED,
        AppendHeaders([
            (SET_COOKIE, cookie),
            (SET_COOKIE, joined),
            (CACHE_CONTROL, "no-store".to_owned()),
        ]),
        Json(json!({ "device": device, "person": person, "name": name, "token": token.as_str() })),
    )
        .into_response())
}

/// `GET /api/v1/me`: everything of the device's person.
pub(super) async fn me(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
) -> Result<impl IntoResponse, ApiError> {
    let Principal::Device { person, device } = principal else {
        return Err(ApiError::forbidden(
            "only an enrolled device has a home page; a badge opens its one meeting",
        ));
    };
    let now = state.office.now();
    let (who, bodies, seats, locked) = state.office.read(|d| {
        let bodies: Vec<String> = d.bodies_of(person).map(|b| b.name.clone()).collect();
        let seats: Vec<_> = d
            .meetings_of(person)
            .into_iter()
            .map(|(m, seat)| {
                let body = seat.body.and_then(|b| d.body(b)).map(|b| b.name.clone());
                (m, seat, body, d.invited(m), d.answer(m, person).cloned())
            })
            .collect();
        let locked = d.device(device).is_some_and(|x| x.locked);
        (d.person(person).cloned(), bodies, seats, locked)
    });
    let mut meetings = Vec::new();
    for (meeting, seat, body, invited, answer) in seats {
        let summary = state
            .meetings
            .summary(meeting)
            .map_err(|e| ApiError::internal("reading a meeting's summary", e))?;
        let Some(summary) = summary else { continue };
        let m = summary.meeting;
        // Today's and coming: not closed, and not started long ago.
        let coming = m.status != MeetingStatus::Closed
            && m.starts_at
                .is_none_or(|at| at.0 + STARTED_WINDOW_MS >= now.0);
        if !coming {
            continue;
        }
        meetings.push(MyMeeting {
            meeting,
            title: m.title,
            venue: m.venue,
            starts_at: m.starts_at,
            status: m.status,
            body,
            participant: seat.participant,
            role: seat.role,
            invited,
            answer,
        });
    }
    meetings.sort_by_key(|m| (m.starts_at.is_none(), m.starts_at));
    let reminders = reminders(&meetings, now);
    Ok((
        [(CACHE_CONTROL, "no-store")],
        Json(json!({
            "person": who,
            "device": device,
            "locked": locked,
            "bodies": bodies,
            "meetings": meetings,
            "reminders": reminders,
        })),
    ))
}

/// The reminders due now: for each coming meeting, the nearest of [`REMINDER_HOURS`] whose
/// time has come, until the meeting starts. A person who declared an absence gets none.
pub fn reminders(meetings: &[MyMeeting], now: protocol::Timestamp) -> Vec<Reminder> {
    meetings
        .iter()
        .filter(|m| !matches!(m.answer, Some(protocol::InvitationAnswer::Absent { .. })))
        .filter_map(|m| {
            let starts_at = m.starts_at?;
            let left = starts_at.0 - now.0;
            if left <= 0 {
                return None;
            }
            let hours_before = REMINDER_HOURS
                .iter()
                .copied()
                .filter(|h| left <= i64::from(*h) * 3_600_000)
                .min()?;
            Some(Reminder {
                meeting: m.meeting,
                title: m.title.clone(),
                starts_at,
                hours_before,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{InvitationAnswer, MeetingId, ParticipantId, Role, Timestamp};

    fn meeting(starts_in_ms: i64, answer: Option<InvitationAnswer>) -> MyMeeting {
        MyMeeting {
            meeting: MeetingId::new_random(),
            title: "Hội nghị Ban Thường vụ".into(),
            venue: String::new(),
            starts_at: Some(Timestamp(1_000_000_000 + starts_in_ms)),
            status: MeetingStatus::Open,
            body: None,
            participant: ParticipantId::new_random(),
            role: Role::Delegate,
            invited: true,
            answer,
        }
    }

    #[test]
    fn reminders_come_a_day_and_an_hour_before_and_not_to_the_absent() {
        let now = Timestamp(1_000_000_000);
        let hour = 3_600_000;
        let list = [
            meeting(30 * hour, None),
            meeting(20 * hour, None),
            meeting(hour / 2, Some(InvitationAnswer::Attending)),
            meeting(
                hour / 2,
                Some(InvitationAnswer::Absent {
                    reason: "Ốm".into(),
                }),
            ),
            meeting(-hour, None),
        ];
        let due: Vec<u32> = reminders(&list, now)
            .iter()
            .map(|r| r.hours_before)
            .collect();
        assert_eq!(due, vec![24, 1]);
    }
}
