//! Votes and elections (biểu quyết, bầu cử): the `Polls` part of a meeting's state.
//!
//! `decide.rs` checks the commands, `rules.rs` checks a poll's definition, `tally.rs`
//! counts by the poll's rule and `view.rs` filters what each viewer sees. A secret poll's
//! ballots are held apart from who voted: [`PollState::voters`] knows *that* a member
//! voted, [`PollState::sealed`] holds the ballots by their random receipt, and nothing
//! links the two. The sealed ballots are not in the event log: they leave the engine as
//! effects, the live layer writes them to the store's ballot box, and
//! [`Polls::restore_sealed`] puts them back on start.

#[cfg(test)]
mod access_tests;
mod decide;
mod rules;
mod tally;
#[cfg(test)]
mod tests;
mod view;

pub(crate) use view::redact;

pub(super) use decide::{decide, decide_ballot};
pub use tally::count;

use crate::engine::SealedBallot;
use protocol::{
    EventKind, PaperCount, ParticipantId, Poll, PollId, PollResult, PollStatus, ReceiptLine,
    Timestamp,
};
use std::collections::{BTreeMap, HashMap};

/// A meeting holds at most this many polls.
pub const MAX_POLLS: usize = 500;

/// One member's recorded ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voted {
    /// The choices of an open poll; `None` for a secret one.
    pub choices: Option<Vec<u32>>,
    /// Recorded by the secretariat on the member's behalf.
    pub proxy: bool,
}

/// One poll and everything recorded about it.
#[derive(Clone, Debug)]
pub struct PollState {
    pub poll: Poll,
    pub status: PollStatus,
    pub closes_at: Option<Timestamp>,
    /// Eligible members when it opened: the turnout's denominator.
    pub eligible: u32,
    /// Who has voted (and, for an open poll, what).
    pub voters: HashMap<ParticipantId, Voted>,
    /// A secret poll's ballots by receipt; sorted by receipt, so the order says nothing.
    pub sealed: BTreeMap<String, Vec<u32>>,
    /// Paper ballots counted in the hall, summed.
    pub paper: PaperCount,
    pub result: Option<PollResult>,
}

impl PollState {
    /// A poll just prepared: in draft, nobody eligible yet, no ballots.
    pub fn new(poll: Poll) -> PollState {
        PollState {
            poll,
            status: PollStatus::Draft,
            closes_at: None,
            eligible: 0,
            voters: HashMap::new(),
            sealed: BTreeMap::new(),
            paper: PaperCount::default(),
            result: None,
        }
    }

    /// Ballots in: electronic and paper, valid and invalid.
    pub fn ballots_in(&self) -> u32 {
        self.voters.len() as u32 + self.paper.valid + self.paper.invalid
    }

    /// The running tally of the ballots in so far.
    pub fn running(&self) -> Vec<u32> {
        let options = self.poll.kind.options().len();
        let mut tallies = vec![0u32; options];
        let electronic: Box<dyn Iterator<Item = &Vec<u32>>> = if self.poll.secret {
            Box::new(self.sealed.values())
        } else {
            Box::new(self.voters.values().filter_map(|v| v.choices.as_ref()))
        };
        for choices in electronic {
            for &c in choices {
                if let Some(t) = tallies.get_mut(c as usize) {
                    *t += 1;
                }
            }
        }
        for (t, p) in tallies.iter_mut().zip(&self.paper.tallies) {
            *t += p;
        }
        tallies
    }

    /// A secret poll's ballots as published: sorted by receipt.
    pub fn receipts(&self) -> Vec<ReceiptLine> {
        self.sealed
            .iter()
            .map(|(receipt, choices)| ReceiptLine {
                receipt: receipt.clone(),
                choices: choices.clone(),
            })
            .collect()
    }
}

/// Every poll of a meeting, in the order they were created.
#[derive(Clone, Debug, Default)]
pub struct Polls {
    list: Vec<PollState>,
    index: HashMap<PollId, usize>,
}

impl Polls {
    pub fn get(&self, id: PollId) -> Option<&PollState> {
        self.index.get(&id).map(|&i| &self.list[i])
    }

