//! The published box (hòm phiếu công bố) and its offline check: every encrypted ballot by
//! receipt, their sum, each member's decryption share with its proofs, the committee key
//! and the counts. [`SealedTally::verify`] redoes everything and names the first thing that
//! does not hold; a committee member's device does the same for the ballots before it gives
//! its share ([`EncryptedSum::verified_from`]).

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::ballot::{BallotError, BallotParams, EncryptedBallot, Statement, VerifiedBallot};
use crate::committee::CommitteeKey;
use crate::count::{open, verify_share, CountError, DecryptionShare, EncryptedSum};
use crate::encoding::{from_json, hex, short_code, ParseError};

/// The most bytes [`SealedTally::from_json`] reads (2,000 ballots of 20 options are ~19 MB).
pub const MAX_TALLY_JSON: usize = 256 * 1024 * 1024;

/// Called with (ballots verified, ballots in all) as verification goes; from several
/// threads at once when it uses several.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// How to verify many ballots: on how many threads (all cores by default), and whom to tell
/// how far it is.
#[derive(Clone, Copy, Default)]
pub struct CheckOptions<'a> {
    pub threads: Option<NonZeroUsize>,
    pub progress: Option<Progress<'a>>,
}

impl std::fmt::Debug for CheckOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckOptions")
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// One published ballot: `{"receipt":"…","fingerprint":"…","ballot":{…}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SealedBallot {
    pub receipt: String,
    pub fingerprint: String,
    pub ballot: EncryptedBallot,
}

impl From<EncryptedBallot> for SealedBallot {
    fn from(ballot: EncryptedBallot) -> Self {
        SealedBallot {
            receipt: ballot.receipt(),
            fingerprint: ballot.fingerprint(),
            ballot,
        }
    }
}

/// The published result of a sealed poll; anyone can check it offline.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SealedTally {
    pub committee: CommitteeKey,
    pub params: BallotParams,
    pub ballots: Vec<SealedBallot>,
    pub sum: EncryptedSum,
    pub shares: Vec<DecryptionShare>,
    pub counts: Vec<u64>,
}

/// The first thing in a published box that does not hold.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TallyError {
    #[error("ballot {index} (receipt {receipt}): {error}")]
    Ballot {
        index: usize,
        receipt: String,
        error: BallotError,
    },
    #[error(
        "ballot {index} is published with receipt {published} and fingerprint {fingerprint}, \
         but its content gives receipt {computed}"
    )]
    Receipt {
        index: usize,
        published: String,
        fingerprint: String,
        computed: String,
    },
    #[error(transparent)]
    Count(#[from] CountError),
    #[error("the published sum holds {published} ballots; the box has {counted}")]
    SumBallots { published: u32, counted: u32 },
    #[error("the published sum of option {option} is not the sum of the ballots")]
    Sum { option: usize },
    #[error("the share of member {member} (share {index} in the list): {error}")]
    Share {
        index: usize,
        member: u8,
        error: CountError,
    },
    #[error("{published} counts are published for {options} options")]
    CountsLength { published: usize, options: u32 },
    #[error("option {option}: {published} is published, the shares open {decrypted}")]
    CountMismatch {
        option: usize,
        published: u64,
        decrypted: u64,
    },
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Verifies every ballot for the poll `params` and committee `key`, on several threads if
/// asked, stopping at the first that fails (reported by its index in `ballots`).
pub fn verify_ballots(
    key: &CommitteeKey,
    params: &BallotParams,
    ballots: &[EncryptedBallot],
    options: &CheckOptions<'_>,
) -> Result<Vec<VerifiedBallot>, TallyError> {
    verify_each(key, params, ballots, |b| b, options)
}

/// [`verify_ballots`] over anything that holds a ballot, without copying the ballots.
fn verify_each<T: Sync>(
    key: &CommitteeKey,
    params: &BallotParams,
    items: &[T],
    ballot: impl Fn(&T) -> &EncryptedBallot + Sync,
    options: &CheckOptions<'_>,
) -> Result<Vec<VerifiedBallot>, TallyError> {
    let statement = Statement::new(key, params).map_err(|error| TallyError::Ballot {
        index: 0,
        receipt: String::new(),
        error,
    })?;
    let total = items.len();
    let threads = options
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
        .min(total.div_ceil(8).max(1));
    let done = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let check = |offset: usize, chunk: &[T]| {
        let mut verified = Vec::with_capacity(chunk.len());
        for (i, item) in chunk.iter().enumerate() {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            match statement.verify(ballot(item)) {
                Ok(v) => verified.push(v),
                Err(error) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err((offset + i, error));
                }
            }
            let now = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(progress) = options.progress {
                progress(now, total);
            }
        }
        Ok(verified)
    };
    // One thread runs here and now: wasm32 cannot spawn threads at all.
    let results: Vec<Result<Vec<VerifiedBallot>, (usize, BallotError)>> = if threads == 1 {
        vec![check(0, items)]
    } else {
        let size = total.div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = items
                .chunks(size)
                .enumerate()
                .map(|(n, chunk)| {
                    let check = &check;
                    s.spawn(move || check(n * size, chunk))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a verification thread panicked"))
                .collect()
        })
    };
    let mut verified = Vec::with_capacity(total);
    let mut first_error: Option<(usize, BallotError)> = None;
    for result in results {
        match result {
            Ok(v) => verified.extend(v),
            Err(e) if first_error.as_ref().is_none_or(|f| e.0 < f.0) => first_error = Some(e),
            Err(_) => {}
        }
    }
    match first_error {
        Some((index, error)) => Err(TallyError::Ballot {
            index,
            receipt: ballot(&items[index]).receipt(),
            error,
        }),
        None => Ok(verified),
    }
}

