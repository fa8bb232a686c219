//! Incoming documents and petitions (văn bản đến / đơn thư): the secretariat registers an
//! item, forwards it to leaders with a due date; each leader reads it and gives a
//! direction (ý kiến chỉ đạo); the secretariat closes it. The item keeps its history.

use crate::ids::{IncomingId, ParticipantId};
use crate::model::Timestamp;
use crate::opinions::Attachment;
use serde::{Deserialize, Serialize};

/// What came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingKind {
    /// Văn bản đến: a letter or document from another body.
    Document,
    /// Đơn thư: a petition, complaint or denunciation from a citizen or member.
    Petition,
}

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingStatus {
    /// Registered, not yet forwarded.
    New,
    /// Forwarded; waiting for a direction from at least one leader it went to.
    Forwarded,
    /// Every leader it was forwarded to has given a direction.
    Answered,
    /// Dealt with; nothing more is recorded.
    Closed,
}

/// One step in an item's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IncomingAction {
    Registered,
    Forwarded {
        to: Vec<ParticipantId>,
        due: Option<Timestamp>,
        note: String,
    },
    Read,
    Directed {
        text: String,
    },
    Closed {
        note: String,
    },
}

/// A step, when and by whom (`null`: the office token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingEntry {
    pub at: Timestamp,
    pub by: Option<ParticipantId>,
    #[serde(flatten)]
    pub action: IncomingAction,
}

/// An incoming document or petition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingItem {
    pub id: IncomingId,
    pub kind: IncomingKind,
    /// Số đến: the registry number the office gives it.
    pub number: String,
    /// Nơi gửi / người gửi.
    pub sender: String,
    /// Trích yếu: what it is about.
    pub subject: String,
    /// The file, by name and SHA-256 in the document store (when there is one).
    #[serde(default)]
    pub file: Option<Attachment>,
    pub status: IncomingStatus,
    /// Every leader it has been forwarded to, in order.
    pub forwarded_to: Vec<ParticipantId>,
    /// The latest due date given.
    #[serde(default)]
    pub due: Option<Timestamp>,
    pub history: Vec<IncomingEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_are_flat_and_tagged_by_action() {
        let e = IncomingEntry {
            at: Timestamp(5),
            by: None,
            action: IncomingAction::Directed {
                text: "Giao Ban Tổ chức xem xét".into(),
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"at":5,"by":null,"action":"directed","text":"Giao Ban Tổ chức xem xét"}"#
        );
        assert_eq!(serde_json::from_str::<IncomingEntry>(&json).unwrap(), e);
    }
}
