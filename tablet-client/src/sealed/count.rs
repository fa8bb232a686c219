//! Opening the count from a committee member's device: the closed box is downloaded,
//! every ballot verified here, the ballots added up here, and only a sum this device made
//! and found equal to the hub's is decrypted into this member's share.

use super::{read, sealed, MemberKey, PollSeal, SealedError};
use crate::JoinUrl;
use ballot_box::rand_core::{CryptoRng, RngCore};
use ballot_box::tally::{Progress, MAX_TALLY_JSON};
use ballot_box::{
    verify_ballots, BallotParams, CheckOptions, CommitteeKey, EncryptedBallot, EncryptedSum,
    TallyError, VerifiedBallot,
};
use protocol::{Command, MeetingId, MeetingView, PollId};
use serde::Deserialize;

/// A closed box as the hub serves it at `GET …/polls/{poll}/box.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct BoxFile {
    pub committee: CommitteeKey,
    pub params: BallotParams,
    /// The hub's encrypted sum: compared, never decrypted.
    pub sum: EncryptedSum,
    pub ballots: Vec<EncryptedBallot>,
}

impl BoxFile {
    /// Reads a box, refusing more than `ballot-box`'s limit for a published box.
    pub fn from_json(bytes: &[u8]) -> Result<BoxFile, SealedError> {
        let unreadable = |why: String| SealedError::Unreadable {
            what: "the ballot box",
            why,
        };
        if bytes.len() > MAX_TALLY_JSON {
            return Err(unreadable(format!("larger than {MAX_TALLY_JSON} bytes")));
        }
        serde_json::from_slice(bytes).map_err(|e| unreadable(e.to_string()))
    }
}

/// Downloads the closed box of `poll` with this participant's token.
pub async fn fetch_box(
    join: &JoinUrl,
    meeting: MeetingId,
    poll: PollId,
) -> Result<BoxFile, SealedError> {
    let path = format!("api/v1/meetings/{meeting}/polls/{poll}/box.json");
    let bytes = crate::http::get(join, &path, MAX_TALLY_JSON).await?;
    BoxFile::from_json(&bytes)
}

/// SHA-256 over the ballots' fingerprints in sorted order, each followed by a newline,
/// after `hub/box/v1\n`: how the hub names a closed box (`sealed_box.fingerprint`), for
/// members to compare.
pub fn box_fingerprint(ballots: &[EncryptedBallot]) -> String {
    fingerprint_of_box(ballots.iter().map(EncryptedBallot::fingerprint))
}

/// [`box_fingerprint`] from the ballots' fingerprints (hex).
fn fingerprint_of_box(fingerprints: impl Iterator<Item = String>) -> String {
    let mut fingerprints: Vec<String> = fingerprints.collect();
    fingerprints.sort_unstable();
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    hash.update(b"hub/box/v1\n");
    for f in &fingerprints {
        hash.update(f.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finish())
}

/// What this device found by recounting a closed box itself.
#[derive(Clone, Debug)]
pub struct Recount {
    pub poll: PollId,
    /// The encrypted ballots in the box, each verified here.
    pub ballots: u32,
    /// The turnout the meeting shows (ballots in, paper ones included once recorded): what
    /// the member compares with the box and with what the hall saw.
    pub turnout: u32,
    /// The box's fingerprint, computed here and equal to the one the hub closed.
    pub fingerprint: String,
    sum: EncryptedSum,
}

/// Recounts the closed box of `poll` (`file`, as downloaded) on this device for `member`.
/// Refused unless the poll is sealed with this member's committee key and bound to this
/// meeting and poll, the box is that poll's, every ballot's proofs hold (checked on all
/// cores; `progress` is told as they go), no ballot is in it twice, the sum added up here
/// is the hub's, and the box is the one the hub closed (same fingerprint, same number of
/// ballots).
pub fn recount(
    member: &MemberKey,
    view: &MeetingView,
    poll: PollId,
    file: &BoxFile,
    progress: Option<Progress<'_>>,
) -> Result<Recount, SealedError> {
    let p = view
        .polls
        .iter()
        .find(|p| p.poll.id == poll)
        .ok_or_else(|| SealedError::OtherPoll(format!("no poll {poll} in the meeting")))?;
    let with = p
        .sealed
        .as_ref()
        .ok_or_else(|| SealedError::NotSealed(p.poll.title.clone()))?;
    let mine = member.key.fingerprint();
    for found in [&with.fingerprint, &file.committee.fingerprint()] {
        if *found != mine {
            return Err(SealedError::KeyMismatch {
                expected: mine,
                found: found.clone(),
            });
        }
    }
    let params: BallotParams = read(&with.params, "the ballot's shape")?;
    let seal = PollSeal::with(member.key.clone(), params, view.meeting.id, poll)?;
    if file.params != *seal.params() {
        return Err(SealedError::OtherPoll(
            "the box is not of the shape this poll was opened with".into(),
        ));
    }
    let options = CheckOptions {
        threads: None,
        progress,
    };
    let verified = verify_ballots(&member.key, seal.params(), &file.ballots, &options)?;
    let sum = EncryptedSum::of(seal.params(), &verified).map_err(TallyError::from)?;
    if !sum.same_as(&file.sum) {
        return Err(SealedError::SumDiffers);
    }
    // The fingerprints the verification computed, rather than each ballot's again.
    let fingerprint = fingerprint_of_box(verified.iter().map(VerifiedBallot::fingerprint));
    if let Some(closed) = &p.sealed_box {
        if closed.fingerprint != fingerprint || closed.ballots != sum.ballots() {
            return Err(SealedError::BoxDiffers {
                served: fingerprint,
                closed: closed.fingerprint.clone(),
            });
        }
    }
    Ok(Recount {
        poll,
        ballots: sum.ballots(),
        turnout: p.ballots_in,
        fingerprint,
        sum,
    })
}

impl MemberKey {
    /// This member's decryption share of a box this device recounted, with its proofs, as
    /// the command that gives it.
    pub fn share<R: CryptoRng + RngCore>(
        &self,
        recount: &Recount,
        rng: &mut R,
    ) -> Result<Command, SealedError> {
        let share = self.secret.decryption_share(&self.key, &recount.sum, rng)?;
        Ok(Command::GiveDecryptionShare {
            poll: recount.poll,
            share: sealed(&share),
        })
    }
}
