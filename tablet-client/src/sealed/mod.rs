//! The sealed ballot box on the delegate's device (hòm phiếu kín): what the hub must never
//! do is done here, with the `ballot-box` crate.
//!
//! - [`PollSeal`]: a secret poll's ballot is encrypted and proved on this device, to the
//!   counting committee's key, for this poll only; the hub gets the ciphertexts and a
//!   receipt comes back ([`EncryptedVote`]).
//! - [`KeyDevice`] and [`make_key`]: a member of the counting committee (Ban kiểm phiếu)
//!   runs their side of the committee's key setup through the hub, keeping the state on the
//!   device so a restart carries on; the result is the member's share ([`MemberKey`]).
//! - [`recount`]: before a member gives their decryption share, the device downloads the
//!   closed box, verifies every ballot itself, adds them up and checks the sum is the hub's:
//!   a member never decrypts a sum it did not make.
//!
//! Every random choice comes from the operating system, a fresh seed each time
//! ([`os_rng`]). The device never keeps a ballot's marks.

mod ballot;
mod count;
mod key_setup;

pub use ballot::{in_published_list, EncryptedVote, PollSeal};
pub use count::{box_fingerprint, fetch_box, recount, BoxFile, Recount};
pub use key_setup::{make_key, KeyDevice, KeyHooks, KeyLog, KeyStep, MemberKey};

use protocol::{MeetingId, PollId};

/// Why a sealed-box step cannot be done on this device. Nothing is sent when one fails.
#[derive(Debug, thiserror::Error)]
pub enum SealedError {
    #[error("“{0}” is not a secret poll: its ballot is cast in the open (cast_ballot)")]
    NotSecret(String),
    #[error(
        "“{0}” is not sealed yet: a secret poll is sealed with the committee's key when it opens"
    )]
    NotSealed(String),
    #[error(
        "the meeting shows no ready key of the counting committee this poll is sealed with; \
         wait for the Ban kiểm phiếu to finish making it"
    )]
    NoKey,
    #[error(
        "the poll is sealed with committee key {expected}, but the key the hub shows is {found}"
    )]
    KeyMismatch { expected: String, found: String },
    #[error("what the hub sent for this poll is bound to another poll or shape: {0}")]
    OtherPoll(String),
    #[error("there is no counting committee in this meeting yet")]
    NoCommittee,
    #[error("you are not a member of the counting committee (Ban kiểm phiếu)")]
    NotAMember,
    #[error("this copy is member {found}'s share, not yours (you are member {mine})")]
    NotYourShare { found: u8, mine: u8 },
    #[error("a new counting committee was named while this one was making its key")]
    Replaced,
    #[error("the key setup failed: {0}")]
    SetupFailed(String),
    #[error(
        "the hub holds another round-{round} message from this member than the one this \
         device made: was the key setup started on another device?"
    )]
    Conflict { round: u8 },
    #[error(
        "the committee key made on this device ({mine}) is not the key the hub announced \
         ({hub}): tell the other members and the secretariat"
    )]
    KeyDiffers { mine: String, hub: String },
    #[error(
        "the hub's encrypted sum is not the sum of the ballots in its box: do not give a \
         share; tell the chair"
    )]
    SumDiffers,
    #[error(
        "the box served holds other ballots than the box the hub closed (fingerprint {served} \
         against {closed}): do not give a share; tell the chair"
    )]
    BoxDiffers { served: String, closed: String },
    #[error(transparent)]
    Ballot(#[from] ballot_box::BallotError),
    #[error(transparent)]
    Key(#[from] ballot_box::KeyError),
    #[error(transparent)]
    Dkg(#[from] ballot_box::DkgError),
    #[error(transparent)]
    Count(#[from] ballot_box::CountError),
    #[error("the box does not hold: {0}")]
    Tally(#[from] ballot_box::TallyError),
    #[error("{what} cannot be read: {why}")]
    Unreadable { what: &'static str, why: String },
    #[error(transparent)]
    Download(#[from] crate::http::DownloadError),
    #[error(transparent)]
    Command(#[from] crate::CommandError),
    #[error("keeping the key setup on this device: {0}")]
    Keep(#[source] std::io::Error),
    #[error(
        "the check code was not confirmed: nothing more is sent; the members and the \
         secretariat name the committee again"
    )]
    CodeNotConfirmed,
    #[error("the system's random source failed")]
    Random,
}

impl SealedError {
    /// Whether the failure means the hub (or what it served) does not hold up: a sum, a box
    /// or a key that differs from what this device computed. A person should be told.
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            SealedError::KeyMismatch { .. }
                | SealedError::OtherPoll(_)
                | SealedError::Conflict { .. }
                | SealedError::KeyDiffers { .. }
                | SealedError::SumDiffers
                | SealedError::BoxDiffers { .. }
                | SealedError::Tally(_)
        )
    }
}

/// A generator seeded with 32 fresh bytes from the operating system (ring's
/// `SystemRandom`, i.e. `getrandom`): one per ballot, per key-setup step, per share.
/// The committee key's code as the hall compares it, `XXXXX-XXXXX`: the ten characters of
/// [`ballot_box::CommitteeKey::code`], the same on the web tablet, the projector and here.
pub fn key_code(key: &ballot_box::CommitteeKey) -> String {
    let code = key.code();
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

pub fn os_rng() -> Result<ballot_box::ChaCha20Rng, SealedError> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), seed.as_mut())
        .map_err(|_| SealedError::Random)?;
    Ok(ballot_box::rng_from_seed(*seed))
}

/// The context every ballot of `poll` is bound to, as the hub makes it: SHA-256 of
/// `hub/poll/v1\n`, the meeting id and the poll id (16 bytes each). The device computes it
/// itself rather than trust the one the hub sends, so neither a ballot nor a box of
/// another poll passes for this one's.
pub fn poll_context(meeting: MeetingId, poll: PollId) -> [u8; 32] {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    hash.update(b"hub/poll/v1\n");
    hash.update(meeting.as_bytes());
    hash.update(poll.as_bytes());
    hash.finish()
        .as_ref()
        .try_into()
        .expect("SHA-256 is 32 bytes")
}

/// Reads one of the sealed box's JSON objects as the hub carries it.
fn read<T: serde::de::DeserializeOwned>(
    value: &protocol::Sealed,
    what: &'static str,
) -> Result<T, SealedError> {
    serde_json::from_value(value.0.clone()).map_err(|e| SealedError::Unreadable {
        what,
        why: e.to_string(),
    })
}

/// A value as the hub carries it.
fn sealed<T: serde::Serialize>(value: &T) -> protocol::Sealed {
    protocol::Sealed(serde_json::to_value(value).expect("ballot-box values serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_generators_from_the_system_differ() {
        use ballot_box::rand_core::RngCore;
        let (mut a, mut b) = (os_rng().unwrap(), os_rng().unwrap());
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn the_context_names_meeting_and_poll() {
        let (m, p) = (MeetingId::new_random(), PollId::new_random());
        assert_eq!(poll_context(m, p), poll_context(m, p));
        assert_ne!(poll_context(m, p), poll_context(m, PollId::new_random()));
        assert_ne!(
            poll_context(m, p),
            poll_context(MeetingId(p.0), PollId(m.0))
        );
    }
}
