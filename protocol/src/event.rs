//! Events: facts the hub has recorded. Each has a sequence number, gapless per meeting in
//! the log; a client sees the subset its role may see, so the numbers it receives only ever
//! increase.

use crate::ids::{AgendaItemId, CommandId, ParticipantId, PollId};
use crate::model::{AgendaItem, Fraction, MeetingStatus, Participant, Timestamp};
use crate::poll::{PaperCount, Poll, PollResult, ReceiptLine};
use serde::{Deserialize, Serialize};

/// An event in a meeting's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the meeting's log, from 1.
    pub seq: u64,
    /// When the hub recorded it.
    pub at: Timestamp,
    pub event: EventKind,
}

/// What happened, tagged by `"kind"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    MeetingCreated {
        title: String,
        venue: String,
        starts_at: Option<Timestamp>,
        quorum: Fraction,
    },
    MeetingUpdated {
        title: String,
        venue: String,
        starts_at: Option<Timestamp>,
        quorum: Fraction,
    },
    MeetingStatusChanged {
        status: MeetingStatus,
    },
    AgendaItemAdded {
        item: AgendaItem,
    },
    AgendaItemUpdated {
        item: AgendaItemId,
        title: String,
        description: String,
    },
    AgendaItemRemoved {
        item: AgendaItemId,
    },
    AgendaReordered {
        order: Vec<AgendaItemId>,
    },
    AgendaItemStarted {
        item: AgendaItemId,
    },
    AgendaItemFinished {
        item: AgendaItemId,
    },
    ParticipantAdded {
        participant: Participant,
    },
    ParticipantUpdated {
        participant: Participant,
    },
    ParticipantRemoved {
        participant: ParticipantId,
    },
    /// A member was checked in. Viewers other than the secretariat and the chair get
    /// `participant: null` unless it is themselves: the hall sees the count, not the roll.
    CheckedIn {
        participant: Option<ParticipantId>,
    },
    /// A member left; redacted like [`EventKind::CheckedIn`].
    CheckedOut {
        participant: Option<ParticipantId>,
    },
    /// A poll was prepared, in draft.
    PollCreated {
        poll: Poll,
    },
    /// A poll opened; `eligible` members may vote; a countdown closes it at `closes_at`.
    PollOpened {
        poll: PollId,
        closes_at: Option<Timestamp>,
        eligible: u32,
    },
    /// A ballot was accepted. `voter` is redacted like a check-in. `choices` is `null` for
    /// a secret poll (the hub does not record them here) and for viewers who may not see
    /// the running tally. A changed ballot replaces the voter's earlier one.
    BallotCast {
        poll: PollId,
        voter: Option<ParticipantId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        choices: Option<Vec<u32>>,
        /// Recorded by the secretariat for a member without a device.
        #[serde(default)]
        proxy: bool,
        /// Whether the hall may see `choices` before the close (the poll's `show_running`).
        #[serde(default)]
        shown: bool,
        /// Secret polls only: the voter's command id, kept in the log instead of the
        /// record's origin so a re-send after a restart is recognised. Never on the wire.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        command: Option<CommandId>,
        /// Secret polls only: the ballot itself, in memory between the engine and the
        /// ballot box. Never serialized: not in the log, not on the wire.
        #[serde(skip)]
        sealed: Option<ReceiptLine>,
    },
    /// Paper ballots counted in the hall were added to a secret poll.
    PaperBallotsRecorded {
        poll: PollId,
        count: PaperCount,
    },
    /// The poll closed and was counted. The hall gets `result: null` until it is published.
    PollClosed {
        poll: PollId,
        result: Option<PollResult>,
    },
    /// The result was announced; for a secret poll with every ballot by its receipt.
    PollPublished {
        poll: PollId,
        result: PollResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipts: Option<Vec<ReceiptLine>>,
    },
    PollCancelled {
        poll: PollId,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_are_tagged_by_kind() {
        let e = Event {
            seq: 7,
            at: Timestamp(1_700_000_000_000),
            event: EventKind::MeetingStatusChanged {
                status: MeetingStatus::InSession,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"seq":7,"at":1700000000000,"event":{"kind":"meeting_status_changed","status":"in_session"}}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
