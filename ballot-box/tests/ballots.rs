//! Ballots made, checked and counted; and every ballot a poll must refuse.

mod common;

use ballot_box::ballot::BallotPart;
use ballot_box::{
    encrypt, verify, BallotError, BallotParams, EncryptedBallot, ParseError, MAX_BALLOT_JSON,
};
use common::{cast, committee, context, count, rng};
use serde_json::Value;

#[test]
fn a_motion_exactly_one_of_three_counts_every_choice() {
    let (key, secrets) = committee(3, 2, 1);
    let params = BallotParams::exactly_one(context("motion"), 3);
    let votes: Vec<Vec<u32>> = [0, 0, 1, 2, 2, 2, 0].iter().map(|&c| vec![c]).collect();
    let (ballots, expected) = cast(&key, &params, &votes, 2);
    assert_eq!(expected, [3, 1, 3]);
    assert_eq!(count(&key, &params, &ballots, &secrets, &[0, 2]), expected);
    assert_eq!(count(&key, &params, &ballots, &secrets, &[2, 1]), expected);
}

#[test]
fn an_election_of_15_of_20_counts_blank_and_full_ballots() {
    let (key, secrets) = committee(5, 3, 3);
    let params = BallotParams::at_most(context("election"), 20, 15);
    let votes = vec![
        (0..15).collect::<Vec<u32>>(),
        (5..20).collect(),
        vec![],
        vec![19],
        vec![3, 7, 11],
    ];
    let (ballots, expected) = cast(&key, &params, &votes, 4);
    assert_eq!(
        count(&key, &params, &ballots, &secrets, &[4, 0, 2]),
        expected
    );
    let json = ballots[0].to_json();
    eprintln!("a 20-option ballot is {} bytes of JSON", json.len());
    assert!(json.len() < 12_000, "{} bytes", json.len());
}

#[test]
fn k_marks_of_n_and_none_are_counted() {
    let (key, secrets) = committee(3, 3, 5);
    let params = BallotParams::at_most(context("multi"), 4, 2);
    let votes = vec![vec![0, 3], vec![], vec![1, 0], vec![], vec![2]];
    let (ballots, expected) = cast(&key, &params, &votes, 6);
    assert_eq!(expected, [2, 1, 1, 1]);
    assert_eq!(
        count(&key, &params, &ballots, &secrets, &[0, 1, 2]),
        expected
    );
}

#[test]
fn marks_the_poll_does_not_allow_are_refused() {
    let (key, _) = committee(3, 2, 7);
    let mut r = rng(8);
    let election = BallotParams::at_most(context("e"), 5, 2);
    let refused = |params: &BallotParams, marks: &[u32]| {
        encrypt(&key, params, marks, &mut rng(1)).unwrap_err()
    };
    assert_eq!(
        refused(&election, &[0, 1, 2]),
        BallotError::TooManyMarks { marks: 3, max: 2 }
    );
    assert_eq!(
        refused(&election, &[5]),
        BallotError::MarkOutOfRange {
            mark: 5,
            options: 5
        }
    );
    assert_eq!(
        refused(&election, &[1, 1]),
        BallotError::DuplicateMark { mark: 1 }
    );
    let motion = BallotParams::exactly_one(context("m"), 3);
    assert_eq!(
        refused(&motion, &[]),
        BallotError::TooFewMarks { marks: 0, min: 1 }
    );
    assert_eq!(
        refused(&motion, &[0, 2]),
        BallotError::TooManyMarks { marks: 2, max: 1 }
    );
    for (options, min, max) in [
        (1, 1, 1),
        (101, 0, 3),
        (5, 0, 6),
        (5, 1, 2),
        (5, 0, 0),
        (5, 2, 2),
    ] {
        let params = BallotParams {
            context: [0; 32],
            options,
            min,
            max,
        };
        assert_eq!(
            encrypt(&key, &params, &[], &mut r).unwrap_err(),
            BallotError::Unsupported { options, min, max }
        );
    }
    assert!(encrypt(&key, &election, &[4, 0], &mut r).is_ok());
}

#[test]
fn a_ballot_replayed_into_another_poll_or_committee_is_refused() {
    let (key, _) = committee(3, 2, 9);
    let params = BallotParams::at_most(context("poll A"), 6, 3);
    let ballot = encrypt(&key, &params, &[1, 4], &mut rng(10)).unwrap();
    verify(&key, &params, &ballot).unwrap();

    let other_poll = BallotParams {
        context: context("poll B"),
        ..params
    };
    assert_eq!(
        verify(&key, &other_poll, &ballot).unwrap_err(),
        BallotError::BadProof(BallotPart::Option(0))
    );
    let more_seats = BallotParams { max: 4, ..params };
    assert!(matches!(
        verify(&key, &more_seats, &ballot),
        Err(BallotError::BadProof(_))
    ));
    let (other_key, _) = committee(3, 2, 11);
    assert!(matches!(
        verify(&other_key, &params, &ballot),
        Err(BallotError::BadProof(_))
    ));
}

