//! What the tests share: a committee by dealer, a poll, ballots cast and counted.
#![allow(dead_code)]

use ballot_box::rand_core::SeedableRng;
use ballot_box::{
    deal, encrypt, open, verify, verify_share, BallotParams, ChaCha20Rng, CommitteeKey,
    CommitteeParams, EncryptedBallot, EncryptedSum, MemberSecret,
};

/// A generator seeded by `n`: a failing test fails the same way again.
pub fn rng(n: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(n)
}

/// A dealt committee of `members` with `threshold`.
pub fn committee(members: u8, threshold: u8, seed: u64) -> (CommitteeKey, Vec<MemberSecret>) {
    let params = CommitteeParams::new(members, threshold, [seed as u8; 32]).unwrap();
    deal(params, &mut rng(seed)).unwrap()
}

/// The context of poll `name`, as the hub would hash meeting id ++ poll id.
pub fn context(name: &str) -> [u8; 32] {
    let mut context = [0u8; 32];
    for (slot, byte) in context.iter_mut().zip(name.bytes()) {
        *slot = byte;
    }
    context
}

/// Encrypts one ballot per entry of `votes` and returns them with the expected counts.
pub fn cast(
    key: &CommitteeKey,
    params: &BallotParams,
    votes: &[Vec<u32>],
    seed: u64,
) -> (Vec<EncryptedBallot>, Vec<u64>) {
    let mut rng = rng(seed);
    let mut expected = vec![0u64; params.options as usize];
    let ballots = votes
        .iter()
        .map(|marks| {
            for &m in marks {
                expected[m as usize] += 1;
            }
            encrypt(key, params, marks, &mut rng).unwrap()
        })
        .collect();
    (ballots, expected)
}

/// Verifies, sums and opens with the shares of `members`.
pub fn count(
    key: &CommitteeKey,
    params: &BallotParams,
    ballots: &[EncryptedBallot],
    secrets: &[MemberSecret],
    members: &[usize],
) -> Vec<u64> {
    let verified: Vec<_> = ballots
        .iter()
        .map(|b| verify(key, params, b).unwrap())
        .collect();
    let sum = EncryptedSum::of(params, &verified).unwrap();
    let mut rng = rng(99);
    let shares: Vec<_> = members
        .iter()
        .map(|&m| {
            let share = secrets[m].decryption_share(key, &sum, &mut rng).unwrap();
            verify_share(key, &sum, &share).unwrap()
        })
        .collect();
    open(key, &sum, &shares).unwrap()
}
