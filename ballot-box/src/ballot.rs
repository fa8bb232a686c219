//! Encrypted ballots (phiếu kín): one ElGamal ciphertext per option under the committee's
//! key, each proven to hold 0 or 1, and the number of marks proven to be allowed: exactly
//! one (a motion, a single choice), or 0 to k (a multiple choice, an election of k seats).
//!
//! Built only from elastic-elgamal's public proofs, as its `QuadraticVotingBallot` is:
//! - each free option: a `RangeProof` that it encrypts 0 or 1;
//! - a fresh ciphertext of the number of marks with a `RangeProof` that it is in `0..=max`,
//!   and a `SumOfSquaresProof` that it encrypts the sum of the squares of the options (for
//!   0/1 values, the number of marks);
//! - "exactly one": the last option carries no ciphertext of its own; it is derived as
//!   `E(1) - count` (count in 0..=1), so the marks always add up to one.
//!
//! Every proof's Fiat–Shamir transcript starts from the poll's `context`, the ballot's shape
//! and the committee's fingerprint, so a ballot cast in one poll fails in any other.

use elastic_elgamal::{
    Ciphertext, PreparedRange, RangeDecomposition, RangeProof, SumOfSquaresProof,
};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::committee::CommitteeKey;
use crate::encoding::{from_json, hex, hex32, short_code, ParseError};
use crate::G;

/// The most options a ballot may have: 100 options make a ballot of about 43 kB, under
/// the hub's 64 KiB frame.
pub const MAX_OPTIONS: u32 = 100;
/// The most bytes [`EncryptedBallot::from_json`] reads.
pub const MAX_BALLOT_JSON: usize = 60 * 1024;
/// The version written in every ballot (`"v"`).
const VERSION: u8 = 1;

/// What a ballot may hold in one poll. `context` names the poll (the hub passes e.g.
/// SHA-256 of meeting id ++ poll id); `options` is n; `min..=max` the number of marks.
/// Two shapes: `min = max = 1` (exactly one) and `min = 0, max = k` with `1 <= k <= n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotParams {
    #[serde(with = "hex32")]
    pub context: [u8; 32],
    pub options: u32,
    pub min: u32,
    pub max: u32,
}

/// Why a ballot cannot be made, read or accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BallotError {
    #[error(
        "a ballot of {options} options with {min} to {max} marks is not supported: 2 to 100 \
         options, and exactly one mark or 0 to k marks"
    )]
    Unsupported { options: u32, min: u32, max: u32 },
    #[error("option {mark} does not exist: the ballot has options 0 to {}", options - 1)]
    MarkOutOfRange { mark: u32, options: u32 },
    #[error("option {mark} is marked twice")]
    DuplicateMark { mark: u32 },
    #[error("{marks} options are marked; at most {max} may be")]
    TooManyMarks { marks: usize, max: u32 },
    #[error("{marks} options are marked; at least {min} must be")]
    TooFewMarks { marks: usize, min: u32 },
    #[error("this ballot is version {0}; version 1 is read")]
    Version(u8),
    #[error("the ballot has {found} option ciphertexts where this poll needs {expected}")]
    WrongShape { expected: usize, found: usize },
    #[error("the proof of {0} does not hold (tampered, or cast for another poll or committee)")]
    BadProof(BallotPart),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// The part of a ballot whose proof failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BallotPart {
    /// Option `i` is not proven to be 0 or 1.
    Option(u32),
    /// The number of marks is not proven to be allowed.
    Count,
    /// The number of marks is not proven to be the options' sum.
    CountLink,
}

impl std::fmt::Display for BallotPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BallotPart::Option(i) => write!(f, "option {i}"),
            BallotPart::Count => f.write_str("the number of marks"),
            BallotPart::CountLink => f.write_str("the sum of the marks"),
        }
    }
}

/// One ciphertext and its range proof.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProvenCiphertext {
    pub ct: Ciphertext<G>,
    pub proof: RangeProof<G>,
}

