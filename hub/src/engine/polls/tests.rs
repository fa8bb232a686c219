//! The poll rules, driven through `execute` on the test hall (a chair and nine delegates:
//! ten members summoned).

use crate::engine::testing::Hall;
use crate::engine::{Actor, Viewer};
use protocol::{
    Command, ErrorCode, EventKind, PollId, PollKind, PollSpec, PollStatus, Preset, Timestamp,
};
use uuid::Uuid;

/// In session, with the chair and the first `present` delegates checked in.
fn hall(present: usize) -> Hall {
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

fn spec(kind: PollKind, preset: Preset) -> PollSpec {
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

fn create(m: &mut Hall, spec: PollSpec) -> PollId {
    let id = Uuid::new_v4();
    let chair = m.chair();
    m.run_with_id(chair, Command::CreatePoll { poll: spec }, id)
        .unwrap();
    PollId(id)
}

fn open(m: &mut Hall, spec: PollSpec) -> PollId {
    let poll = create(m, spec);
    m.run(m.chair(), Command::OpenPoll { poll }).unwrap();
    poll
}

fn vote(m: &mut Hall, n: usize, poll: PollId, choices: &[u32]) -> Result<(), ErrorCode> {
    let cast = Command::CastBallot {
        poll,
        choices: choices.to_vec(),
        on_behalf_of: None,
    };
    m.run(m.delegate(n), cast).map(|_| ()).map_err(|e| e.code())
}

fn close(m: &mut Hall, poll: PollId) -> protocol::PollResult {
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

fn election(candidates: usize, seats: u32) -> PollSpec {
    let mut s = spec(
        PollKind::Election {
            candidates: (1..=candidates)
                .map(|n| format!("Ứng cử viên {n}"))
                .collect(),
            seats,
        },
        Preset::MajorityOfValid,
    );
    s.secret = true;
    s
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
    secret.allow_change = true;
    let refused = m.run(m.chair(), Command::CreatePoll { poll: secret });
    assert_eq!(refused.unwrap_err().code(), ErrorCode::Invalid);
}

#[test]
fn who_may_do_what() {
    let mut m = hall(8);
    let s = spec(PollKind::Motion, Preset::MajorityOfSummoned);
    assert_eq!(
        m.run(m.delegate(0), Command::CreatePoll { poll: s.clone() })
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    let poll = create(&mut m, s);
    assert_eq!(
        vote(&mut m, 0, poll, &[0]),
        Err(ErrorCode::InvalidState),
        "draft"
    );
    assert_eq!(
        m.run(m.delegate(0), Command::OpenPoll { poll })
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    m.run(m.chair(), Command::OpenPoll { poll }).unwrap();
    let for_other = Command::CastBallot {
        poll,
        choices: vec![0],
        on_behalf_of: Some(m.delegates[1]),
    };
    assert_eq!(
        m.run(m.delegate(0), for_other.clone()).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let by_projector = Command::CastBallot {
        poll,
        choices: vec![0],
        on_behalf_of: None,
    };
    assert_eq!(
        m.run(m.projector(), by_projector).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        vote(&mut m, 8, poll, &[0]),
        Err(ErrorCode::InvalidState),
        "not checked in"
    );
    // The secretariat records delegate 1's choice, marked as such.
    let events = m.run(m.secretariat(), for_other).unwrap();
    assert!(matches!(
        events[0].event,
        EventKind::BallotCast { proxy: true, .. }
    ));
    let unknown = PollId::new_random();
    assert_eq!(vote(&mut m, 2, unknown, &[0]), Err(ErrorCode::NotFound));
    close(&mut m, poll);
    assert_eq!(
        vote(&mut m, 2, poll, &[0]),
        Err(ErrorCode::InvalidState),
        "closed"
    );
    assert_eq!(close_err(&mut m, poll), ErrorCode::InvalidState);
}

fn close_err(m: &mut Hall, poll: PollId) -> ErrorCode {
    m.run(m.chair(), Command::ClosePoll { poll })
        .unwrap_err()
        .code()
}

#[test]
fn only_the_eligible_vote() {
    let mut m = hall(9);
    let mut s = spec(PollKind::Motion, Preset::MajorityOfValid);
    s.eligible = Some(m.delegates[..3].to_vec());
    s.quorum = Some("0/1".parse().unwrap());
    let poll = open(&mut m, s);
    assert_eq!(m.state.polls.get(poll).unwrap().eligible, 3);
    vote(&mut m, 2, poll, &[0]).unwrap();
    assert_eq!(vote(&mut m, 3, poll, &[0]), Err(ErrorCode::Forbidden));
    assert_eq!(close(&mut m, poll).summoned, 3);
}

#[test]
fn a_secret_ballot_leaves_no_choice_in_the_log_and_its_receipt_is_published() {
    let mut m = hall(9);
    let poll = open(&mut m, election(3, 1));
    let events = m
        .run(
            m.delegate(0),
            Command::CastBallot {
                poll,
                choices: vec![2],
                on_behalf_of: None,
            },
        )
        .unwrap();
    let EventKind::BallotCast {
        choices, sealed, ..
    } = &events[0].event
    else {
        panic!("{events:?}")
    };
    assert!(choices.is_none());
    let receipt = sealed.clone().unwrap().receipt;
    assert_eq!(receipt.len(), 10);
    let stored = serde_json::to_string(&events[0]).unwrap();
    assert!(
        !stored.contains(&receipt) && !stored.contains("sealed"),
        "{stored}"
    );
    vote(&mut m, 1, poll, &[0]).unwrap();
    // The chair sees turnout, not a running tally.
    let view = &m.state.view(Viewer::Full).unwrap().polls[0];
    assert_eq!((view.ballots_in, view.tallies.clone()), (2, None));
    close(&mut m, poll);
    let events = m.run(m.chair(), Command::PublishPoll { poll }).unwrap();
    let EventKind::PollPublished { receipts, .. } = &events[0].event else {
        panic!()
    };
    let receipts = receipts.clone().unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(
        receipts.windows(2).all(|w| w[0].receipt < w[1].receipt),
        "sorted"
    );
    assert!(receipts
        .iter()
        .any(|r| r.receipt == receipt && r.choices == vec![2]));
    assert_eq!(
        m.state.polls.get(poll).unwrap().status,
        PollStatus::Published
    );
}

#[test]
fn a_replayed_log_with_the_ballot_box_restored_counts_the_same() {
    let mut m = hall(9);
    let poll = open(&mut m, election(3, 1));
    let mut log = Vec::new();
    for n in 0..5 {
        let cast = Command::CastBallot {
            poll,
            choices: vec![(n % 2) as u32],
            on_behalf_of: None,
        };
        log.extend(m.run(m.delegate(n), cast).unwrap());
    }
    // What the store keeps: the events without their sealed part, and the box apart.
    let stored: Vec<_> = log
        .iter()
        .map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap())
        .collect::<Vec<protocol::Event>>();
    let sealed = m.state.polls.get(poll).unwrap().receipts();
    // Rebuild the poll part from its events as stored, then the ballot box.
    let mut polls = crate::engine::polls::Polls::default();
    let created = m.state.polls.get(poll).unwrap().poll.clone();
    polls.apply(&EventKind::PollCreated { poll: created });
    polls.apply(&EventKind::PollOpened {
        poll,
        closes_at: None,
        eligible: 10,
    });
    for e in &stored {
        polls.apply(&e.event);
    }
    assert!(polls.get(poll).unwrap().sealed.is_empty(), "not in the log");
    polls.restore_sealed(sealed.into_iter().map(|l| (poll, l)));
    assert_eq!(polls.get(poll).unwrap().running(), vec![3, 2, 0]);
}

#[test]
fn the_countdown_lets_the_hub_close_the_poll_only_once_it_ran_out() {
    let mut m = hall(9);
    let mut s = spec(PollKind::Motion, Preset::MajorityOfSummoned);
    s.duration_secs = Some(60);
    let poll = open(&mut m, s);
    let deadline = m.state.polls.next_deadline().unwrap();
    assert_eq!(m.state.polls.due(Timestamp(deadline.0 - 1)), vec![]);
    let early = m.run(Actor::System, Command::ClosePoll { poll });
    assert_eq!(early.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(m.state.polls.due(deadline), vec![poll]);
    let ctx = crate::engine::Ctx {
        now: deadline,
        new_id: Uuid::new_v4(),
    };
    crate::engine::execute(
        &mut m.state,
        &Actor::System,
        &Command::ClosePoll { poll },
        &ctx,
    )
    .unwrap();
    assert_eq!(m.state.polls.get(poll).unwrap().status, PollStatus::Closed);
    assert_eq!(m.state.polls.next_deadline(), None);
}

#[test]
fn the_hall_sees_turnout_and_its_own_ballot_but_not_others_choices() {
    let mut m = hall(9);
    let poll = open(&mut m, spec(PollKind::Motion, Preset::MajorityOfSummoned));
    let cast = m
        .run(
            m.delegate(0),
            Command::CastBallot {
                poll,
                choices: vec![1],
                on_behalf_of: None,
            },
        )
        .unwrap();
    let d0 = Viewer::for_actor(&m.delegate(0));
    let d1 = Viewer::for_actor(&m.delegate(1));
    let mine = d0.redact(&cast[0]).unwrap();
    assert!(matches!(&mine.event, EventKind::BallotCast { choices: Some(c), .. } if c == &vec![1]));
    let theirs = d1.redact(&cast[0]).unwrap();
    assert!(matches!(
        &theirs.event,
        EventKind::BallotCast {
            voter: None,
            choices: None,
            ..
        }
    ));
    let v = &m.state.view(d0).unwrap().polls[0];
    assert_eq!(
        (v.voted, v.my_choices.clone(), v.tallies.clone()),
        (true, Some(vec![1]), None)
    );
    assert_eq!(v.ballots_in, 1);
    let closed = m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    assert!(matches!(
        d1.redact(&closed[0]).unwrap().event,
        EventKind::PollClosed { result: None, .. }
    ));
    assert!(m.state.view(Viewer::Full).unwrap().polls[0]
        .result
        .is_some());
}
