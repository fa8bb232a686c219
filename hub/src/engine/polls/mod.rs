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
mod ballots;
mod decide;
mod rules;
pub mod sealed;
#[cfg(test)]
mod sealed_tests;
mod tally;
#[cfg(test)]
mod tests;
mod view;

pub(crate) use view::redact;

pub(super) use ballots::decide_ballot;
pub(super) use decide::decide;
pub use tally::count;

use crate::engine::SealedBallot;
use protocol::{
    EventKind, PaperCount, ParticipantId, Poll, PollId, PollResult, PollStatus, ReceiptLine,
    Timestamp,
};
use sealed::SealedPoll;
use std::collections::HashMap;

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
    /// A secret poll's sealed box, from the moment it opens.
    pub sealed: Option<SealedPoll>,
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
            sealed: None,
            paper: PaperCount::default(),
            result: None,
        }
    }

    /// Ballots in: electronic and paper, valid and invalid.
    pub fn ballots_in(&self) -> u32 {
        self.voters.len() as u32 + self.paper.valid + self.paper.invalid
    }

    /// The tally of the ballots in so far: an open poll's named choices, or a secret
    /// poll's opened box (nothing before it is opened), and the counts made by hand.
    pub fn running(&self) -> Vec<u32> {
        let options = self.poll.kind.options().len();
        let mut tallies = vec![0u32; options];
        match &self.sealed {
            Some(sealed) => {
                for (t, c) in tallies.iter_mut().zip(sealed.counts.iter().flatten()) {
                    *t += u32::try_from(*c).unwrap_or(u32::MAX);
                }
            }
            None => {
                for choices in self.voters.values().filter_map(|v| v.choices.as_ref()) {
                    for &c in choices {
                        if let Some(t) = tallies.get_mut(c as usize) {
                            *t += 1;
                        }
                    }
                }
            }
        }
        for (t, p) in tallies.iter_mut().zip(&self.paper.tallies) {
            *t += p;
        }
        tallies
    }

    /// A secret poll's ballots as published: receipt and fingerprint, sorted by receipt.
    pub fn receipts(&self) -> Vec<ReceiptLine> {
        self.sealed
            .as_ref()
            .map(SealedPoll::receipt_lines)
            .unwrap_or_default()
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

    /// Puts back the sealed ballots read from the store's ballot box after a replay of the
    /// log: `(poll, ballot JSON)`. Their proofs held when they were cast; their shape is
    /// checked again. Returns how many could not be put back (none, unless the store was
    /// altered).
    pub fn restore_sealed(
        &mut self,
        ballots: impl IntoIterator<Item = (PollId, protocol::Sealed)>,
    ) -> usize {
        let mut refused = 0;
        for (poll, json) in ballots {
            let restored = self
                .get(poll)
                .and_then(|p| p.sealed.as_ref())
                .and_then(|s| {
                    let ballot: ballot_box::EncryptedBallot =
                        serde_json::from_value(json.0.clone()).ok()?;
                    let verified = ballot_box::restore(&s.key, &s.params, &ballot).ok()?;
                    Some(sealed::sealed_ballot(
                        poll,
                        &std::sync::Arc::new(verified),
                        &json,
                    ))
                });
            match restored {
                Some(ballot) => self.put_sealed(&ballot),
                None => refused += 1,
            }
        }
        refused
    }

    /// Drops one secret ballot into its poll's box.
    pub(crate) fn put_sealed(&mut self, ballot: &SealedBallot) {
        if let Some(&i) = self.index.get(&ballot.poll) {
            if let Some(sealed) = self.list[i].sealed.as_mut() {
                sealed.put(ballot);
            }
        }
    }

    /// Seals a poll as it opens (and on replay), with its box.
    pub(crate) fn seal(&mut self, poll: PollId, sealed: Option<SealedPoll>) {
        if let Some(&i) = self.index.get(&poll) {
            self.list[i].sealed = sealed;
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
                ..
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
                    add_paper(&mut self.list[i].paper, count);
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
            EventKind::SealedBoxClosed {
                poll,
                fingerprint,
                sum,
                ..
            } => {
                if let Some(s) = poll_mut(self, poll).and_then(|i| self.list[i].sealed.as_mut()) {
                    s.closed = Some((sum.clone(), fingerprint.clone()));
                }
            }
            EventKind::DecryptionShareGiven {
                poll,
                member,
                share,
            } => {
                if let Some(s) = poll_mut(self, poll).and_then(|i| self.list[i].sealed.as_mut()) {
                    // Decided already; checked again because a share is kept verified.
                    if let Ok((index, verified)) = s.check_share(*member, share) {
                        s.shares.insert(index, (*member, verified, share.clone()));
                    }
                }
            }
            EventKind::SealedBoxOpened { poll, counts } => {
                if let Some(s) = poll_mut(self, poll).and_then(|i| self.list[i].sealed.as_mut()) {
                    s.counts = Some(counts.clone());
                }
            }
            EventKind::PollCounted { poll, result } => {
                if let Some(i) = poll_mut(self, poll) {
                    self.list[i].result.clone_from(result);
                }
            }
            _ => {}
        }
    }
}

/// Adds one record of paper ballots to those counted so far.
pub(super) fn add_paper(paper: &mut PaperCount, count: &PaperCount) {
    paper.valid += count.valid;
    paper.invalid += count.invalid;
    paper
        .tallies
        .resize(count.tallies.len().max(paper.tallies.len()), 0);
    for (t, c) in paper.tallies.iter_mut().zip(&count.tallies) {
        *t += c;
    }
}
