//! A secret poll's sealed box: ballots encrypted on the voters' devices to the counting
//! committee's key, added up as they come, and opened only as a sum once enough members of
//! the committee give their decryption shares. No single ballot is ever decrypted, and the
//! hub never sees a choice.
//!
//! The transport checks every ballot's proofs before the engine sees it (the engine gets a
//! [`VerifiedBallot`], which only `ballot_box::verify` makes); the engine checks the rest:
//! who may vote, once, in this poll, and the same ballot not twice.

use super::PollState;
use crate::engine::{EngineError, MeetingState, SealedBallot};
use ballot_box::{
    BallotParams, CommitteeKey, DecryptionShare, EncryptedSum, VerifiedBallot, VerifiedShare,
};
use protocol::{
    Committee, MeetingId, ParticipantId, PollId, PollKind, ReceiptLine, Sealed, SealedBoxView,
    SealedWith,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// What a secret poll is sealed with, and its box.
#[derive(Clone, Debug)]
pub struct SealedPoll {
    pub with: SealedWith,
    pub committee: Committee,
    pub key: CommitteeKey,
    pub params: BallotParams,
    /// The ballots in the box: receipt by fingerprint (sorted, so the order says nothing).
    pub receipts: BTreeMap<String, String>,
    /// Digests of the ciphertexts in the box: the same vote under other proofs is refused.
    pub ciphertexts: HashSet<String>,
    /// The sum of the ballots in so far.
    pub sum: EncryptedSum,
    /// Set at the close: the sum the committee opens, and the box's fingerprint.
    pub closed: Option<(Sealed, String)>,
    /// Shares given, checked, by member number: who gave it, the share checked, and the
    /// share as sent (for the published box).
    pub shares: BTreeMap<u8, (ParticipantId, VerifiedShare, Sealed)>,
    /// The electronic counts, once the box is opened.
    pub counts: Option<Vec<u64>>,
}

/// The context every ballot's proofs are bound to: this meeting, this poll.
pub fn context(meeting: MeetingId, poll: PollId) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"hub/poll/v1\n");
    hash.update(meeting.as_bytes());
    hash.update(poll.as_bytes());
    hash.finalize().into()
}

/// The shape of a ballot of `kind`: exactly one option for a motion and a single choice,
/// none to k for a multiple choice (k its `max`) and an election (k its seats). A sealed
/// multiple-choice ballot may be blank, like an election's.
pub fn params(meeting: MeetingId, poll: PollId, kind: &PollKind) -> BallotParams {
    let ctx = context(meeting, poll);
    let n = kind.options().len() as u32;
    match kind {
        PollKind::Motion | PollKind::SingleChoice { .. } => BallotParams::exactly_one(ctx, n),
        PollKind::MultipleChoice { max, .. } => BallotParams::at_most(ctx, n, *max),
        PollKind::Election { seats, .. } => BallotParams::at_most(ctx, n, *seats),
    }
}

fn to_sealed<T: serde::Serialize>(value: &T) -> Sealed {
    Sealed(serde_json::to_value(value).unwrap_or_default())
}

impl SealedPoll {
    /// The box of a poll that opens now with the committee's ready key.
    pub(crate) fn open(state: &MeetingState, poll: &PollState) -> Result<SealedPoll, EngineError> {
        let no_key = || {
            EngineError::InvalidState(
                "a secret poll is sealed with the counting committee's key: name the Ban kiểm \
                 phiếu and let their tablets make the key first"
                    .into(),
            )
        };
        let c = state.committees.current.as_ref().ok_or_else(no_key)?;
        if c.status != protocol::CommitteeStatus::Ready {
            return Err(no_key());
        }
        let key = c.key.clone().ok_or_else(no_key)?;
        let params = params(state.id, poll.poll.id, &poll.poll.kind);
        params
            .check()
            .map_err(|e| EngineError::Invalid(format!("this poll cannot be sealed: {e}")))?;
        Ok(SealedPoll {
            with: SealedWith {
                committee: c.committee.id,
                fingerprint: key.fingerprint(),
                params: to_sealed(&params),
            },
            committee: c.committee.clone(),
            sum: EncryptedSum::empty(&params),
            key,
            params,
            receipts: BTreeMap::new(),
            ciphertexts: HashSet::new(),
            closed: None,
            shares: BTreeMap::new(),
            counts: None,
        })
    }

    /// Rebuilds the box of a poll opened with `with` (replaying the log).
    pub(crate) fn reopen(
        state: &MeetingState,
        poll: &PollState,
        with: &SealedWith,
    ) -> Option<Self> {
        let c = state.committees.current.as_ref()?;
        let key = c.key.clone()?;
        (c.committee.id == with.committee && key.fingerprint() == with.fingerprint).then(|| {
            let params = params(state.id, poll.poll.id, &poll.poll.kind);
            SealedPoll {
                with: with.clone(),
                committee: c.committee.clone(),
                sum: EncryptedSum::empty(&params),
                key,
                params,
                receipts: BTreeMap::new(),
                ciphertexts: HashSet::new(),
                closed: None,
                shares: BTreeMap::new(),
                counts: None,
            }
        })
    }