/// A sealed ballot as it travels and is published:
/// `{"v":1,"choices":[{"ct":…,"proof":…},…],"count":{"ct":…,"proof":…},"link":…}`.
/// For "exactly one", `choices` holds all options but the last.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EncryptedBallot {
    pub v: u8,
    pub choices: Vec<ProvenCiphertext>,
    pub count: ProvenCiphertext,
    pub link: SumOfSquaresProof<G>,
}

/// A ballot whose proofs hold for one poll: one ciphertext per option, ready to be added.
#[derive(Clone, Debug)]
pub struct VerifiedBallot {
    pub(crate) context: [u8; 32],
    pub(crate) choices: Vec<Ciphertext<G>>,
    pub(crate) fingerprint: [u8; 32],
    /// Digest of the ciphertexts alone: the same ciphertexts with other proofs are the same vote.
    pub(crate) ciphertexts: [u8; 32],
}

/// The shape of an accepted [`BallotParams`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    ExactlyOne,
    AtMost(u32),
}

impl BallotParams {
    /// A motion or a single choice: exactly one of `options`.
    pub fn exactly_one(context: [u8; 32], options: u32) -> Self {
        Self {
            context,
            options,
            min: 1,
            max: 1,
        }
    }

    /// A multiple choice or an election of `max` seats: 0 to `max` of `options`.
    pub fn at_most(context: [u8; 32], options: u32, max: u32) -> Self {
        Self {
            context,
            options,
            min: 0,
            max,
        }
    }

    /// Whether this poll's ballots can be made and checked.
    pub fn check(&self) -> Result<(), BallotError> {
        self.shape().map(drop)
    }

    fn shape(&self) -> Result<Shape, BallotError> {
        let unsupported = BallotError::Unsupported {
            options: self.options,
            min: self.min,
            max: self.max,
        };
        if !(2..=MAX_OPTIONS).contains(&self.options) {
            return Err(unsupported);
        }
        match (self.min, self.max) {
            (1, 1) => Ok(Shape::ExactlyOne),
            (0, k) if (1..=self.options).contains(&k) => Ok(Shape::AtMost(k)),
            _ => Err(unsupported),
        }
    }
}

/// What every proof of one poll's ballots is bound to, prepared once for many ballots.
pub(crate) struct Statement<'a> {
    key: &'a CommitteeKey,
    params: BallotParams,
    shape: Shape,
    bit: PreparedRange<G>,
    count: PreparedRange<G>,
    base: Transcript,
}

impl<'a> Statement<'a> {
    pub(crate) fn new(key: &'a CommitteeKey, params: &BallotParams) -> Result<Self, BallotError> {
        let shape = params.shape()?;
        let max_count = match shape {
            Shape::ExactlyOne => 1,
            Shape::AtMost(k) => k,
        };
        let mut base = Transcript::new(b"ballot-box/ballot/v1");
        base.append_message(b"context", &params.context);
        base.append_u64(b"options", params.options.into());
        base.append_u64(b"min", params.min.into());
        base.append_u64(b"max", params.max.into());
        base.append_message(b"committee", key.fingerprint_bytes());
        Ok(Self {
            key,
            params: *params,
            shape,
            bit: RangeDecomposition::optimal(2).into(),
            count: RangeDecomposition::optimal(u64::from(max_count) + 1).into(),
            base,
        })
    }

    fn transcript(&self, part: &'static [u8], index: u32) -> Transcript {
        let mut t = self.base.clone();
        t.append_message(b"part", part);
        t.append_u64(b"index", index.into());
        t
    }

    /// How many options carry their own ciphertext.
    fn free_options(&self) -> u32 {
        match self.shape {
            Shape::ExactlyOne => self.params.options - 1,
            Shape::AtMost(_) => self.params.options,
        }
    }

