//! A secret ballot encrypted on this device: the poll's shape and the committee's key are
//! checked against the meeting as the hub shows it and against what this device computes
//! itself, then each ballot is encrypted and proved with fresh randomness.

use super::{poll_context, read, sealed, SealedError};
use ballot_box::rand_core::{CryptoRng, RngCore};
use ballot_box::{BallotParams, CommitteeKey, EncryptedBallot};
use protocol::{Command, MeetingView, PollId};

/// What ballots of one secret poll are sealed with, checked once: the committee's key and
/// the ballot's shape, bound to this meeting and this poll.
#[derive(Clone, Debug)]
pub struct PollSeal {
    poll: PollId,
    key: CommitteeKey,
    params: BallotParams,
}

/// One ballot as it leaves the device: the encrypted ballot with its proofs, and the
/// receipt and fingerprint its voter keeps to find it in the published list.
#[derive(Clone, Debug)]
pub struct EncryptedVote {
    pub poll: PollId,
    pub ballot: EncryptedBallot,
    pub receipt: String,
    pub fingerprint: String,
}

impl PollSeal {
    /// The seal of `poll` as `view` shows it. Refused unless the poll is secret and sealed,
    /// the key the meeting shows is the one the poll names (same committee, same
    /// fingerprint), and the ballot's shape is this poll's: bound to this meeting and poll,
    /// with one ciphertext per option.
    pub fn of(view: &MeetingView, poll: PollId) -> Result<PollSeal, SealedError> {
        let p = view
            .polls
            .iter()
            .find(|p| p.poll.id == poll)
            .ok_or_else(|| SealedError::OtherPoll(format!("no poll {poll} in the meeting")))?;
        if !p.poll.secret {
            return Err(SealedError::NotSecret(p.poll.title.clone()));
        }
        let with = p
            .sealed
            .as_ref()
            .ok_or_else(|| SealedError::NotSealed(p.poll.title.clone()))?;
        let committee = view
            .committee
            .as_ref()
            .filter(|c| c.committee.id == with.committee)
            .ok_or(SealedError::NoKey)?;
        let key: CommitteeKey = read(
            committee.key.as_ref().ok_or(SealedError::NoKey)?,
            "the committee key",
        )?;
        if key.fingerprint() != with.fingerprint {
            return Err(SealedError::KeyMismatch {
                expected: with.fingerprint.clone(),
                found: key.fingerprint(),
            });
        }
        let params: BallotParams = read(&with.params, "the ballot's shape")?;
        let seal = PollSeal::with(key, params, view.meeting.id, poll)?;
        let options = p.poll.kind.options().len();
        if seal.params.options as usize != options {
            return Err(SealedError::OtherPoll(format!(
                "the sealed ballot has {} options, the poll {options}",
                seal.params.options
            )));
        }
        Ok(seal)
    }

    /// A seal from a key and a shape that came some other way (a committee member's own
    /// key, say), checked to be bound to `meeting` and `poll`.
    pub fn with(
        key: CommitteeKey,
        params: BallotParams,
        meeting: protocol::MeetingId,
        poll: PollId,
    ) -> Result<PollSeal, SealedError> {
        if params.context != poll_context(meeting, poll) {
            return Err(SealedError::OtherPoll(
                "its ballots would be bound to another poll".into(),
            ));
        }
        params.check()?;
        Ok(PollSeal { poll, key, params })
    }

    /// The poll whose ballots this seals.
    pub fn poll(&self) -> PollId {
        self.poll
    }

    /// The committee's key.
    pub fn key(&self) -> &CommitteeKey {
        &self.key
    }

    /// The ballot's shape.
    pub fn params(&self) -> &BallotParams {
        &self.params
    }

    /// Encrypts a ballot marking `marks` (0-based option indices) with its proofs, drawing
    /// its randomness from `rng` (use a fresh [`super::os_rng`] for each ballot). Marks the
    /// poll does not allow (too many, twice, no such option) are refused here.
    pub fn encrypt<R: CryptoRng + RngCore>(
        &self,
        marks: &[u32],
        rng: &mut R,
    ) -> Result<EncryptedVote, SealedError> {
        let ballot = ballot_box::encrypt(&self.key, &self.params, marks, rng)?;
        Ok(EncryptedVote {
            poll: self.poll,
            receipt: ballot.receipt(),
            fingerprint: ballot.fingerprint(),
            ballot,
        })
    }
}

impl EncryptedVote {
    /// The command that casts it.
    pub fn command(&self) -> Command {
        Command::CastSealedBallot {
            poll: self.poll,
            ballot: sealed(&self.ballot),
        }
    }
}

/// Whether a ballot (its receipt and fingerprint) is in `poll`'s published list: `None`
/// while the list is not published, `Some(false)` if the list leaves it out, or lists the
/// receipt with another encrypted ballot.
pub fn in_published_list(
    view: &MeetingView,
    poll: PollId,
    receipt: &str,
    fingerprint: &str,
) -> Option<bool> {
    let lines = view
        .polls
        .iter()
        .find(|p| p.poll.id == poll)?
        .receipts
        .as_ref()?;
    Some(
        lines
            .iter()
            .any(|l| l.receipt == receipt && l.fingerprint == fingerprint),
    )
}
