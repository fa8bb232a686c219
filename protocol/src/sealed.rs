//! The sealed ballot box (hòm phiếu niêm phong): the counting committee (Ban kiểm phiếu),
//! the key its members' devices make together, secret ballots encrypted to that key, and
//! the count opened as a sum by enough of the members.
//!
//! The cryptographic objects (key-setup messages, the committee's key, ballots, the
//! encrypted sum, decryption shares, the opened box) travel as JSON values that the hub,
//! the tablets and `hub verify` read with the `ballot-box` crate; this crate only carries
//! them, as [`Sealed`].

use crate::ids::{CommitteeId, ParticipantId, PollId};
use serde::{Deserialize, Serialize};

/// A cryptographic object in its JSON form (see the `ballot-box` crate for each shape).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub serde_json::Value);

/// The most members a counting committee has.
pub const MAX_COMMITTEE: usize = 9;

/// Where the committee's key stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeStatus {
    /// The members' devices are making the key: `round` is the step under way (1 to 4).
    MakingKey,
    /// Every member holds a share; secret polls can be sealed with this key.
    Ready,
    /// The key setup failed (a bad message); a new committee must be set.
    Failed,
}

/// The counting committee (Ban kiểm phiếu) as everyone sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub id: CommitteeId,
    /// In order: `members[i]` is member number `i` of the key (from 0).
    pub members: Vec<ParticipantId>,
    /// How many members must give their shares to open a count.
    pub threshold: u32,
}

/// A key-setup message of one member, for one round (see `ballot-box`'s `dkg` module):
/// 1 commitment and transport key, 2 public polynomial, 3 the shares sealed to each other
/// member, 4 the confirmation that the member holds their share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMessage {
    pub round: u8,
    /// The member number, as in [`Committee::members`].
    pub member: u8,
    pub message: Sealed,
}

/// The committee and its key setup, as one viewer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeView {
    pub committee: Committee,
    /// What the members' devices start the key setup with: `ballot-box`'s
    /// `CommitteeParams` `{"members","threshold","session"}`.
    pub params: Sealed,
    pub status: CommitteeStatus,
    /// The round under way while the key is made.
    pub round: u8,
    /// Members whose message of the round under way is in.
    pub done: Vec<ParticipantId>,
    /// Once ready: the committee's public key and its short fingerprint, which members
    /// compare aloud and which every sealed ballot names.
    pub key: Option<Sealed>,
    pub fingerprint: Option<String>,
    /// Why the setup failed.
    pub failure: Option<String>,
    /// The members and the staff: every key-setup message so far, so a member's device that
    /// reconnects carries on.
    #[serde(default)]
    pub messages: Option<Vec<KeyMessage>>,
}

/// How a secret poll is sealed, fixed when it opens: the committee and key, and the shape
/// of a ballot (`context` binds every ballot's proofs to this poll).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedWith {
    pub committee: CommitteeId,
    pub fingerprint: String,
    /// `ballot-box`'s `BallotParams`: `{"context","options","min","max"}`.
    pub params: Sealed,
}

/// A sealed poll's box after the close, as everyone sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedBoxView {
    /// The encrypted ballots in the box.
    pub ballots: u32,
    /// SHA-256 over the ballots' fingerprints in order: what the committee's devices check.
    pub fingerprint: String,
    /// The encrypted sum, option by option.
    pub sum: Sealed,
    /// Members who gave their decryption share.
    pub opened_by: Vec<ParticipantId>,
    pub threshold: u32,
    /// Electronic counts, once the threshold of shares is in.
    pub counts: Option<Vec<u64>>,
}

/// A published sealed ballot: the receipt its voter was given and the fingerprint of the
/// encrypted ballot, with nothing that names the voter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub receipt: String,
    pub fingerprint: String,
}

/// The poll a runoff (bầu lại) repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Runoff {
    pub of: PollId,
    pub round: u32,
}
