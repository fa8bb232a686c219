//! Commands: what a client asks the hub to do. Each arrives in a `command` frame with a
//! client-chosen id; the engine decides whether the sender's role and the meeting's state
//! allow it and answers with events or an error.

use crate::ids::{AgendaItemId, ParticipantId, PollId};
use crate::model::{Fraction, Role, Timestamp};
use crate::poll::PollSpec;
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

    /// Prepare a poll, in draft (secretariat or chair).
    CreatePoll { poll: PollSpec },
    /// draft → open: every tablet shows it; checks the poll's quorum (chair).
    OpenPoll { poll: PollId },
    /// open → closed: counted by the poll's rule (chair; the hub when the countdown ends).
    ClosePoll { poll: PollId },
    /// closed → published: the result and, for a secret poll, the receipts go to the hall.
    PublishPoll { poll: PollId },
    /// draft, open or closed → cancelled (chair).
    CancelPoll { poll: PollId },
    /// A ballot: indexes into the poll's options. A delegate votes for themselves; the
    /// secretariat may record an open poll's ballot `on_behalf_of` a member without a device.
    CastBallot {
        poll: PollId,
        choices: Vec<u32>,
        #[serde(default)]
        on_behalf_of: Option<ParticipantId>,
    },
    /// Add the counts of paper ballots counted in the hall to a secret poll (secretariat).
    RecordPaperBallots {
        poll: PollId,
        valid: u32,
        invalid: u32,
        tallies: Vec<u32>,
    },
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
            Command::CreatePoll { .. } => "create_poll",
            Command::OpenPoll { .. } => "open_poll",
            Command::ClosePoll { .. } => "close_poll",
            Command::PublishPoll { .. } => "publish_poll",
            Command::CancelPoll { .. } => "cancel_poll",
            Command::CastBallot { .. } => "cast_ballot",
            Command::RecordPaperBallots { .. } => "record_paper_ballots",
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