    fn encrypt<R: CryptoRng + RngCore>(
        &self,
        marks: &[u32],
        rng: &mut R,
    ) -> Result<EncryptedBallot, BallotError> {
        let values = self.values(marks)?;
        let pk = self.key.public_key();
        let free = self.free_options();
        let mut choices = Vec::with_capacity(free as usize);
        let mut with_values = Vec::with_capacity(free as usize);
        for i in 0..free {
            let mut t = self.transcript(b"option", i);
            let (ct, proof) = RangeProof::new(pk, &self.bit, values[i as usize], &mut t, rng);
            choices.push(ProvenCiphertext {
                ct: *ct.inner(),
                proof,
            });
            with_values.push(ct.generalize());
        }
        let marked: u64 = values[..free as usize].iter().sum();
        let mut t = self.transcript(b"count", 0);
        let (count, count_proof) = RangeProof::new(pk, &self.count, marked, &mut t, rng);
        let count_ct = *count.inner();
        let mut t = self.transcript(b"link", 0);
        let link = SumOfSquaresProof::new(with_values.iter(), &count.generalize(), pk, &mut t, rng);
        Ok(EncryptedBallot {
            v: VERSION,
            choices,
            count: ProvenCiphertext {
                ct: count_ct,
                proof: count_proof,
            },
            link,
        })
    }

    /// 0/1 per option from the marked indices, refusing what the poll does not allow.
    fn values(&self, marks: &[u32]) -> Result<Vec<u64>, BallotError> {
        let options = self.params.options;
        let mut values = vec![0u64; options as usize];
        for &mark in marks {
            let slot = values
                .get_mut(mark as usize)
                .ok_or(BallotError::MarkOutOfRange { mark, options })?;
            if *slot == 1 {
                return Err(BallotError::DuplicateMark { mark });
            }
            *slot = 1;
        }
        if marks.len() > self.params.max as usize {
            return Err(BallotError::TooManyMarks {
                marks: marks.len(),
                max: self.params.max,
            });
        }
        if marks.len() < self.params.min as usize {
            return Err(BallotError::TooFewMarks {
                marks: marks.len(),
                min: self.params.min,
            });
        }
        Ok(values)
    }

    /// The version and the number of ciphertexts this poll's ballots have.
    fn check_shape(&self, ballot: &EncryptedBallot) -> Result<(), BallotError> {
        if ballot.v != VERSION {
            return Err(BallotError::Version(ballot.v));
        }
        let free = self.free_options() as usize;
        if ballot.choices.len() != free {
            return Err(BallotError::WrongShape {
                expected: free,
                found: ballot.choices.len(),
            });
        }
        Ok(())
    }

    pub(crate) fn verify(&self, ballot: &EncryptedBallot) -> Result<VerifiedBallot, BallotError> {
        self.verify_fingerprinted(ballot, ballot.fingerprint_bytes())
    }

    /// [`Self::verify`] for a ballot whose fingerprint the caller has computed already.
    pub(crate) fn verify_fingerprinted(
        &self,
        ballot: &EncryptedBallot,
        fingerprint: [u8; 32],
    ) -> Result<VerifiedBallot, BallotError> {
        self.check_shape(ballot)?;
        let pk = self.key.public_key();
        for (i, choice) in (0u32..).zip(&ballot.choices) {
            let mut t = self.transcript(b"option", i);
            choice
                .proof
                .verify(pk, &self.bit, choice.ct, &mut t)
                .map_err(|_| BallotError::BadProof(BallotPart::Option(i)))?;
        }
        let mut t = self.transcript(b"count", 0);
        ballot
            .count
            .proof
            .verify(pk, &self.count, ballot.count.ct, &mut t)
            .map_err(|_| BallotError::BadProof(BallotPart::Count))?;
        let mut t = self.transcript(b"link", 0);
        ballot
            .link
            .verify(
                ballot.choices.iter().map(|c| &c.ct),
                &ballot.count.ct,
                pk,
                &mut t,
            )
            .map_err(|_| BallotError::BadProof(BallotPart::CountLink))?;
        Ok(self.accept(ballot, fingerprint))
    }