/// Replaces `path` in the ballot's JSON with the same place in `from`.
fn graft(ballot: &EncryptedBallot, from: &EncryptedBallot, path: &[&str]) -> EncryptedBallot {
    let mut json = serde_json::to_value(ballot).unwrap();
    let donor = serde_json::to_value(from).unwrap();
    let (mut target, mut source) = (&mut json, &donor);
    for part in path {
        let index = part.parse::<usize>();
        target = match index {
            Ok(i) => &mut target[i],
            Err(_) => &mut target[*part],
        };
        source = match index {
            Ok(i) => &source[i],
            Err(_) => &source[*part],
        };
    }
    assert_ne!(*target, Value::Null, "{path:?}");
    *target = source.clone();
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_tampered_ciphertext_or_proof_is_refused() {
    let (key, _) = committee(3, 2, 12);
    let params = BallotParams::at_most(context("tamper"), 4, 2);
    let mut rng = rng(13);
    let ballot = encrypt(&key, &params, &[0], &mut rng).unwrap();
    let other = encrypt(&key, &params, &[1, 2], &mut rng).unwrap();
    let check = |b: &EncryptedBallot| verify(&key, &params, b).unwrap_err();

    let swapped_ct = graft(&ballot, &other, &["choices", "2", "ct"]);
    assert_eq!(
        check(&swapped_ct),
        BallotError::BadProof(BallotPart::Option(2))
    );
    let swapped_count = graft(&ballot, &other, &["count", "ct"]);
    assert_eq!(
        check(&swapped_count),
        BallotError::BadProof(BallotPart::Count)
    );
    let swapped_proof = graft(&ballot, &other, &["choices", "1", "proof"]);
    assert_eq!(
        check(&swapped_proof),
        BallotError::BadProof(BallotPart::Option(1))
    );
    let swapped_link = graft(&ballot, &other, &["link"]);
    assert_eq!(
        check(&swapped_link),
        BallotError::BadProof(BallotPart::CountLink)
    );
    // A whole option (ciphertext and its proof) from another ballot: only the link fails.
    let swapped_option = graft(&ballot, &other, &["choices", "1"]);
    assert_eq!(
        check(&swapped_option),
        BallotError::BadProof(BallotPart::CountLink)
    );

    let mut short = ballot.clone();
    short.choices.pop();
    assert_eq!(
        check(&short),
        BallotError::WrongShape {
            expected: 4,
            found: 3
        }
    );
    let mut future = ballot.clone();
    future.v = 2;
    assert_eq!(check(&future), BallotError::Version(2));
}

#[test]
fn the_fingerprint_is_of_the_content_not_the_spacing() {
    let (key, _) = committee(2, 1, 14);
    let params = BallotParams::exactly_one(context("fp"), 3);
    let ballot = encrypt(&key, &params, &[2], &mut rng(15)).unwrap();
    let pretty = serde_json::to_vec_pretty(&ballot).unwrap();
    let back = EncryptedBallot::from_json(&pretty).unwrap();
    assert_eq!(back.fingerprint(), ballot.fingerprint());
    assert_eq!(ballot.fingerprint().len(), 64);
    let receipt = ballot.receipt();
    assert_eq!(receipt.len(), 10);
    assert!(receipt
        .chars()
        .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    assert_eq!(verify(&key, &params, &back).unwrap().receipt(), receipt);

    let other = encrypt(&key, &params, &[2], &mut rng(16)).unwrap();
    assert_ne!(
        other.fingerprint(),
        ballot.fingerprint(),
        "same vote, new randomness"
    );
}

#[test]
fn the_parser_refuses_an_oversized_or_malformed_ballot() {
    let big = vec![b' '; MAX_BALLOT_JSON + 1];
    assert!(matches!(
        EncryptedBallot::from_json(&big),
        Err(BallotError::Parse(ParseError::TooLarge { .. }))
    ));
    assert!(matches!(
        EncryptedBallot::from_json(br#"{"v":1,"choices":[]}"#),
        Err(BallotError::Parse(ParseError::Malformed { .. }))
    ));
    let (key, _) = committee(2, 2, 17);
    let params = BallotParams::at_most(context("max"), ballot_box::MAX_OPTIONS, 50);
    let marks: Vec<u32> = (0..50).collect();
    let largest = encrypt(&key, &params, &marks, &mut rng(18))
        .unwrap()
        .to_json();
    assert!(largest.len() <= MAX_BALLOT_JSON, "{} bytes", largest.len());
    assert!(EncryptedBallot::from_json(largest.as_bytes()).is_ok());
}
