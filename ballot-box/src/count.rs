//! Counting without opening a ballot (kiểm phiếu): the ballots' ciphertexts are added option
//! by option, each member decrypts their share of the sum with a proof, and t verified shares
//! open the sum, and nothing else.

use elastic_elgamal::{
    CandidateDecryption, Ciphertext, DiscreteLogTable, LogEqualityProof, VerifiableDecryption,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ballot::{BallotError, BallotParams, VerifiedBallot};
use crate::committee::{CommitteeKey, KeyError};
use crate::encoding::hex32;
use crate::G;

/// The most ballots one sum may hold: the count is read back from a table of this size.
pub const MAX_BALLOTS: u32 = 100_000;

/// Why a sum cannot be made, a share cannot be accepted, or a count cannot be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CountError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Poll(#[from] BallotError),
    #[error("ballot {index} was verified for another poll or has another number of options")]
    WrongPoll { index: usize },
    #[error("ballots {first} and {second} are the same ballot (receipt {receipt})")]
    DuplicateBallot {
        first: usize,
        second: usize,
        receipt: String,
    },
    #[error("more than {MAX_BALLOTS} ballots in one sum")]
    TooManyBallots,
    #[error(
        "this sum was not recomputed on this device from ballots it verified: a member only \
         decrypts a sum it added up itself"
    )]
    SumNotRecomputed,
    #[error("member {member}'s share is for another sum")]
    OtherSum { member: u8 },
    #[error("member {member}'s share has {found} parts for {expected} options")]
    WrongLength {
        member: u8,
        expected: usize,
        found: usize,
    },
    #[error("member {member}'s share of option {option} does not hold against their key")]
    BadShareProof { member: u8, option: usize },
    #[error("member {member} gave a share twice")]
    DuplicateMember { member: u8 },
    #[error("{have} of the {need} shares needed: the count cannot be opened")]
    BelowThreshold { have: usize, need: u8 },
    #[error("option {option}'s total is not between 0 and the number of ballots")]
    NotInRange { option: usize },
    #[error(
        "the stretches of the box do not cover it once: ballot {expected} comes next, but a \
         stretch starts at {found}"
    )]
    StretchGap { expected: usize, found: usize },
    #[error("the stretch that starts at ballot {first} holds {keys} ballots but adds up {summed}")]
    StretchCount {
        first: usize,
        keys: usize,
        summed: u32,
    },
}

/// The option-by-option sum of a poll's ballots, still encrypted:
/// `{"context":"<hex>","ballots":287,"options":[<ciphertext>,…]}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EncryptedSum {
    #[serde(with = "hex32")]
    context: [u8; 32],
    ballots: u32,
    options: Vec<Ciphertext<G>>,
    /// Set only where this sum was added up from verified ballots, never by deserializing.
    #[serde(skip)]
    recomputed: bool,
}

impl EncryptedSum {
    /// Adds verified ballots of the poll `params`, refusing one of another poll and the
    /// same ballot twice (by fingerprint, or by its ciphertexts with other proofs).
    pub fn of<'a>(
        params: &BallotParams,
        ballots: impl IntoIterator<Item = &'a VerifiedBallot>,
    ) -> Result<EncryptedSum, CountError> {
        params.check()?;
        let mut options = vec![Ciphertext::<G>::zero(); params.options as usize];
        let mut seen = std::collections::HashMap::new();
        let mut count = 0u32;
        for (index, ballot) in ballots.into_iter().enumerate() {
            if ballot.context != params.context || ballot.choices.len() != options.len() {
                return Err(CountError::WrongPoll { index });
            }
            for key in [ballot.fingerprint, ballot.ciphertexts] {
                if let Some(first) = seen.insert(key, index) {
                    return Err(CountError::DuplicateBallot {
                        first,
                        second: index,
                        receipt: ballot.receipt(),
                    });
                }
            }
            count = count
                .checked_add(1)
                .filter(|&c| c <= MAX_BALLOTS)
                .ok_or(CountError::TooManyBallots)?;
            for (total, choice) in options.iter_mut().zip(&ballot.choices) {
                *total += *choice;
            }
        }
        Ok(EncryptedSum {
            context: params.context,
            ballots: count,
            options,
            recomputed: true,
        })
    }

    /// A sum added up on this device from ballots verified on it ([`crate::PartialSum`]).
    pub(crate) fn recomputed(
        context: [u8; 32],
        ballots: u32,
        options: Vec<Ciphertext<G>>,
    ) -> EncryptedSum {
        EncryptedSum {
            context,
            ballots,
            options,
            recomputed: true,
        }
    }

    /// The sum of no ballots, to [`EncryptedSum::add`] a poll's ballots to as they come.
    pub fn empty(params: &BallotParams) -> EncryptedSum {
        EncryptedSum {
            context: params.context,
            ballots: 0,
            options: vec![Ciphertext::<G>::zero(); params.options as usize],
            recomputed: true,
        }
    }

    /// Adds one verified ballot of this poll. The caller keeps ballots from being added
    /// twice (by [`VerifiedBallot::fingerprint`] and [`VerifiedBallot::ciphertexts_digest`]);
    /// [`EncryptedSum::of`] does it for a whole list.
    pub fn add(&mut self, ballot: &VerifiedBallot) -> Result<(), CountError> {
        if ballot.context != self.context || ballot.choices.len() != self.options.len() {
            return Err(CountError::WrongPoll {
                index: self.ballots as usize,
            });
        }
        self.ballots = self
            .ballots
            .checked_add(1)
            .filter(|&c| c <= MAX_BALLOTS)
            .ok_or(CountError::TooManyBallots)?;
        for (total, choice) in self.options.iter_mut().zip(&ballot.choices) {
            *total += *choice;
        }
        Ok(())
    }

    /// How many ballots were added.
    pub fn ballots(&self) -> u32 {
        self.ballots
    }

    /// The poll this sum is of.
    pub fn context(&self) -> [u8; 32] {
        self.context
    }

    pub(crate) fn ciphertexts(&self) -> &[Ciphertext<G>] {
        &self.options
    }

    pub(crate) fn recomputed_here(&self) -> bool {
        self.recomputed
    }

    /// SHA-256 of the sum's canonical bytes: what a decryption share names.
    pub fn digest(&self) -> [u8; 32] {
        let mut digest = Sha256::new();
        digest.update(b"ballot-box/sum/v1\n");
        digest.update(self.context);
        digest.update(self.ballots.to_be_bytes());
        for c in &self.options {
            digest.update(c.to_bytes());
        }
        digest.finalize().into()
    }

    /// Whether `other` holds the same ciphertexts for the same poll and number of ballots.
    pub fn same_as(&self, other: &EncryptedSum) -> bool {
        self.digest() == other.digest()
    }

    /// The first option whose ciphertext differs from `other`'s, if the shapes match.
    pub(crate) fn first_difference(&self, other: &EncryptedSum) -> Option<usize> {
        self.options
            .iter()
            .zip(&other.options)
            .position(|(a, b)| a.to_bytes() != b.to_bytes())
    }
}

