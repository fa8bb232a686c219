//! Information for the body: its work calendar (lịch công tác) and announcements. Both are
//! public to everyone in the meeting's log, so every connected participant hears of an
//! announcement at once. The calendar across meetings ([`calendar_days`]) is a pure
//! projection of the states it is given: the meetings themselves by `starts_at`, and
//! every body's calendar events.

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState};
use protocol::info::{Announcement, CalendarDay, CalendarEntry, CalendarEvent};
use protocol::{AnnouncementId, CalendarEventId, Command, Event, EventKind, Timestamp};
use time::{Date, OffsetDateTime};

/// Bounds no real body reaches in one log.
const MAX_EVENTS: usize = 10_000;
const MAX_ANNOUNCEMENTS: usize = 10_000;
/// Viet Nam's time (UTC+7, no daylight saving): the dates of the calendar, the minutes and
/// the exports are the hall's, whatever the hub's own time zone.
pub const VIETNAM_OFFSET: time::UtcOffset = time::macros::offset!(+7);

/// The longest calendar one request may list.
pub const MAX_DAYS: u32 = 62;

/// A body's calendar events (by start) and announcements (oldest first).
#[derive(Clone, Debug, Default)]
pub struct Info {
    pub calendar: Vec<CalendarEvent>,
    pub announcements: Vec<Announcement>,
}

impl Info {
    pub(super) fn apply(&mut self, event: &Event) {
        match &event.event {
            EventKind::CalendarEventAdded { event } => {
                let at = self
                    .calendar
                    .partition_point(|e| e.starts_at <= event.starts_at);
                self.calendar.insert(at, event.clone());
            }
            EventKind::CalendarEventRemoved { event } => self.calendar.retain(|e| e.id != *event),
            EventKind::AnnouncementPosted { announcement } => {
                self.announcements.push(announcement.clone())
            }
            _ => {}
        }
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::AddCalendarEvent {
            title,
            starts_at,
            ends_at,
            location,
            host,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat keeps the calendar",
            )?;
            if state.info.calendar.len() >= MAX_EVENTS {
                return Err(EngineError::Invalid(format!(
                    "a calendar holds at most {MAX_EVENTS} events"
                )));
            }
            if ends_at.is_some_and(|end| end < *starts_at) {
                return Err(EngineError::Invalid(
                    "an event cannot end before it starts".into(),
                ));
            }
            let id = CalendarEventId(ctx.new_id);
            if state.info.calendar.iter().any(|e| e.id == id) {
                return Err(EngineError::Invalid("that event id is taken".into()));
            }
            Ok(vec![EventKind::CalendarEventAdded {
                event: CalendarEvent {
                    id,
                    title: clean_text("title", title, 500, true)?,
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                    location: clean_text("location", location, 300, false)?,
                    host: clean_text("host", host, 500, false)?,
                },
            }])
        }
        Command::RemoveCalendarEvent { event } => {
            require(
                actor.is_secretariat(),
                "only the secretariat keeps the calendar",
            )?;
            if !state.info.calendar.iter().any(|e| e.id == *event) {
                return Err(EngineError::NotFound(format!("no calendar event {event}")));
            }
            Ok(vec![EventKind::CalendarEventRemoved { event: *event }])
        }
        Command::PostAnnouncement { title, text } => {
            require(
                actor.runs_meeting(),
                "only the secretariat or the chair may announce",
            )?;
            if state.info.announcements.len() >= MAX_ANNOUNCEMENTS {
                return Err(EngineError::Invalid("too many announcements".into()));
            }
            let id = AnnouncementId(ctx.new_id);
            if state.info.announcements.iter().any(|a| a.id == id) {
                return Err(EngineError::Invalid("that announcement id is taken".into()));
            }
            Ok(vec![EventKind::AnnouncementPosted {
                announcement: Announcement {
                    id,
                    title: clean_text("title", title, 500, true)?,
                    text: clean_text("text", text, 8000, false)?,
                    posted_at: ctx.now,
                    by: match actor {
                        Actor::Participant { id, .. } => Some(*id),
                        _ => None,
                    },
                },
            }])
        }
        _ => Err(EngineError::Invalid("not an information command".into())),
    }
}

/// The day (Viet Nam time) a moment falls on.
pub fn vietnam_date(at: Timestamp) -> Date {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM_OFFSET)
        .date()
}

/// A meeting's lines of the calendar: itself, if it has a `starts_at`, and its events.
pub fn calendar_entries(state: &MeetingState) -> Vec<CalendarEntry> {
    match &state.meeting {
        Some(meeting) => summary_calendar_entries(meeting, &state.info.calendar),
        None => Vec::new(),
    }
}

/// [`calendar_entries`] from what a meeting's stored summary keeps: its header and its
/// calendar, so the calendar needs no meeting loaded.
pub fn summary_calendar_entries(
    meeting: &protocol::Meeting,
    calendar: &[CalendarEvent],
) -> Vec<CalendarEntry> {
    let itself = meeting.starts_at.map(|starts_at| CalendarEntry::Meeting {
        meeting: meeting.id,
        title: meeting.title.clone(),
        venue: meeting.venue.clone(),
        starts_at,
    });
    let events = calendar.iter().map(|event| CalendarEntry::Event {
        meeting: meeting.id,
        event: event.clone(),
    });
    itself.into_iter().chain(events).collect()
}

/// The calendar of `days` days from `from`, one [`CalendarDay`] per day in Viet Nam time
/// (empty days included, so a week always has seven), each day's entries by start.
pub fn calendar_days(
    from: Date,
    days: u32,
    entries: impl IntoIterator<Item = CalendarEntry>,
) -> Vec<CalendarDay> {
    let days = days.clamp(1, MAX_DAYS);
    let mut entries: Vec<(Date, CalendarEntry)> = entries
        .into_iter()
        .map(|e| (vietnam_date(e.starts_at()), e))
        .collect();
    entries.sort_by_key(|(_, e)| e.starts_at());
    (0..days)
        .filter_map(|n| from.checked_add(time::Duration::days(i64::from(n))))
        .map(|date| CalendarDay {
            date: date.to_string(),
            entries: entries
                .iter()
                .filter(|(d, _)| *d == date)
                .map(|(_, e)| e.clone())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
#[path = "info_tests.rs"]
mod tests;
