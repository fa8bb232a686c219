//! The office's directory between meetings: people (cán bộ) and bodies (Ban Chấp hành,
//! Ban Thường vụ, chi ủy…), the tablets enrolled to a person, and the invitations (giấy
//! mời) a meeting sends to them. Kept in one office-wide, hash-chained log of
//! [`OfficeEvent`]s, beside the meetings' logs.

use crate::ids::{uuid_id, MeetingId, ParticipantId};
use crate::model::{Role, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

uuid_id!(
    /// A person of the directory, the same across every meeting they attend.
    PersonId
);
uuid_id!(
    /// A body (Ban Chấp hành, Ban Thường vụ, chi ủy…) whose members meet.
    BodyId
);
uuid_id!(
    /// One tablet enrolled to one person.
    DeviceId
);

/// A person as the office keeps them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// Chức vụ, e.g. "Phó Bí thư Tỉnh ủy".
    #[serde(default)]
    pub position: String,
    /// Đơn vị.
    #[serde(default)]
    pub unit: String,
    /// A phone number or an address to reach them; free text.
    #[serde(default)]
    pub contact: String,
}

/// A body and its members, in the order they were added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub id: BodyId,
    pub name: String,
    pub members: Vec<PersonId>,
}

/// What a person answers to an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum InvitationAnswer {
    /// Will attend (xác nhận tham dự).
    Attending,
    /// Declares an absence (báo vắng) with its reason.
    Absent { reason: String },
}

/// A tablet enrolled to a person, as the office lists it. The PIN and the token are never
/// part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub person: PersonId,
    pub enrolled_at: Timestamp,
    /// Five wrong PINs in a row lock the device until the office unlocks it.
    pub locked: bool,
}

/// One event of the office's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeEvent {
    /// 1, 2, 3… over the whole office log.
    pub seq: u64,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: OfficeEventKind,
}

/// What changed in the office's directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfficeEventKind {
    PersonAdded {
        person: Person,
    },
    /// The person's details now read as given (same id).
    PersonUpdated {
        person: Person,
    },
    BodyAdded {
        body: BodyId,
        name: String,
    },
    MemberAdded {
        body: BodyId,
        person: PersonId,
    },
    MemberRemoved {
        body: BodyId,
        person: PersonId,
    },
    /// A meeting summoned these people (from `body`, or named one by one); each is the
    /// participant given, in the role given.
    Summoned {
        meeting: MeetingId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<BodyId>,
        role: Role,
        participants: Vec<Summons>,
    },
    /// The meeting's invitation (giấy mời) went to everyone it summoned from the directory.
    InvitationSent {
        meeting: MeetingId,
    },
    /// A person answered a meeting's invitation; a later answer replaces an earlier one.
    InvitationAnswered {
        meeting: MeetingId,
        person: PersonId,
        #[serde(flatten)]
        answer: InvitationAnswer,
    },
    DeviceEnrolled {
        device: DeviceId,
        person: PersonId,
    },
    /// Five wrong PINs: the device votes no more until the office unlocks it.
    DeviceLocked {
        device: DeviceId,
    },
    DeviceUnlocked {
        device: DeviceId,
    },
    /// Lost or replaced: its token is deleted and its connections closed.
    DeviceRevoked {
        device: DeviceId,
    },
}

/// One person summoned to one meeting as one participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summons {
    pub person: PersonId,
    pub participant: ParticipantId,
}

/// A meeting as a person's tablet lists it on its home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyMeeting {
    pub meeting: MeetingId,
    pub title: String,
    #[serde(default)]
    pub venue: String,
    pub starts_at: Option<Timestamp>,
    /// The meeting's status, as in `Meeting::status`.
    pub status: crate::model::MeetingStatus,
    /// Which body summoned this person, if one did.
    pub body: Option<String>,
    pub participant: ParticipantId,
    pub role: Role,
    /// Whether the office has sent the invitation.
    pub invited: bool,
    /// This person's answer to it, if any.
    pub answer: Option<InvitationAnswer>,
}

/// A reminder that a meeting is near, for the person's tablet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub meeting: MeetingId,
    pub title: String,
    pub starts_at: Timestamp,
    /// Whole hours before the start this reminder is for (e.g. 24 or 1).
    pub hours_before: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_events_round_trip_with_flat_kinds() {
        let person = PersonId::new_random();
        let e = OfficeEvent {
            seq: 3,
            at: Timestamp(1_700_000_000_000),
            kind: OfficeEventKind::InvitationAnswered {
                meeting: MeetingId::new_random(),
                person,
                answer: InvitationAnswer::Absent {
                    reason: "Đi công tác".into(),
                },
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "invitation_answered");
        assert_eq!(json["answer"], "absent");
        assert_eq!(json["reason"], "Đi công tác");
        let back: OfficeEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn ids_are_plain_uuid_strings() {
        let id = BodyId::new_random();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<BodyId>(&json).unwrap(), id);
    }
}