    pub fn all(&self) -> &[PollState] {
        &self.list
    }

    /// The earliest countdown of an open poll: when the hub must close it by itself.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.list
            .iter()
            .filter(|p| p.status == PollStatus::Open)
            .filter_map(|p| p.closes_at)
            .min()
    }

    /// Open polls whose countdown has run out at `now`.
    pub fn due(&self, now: Timestamp) -> Vec<PollId> {
        self.list
            .iter()
            .filter(|p| p.status == PollStatus::Open && p.closes_at.is_some_and(|t| t <= now))
            .map(|p| p.poll.id)
            .collect()
    }

    /// Puts back the sealed ballots read from the ballot box after a replay of the log.
    pub fn restore_sealed(&mut self, ballots: impl IntoIterator<Item = SealedBallot>) {
        for ballot in ballots {
            self.put_sealed(&ballot);
        }
    }

    /// Drops one secret ballot into its poll's box.
    pub(crate) fn put_sealed(&mut self, ballot: &SealedBallot) {
        if let Some(&i) = self.index.get(&ballot.poll) {
            let line = &ballot.line;
            self.list[i]
                .sealed
                .insert(line.receipt.clone(), line.choices.clone());
        }
    }

    /// Folds one poll event; others are ignored.
    pub fn apply(&mut self, event: &EventKind) {
        let poll_mut = |polls: &mut Self, id: &PollId| polls.index.get(id).copied();
        match event {
            EventKind::PollCreated { poll, .. } => {
                self.index.insert(poll.id, self.list.len());
                self.list.push(PollState::new(poll.clone()));
            }
            EventKind::PollOpened {
                poll,
                closes_at,
                eligible,
            } => {
                if let Some(i) = poll_mut(self, poll) {
                    let p = &mut self.list[i];
                    p.status = PollStatus::Open;
                    p.closes_at = *closes_at;
                    p.eligible = *eligible;
                }
            }
            EventKind::BallotCast {
                poll,
                voter: Some(voter),
                choices,
                proxy,
                ..
            } => {
                if let Some(i) = poll_mut(self, poll) {
                    let voted = Voted {
                        choices: choices.clone(),
                        proxy: *proxy,
                    };
                    self.list[i].voters.insert(*voter, voted);
                }
            }
            EventKind::PaperBallotsRecorded { poll, count } => {
                if let Some(i) = poll_mut(self, poll) {
                    let paper = &mut self.list[i].paper;
                    paper.valid += count.valid;
                    paper.invalid += count.invalid;
                    paper
                        .tallies
                        .resize(count.tallies.len().max(paper.tallies.len()), 0);
                    for (t, c) in paper.tallies.iter_mut().zip(&count.tallies) {
                        *t += c;
                    }
                }
            }
            EventKind::PollClosed { poll, result } => {
                if let Some(i) = poll_mut(self, poll) {
                    let p = &mut self.list[i];
                    p.status = PollStatus::Closed;
                    p.closes_at = None;
                    p.result.clone_from(result);
                }
            }
            EventKind::PollPublished { poll, result, .. } => {
                if let Some(i) = poll_mut(self, poll) {
                    let p = &mut self.list[i];
                    p.status = PollStatus::Published;
                    p.result = Some(result.clone());
                }
            }
            EventKind::PollCancelled { poll } => {
                if let Some(i) = poll_mut(self, poll) {
                    let p = &mut self.list[i];
                    p.status = PollStatus::Cancelled;
                    p.closes_at = None;
                }
            }
            _ => {}
        }
    }
}

/// A receipt from the fresh random id the caller passed in: 10 characters of Crockford
/// base32 (50 bits), easy to read out and compare, with no I, L, O or U.
pub fn receipt_from(id: uuid::Uuid) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = id.as_bytes();
    // Bytes 0..6 and 10..16 of a v4 UUID are random; 7 of them give 56 bits.
    let mut bits: u64 = 0;
    for &b in bytes[..4].iter().chain(&bytes[10..13]) {
        bits = bits << 8 | u64::from(b);
    }
    (0..10)
        .map(|k| ALPHABET[((bits >> (k * 5)) & 31) as usize] as char)
        .collect()
}
