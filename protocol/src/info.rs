//! Information for the whole body: the work calendar (lịch công tác) and announcements
//! (thông báo).

use crate::ids::{AnnouncementId, CalendarEventId, MeetingId, ParticipantId};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// An entry of the work calendar that is not a meeting held on the hub: a working visit,
/// a reception, a conference elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEvent {
    pub id: CalendarEventId,
    pub title: String,
    pub starts_at: Timestamp,
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
    #[serde(default)]
    pub location: String,
    /// Who leads or attends (chủ trì / thành phần), as the office writes it.
    #[serde(default)]
    pub host: String,
}

/// An announcement to every participant of the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: AnnouncementId,
    pub title: String,
    #[serde(default)]
    pub text: String,
    pub posted_at: Timestamp,
    /// `null` for the office token.
    pub by: Option<ParticipantId>,
}

/// One line of the calendar: a meeting on the hub, or a calendar event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CalendarEntry {
    Meeting {
        meeting: MeetingId,
        title: String,
        venue: String,
        starts_at: Timestamp,
    },
    Event {
        /// The body whose calendar holds it.
        meeting: MeetingId,
        #[serde(flatten)]
        event: CalendarEvent,
    },
}

impl CalendarEntry {
    pub fn starts_at(&self) -> Timestamp {
        match self {
            CalendarEntry::Meeting { starts_at, .. } => *starts_at,
            CalendarEntry::Event { event, .. } => event.starts_at,
        }
    }
}

/// One day of the calendar, in Viet Nam time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// In order of start.
    pub entries: Vec<CalendarEntry>,
}
