//! Commands: what a client asks the hub to do. Each arrives in a `command` frame with a
//! client-chosen id; the engine decides whether the sender's role and the meeting's state
//! allow it and answers with events or an error.

use crate::document::{Classification, DocumentFile};
use crate::ids::{AgendaItemId, DocumentId, ParticipantId};
use crate::model::{Fraction, Role, Timestamp};
use serde::{Deserialize, Serialize};

/// A command, tagged by `"op"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Start a new meeting's log (secretariat, REST only).
    CreateMeeting {
        title: String,
        #[serde(default)]
        venue: String,
        #[serde(default)]
        starts_at: Option<Timestamp>,
        #[serde(default)]
        quorum: Option<Fraction>,
    },
    /// Change the meeting's details (secretariat). Absent fields stay as they are.
    UpdateMeeting {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        venue: Option<String>,
        #[serde(default)]
        starts_at: Option<Timestamp>,
        #[serde(default)]
        quorum: Option<Fraction>,
    },
    /// draft → open: delegates who join are checked in (secretariat or chair).
    OpenMeeting,
    /// open or adjourned → in session (chair).
    StartSession,
    /// in session → adjourned (chair).
    Adjourn,
    /// → closed, for good (chair or secretariat).
    CloseMeeting,

    /// Append an item to the agenda (secretariat).
    AddAgendaItem {
        title: String,
        #[serde(default)]
        description: String,
    },
    /// Change an item's title or description (secretariat).
    UpdateAgendaItem {
        item: AgendaItemId,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        description: Option<String>,
    },
    /// Remove an item that has not been started (secretariat).
    RemoveAgendaItem { item: AgendaItemId },
    /// Put the agenda in this order: every item exactly once (secretariat or chair).
    ReorderAgenda { order: Vec<AgendaItemId> },
    /// Make this item the current one; a current item is finished first (chair, in session).
    StartAgendaItem { item: AgendaItemId },
    /// Finish the current item (chair).
    FinishAgendaItem { item: AgendaItemId },

    /// Summon a person to the meeting (secretariat). The hub issues their token.
    AddParticipant {
        name: String,
        #[serde(default)]
        position: String,
        #[serde(default)]
        unit: String,
        role: Role,
        #[serde(default)]
        seat: Option<String>,
    },
    /// Correct a participant's details (secretariat). Absent fields stay as they are.
    UpdateParticipant {
        participant: ParticipantId,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        position: Option<String>,
        #[serde(default)]
        unit: Option<String>,
        #[serde(default)]
        seat: Option<String>,
    },
    /// Withdraw a participant; their token stops working (secretariat).
    RemoveParticipant { participant: ParticipantId },
    /// Check a member in by hand, e.g. one without a tablet (secretariat).
    CheckIn { participant: ParticipantId },
    /// Record that a member has left the hall (secretariat).
    CheckOut { participant: ParticipantId },

    /// Publish an uploaded file as a new document (secretariat; REST upload only, which
    /// stores the bytes first).
    PublishDocument {
        title: String,
        classification: Classification,
        #[serde(default)]
        item: Option<AgendaItemId>,
        #[serde(default)]
        readers: Vec<ParticipantId>,
        file: DocumentFile,
    },
    /// Publish an uploaded file as the document's next version (secretariat; REST upload only).
    ReviseDocument {
        document: DocumentId,
        file: DocumentFile,
    },
    /// Take a document back; tablets delete it (secretariat).
    WithdrawDocument { document: DocumentId },
    /// Thu hồi: recall one confidential document, or all of them when `document` is absent
    /// (secretariat). Closing the meeting recalls them all too.
    RecallDocuments {
        #[serde(default)]
        document: Option<DocumentId>,
    },
    /// This tablet holds `version` of the document, verified (any participant who may read it).
    ReportHeld { document: DocumentId, version: u32 },
    /// The delegate opened the document on this tablet (any participant who may read it).
    ReportOpened { document: DocumentId },
}

impl Command {
    /// The `op` name, for logs and error messages.
    pub fn op(&self) -> &'static str {
        match self {
            Command::CreateMeeting { .. } => "create_meeting",
            Command::UpdateMeeting { .. } => "update_meeting",
            Command::OpenMeeting => "open_meeting",
            Command::StartSession => "start_session",
            Command::Adjourn => "adjourn",
            Command::CloseMeeting => "close_meeting",
            Command::AddAgendaItem { .. } => "add_agenda_item",
            Command::UpdateAgendaItem { .. } => "update_agenda_item",
            Command::RemoveAgendaItem { .. } => "remove_agenda_item",
            Command::ReorderAgenda { .. } => "reorder_agenda",
            Command::StartAgendaItem { .. } => "start_agenda_item",
            Command::FinishAgendaItem { .. } => "finish_agenda_item",
            Command::AddParticipant { .. } => "add_participant",
            Command::UpdateParticipant { .. } => "update_participant",
            Command::RemoveParticipant { .. } => "remove_participant",
            Command::CheckIn { .. } => "check_in",
            Command::CheckOut { .. } => "check_out",
            Command::PublishDocument { .. } => "publish_document",
            Command::ReviseDocument { .. } => "revise_document",
            Command::WithdrawDocument { .. } => "withdraw_document",
            Command::RecallDocuments { .. } => "recall_documents",
            Command::ReportHeld { .. } => "report_held",
            Command::ReportOpened { .. } => "report_opened",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_tagged_by_op() {
        let c: Command = serde_json::from_str(r#"{"op":"open_meeting"}"#).unwrap();
        assert_eq!(c, Command::OpenMeeting);
        let c = Command::AddAgendaItem {
            title: "Báo cáo chính trị".into(),
            description: String::new(),
        };
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.starts_with(r#"{"op":"add_agenda_item""#), "{json}");
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c);
        assert_eq!(c.op(), "add_agenda_item");
    }

    #[test]
    fn unknown_ops_are_refused() {
        assert!(serde_json::from_str::<Command>(r#"{"op":"launch_rockets"}"#).is_err());
    }
}