/// One member's decryption share of a sum, one part per option:
/// `{"member":0,"sum":"<hex>","parts":[{"share":{"dh_element":…},"proof":{…}},…]}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DecryptionShare {
    pub member: u8,
    #[serde(with = "hex32")]
    pub sum: [u8; 32],
    pub parts: Vec<SharePart>,
}

/// A member's share of one option's total and the proof that it was made with their key.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct SharePart {
    pub share: CandidateDecryption<G>,
    pub proof: LogEqualityProof<G>,
}

/// A share whose every proof holds for one sum and one committee.
#[derive(Clone, Debug)]
pub struct VerifiedShare {
    member: u8,
    sum: [u8; 32],
    committee: [u8; 32],
    parts: Vec<VerifiableDecryption<G>>,
}

impl VerifiedShare {
    /// The member who gave it.
    pub fn member(&self) -> u8 {
        self.member
    }
}

/// Checks a member's share of `sum`: a member of `key`, for this very sum, and every part's
/// proof against that member's public key share.
pub fn verify_share(
    key: &CommitteeKey,
    sum: &EncryptedSum,
    share: &DecryptionShare,
) -> Result<VerifiedShare, CountError> {
    let member = share.member;
    key.check_member(member)?;
    if share.sum != sum.digest() {
        return Err(CountError::OtherSum { member });
    }
    if share.parts.len() != sum.options.len() {
        return Err(CountError::WrongLength {
            member,
            expected: sum.options.len(),
            found: share.parts.len(),
        });
    }
    let parts = share
        .parts
        .iter()
        .zip(&sum.options)
        .enumerate()
        .map(|(option, (part, ciphertext))| {
            key.key_set()
                .verify_share(part.share, *ciphertext, member.into(), &part.proof)
                .map_err(|_| CountError::BadShareProof { member, option })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(VerifiedShare {
        member,
        sum: sum.digest(),
        committee: *key.fingerprint_bytes(),
        parts,
    })
}

/// Opens `sum` with verified shares of at least `key.threshold()` distinct members: the
/// number of marks per option. Only the sum is ever decrypted: each share was checked
/// against this sum's digest.
pub fn open(
    key: &CommitteeKey,
    sum: &EncryptedSum,
    shares: &[VerifiedShare],
) -> Result<Vec<u64>, CountError> {
    let digest = sum.digest();
    let mut members = Vec::with_capacity(shares.len());
    for share in shares {
        if &share.committee != key.fingerprint_bytes() {
            return Err(KeyError::OtherCommittee {
                expected: key.code(),
                found: crate::encoding::short_code(&share.committee),
            }
            .into());
        }
        if share.sum != digest || share.parts.len() != sum.options.len() {
            return Err(CountError::OtherSum {
                member: share.member,
            });
        }
        if members.contains(&share.member) {
            return Err(CountError::DuplicateMember {
                member: share.member,
            });
        }
        members.push(share.member);
    }
    let need = key.threshold();
    if shares.len() < usize::from(need) {
        return Err(CountError::BelowThreshold {
            have: shares.len(),
            need,
        });
    }
    if sum.ballots > MAX_BALLOTS {
        return Err(CountError::TooManyBallots);
    }
    let table = DiscreteLogTable::<G>::new(0..=u64::from(sum.ballots));
    let params = key.key_set().params();
    sum.options
        .iter()
        .enumerate()
        .map(|(option, ciphertext)| {
            let parts = shares
                .iter()
                .map(|s| (usize::from(s.member), s.parts[option]));
            params
                .combine_shares(parts)
                .and_then(|d| d.decrypt(*ciphertext, &table))
                .ok_or(CountError::NotInRange { option })
        })
        .collect()
}
