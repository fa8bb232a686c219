//! A box verified in stretches, for a device that shares the work out among workers that
//! share no memory (a browser's Web Workers, each running WebAssembly on one thread): each
//! worker verifies and adds up its stretch into a [`PartialSum`], and the worker that will
//! decrypt joins them with [`EncryptedSum::join`], which refuses a gap, an overlap and a
//! ballot counted in two stretches.
//!
//! The joined sum counts as added up on this device, so the member's secret will decrypt it.
//! The stretches reach the joining worker through the page, as the member's secret does: a
//! page that would forge a stretch holds the secret already, so the line this crate draws
//! is the same as before, between the device and the hub (whose word for a sum is never
//! decrypted).

use std::collections::HashMap;
use std::num::NonZeroUsize;

use elastic_elgamal::Ciphertext;
use serde::{Deserialize, Serialize};

use crate::ballot::{BallotParams, EncryptedBallot};
use crate::committee::CommitteeKey;
use crate::count::{CountError, EncryptedSum, MAX_BALLOTS};
use crate::encoding::{hex32, short_code};
use crate::tally::{verify_ballots, CheckOptions, Progress, TallyError};
use crate::G;

/// One stretch of a box, verified and added up:
/// `{"first":500,"sum":{…},"keys":[{"fingerprint":"<hex>","ciphertexts":"<hex>"},…]}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartialSum {
    /// The index in the box of the stretch's first ballot.
    pub first: usize,
    pub sum: EncryptedSum,
    /// What makes each ballot of the stretch one ballot, in order.
    keys: Vec<BallotKeys>,
}

/// A ballot's fingerprint and the digest of its ciphertexts alone: the same ciphertexts
/// under other proofs are the same vote.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct BallotKeys {
    #[serde(with = "hex32")]
    fingerprint: [u8; 32],
    #[serde(with = "hex32")]
    ciphertexts: [u8; 32],
}

impl PartialSum {
    /// Verifies every ballot of `ballots`, the stretch of a box that starts at index `first`,
    /// on this thread, and adds them up; errors name a ballot by its index in the whole box.
    pub fn verify(
        key: &CommitteeKey,
        params: &BallotParams,
        ballots: &[EncryptedBallot],
        first: usize,
        progress: Option<Progress<'_>>,
    ) -> Result<PartialSum, TallyError> {
        let options = CheckOptions {
            threads: Some(NonZeroUsize::MIN),
            progress,
        };
        let verified =
            verify_ballots(key, params, ballots, &options).map_err(|e| in_box(e, first))?;
        let sum = EncryptedSum::of(params, &verified).map_err(|e| in_box(e.into(), first))?;
        let keys = verified
            .iter()
            .map(|b| BallotKeys {
                fingerprint: b.fingerprint,
                ciphertexts: b.ciphertexts,
            })
            .collect();
        Ok(PartialSum { first, sum, keys })
    }
}

/// `error` about a ballot of a stretch, with the ballot named by its index in the box.
fn in_box(error: TallyError, first: usize) -> TallyError {
    match error {
        TallyError::Ballot {
            index,
            receipt,
            error,
        } => TallyError::Ballot {
            index: index.saturating_add(first),
            receipt,
            error,
        },
        TallyError::Count(CountError::DuplicateBallot {
            first: a,
            second,
            receipt,
        }) => TallyError::Count(CountError::DuplicateBallot {
            first: a.saturating_add(first),
            second: second.saturating_add(first),
            receipt,
        }),
        TallyError::Count(CountError::WrongPoll { index }) => {
            TallyError::Count(CountError::WrongPoll {
                index: index.saturating_add(first),
            })
        }
        other => other,
    }
}