    /// Checks that a verified ballot belongs in this box: this poll, not in it already.
    pub(crate) fn admit(&self, ballot: &VerifiedBallot) -> Result<(), EngineError> {
        if self.receipts.contains_key(&ballot.fingerprint())
            || self.ciphertexts.contains(&ballot.ciphertexts_digest())
        {
            return Err(EngineError::Invalid(
                "this ballot is in the box already: a tablet encrypts a new ballot each time"
                    .into(),
            ));
        }
        let mut probe = self.sum.clone();
        probe
            .add(ballot)
            .map_err(|e| EngineError::Invalid(e.to_string()))
    }

    /// Drops a ballot into the box.
    pub(crate) fn put(&mut self, ballot: &SealedBallot) {
        if self.sum.add(&ballot.verified).is_ok() {
            self.receipts
                .insert(ballot.fingerprint.clone(), ballot.receipt.clone());
            self.ciphertexts
                .insert(ballot.verified.ciphertexts_digest());
        }
    }

    /// SHA-256 over the fingerprints of the ballots in the box, in order.
    pub(crate) fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(b"hub/box/v1\n");
        for f in self.receipts.keys() {
            hash.update(f.as_bytes());
            hash.update(b"\n");
        }
        hex::encode(hash.finalize())
    }

    pub(crate) fn sum_json(&self) -> Sealed {
        to_sealed(&self.sum)
    }

    /// Checks a member's share of this box's sum: `(member number, verified share)`.
    pub(crate) fn check_share(
        &self,
        member: ParticipantId,
        share: &Sealed,
    ) -> Result<(u8, VerifiedShare), EngineError> {
        let index = self
            .committee
            .members
            .iter()
            .position(|m| *m == member)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| {
                EngineError::Forbidden(
                    "only the members of the committee this poll is sealed with open its box"
                        .into(),
                )
            })?;
        if self.shares.contains_key(&index) {
            return Err(EngineError::InvalidState(
                "this member's share is in already".into(),
            ));
        }
        let share: DecryptionShare = serde_json::from_value(share.0.clone())
            .map_err(|e| EngineError::Invalid(format!("the share cannot be read: {e}")))?;
        if share.member != index {
            return Err(EngineError::Invalid(
                "the share names another member of the committee".into(),
            ));
        }
        // A share opens the sum the box was closed with. On replay the ballots come back
        // from their own tree only after the log, so the sum kept in the log's close is the
        // one to check against: otherwise the shares given before a restart are lost.
        let closed: Option<EncryptedSum> = self
            .closed
            .as_ref()
            .and_then(|(sum, _)| serde_json::from_value(sum.0.clone()).ok());
        let sum = closed.as_ref().unwrap_or(&self.sum);
        let verified = ballot_box::verify_share(&self.key, sum, &share)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        Ok((index, verified))
    }

    /// The electronic counts, if the shares given and `extra` reach the threshold.
    pub(crate) fn try_open(&self, extra: &VerifiedShare) -> Result<Option<Vec<u64>>, EngineError> {
        let mut shares: Vec<VerifiedShare> =
            self.shares.values().map(|(_, s, _)| s.clone()).collect();
        shares.push(extra.clone());
        if shares.len() < usize::from(self.key.threshold()) {
            return Ok(None);
        }
        ballot_box::open(&self.key, &self.sum, &shares)
            .map(Some)
            .map_err(|e| EngineError::Invalid(format!("the box cannot be opened: {e}")))
    }

    /// The box as everyone sees it once closed; the counts only where the result may be.
    pub(crate) fn view(&self, counts_shown: bool) -> Option<SealedBoxView> {
        let (sum, fingerprint) = self.closed.clone()?;
        Some(SealedBoxView {
            ballots: self.sum.ballots(),
            fingerprint,
            sum,
            opened_by: self.shares.values().map(|(p, _, _)| *p).collect(),
            threshold: u32::from(self.key.threshold()),
            counts: self.counts.clone().filter(|_| counts_shown),
        })
    }

    /// The opened box as published, for anyone to check offline: `ballots` are the box's
    /// ballots as the store keeps them. `None` before the box is opened.
    pub fn tally(&self, ballots: &[Sealed]) -> Option<ballot_box::SealedTally> {
        let counts = self.counts.clone()?;
        let ballots = ballots
            .iter()
            .filter_map(|b| serde_json::from_value(b.0.clone()).ok())
            .collect();
        let shares = self
            .shares
            .values()
            .filter_map(|(_, _, json)| serde_json::from_value(json.0.clone()).ok())
            .collect();
        Some(ballot_box::SealedTally::new(
            self.key.clone(),
            self.params,
            ballots,
            self.sum.clone(),
            shares,
            counts,
        ))
    }

    /// The published list: every ballot's receipt and fingerprint, sorted by receipt.
    pub(crate) fn receipt_lines(&self) -> Vec<ReceiptLine> {
        let mut lines: Vec<ReceiptLine> = self
            .receipts
            .iter()
            .map(|(fingerprint, receipt)| ReceiptLine {
                receipt: receipt.clone(),
                fingerprint: fingerprint.clone(),
            })
            .collect();
        lines.sort();
        lines
    }
}

/// A sealed ballot as the effect carries it to the box and the store.
pub(crate) fn sealed_ballot(
    poll: PollId,
    ballot: &Arc<VerifiedBallot>,
    json: &Sealed,
) -> SealedBallot {
    SealedBallot {
        poll,
        receipt: ballot.receipt(),
        fingerprint: ballot.fingerprint(),
        ballot: json.clone(),
        verified: ballot.clone(),
    }
}
