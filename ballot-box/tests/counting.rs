//! Counting: only verified shares of the very sum, from enough distinct members, open it.

mod common;

use ballot_box::{open, verify, verify_share, BallotParams, CountError, EncryptedSum, KeyError};
use common::{cast, committee, context, rng};

/// A counted 2-of-3 motion: the key, the secrets, the sum recomputed here.
fn counted() -> (
    ballot_box::CommitteeKey,
    Vec<ballot_box::MemberSecret>,
    EncryptedSum,
) {
    let (key, secrets) = committee(3, 2, 21);
    let params = BallotParams::exactly_one(context("count"), 3);
    let votes: Vec<Vec<u32>> = [1, 1, 0, 2].iter().map(|&c| vec![c]).collect();
    let (ballots, _) = cast(&key, &params, &votes, 22);
    let verified: Vec<_> = ballots
        .iter()
        .map(|b| verify(&key, &params, b).unwrap())
        .collect();
    let sum = EncryptedSum::of(&params, &verified).unwrap();
    (key, secrets, sum)
}

#[test]
fn threshold_shares_open_the_sum_and_fewer_do_not() {
    let (key, secrets, sum) = counted();
    assert_eq!(sum.ballots(), 4);
    let mut rng = rng(23);
    let shares: Vec<_> = secrets
        .iter()
        .map(|s| {
            verify_share(
                &key,
                &sum,
                &s.decryption_share(&key, &sum, &mut rng).unwrap(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(open(&key, &sum, &shares).unwrap(), [1, 2, 1]);
    assert_eq!(open(&key, &sum, &shares[1..]).unwrap(), [1, 2, 1]);
    assert_eq!(
        open(&key, &sum, &shares[..1]).unwrap_err(),
        CountError::BelowThreshold { have: 1, need: 2 }
    );
    assert_eq!(
        open(&key, &sum, &[shares[0].clone(), shares[0].clone()]).unwrap_err(),
        CountError::DuplicateMember { member: 0 }
    );
}

#[test]
fn a_share_from_a_non_member_or_for_another_sum_is_refused() {
    let (key, secrets, sum) = counted();
    let mut rng = rng(24);
    let share = secrets[1].decryption_share(&key, &sum, &mut rng).unwrap();

    let mut stranger = share.clone();
    stranger.member = 3;
    assert_eq!(
        verify_share(&key, &sum, &stranger).unwrap_err(),
        CountError::Key(KeyError::NotAMember {
            index: 3,
            members: 3
        })
    );
    let mut impostor = share.clone();
    impostor.member = 0;
    assert_eq!(
        verify_share(&key, &sum, &impostor).unwrap_err(),
        CountError::BadShareProof {
            member: 0,
            option: 0
        }
    );
    let mut altered = share.clone();
    altered.parts.swap(1, 2);
    assert_eq!(
        verify_share(&key, &sum, &altered).unwrap_err(),
        CountError::BadShareProof {
            member: 1,
            option: 1
        }
    );
    let mut short = share.clone();
    short.parts.pop();
    assert!(matches!(
        verify_share(&key, &sum, &short),
        Err(CountError::WrongLength { .. })
    ));

    // A committee of other people: their share is for another committee's key.
    let (other_key, other_secrets) = committee(3, 2, 25);
    assert!(matches!(
        other_secrets[0].decryption_share(&key, &sum, &mut rng),
        Err(CountError::Key(KeyError::OtherCommittee { .. }))
    ));
    let other_verified = verify_share(&key, &sum, &share).unwrap();
    assert!(matches!(
        open(&other_key, &sum, &[other_verified.clone(), other_verified]),
        Err(CountError::Key(KeyError::OtherCommittee { .. }))
    ));
}

#[test]
fn a_member_decrypts_only_a_sum_it_added_up_itself() {
    let (key, secrets, sum) = counted();
    let mut rng = rng(26);
    // The same sum as the hub would send it: refused, whatever it holds.
    let from_hub: EncryptedSum =
        serde_json::from_str(&serde_json::to_string(&sum).unwrap()).unwrap();
    assert!(from_hub.same_as(&sum));
    assert_eq!(
        secrets[0]
            .decryption_share(&key, &from_hub, &mut rng)
            .unwrap_err(),
        CountError::SumNotRecomputed
    );
    // A share of one sum does not count for another.
    let share = secrets[0].decryption_share(&key, &sum, &mut rng).unwrap();
    let (_, _, other_sum) = counted_other();
    assert_eq!(
        verify_share(&key, &other_sum, &share).unwrap_err(),
        CountError::OtherSum { member: 0 }
    );
}

fn counted_other() -> (
    ballot_box::CommitteeKey,
    Vec<ballot_box::MemberSecret>,
    EncryptedSum,
) {
    let (key, secrets) = committee(3, 2, 21);
    let params = BallotParams::exactly_one(context("count"), 3);
    let (ballots, _) = cast(&key, &params, &[vec![0]], 27);
    let verified: Vec<_> = ballots
        .iter()
        .map(|b| verify(&key, &params, b).unwrap())
        .collect();
    (key, secrets, EncryptedSum::of(&params, &verified).unwrap())
}

#[test]
fn a_sum_refuses_a_ballot_twice_or_from_another_poll() {
    let (key, _) = committee(3, 2, 28);
    let params = BallotParams::at_most(context("dup"), 3, 2);
    let (ballots, _) = cast(&key, &params, &[vec![0], vec![1, 2]], 29);
    let a = verify(&key, &params, &ballots[0]).unwrap();
    let b = verify(&key, &params, &ballots[1]).unwrap();
    let err = EncryptedSum::of(&params, [&a, &b, &a]).unwrap_err();
    assert_eq!(
        err,
        CountError::DuplicateBallot {
            first: 0,
            second: 2,
            receipt: a.receipt()
        }
    );
    let other = BallotParams {
        context: context("other"),
        ..params
    };
    assert_eq!(
        EncryptedSum::of(&other, [&a]).unwrap_err(),
        CountError::WrongPoll { index: 0 }
    );
}