    /// A ballot whose proofs hold, as ciphertexts ready to be added.
    fn accept(&self, ballot: &EncryptedBallot, fingerprint: [u8; 32]) -> VerifiedBallot {
        let mut choices: Vec<Ciphertext<G>> = ballot.choices.iter().map(|c| c.ct).collect();
        if self.shape == Shape::ExactlyOne {
            // The last option is 1 minus the (proven 0 or 1) number of the others' marks.
            choices.push(Ciphertext::non_blinded(1u64) - ballot.count.ct);
        }
        let mut digest = Sha256::new();
        digest.update(b"ballot-box/ciphertexts/v1\n");
        for c in &ballot.choices {
            digest.update(c.ct.to_bytes());
        }
        digest.update(ballot.count.ct.to_bytes());
        VerifiedBallot {
            context: self.params.context,
            choices,
            fingerprint,
            ciphertexts: digest.finalize().into(),
        }
    }
}

/// Encrypts a ballot marking the options `marks` (0-based indices) for the committee `key`
/// in the poll `params`, with its proofs. Marks the poll does not allow are refused.
pub fn encrypt<R: CryptoRng + RngCore>(
    key: &CommitteeKey,
    params: &BallotParams,
    marks: &[u32],
    rng: &mut R,
) -> Result<EncryptedBallot, BallotError> {
    Statement::new(key, params)?.encrypt(marks, rng)
}

/// Checks every proof of `ballot` for the poll `params` and the committee `key`.
pub fn verify(
    key: &CommitteeKey,
    params: &BallotParams,
    ballot: &EncryptedBallot,
) -> Result<VerifiedBallot, BallotError> {
    Statement::new(key, params)?.verify(ballot)
}

/// Reads back a ballot that [`verify`] accepted before it was stored: its shape is checked,
/// its proofs are not checked again. For a hub that restarts in the middle of a poll and
/// puts its own ballot box back (checking every proof again would take seconds per
/// thousand ballots); never for a ballot that comes from outside.
pub fn restore(
    key: &CommitteeKey,
    params: &BallotParams,
    ballot: &EncryptedBallot,
) -> Result<VerifiedBallot, BallotError> {
    let statement = Statement::new(key, params)?;
    statement.check_shape(ballot)?;
    Ok(statement.accept(ballot, ballot.fingerprint_bytes()))
}

impl EncryptedBallot {
    /// Reads a ballot from JSON, refusing more than [`MAX_BALLOT_JSON`] bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, BallotError> {
        Ok(from_json(bytes, MAX_BALLOT_JSON, "the ballot")?)
    }

    /// The ballot's JSON, as published.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a ballot always serializes")
    }

    /// SHA-256 over the ballot's canonical bytes (its compact JSON as this crate writes it,
    /// after a domain tag), hex. Two ballots with the same ciphertexts and proofs have the
    /// same fingerprint however their JSON was spaced.
    pub fn fingerprint(&self) -> String {
        hex(&self.fingerprint_bytes())
    }

    /// The voter's receipt: 10 Crockford base32 characters (50 bits) of the fingerprint.
    pub fn receipt(&self) -> String {
        short_code(&self.fingerprint_bytes())
    }

    pub(crate) fn fingerprint_bytes(&self) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(b"ballot-box/ballot/v1\n");
        digest.update(self.to_json().as_bytes());
        digest.finalize().into()
    }
}

impl VerifiedBallot {
    /// The ballot's fingerprint (see [`EncryptedBallot::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        hex(&self.fingerprint)
    }

    /// The ballot's receipt (see [`EncryptedBallot::receipt`]).
    pub fn receipt(&self) -> String {
        short_code(&self.fingerprint)
    }

    /// SHA-256 of the ciphertexts alone, hex: the same ciphertexts under other proofs are
    /// the same vote cast twice.
    pub fn ciphertexts_digest(&self) -> String {
        hex(&self.ciphertexts)
    }
}
