//! The meeting as clients see it: the meeting, its agenda, its participants and attendance.

use crate::ids::{AgendaItemId, MeetingId, ParticipantId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds since the Unix epoch, UTC. A plain number on the wire (`new Date(ms)` in a
/// browser) so no client needs a date parser to follow a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// What a participant is in the meeting. One role per participant; a person who both
/// chairs and votes is a `chair` (chairs count as members for attendance and quorum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Thư ký / văn phòng: prepares the meeting, checks delegates in, exports.
    Secretariat,
    /// Chủ tọa: runs the agenda.
    Chair,
    /// Đại biểu: reads, votes, speaks.
    Delegate,
    /// Màn hình trình chiếu: the big screen; reads only what the hall may see.
    Projector,
}

impl Role {
    /// Members are summoned (được triệu tập) and count for attendance and quorum.
    pub fn is_member(self) -> bool {
        matches!(self, Role::Chair | Role::Delegate)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Chair => "chair",
            Role::Delegate => "delegate",
            Role::Projector => "projector",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    /// Accepts the English names and the Vietnamese words a secretariat writes in a CSV.
    fn from_str(s: &str) -> Result<Self, String> {
        let lower = s.trim().to_lowercase();
        Ok(match lower.as_str() {
            "secretariat" | "thư ký" | "thu ky" | "văn phòng" => Role::Secretariat,
            "chair" | "chairperson" | "chủ tọa" | "chủ toạ" | "chu toa" => Role::Chair,
            "delegate" | "đại biểu" | "dai bieu" => Role::Delegate,
            "projector" | "màn hình" | "man hinh" => Role::Projector,
            _ => {
                return Err(format!(
                    "unknown role '{}': use secretariat, chair, delegate or projector",
                    s.trim()
                ))
            }
        })
    }
}

/// A meeting's lifecycle. `draft` → `open` (delegates may check in) → `in_session` ⇄
/// `adjourned` → `closed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Draft,
    Open,
    InSession,
    Adjourned,
    Closed,
}

impl MeetingStatus {
    /// Delegates who join while the meeting is in one of these states are checked in.
    pub fn admits_check_in(self) -> bool {
        matches!(
            self,
            MeetingStatus::Open | MeetingStatus::InSession | MeetingStatus::Adjourned
        )
    }
}

/// A fraction such as a quorum of two thirds. `"2/3"` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fraction {
    pub num: u32,
    pub den: u32,
}

impl Fraction {
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };

    /// Whether `part` out of `whole` reaches this fraction (part / whole >= num / den),
    /// in exact integer arithmetic. Nothing reaches a fraction of an empty whole.
    pub fn reached_by(self, part: u64, whole: u64) -> bool {
        whole > 0 && part * u64::from(self.den) >= whole * u64::from(self.num)
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl std::str::FromStr for Fraction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a fraction between 0 and 1 such as 2/3 or 1/2");
        let (n, d) = s.trim().split_once('/').ok_or_else(bad)?;
        let num: u32 = n.trim().parse().map_err(|_| bad())?;
        let den: u32 = d.trim().parse().map_err(|_| bad())?;
        if den == 0 || num > den || den > 1000 {
            return Err(bad());
        }
        Ok(Fraction { num, den })
    }
}

impl TryFrom<String> for Fraction {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Fraction> for String {
    fn from(f: Fraction) -> String {
        f.to_string()
    }
}

/// The meeting itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub starts_at: Option<Timestamp>,
    pub status: MeetingStatus,
    /// Share of the summoned members who must be present for the meeting to be valid.
    pub quorum: Fraction,
}

/// Where an agenda item stands. At most one item of a meeting is `current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaItemStatus {
    Pending,
    Current,
    Done,
}

/// One item of the agenda, in agenda order in [`MeetingView::agenda`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: AgendaItemStatus,
}

