//! The published box (hòm phiếu công bố) and its offline check: every encrypted ballot by
//! receipt, their sum, each member's decryption share with its proofs, the committee key
//! and the counts. [`SealedTally::verify`] redoes everything and names the first thing that
//! does not hold; a committee member's device does the same for the ballots before it gives
//! its share ([`EncryptedSum::verified_from`]).

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

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
        let fingerprint = ballot.fingerprint_bytes();
        SealedBallot {
            receipt: short_code(&fingerprint),
            fingerprint: hex(&fingerprint),
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
    let statement = prepare(key, params)?;
    verify_each(
        ballots,
        |index, ballot| {
            statement
                .verify(ballot)
                .map_err(|error| TallyError::Ballot {
                    index,
                    receipt: ballot.receipt(),
                    error,
                })
        },
        options,
    )
}

/// The statement every ballot of the poll is checked against, prepared once.
fn prepare<'a>(key: &'a CommitteeKey, params: &BallotParams) -> Result<Statement<'a>, TallyError> {
    Statement::new(key, params).map_err(|error| TallyError::Ballot {
        index: 0,
        receipt: String::new(),
        error,
    })
}

/// Ballots a thread takes at a time: threads take the next block when done with theirs, so
/// one slowed by other work on the machine does not leave the others idle at the end.
const BLOCK: usize = 8;

/// A block's verified ballots, by the index of its first.
type Block = (usize, Vec<VerifiedBallot>);

/// Runs `check` on every item, on several threads unless told otherwise, in blocks taken in
/// order; keeps the items' order, and on failure reports the failing item of the lowest
/// index (every item before it is checked; items after it may be skipped).
fn verify_each<T: Sync>(
    items: &[T],
    check: impl Fn(usize, &T) -> Result<VerifiedBallot, TallyError> + Sync,
    options: &CheckOptions<'_>,
) -> Result<Vec<VerifiedBallot>, TallyError> {
    let total = items.len();
    let threads = options
        .threads
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
        .min(total.div_ceil(BLOCK).max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    // The lowest index that failed so far: blocks after it are not worth checking.
    let first_failed = AtomicUsize::new(usize::MAX);
    let work = || {
        let mut blocks: Vec<Block> = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= total || start > first_failed.load(Ordering::Relaxed) {
                return Ok(blocks);
            }
            let end = (start + BLOCK).min(total);
            let mut verified = Vec::with_capacity(end - start);
            for (index, item) in (start..end).zip(&items[start..end]) {
                match check(index, item) {
                    Ok(v) => verified.push(v),
                    Err(error) => {
                        first_failed.fetch_min(index, Ordering::Relaxed);
                        return Err((index, error));
                    }
                }
                let now = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(progress) = options.progress {
                    progress(now, total);
                }
            }
            blocks.push((start, verified));
        }
    };
    // One thread runs here and now: wasm32 cannot spawn threads at all.
    let results: Vec<Result<Vec<Block>, (usize, TallyError)>> = if threads == 1 {
        vec![work()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a verification thread panicked"))
                .collect()
        })
    };
    let mut blocks = Vec::with_capacity(total.div_ceil(BLOCK));
    let mut first_error: Option<(usize, TallyError)> = None;
    for result in results {
        match result {
            Ok(b) => blocks.extend(b),
            Err(e) if first_error.as_ref().is_none_or(|f| e.0 < f.0) => first_error = Some(e),
            Err(_) => {}
        }
    }
    if let Some((_, error)) = first_error {
        return Err(error);
    }
    blocks.sort_unstable_by_key(|(start, _)| *start);
    Ok(blocks.into_iter().flat_map(|(_, v)| v).collect())
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

    /// Checks, in this order, and names the first thing that does not hold: each ballot's
    /// receipt and fingerprint, then its proofs (ballot by ballot, on several threads);
    /// no ballot twice; the sum; every share's proofs
    /// against its member's public key share; enough shares; and that the shares open the
    /// published counts.
    pub fn verify_with(&self, options: &CheckOptions<'_>) -> Result<(), TallyError> {
        let statement = prepare(&self.committee, &self.params)?;
        // Each ballot's fingerprint is computed once, for its receipt and for the box.
        let check = |index: usize, sealed: &SealedBallot| {
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
            statement
                .verify_fingerprinted(&sealed.ballot, fingerprint)
                .map_err(|error| TallyError::Ballot {
                    index,
                    receipt: computed,
                    error,
                })
        };
        let verified = verify_each(&self.ballots, check, options)?;
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