impl EncryptedSum {
    /// What a committee member's device does before it gives its share: verifies every
    /// ballot of the box itself (all cores; `progress` for a progress bar), refuses a
    /// duplicate, and adds them up. Only a sum made so can be decrypted by
    /// [`crate::MemberSecret::decryption_share`]. The member still compares
    /// [`EncryptedSum::ballots`] with the number of voters the hall saw vote.
    pub fn verified_from(
        key: &CommitteeKey,
        params: &BallotParams,
        ballots: &[EncryptedBallot],
        progress: Option<Progress<'_>>,
    ) -> Result<EncryptedSum, TallyError> {
        let options = CheckOptions {
            threads: None,
            progress,
        };
        let verified = verify_ballots(key, params, ballots, &options)?;
        Ok(EncryptedSum::of(params, &verified)?)
    }
}

impl SealedTally {
    /// Puts a counted poll together for publication.
    pub fn new(
        committee: CommitteeKey,
        params: BallotParams,
        ballots: Vec<EncryptedBallot>,
        sum: EncryptedSum,
        shares: Vec<DecryptionShare>,
        counts: Vec<u64>,
    ) -> Self {
        SealedTally {
            committee,
            params,
            ballots: ballots.into_iter().map(SealedBallot::from).collect(),
            sum,
            shares,
            counts,
        }
    }

    /// Reads a published box, refusing more than [`MAX_TALLY_JSON`] bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, TallyError> {
        Ok(from_json(bytes, MAX_TALLY_JSON, "the published box")?)
    }

    /// Checks everything on all cores: see [`Self::verify_with`].
    pub fn verify(&self) -> Result<(), TallyError> {
        self.verify_with(&CheckOptions::default())
    }

    /// Checks, in this order, and names the first thing that does not hold: every ballot's
    /// receipt and fingerprint and proofs; no ballot twice; the sum; every share's proofs
    /// against its member's public key share; enough shares; and that the shares open the
    /// published counts.
    pub fn verify_with(&self, options: &CheckOptions<'_>) -> Result<(), TallyError> {
        for (index, sealed) in self.ballots.iter().enumerate() {
            let fingerprint = sealed.ballot.fingerprint_bytes();
            let computed = short_code(&fingerprint);
            if sealed.receipt != computed || sealed.fingerprint != hex(&fingerprint) {
                return Err(TallyError::Receipt {
                    index,
                    published: sealed.receipt.clone(),
                    fingerprint: sealed.fingerprint.clone(),
                    computed,
                });
            }
        }
        let verified = verify_each(
            &self.committee,
            &self.params,
            &self.ballots,
            |s| &s.ballot,
            options,
        )?;
        let sum = EncryptedSum::of(&self.params, &verified)?;
        if sum.ballots() != self.sum.ballots() {
            return Err(TallyError::SumBallots {
                published: self.sum.ballots(),
                counted: sum.ballots(),
            });
        }
        if !sum.same_as(&self.sum) {
            let option = sum.first_difference(&self.sum).unwrap_or(0);
            return Err(TallyError::Sum { option });
        }
        let shares = self
            .shares
            .iter()
            .enumerate()
            .map(|(index, share)| {
                verify_share(&self.committee, &sum, share).map_err(|error| TallyError::Share {
                    index,
                    member: share.member,
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.counts.len() != self.params.options as usize {
            return Err(TallyError::CountsLength {
                published: self.counts.len(),
                options: self.params.options,
            });
        }
        let decrypted = open(&self.committee, &sum, &shares)?;
        for (option, (&published, &decrypted)) in self.counts.iter().zip(&decrypted).enumerate() {
            if published != decrypted {
                return Err(TallyError::CountMismatch {
                    option,
                    published,
                    decrypted,
                });
            }
        }
        Ok(())
    }
}