/// A person summoned to the meeting. Tokens are never part of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    /// Chức vụ, e.g. "Bí thư Đảng ủy xã".
    #[serde(default)]
    pub position: String,
    /// Đơn vị, e.g. "Đảng bộ xã Tân Lập".
    #[serde(default)]
    pub unit: String,
    pub role: Role,
    #[serde(default)]
    pub seat: Option<String>,
    /// The person of the office's directory this participant is, when the meeting summoned
    /// them from it; their device then enters the meeting as this participant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<crate::directory::PersonId>,
}

/// Attendance (điểm danh) as a viewer may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// Members summoned (chairs and delegates).
    pub summoned: u32,
    /// Members checked in now.
    pub present: u32,
    pub quorum: Fraction,
    pub quorum_reached: bool,
    /// Who is present: given to the secretariat and the chair in full; other viewers get
    /// only themselves, if present.
    pub present_ids: Vec<ParticipantId>,
}

/// Everything a client needs to draw the meeting, as of one sequence number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub participants: Vec<Participant>,
    pub attendance: Attendance,
    /// The documents this viewer may see, in the order they were published.
    #[serde(default)]
    pub documents: Vec<crate::document::Document>,
    /// Withdrawn and recalled documents this participant could read whose deletion their
    /// tablet has not confirmed yet (`report_deleted`). Empty for the secretariat and the
    /// chair, who see those documents and their delivery in `documents`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_delete: Vec<crate::document::CopyToDelete>,
    /// The list of speakers.
    #[serde(default)]
    pub speakers: crate::speakers::SpeakersView,
    /// The opinion requests this viewer may see, oldest first.
    #[serde(default)]
    pub opinions: Vec<crate::opinions::OpinionRequestView>,
    /// Comments on documents: all of them for the secretariat and the chair, gathered by
    /// document; one's own for anyone else.
    #[serde(default)]
    pub comments: Vec<crate::notes::DocumentComment>,
    /// Incoming documents and petitions: all for the secretariat and the chair; those
    /// forwarded to them for a leader.
    #[serde(default)]
    pub incoming: Vec<crate::incoming::IncomingItem>,
    /// The body's calendar events, by start.
    #[serde(default)]
    pub calendar: Vec<crate::info::CalendarEvent>,
    /// Announcements, oldest first.
    #[serde(default)]
    pub announcements: Vec<crate::info::Announcement>,
    /// Votes and elections, in the order they were created, as this viewer may see them.
    #[serde(default)]
    pub polls: Vec<crate::poll::PollView>,
    /// What the secretariat wrote for the minutes: the secretariat, the chair and the
    /// office only; absent for the hall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<crate::record::RecordView>,
    /// The counting committee (Ban kiểm phiếu) and its key, once one is named.
    #[serde(default)]
    pub committee: Option<crate::sealed::CommitteeView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_parses_and_prints() {
        let f: Fraction = "2/3".parse().unwrap();
        assert_eq!(f, Fraction::TWO_THIRDS);
        assert_eq!(serde_json::to_string(&f).unwrap(), "\"2/3\"");
        assert!("3/2".parse::<Fraction>().is_err());
        assert!("1/0".parse::<Fraction>().is_err());
        assert!("half".parse::<Fraction>().is_err());
    }

    #[test]
    fn two_thirds_is_reached_exactly_at_two_thirds() {
        let q = Fraction::TWO_THIRDS;
        assert!(q.reached_by(100, 150));
        assert!(!q.reached_by(99, 150));
        assert!(q.reached_by(2, 3));
        assert!(!q.reached_by(0, 0));
    }

    #[test]
    fn roles_parse_from_vietnamese_words() {
        assert_eq!("Đại biểu".parse::<Role>().unwrap(), Role::Delegate);
        assert_eq!("chủ tọa".parse::<Role>().unwrap(), Role::Chair);
        assert_eq!("secretariat".parse::<Role>().unwrap(), Role::Secretariat);
        assert!("guest".parse::<Role>().is_err());
    }
}
