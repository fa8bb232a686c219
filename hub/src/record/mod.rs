//! The meeting's record wired into the hub: the papers and sheets of the `record` crate
//! filled from a meeting's state and log, signed with the hub's key, and the dossier (hồ
//! sơ cuộc họp) that `hub verify` checks offline.
//!
//! - [`Snapshot`]: one consistent moment of a meeting: its state and its log up to the
//!   same seq, with the [`Timeline`] the log adds (when the session started and the
//!   meeting closed, first check-ins, when each poll closed…).
//! - `papers`: the minutes and the counting reports as `record` types.
//! - `sheets`: spreadsheets and the CSV files the hub serves.
//! - [`dossier`]: the archive of a closed meeting, built off the async threads.
//! - [`verify`]: what `hub verify DOSSIER` checks.
//!
//! Everything here is a pure projection of the snapshot (and, for the dossier, of the
//! document blobs and the signing key): the same log gives the same papers.

pub mod dossier;
mod exports;
mod names;
mod papers;
mod sheets;
pub mod verify;

pub use dossier::DossierError;
pub use exports::{Exports, Progress, MAX_WAITING};
pub use names::file_name;
pub use papers::has_counting_report;
pub use papers::{counting_report, minutes, vote_record, PaperError};
pub use sheets::{
    attendance, delivery, opinion_summary_csv, opinion_summary_xlsx, poll_result, result_csv,
    speakers, speakers_csv,
};

use crate::engine::polls::PollState;
use crate::engine::MeetingState;
use crate::store::{Record, Store, StoreError};
use protocol::{
    AgendaItemId, DocumentId, Event, EventKind, MeetingStatus, ParticipantId, PollId, PollStatus,
    Sealed, Timestamp,
};
use std::collections::HashMap;

/// A meeting at one seq: its state and its log up to that seq, read so that they agree.
#[derive(Debug)]
pub struct Snapshot {
    pub state: MeetingState,
    /// Every stored record, from seq 1 to `state.seq`, as the store keeps them.
    pub log: Vec<Record>,
    pub timeline: Timeline,
    /// The encrypted ballots of each published secret poll's box, as the store keeps them
    /// (the log never holds them): what its signed `result.json` carries, and so what the
    /// counting report's fingerprint covers.
    pub sealed_ballots: HashMap<PollId, Vec<Sealed>>,
}

impl Snapshot {
    /// Reads the log of `state`'s meeting up to `state.seq` and checks its hash chain. The
    /// store is never behind the published state (events are flushed before they are
    /// published), so every record is there.
    pub fn read(state: MeetingState, store: &Store) -> Result<Snapshot, StoreError> {
        let mut log = store.replay(state.id)?;
        log.truncate(state.seq as usize);
        let timeline = Timeline::of(log.iter().map(|r| &r.event));
        let mut sealed_ballots = HashMap::new();
        for p in state.polls.all() {
            if p.sealed.is_some() && p.status == PollStatus::Published {
                sealed_ballots.insert(p.poll.id, store.poll_ballots(state.id, p.poll.id)?);
            }
        }
        Ok(Snapshot {
            state,
            log,
            timeline,
            sealed_ballots,
        })
    }

    /// A snapshot from events alone (tests, and papers that need no chain); a secret
    /// poll's ballots go in [`Snapshot::sealed_ballots`].
    pub fn from_events(state: MeetingState, events: &[Event]) -> Snapshot {
        Snapshot {
            timeline: Timeline::of(events.iter()),
            state,
            log: Vec::new(),
            sealed_ballots: HashMap::new(),
        }
    }

    /// The signed `result.json` of a counted poll, with a published secret poll's opened
    /// box.
    pub fn result_json(&self, p: &PollState) -> Result<Vec<u8>, crate::export::ExportError> {
        let ballots = self
            .sealed_ballots
            .get(&p.poll.id)
            .map_or(&[][..], Vec::as_slice);
        crate::export::json(&self.state, p, ballots)
    }

    /// Whether the meeting is closed: its papers are final, not drafts.
    pub fn closed(&self) -> bool {
        self.state.status() == Some(MeetingStatus::Closed)
    }
}

/// What the log says about when things happened, which the state does not keep.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// The first time the session started.
    pub started_at: Option<Timestamp>,
    /// When the meeting was closed.
    pub closed_at: Option<Timestamp>,
    /// Each member's first check-in.
    pub checked_in: HashMap<ParticipantId, Timestamp>,
    /// When each participant first opened each document.
    pub opened: HashMap<(DocumentId, ParticipantId), Timestamp>,
    /// The agenda item under way when each poll opened (for polls not tied to an item).
    pub poll_item: HashMap<PollId, AgendaItemId>,
    /// When each poll was closed and counted.
    pub poll_closed: HashMap<PollId, Timestamp>,
}

impl Timeline {
    pub fn of<'a>(events: impl Iterator<Item = &'a Event>) -> Timeline {
        let mut t = Timeline::default();
        let mut current: Option<AgendaItemId> = None;
        for e in events {
            match &e.event {
                EventKind::MeetingStatusChanged { status } => match status {
                    MeetingStatus::InSession => {
                        t.started_at.get_or_insert(e.at);
                    }
                    MeetingStatus::Closed => t.closed_at = Some(e.at),
                    _ => {}
                },
                EventKind::CheckedIn {
                    participant: Some(p),
                } => {
                    t.checked_in.entry(*p).or_insert(e.at);
                }
                EventKind::DocumentOpened {
                    document,
                    participant,
                } => {
                    t.opened.entry((*document, *participant)).or_insert(e.at);
                }
                EventKind::AgendaItemStarted { item } => current = Some(*item),
                EventKind::AgendaItemFinished { item } if current == Some(*item) => current = None,
                EventKind::PollOpened { poll, .. } => {
                    if let Some(item) = current {
                        t.poll_item.insert(*poll, item);
                    }
                }
                EventKind::PollClosed { poll, .. } => {
                    t.poll_closed.insert(*poll, e.at);
                }
                _ => {}
            }
        }
        t
    }
}

#[cfg(test)]
mod tests;
