//! The published box: it verifies offline, and each alteration is named.

mod common;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

use ballot_box::ballot::BallotPart;
use ballot_box::{
    open, verify_ballots, verify_share, BallotError, BallotParams, CheckOptions, CountError,
    EncryptedSum, SealedTally, TallyError,
};
use common::{cast, committee, context, rng};

/// A counted 2-of-3 election of 2 seats among 4, with 12 ballots and all three shares.
fn published() -> SealedTally {
    let (key, secrets) = committee(3, 2, 100);
    let params = BallotParams::at_most(context("tally"), 4, 2);
    let votes: Vec<Vec<u32>> = (0..12u32)
        .map(|i| match i % 4 {
            0 => vec![],
            1 => vec![i % 4],
            _ => vec![0, 1 + i % 3],
        })
        .collect();
    let (ballots, expected) = cast(&key, &params, &votes, 101);
    let sum = EncryptedSum::verified_from(&key, &params, &ballots, None).unwrap();
    let mut rng = rng(102);
    let shares: Vec<_> = secrets
        .iter()
        .map(|s| s.decryption_share(&key, &sum, &mut rng).unwrap())
        .collect();
    let verified: Vec<_> = shares[..2]
        .iter()
        .map(|s| verify_share(&key, &sum, s).unwrap())
        .collect();
    let counts = open(&key, &sum, &verified).unwrap();
    assert_eq!(counts, expected);
    SealedTally::new(key, params, ballots, sum, shares, counts)
}

/// Through JSON, as published and downloaded.
fn downloaded(tally: &SealedTally) -> SealedTally {
    SealedTally::from_json(serde_json::to_string(tally).unwrap().as_bytes()).unwrap()
}

#[test]
fn a_published_box_verifies_offline_on_one_thread_or_many_with_progress() {
    let tally = downloaded(&published());
    tally.verify().unwrap();
    for threads in [1, 3] {
        let calls = AtomicUsize::new(0);
        let last = AtomicUsize::new(0);
        let progress = |done: usize, total: usize| {
            assert_eq!(total, 12);
            calls.fetch_add(1, Ordering::Relaxed);
            last.fetch_max(done, Ordering::Relaxed);
        };
        let options = CheckOptions {
            threads: NonZeroUsize::new(threads),
            progress: Some(&progress),
        };
        tally.verify_with(&options).unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 12, "{threads} threads");
        assert_eq!(last.load(Ordering::Relaxed), 12);
    }
}

#[test]
fn an_altered_ciphertext_is_named_by_its_ballot() {
    let tally = published();
    let mut altered = tally.clone();
    altered.ballots[5].ballot.choices[1].ct = tally.ballots[6].ballot.choices[1].ct;
    // Published as it was received: its receipt no longer matches.
    assert!(matches!(
        altered.verify().unwrap_err(),
        TallyError::Receipt { index: 5, .. }
    ));
    // With the receipt made up again, the proof fails.
    let forged = altered.ballots[5].ballot.clone();
    altered.ballots[5] = forged.into();
    let receipt = altered.ballots[5].receipt.clone();
    assert_eq!(
        altered.verify().unwrap_err(),
        TallyError::Ballot {
            index: 5,
            receipt,
            error: BallotError::BadProof(BallotPart::Option(1))
        }
    );
}

#[test]
fn on_many_threads_the_first_bad_ballot_is_named_and_the_order_kept() {
    let (key, _) = committee(3, 2, 110);
    let params = BallotParams::at_most(context("blocks"), 3, 2);
    // 40 ballots are five blocks of eight: the threads take blocks as they finish theirs.
    let votes: Vec<Vec<u32>> = (0..40u32).map(|i| vec![i % 3]).collect();
    let (ballots, _) = cast(&key, &params, &votes, 111);
    for threads in [1, 2, 3, 8] {
        let options = CheckOptions {
            threads: NonZeroUsize::new(threads),
            progress: None,
        };
        let verified = verify_ballots(&key, &params, &ballots, &options).unwrap();
        let fingerprints: Vec<String> = verified.iter().map(|v| v.fingerprint()).collect();
        let expected: Vec<String> = ballots.iter().map(|b| b.fingerprint()).collect();
        assert_eq!(fingerprints, expected, "{threads} threads keep the order");

        let mut bad = ballots.clone();
        for index in [33, 12, 13] {
            bad[index].choices[0].ct = ballots[index + 1].choices[0].ct;
        }
        match verify_ballots(&key, &params, &bad, &options).unwrap_err() {
            TallyError::Ballot { index, .. } => assert_eq!(index, 12, "{threads} threads"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_altered_share_is_named_by_its_member_and_option() {
    let tally = published();
    let mut altered = tally.clone();
    altered.shares[1].parts[3] = tally.shares[2].parts[3];
    assert_eq!(
        altered.verify().unwrap_err(),
        TallyError::Share {
            index: 1,
            member: 1,
            error: CountError::BadShareProof {
                member: 1,
                option: 3
            }
        }
    );
    let mut too_few = tally.clone();
    too_few.shares.truncate(1);
    assert_eq!(
        too_few.verify().unwrap_err(),
        TallyError::Count(CountError::BelowThreshold { have: 1, need: 2 })
    );
    let mut twice = tally.clone();
    twice.shares[2] = tally.shares[0].clone();
    assert_eq!(
        twice.verify().unwrap_err(),
        TallyError::Count(CountError::DuplicateMember { member: 0 })
    );
}

#[test]
fn an_altered_count_or_sum_is_named_by_its_option() {
    let tally = published();
    let mut altered = tally.clone();
    altered.counts[2] += 1;
    assert_eq!(
        altered.verify().unwrap_err(),
        TallyError::CountMismatch {
            option: 2,
            published: tally.counts[2] + 1,
            decrypted: tally.counts[2]
        }
    );
    let mut short = tally.clone();
    short.counts.pop();
    assert!(matches!(
        short.verify(),
        Err(TallyError::CountsLength {
            published: 3,
            options: 4
        })
    ));

    // A ballot dropped from the box: the published sum is no longer its sum.
    let mut dropped = tally.clone();
    dropped.ballots.remove(0);
    assert_eq!(
        dropped.verify().unwrap_err(),
        TallyError::SumBallots {
            published: 12,
            counted: 11
        }
    );
    // A ballot published twice.
    let mut doubled = tally.clone();
    doubled.ballots[11] = tally.ballots[4].clone();
    assert!(matches!(
        doubled.verify().unwrap_err(),
        TallyError::Count(CountError::DuplicateBallot {
            first: 4,
            second: 11,
            ..
        })
    ));
}

#[test]
fn a_member_verifies_the_box_before_it_decrypts() {
    let tally = published();
    let ballots: Vec<_> = tally.ballots.iter().map(|b| b.ballot.clone()).collect();
    let seen = AtomicUsize::new(0);
    let progress = |done: usize, _: usize| {
        seen.fetch_max(done, Ordering::Relaxed);
    };
    let sum =
        EncryptedSum::verified_from(&tally.committee, &tally.params, &ballots, Some(&progress))
            .unwrap();
    assert_eq!(seen.load(Ordering::Relaxed), 12);
    assert!(sum.same_as(&tally.sum));
    let mut bad = ballots.clone();
    bad[7].count.ct = ballots[8].count.ct;
    let err = EncryptedSum::verified_from(&tally.committee, &tally.params, &bad, None).unwrap_err();
    assert!(matches!(err, TallyError::Ballot { index: 7, .. }), "{err}");
}