impl EncryptedSum {
    /// Joins the stretches of a box of `total` ballots of the poll `params`, verified by
    /// [`PartialSum::verify`] on this device: they must follow each other from ballot 0 to
    /// the last, each of this poll, and no ballot may be in two of them.
    pub fn join(
        params: &BallotParams,
        parts: &[PartialSum],
        total: usize,
    ) -> Result<EncryptedSum, CountError> {
        params.check()?;
        let mut options = vec![Ciphertext::<G>::zero(); params.options as usize];
        let mut seen = HashMap::new();
        let mut next = 0usize;
        for part in parts {
            if part.first != next {
                return Err(CountError::StretchGap {
                    expected: next,
                    found: part.first,
                });
            }
            if part.sum.ballots() as usize != part.keys.len() {
                return Err(CountError::StretchCount {
                    first: part.first,
                    keys: part.keys.len(),
                    summed: part.sum.ballots(),
                });
            }
            if part.sum.context() != params.context || part.sum.ciphertexts().len() != options.len()
            {
                return Err(CountError::WrongPoll { index: part.first });
            }
            for (index, keys) in (part.first..).zip(&part.keys) {
                for key in [keys.fingerprint, keys.ciphertexts] {
                    if let Some(first) = seen.insert(key, index) {
                        return Err(CountError::DuplicateBallot {
                            first,
                            second: index,
                            receipt: short_code(&keys.fingerprint),
                        });
                    }
                }
            }
            for (total, part) in options.iter_mut().zip(part.sum.ciphertexts()) {
                *total += *part;
            }
            next += part.keys.len();
        }
        if next != total {
            return Err(CountError::StretchGap {
                expected: next,
                found: total,
            });
        }
        let ballots = u32::try_from(next)
            .ok()
            .filter(|&n| n <= MAX_BALLOTS)
            .ok_or(CountError::TooManyBallots)?;
        Ok(EncryptedSum::recomputed(params.context, ballots, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rng;
    use crate::{deal, encrypt, CommitteeParams, MemberSecret};

    fn election(
        n: usize,
    ) -> (
        CommitteeKey,
        Vec<MemberSecret>,
        BallotParams,
        Vec<EncryptedBallot>,
    ) {
        let mut rng = rng(3);
        let (key, secrets) = deal(CommitteeParams::new(3, 2, [4; 32]).unwrap(), &mut rng).unwrap();
        let params = BallotParams::at_most([5; 32], 4, 2);
        let ballots = (0..n)
            .map(|i| encrypt(&key, &params, &[(i % 4) as u32], &mut rng).unwrap())
            .collect();
        (key, secrets, params, ballots)
    }

    fn parts(
        key: &CommitteeKey,
        params: &BallotParams,
        ballots: &[EncryptedBallot],
        size: usize,
    ) -> Vec<PartialSum> {
        ballots
            .chunks(size)
            .enumerate()
            .map(|(k, chunk)| PartialSum::verify(key, params, chunk, k * size, None).unwrap())
            .collect()
    }

    #[test]
    fn stretches_joined_are_the_box_added_up_at_once_and_can_be_decrypted() {
        let (key, secrets, params, ballots) = election(7);
        let whole = EncryptedSum::verified_from(&key, &params, &ballots, None).unwrap();
        let joined = EncryptedSum::join(&params, &parts(&key, &params, &ballots, 3), 7).unwrap();
        assert_eq!(joined.digest(), whole.digest());
        assert_eq!(joined.ballots(), 7);
        // Through JSON, as a browser's workers pass them on.
        let json = serde_json::to_string(&parts(&key, &params, &ballots, 3)).unwrap();
        let parsed: Vec<PartialSum> = serde_json::from_str(&json).unwrap();
        let joined = EncryptedSum::join(&params, &parsed, 7).unwrap();
        secrets[0]
            .decryption_share(&key, &joined, &mut rng(9))
            .expect("a sum joined on this device is decrypted");
    }

    #[test]
    fn a_gap_an_overlap_or_a_ballot_twice_is_refused() {
        let (key, _, params, ballots) = election(6);
        let p = parts(&key, &params, &ballots, 2);
        let gap = EncryptedSum::join(&params, &[p[0].clone(), p[2].clone()], 6).unwrap_err();
        assert_eq!(
            gap,
            CountError::StretchGap {
                expected: 2,
                found: 4
            }
        );
        let short = EncryptedSum::join(&params, &p[..2], 6).unwrap_err();
        assert_eq!(
            short,
            CountError::StretchGap {
                expected: 4,
                found: 6
            }
        );
        // The same ballots again as the next stretch.
        let mut again = p[0].clone();
        again.first = 2;
        let twice = EncryptedSum::join(&params, &[p[0].clone(), again], 4).unwrap_err();
        assert!(
            matches!(
                twice,
                CountError::DuplicateBallot {
                    first: 0,
                    second: 2,
                    ..
                }
            ),
            "{twice:?}"
        );
        let mut lying = p[1].clone();
        lying.keys.pop();
        let err = EncryptedSum::join(&params, &[p[0].clone(), lying, p[2].clone()], 6).unwrap_err();
        assert_eq!(
            err,
            CountError::StretchCount {
                first: 2,
                keys: 1,
                summed: 2
            }
        );
        let other = BallotParams::at_most([6; 32], 4, 2);
        let err = EncryptedSum::join(&other, &p, 6).unwrap_err();
        assert_eq!(err, CountError::WrongPoll { index: 0 });
    }

    #[test]
    fn a_bad_ballot_is_named_by_its_place_in_the_box() {
        let (key, _, params, mut ballots) = election(6);
        ballots[4].choices[1].ct = ballots[4].choices[0].ct;
        let err = PartialSum::verify(&key, &params, &ballots[3..], 3, None).unwrap_err();
        assert!(matches!(err, TallyError::Ballot { index: 4, .. }), "{err}");
        let twice = [ballots[0].clone(), ballots[0].clone()];
        let err = PartialSum::verify(&key, &params, &twice, 10, None).unwrap_err();
        assert!(
            matches!(
                err,
                TallyError::Count(CountError::DuplicateBallot {
                    first: 10,
                    second: 11,
                    ..
                })
            ),
            "{err}"
        );
    }

    #[test]
    fn a_sum_read_from_json_alone_is_still_not_decrypted() {
        let (key, secrets, params, ballots) = election(3);
        let whole = EncryptedSum::verified_from(&key, &params, &ballots, None).unwrap();
        let from_hub: EncryptedSum =
            serde_json::from_str(&serde_json::to_string(&whole).unwrap()).unwrap();
        assert_eq!(
            secrets[0]
                .decryption_share(&key, &from_hub, &mut rng(9))
                .unwrap_err(),
            CountError::SumNotRecomputed
        );
    }
}
