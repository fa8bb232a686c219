//! Identifiers. Entities get random UUIDs (opaque, unguessable, never reused); commands
//! get a short string the client chooses, so it can re-send after a drop without a lookup.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
            /// The sixteen bytes, for keys in ordered storage.
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}
/// For the directory's ids (`directory.rs`), which are the same kind of id.
pub(crate) use uuid_id;

uuid_id!(
    /// A meeting (cuộc họp, hội nghị, đại hội).
    MeetingId
);
uuid_id!(
    /// A person summoned to a meeting, in one role.
    ParticipantId
);
uuid_id!(
    /// One item of a meeting's agenda (nội dung, mục).
    AgendaItemId
);
uuid_id!(
    /// A document (tài liệu) of a meeting; its versions share the id.
    DocumentId
);

uuid_id!(
    /// A counting committee (Ban kiểm phiếu) and its key.
    CommitteeId
);
uuid_id!(
    /// An opinion request (phiếu xin ý kiến).
    OpinionRequestId
);

uuid_id!(
    /// A delegate's private note.
    NoteId
);
uuid_id!(
    /// A comment on a document sent to the secretariat.
    DocumentCommentId
);

uuid_id!(
    /// An incoming document or petition (văn bản đến / đơn thư).
    IncomingId
);

uuid_id!(
    /// An entry of the work calendar.
    CalendarEventId
);
uuid_id!(
    /// An announcement.
    AnnouncementId
);
uuid_id!(
    /// A vote or an election (biểu quyết, bầu cử) of a meeting.
    PollId
);

/// The id a client gives a command. Re-sending a command with the same id is harmless:
/// the hub answers with the outcome of the first one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommandId(String);

impl CommandId {
    /// Longest id accepted, in bytes; a UUID in text is 36.
    pub const MAX_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a command id was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a command id is 1 to 64 printable ASCII characters")]
pub struct BadCommandId;

impl TryFrom<String> for CommandId {
    type Error = BadCommandId;
    fn try_from(s: String) -> Result<Self, BadCommandId> {
        let ok =
            !s.is_empty() && s.len() <= Self::MAX_LEN && s.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(s))
        } else {
            Err(BadCommandId)
        }
    }
}

impl TryFrom<&str> for CommandId {
    type Error = BadCommandId;
    fn try_from(s: &str) -> Result<Self, BadCommandId> {
        Self::try_from(s.to_owned())
    }
}

impl From<CommandId> for String {
    fn from(id: CommandId) -> String {
        id.0
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_are_plain_strings_on_the_wire() {
        let id = MeetingId::new_random();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<MeetingId>(&json).unwrap(), id);
    }

    #[test]
    fn command_ids_must_be_short_printable_ascii() {
        assert!(CommandId::try_from("c-1").is_ok());
        assert!(CommandId::try_from("").is_err());
        assert!(CommandId::try_from("with space").is_err());
        assert!(CommandId::try_from("x".repeat(65)).is_err());
        assert!(serde_json::from_str::<CommandId>("\"\"").is_err());
    }
}
