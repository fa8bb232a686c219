//! The poll rules, driven through `execute` on the test hall (a chair and nine delegates:
//! ten members summoned).

use crate::engine::testing::Hall;
use crate::engine::Actor;
use protocol::{Command, ErrorCode, PollId, PollKind, PollSpec, Preset};
use uuid::Uuid;

/// In session, with the chair and the first `present` delegates checked in.
pub(super) fn hall(present: usize) -> Hall {
    let mut m = Hall::in_session();
    let chair = match m.chair() {
        Actor::Participant { id, .. } => id,
        _ => unreachable!(),
    };
    for p in std::iter::once(chair).chain(m.delegates[..present].to_vec()) {
        m.run(Actor::System, Command::CheckIn { participant: p })
            .unwrap();
    }
    m
}

pub(super) fn spec(kind: PollKind, preset: Preset) -> PollSpec {
    PollSpec {
        title: "Thông qua chương trình đại hội".into(),
        item: None,
        kind,
        secret: false,
        preset: Some(preset),
        base: None,
        threshold: None,
        quorum: None,
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

pub(super) fn create(m: &mut Hall, spec: PollSpec) -> PollId {
    let id = Uuid::new_v4();
    let chair = m.chair();
    m.run_with_id(chair, Command::CreatePoll { poll: spec }, id)
        .unwrap();
    PollId(id)
}

pub(super) fn open(m: &mut Hall, spec: PollSpec) -> PollId {
    let poll = create(m, spec);
    m.run(m.chair(), Command::OpenPoll { poll }).unwrap();
    poll
}

pub(super) fn vote(m: &mut Hall, n: usize, poll: PollId, choices: &[u32]) -> Result<(), ErrorCode> {
    let cast = Command::CastBallot {
        poll,
        choices: choices.to_vec(),
        on_behalf_of: None,
    };
    m.run(m.delegate(n), cast).map(|_| ()).map_err(|e| e.code())
}

pub(super) fn close(m: &mut Hall, poll: PollId) -> protocol::PollResult {
    m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    m.state.polls.get(poll).unwrap().result.clone().unwrap()
}

/// A motion in a hall of `present` delegates (plus the chair) where the first `agree`
/// delegates agree and the next `against` disagree.
fn motion(preset: Preset, present: usize, agree: usize, against: usize) -> protocol::PollResult {
    let mut m = hall(present);
    let mut s = spec(PollKind::Motion, preset);
    s.quorum = Some("0/1".parse().unwrap());
    let poll = open(&mut m, s);
    for n in 0..agree {
        vote(&mut m, n, poll, &[0]).unwrap();
    }
    for n in agree..agree + against {
        vote(&mut m, n, poll, &[1]).unwrap();
    }
    close(&mut m, poll)
}

#[test]
fn more_than_half_of_the_summoned_is_strictly_more_than_half() {
    let r = motion(Preset::MajorityOfSummoned, 9, 5, 0);
    assert_eq!((r.base_count, r.tallies[0]), (10, 5));
    assert!(!r.passed, "5 of 10 summoned is not more than half");
    assert!(motion(Preset::MajorityOfSummoned, 9, 6, 3).passed);
}

#[test]
fn more_than_half_of_the_valid_ballots_ignores_who_stayed_silent() {
    let r = motion(Preset::MajorityOfValid, 9, 3, 2);
    assert_eq!((r.valid, r.base_count), (5, 5));
    assert!(r.passed, "3 of 5 valid ballots");
    assert!(!motion(Preset::MajorityOfValid, 9, 2, 2).passed, "2 of 4");
}

#[test]
fn more_than_half_of_those_present_counts_the_hall_at_the_close() {
    // Seven delegates and the chair present: eight.
    assert!(!motion(Preset::MajorityOfPresent, 7, 4, 0).passed, "4 of 8");
    let r = motion(Preset::MajorityOfPresent, 7, 5, 0);
    assert_eq!((r.present, r.base_count), (8, 8));
    assert!(r.passed);
}

#[test]
fn two_thirds_is_reached_at_exactly_two_thirds() {
    // Nine delegates and the chair present, summoned ten; 2/3 of 10 is 6.67.
    assert!(!motion(Preset::TwoThirdsOfSummoned, 9, 6, 0).passed);
    assert!(motion(Preset::TwoThirdsOfSummoned, 9, 7, 0).passed);
    // Five present (four delegates and the chair): 2/3 of 6 present is exactly 4.
    assert!(motion(Preset::TwoThirdsOfPresent, 5, 4, 0).passed);
    assert!(!motion(Preset::TwoThirdsOfPresent, 5, 3, 1).passed);
}

#[test]
fn a_given_fraction_is_compared_as_written() {
    let mut m = hall(9);
    let mut s = spec(PollKind::Motion, Preset::MajorityOfSummoned);
    s.threshold = Some(">=3/5".parse().unwrap());
    let poll = open(&mut m, s.clone());
    for n in 0..6 {
        vote(&mut m, n, poll, &[0]).unwrap();
    }
    assert!(close(&mut m, poll).passed, "6 of 10 reaches 3/5");
    s.threshold = Some(">3/5".parse().unwrap());
    let poll = open(&mut m, s);
    for n in 0..6 {
        vote(&mut m, n, poll, &[0]).unwrap();
    }
    assert!(!close(&mut m, poll).passed, "6 of 10 is not more than 3/5");
}

#[test]
fn a_poll_opens_only_with_its_quorum() {
    let mut m = hall(5); // 6 of 10 present: short of the meeting's 2/3.
    let poll = create(&mut m, spec(PollKind::Motion, Preset::MajorityOfSummoned));
    let err = m.run(m.chair(), Command::OpenPoll { poll }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidState, "{err}");
    assert!(err.to_string().contains("6 of 10"), "{err}");
    let d = m.delegates[5];
    m.run(Actor::System, Command::CheckIn { participant: d })
        .unwrap();
    m.run(m.chair(), Command::OpenPoll { poll }).unwrap();

    let mut m = hall(3);
    let mut s = spec(PollKind::Motion, Preset::MajorityOfSummoned);
    s.quorum = Some("1/2".parse().unwrap());
    let poll = create(&mut m, s);
    assert!(
        m.run(m.chair(), Command::OpenPoll { poll }).is_err(),
        "4 of 10"
    );
    let d = m.delegates[5];
    m.run(m.secretariat(), Command::CheckIn { participant: d })
        .unwrap();
    m.run(m.chair(), Command::OpenPoll { poll }).unwrap();
}

/// An election by show of hands: the counting rules are the same as a secret one's, whose
/// sealed box `sealed_tests.rs` runs through its committee.
pub(super) fn election(candidates: usize, seats: u32) -> PollSpec {
    spec(
        PollKind::Election {
            candidates: (1..=candidates)
                .map(|n| format!("Ứng cử viên {n}"))
                .collect(),
            seats,
        },
        Preset::MajorityOfValid,
    )
}

#[test]
fn an_election_elects_the_most_voted_over_the_threshold_up_to_the_seats() {
    let mut m = hall(9);
    let poll = open(&mut m, election(4, 2));
    // Nine ballots: candidate 1 on seven, 0 on six, 2 on three, 3 on two (under half of 9).
    let ballots: [&[u32]; 9] = [
        &[0, 1],
        &[0, 1],
        &[0, 1],
        &[0, 1],
        &[0, 2],
        &[0, 2],
        &[1, 2],
        &[1, 3],
        &[1, 3],
    ];
    for (n, b) in ballots.iter().enumerate() {
        vote(&mut m, n, poll, b).unwrap();
    }
    let r = close(&mut m, poll);
    assert_eq!(r.tallies, vec![6, 7, 3, 2]);
    assert_eq!(r.elected, vec![1, 0], "most votes first");
    assert!(r.tied.is_empty());
}

#[test]
fn a_tie_at_the_last_seat_calls_for_a_new_round() {
    let mut m = hall(9);
    let poll = open(&mut m, election(3, 1));
    for (n, c) in [0, 0, 0, 0, 1, 1, 1, 1, 2].into_iter().enumerate() {
        vote(&mut m, n, poll, &[c]).unwrap();
    }
    // Two tied at 4 of 9 are both under half: no seat, no tie that matters.
    let r = close(&mut m, poll);
    assert!(r.elected.is_empty() && r.tied.is_empty() && !r.passed);

    let mut m = hall(9);
    let mut s = election(3, 1);
    s.threshold = Some(">=1/3".parse().unwrap());
    let poll = open(&mut m, s);
    for (n, c) in [0, 0, 0, 0, 1, 1, 1, 1, 2].into_iter().enumerate() {
        vote(&mut m, n, poll, &[c]).unwrap();
    }
    let r = close(&mut m, poll);
    assert!(r.elected.is_empty());
    assert_eq!(r.tied, vec![0, 1], "a new round between the two");
}

#[test]
fn invalid_ballots_are_refused_and_change_nothing() {
    let mut m = hall(9);
    let poll = open(&mut m, election(4, 2));
    let seq = m.state.seq;
    assert_eq!(vote(&mut m, 0, poll, &[0, 1, 2]), Err(ErrorCode::Invalid));
    assert_eq!(vote(&mut m, 0, poll, &[7]), Err(ErrorCode::Invalid));
    assert_eq!(vote(&mut m, 0, poll, &[1, 1]), Err(ErrorCode::Invalid));
    assert_eq!(m.state.seq, seq);
    vote(&mut m, 0, poll, &[]).unwrap(); // every name crossed out: valid, for no one
                                         // Paper ballots counted in the hall: 3 valid, 1 invalid.
    let paper = Command::RecordPaperBallots {
        poll,
        valid: 3,
        invalid: 1,
        tallies: vec![3, 2, 0, 1],
    };
    assert_eq!(
        m.run(m.chair(), paper.clone()).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    m.run(m.secretariat(), paper).unwrap();
    let too_many = Command::RecordPaperBallots {
        poll,
        valid: 1,
        invalid: 0,
        tallies: vec![1, 1, 1, 0],
    };
    assert_eq!(
        m.run(m.secretariat(), too_many).unwrap_err().code(),
        ErrorCode::Invalid,
        "one ballot cannot keep three names of two seats"
    );
    let r = close(&mut m, poll);
    assert_eq!((r.ballots, r.valid, r.invalid), (5, 4, 1));
    assert_eq!(r.tallies, vec![3, 2, 0, 1]);
    assert_eq!(r.base_count, 4, "the valid ballots");
}

#[test]
fn a_ballot_may_change_only_where_the_poll_allows_it() {
    let mut m = hall(9);
    let mut s = spec(PollKind::Motion, Preset::MajorityOfSummoned);
    let poll = open(&mut m, s.clone());
    vote(&mut m, 0, poll, &[0]).unwrap();
    assert_eq!(vote(&mut m, 0, poll, &[1]), Err(ErrorCode::InvalidState));
    assert_eq!(close(&mut m, poll).tallies, vec![1, 0, 0]);

    s.allow_change = true;
    let poll = open(&mut m, s);
    vote(&mut m, 0, poll, &[0]).unwrap();
    vote(&mut m, 0, poll, &[1]).unwrap();
    let r = close(&mut m, poll);
    assert_eq!(r.tallies, vec![0, 1, 0], "the last ballot counts, once");
    assert_eq!(r.valid, 1);

    let mut secret = election(3, 1);
    secret.secret = true;
    secret.allow_change = true;
    let refused = m.run(m.chair(), Command::CreatePoll { poll: secret });
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Invalid);
}
