//! The sealed ballot box (hòm phiếu kín): a secret ballot is encrypted to the counting
//! committee (Ban kiểm phiếu), counted only as a sum, opened only when `t` of its `n` members
//! give their decryption shares, and checked by anyone offline.
//!
//! - [`committee`] and [`dkg`]: the committee's threshold key, made by the members' devices
//!   together (the hub relays, sealed with HPKE), or by a dealer as a fallback;
//!   [`MemberSecret`] is what each member keeps.
//! - [`ballot`]: [`encrypt`] and [`verify`] a ballot ("exactly one" or "0 to k of n"), its
//!   fingerprint and receipt.
//! - [`count`]: the encrypted sum, decryption shares, and [`open`].
//! - [`tally`]: the published box ([`SealedTally`]) and its offline check.
//! - [`partial`]: a box verified in stretches by workers that share no memory (a browser's),
//!   joined into one sum ([`PartialSum`]).
//!
//! All group arithmetic and proofs are elastic-elgamal's (Ristretto255), composed here with
//! transcripts bound to the poll; nothing is hand-written. Randomness is a caller's
//! `rand_core` 0.6 generator ([`rng_from_seed`] makes one from 32 bytes), so the crate builds
//! for `wasm32-unknown-unknown` without an OS random source.
#![forbid(unsafe_code)]

pub mod ballot;
pub mod committee;
pub mod count;
pub mod dkg;
mod encoding;
pub mod partial;
pub mod secret;
pub mod tally;
#[cfg(test)]
mod testing;
mod transport;

pub use ballot::{
    encrypt, restore, verify, BallotError, BallotParams, EncryptedBallot, VerifiedBallot,
    MAX_BALLOT_JSON, MAX_OPTIONS,
};
pub use committee::{deal, CommitteeKey, CommitteeParams, KeyError, MAX_MEMBERS};
pub use count::{
    open, verify_share, CountError, DecryptionShare, EncryptedSum, VerifiedShare, MAX_BALLOTS,
};
pub use dkg::{DkgError, DkgMember, DkgOutcome, KeyConfirmation, Round1, Round2, SealedShare};
pub use encoding::{from_json, ParseError};
pub use partial::PartialSum;
pub use secret::MemberSecret;
pub use tally::{verify_ballots, CheckOptions, Progress, SealedBallot, SealedTally, TallyError};

pub use rand_chacha::ChaCha20Rng;
pub use rand_core;

/// The group: Ristretto255.
pub(crate) type G = elastic_elgamal::group::Ristretto;

/// A ChaCha20 generator from a 32-byte seed: on a device, the seed comes from the platform's
/// random source (`crypto.getRandomValues` in a browser); use a seed once.
pub fn rng_from_seed(seed: [u8; 32]) -> ChaCha20Rng {
    rand_core::SeedableRng::from_seed(seed)
}
