//! What an accepted command changes. The engine says all of it, in hub-internal types, so
//! the live layer only persists and publishes: it never picks an event apart.
//!
//! Events are facts some viewer may see, so they are the wire's [`Event`]s, redacted per
//! viewer on the way out (`view.rs`). Everything that must never reach the wire or the log
//! travels beside them: a secret ballot for the ballot box, the voter's receipt for the
//! sender's ack only, tokens to delete, connections to close, private notes.

use super::notes::NoteChange;
use ballot_box::VerifiedBallot;
use protocol::{Event, EventKind, ParticipantId, PollId, Sealed};
use std::sync::Arc;

/// A secret ballot on its way to the ballot box: encrypted on the voter's device, its
/// proofs checked; no voter, no time, no sequence number.
#[derive(Clone, Debug)]
pub struct SealedBallot {
    pub poll: PollId,
    /// The voter's receipt, derived from the fingerprint.
    pub receipt: String,
    pub fingerprint: String,
    /// The encrypted ballot as published.
    pub ballot: Sealed,
    /// Its ciphertexts, to add to the box's sum.
    pub verified: Arc<VerifiedBallot>,
}

/// What one accepted command does, beyond the state it changed.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// For the log, stamped and already applied to the state: the one part every viewer
    /// may see something of.
    pub events: Vec<Event>,
    /// Secret ballots for the ballot box, written apart from the log.
    pub ballots: Vec<SealedBallot>,
    /// The secret ballot's receipt: for the sender's `ack`, nowhere else.
    pub receipt: Option<String>,
    /// Participants whose tokens stop working (removed from the meeting).
    pub revoke: Vec<ParticipantId>,
    /// Participants whose open connections must close.
    pub kick: Vec<ParticipantId>,
    /// Private notes to write: their author's alone, never in the log.
    pub notes: Vec<NoteChange>,
    /// Polls that closed or were cancelled: whatever pairs a voter with a receipt in
    /// memory (to answer a re-sent ballot) can go.
    pub polls_ended: Vec<PollId>,
}

impl Effects {
    /// Whether there is anything to write.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.ballots.is_empty() && self.notes.is_empty()
    }

    /// What an event implies beyond itself.
    pub(super) fn follow(&mut self, event: &EventKind) {
        match event {
            EventKind::ParticipantRemoved { participant } => {
                self.revoke.push(*participant);
                self.kick.push(*participant);
            }
            EventKind::PollClosed { poll, .. } | EventKind::PollCancelled { poll } => {
                self.polls_ended.push(*poll)
            }
            _ => {}
        }
    }

    /// Adds a later step's effects (a request of several commands).
    pub fn extend(&mut self, other: Effects) {
        self.events.extend(other.events);
        self.ballots.extend(other.ballots);
        self.receipt = other.receipt.or(self.receipt.take());
        self.revoke.extend(other.revoke);
        self.kick.extend(other.kick);
        self.notes.extend(other.notes);
        self.polls_ended.extend(other.polls_ended);
    }
}

/// What `decide` says a command does: its events, and for a secret ballot the ballot.
#[derive(Clone, Debug, Default)]
pub struct Decided {
    pub events: Vec<EventKind>,
    pub ballot: Option<SealedBallot>,
}

impl From<Vec<EventKind>> for Decided {
    fn from(events: Vec<EventKind>) -> Self {
        Decided {
            events,
            ballot: None,
        }
    }
}
