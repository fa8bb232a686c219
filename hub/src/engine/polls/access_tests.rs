//! Who may do what with a poll, what the hall sees, secret ballots and the countdown,
//! on the same test hall as `tests.rs`.

use super::tests::{close, create, election, hall, open, spec, vote};
use crate::engine::testing::Hall;
use crate::engine::{Actor, Viewer};
use protocol::{Command, ErrorCode, EventKind, PollId, PollKind, PollStatus, Preset, Timestamp};
use uuid::Uuid;

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
    let effects = m
        .effects(
            m.delegate(0),
            Command::CastBallot {
                poll,
                choices: vec![2],
                on_behalf_of: None,
            },
        )
        .unwrap();
    let events = &effects.events;
    let EventKind::BallotCast { choices, .. } = &events[0].event else {
        panic!("{events:?}")
    };
    assert!(choices.is_none());
    let receipt = effects.receipt.clone().unwrap();
    assert_eq!(receipt.len(), 10);
    assert_eq!(effects.ballots.len(), 1);
    assert_eq!(effects.ballots[0].line.receipt, receipt);
    assert_eq!(effects.ballots[0].line.choices, vec![2]);
    let stored = serde_json::to_string(&events[0]).unwrap();
    assert!(!stored.contains(&receipt), "{stored}");
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
    polls.apply(&EventKind::PollCreated {
        poll: created,
        view: None,
    });
    polls.apply(&EventKind::PollOpened {
        poll,
        closes_at: None,
        eligible: 10,
    });
    for e in &stored {
        polls.apply(&e.event);
    }
    assert!(polls.get(poll).unwrap().sealed.is_empty(), "not in the log");
    polls.restore_sealed(
        sealed
            .into_iter()
            .map(|line| crate::engine::SealedBallot { poll, line }),
    );
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
fn the_screen_sees_turnout_and_a_delegate_only_their_own_ballot() {
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
    assert!(
        d1.redact(&cast[0]).is_none(),
        "another delegate's ballot is not sent to a tablet"
    );
    let screen = Viewer::for_actor(&m.projector());
    let theirs = screen.redact(&cast[0]).unwrap();
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

#[test]
fn a_new_poll_reaches_every_viewer_with_its_options_and_bounds_but_the_log_keeps_none() {
    let mut m = hall(3);
    let created = m
        .run(
            m.chair(),
            Command::CreatePoll {
                poll: election(3, 2),
            },
        )
        .unwrap();
    let EventKind::PollCreated { view: logged, .. } = &created[0].event else {
        panic!("{created:?}")
    };
    assert!(logged.is_none(), "the log's copy carries no view");
    let in_snapshot = m.state.view(Viewer::Full).unwrap().polls[0].clone();
    assert_eq!(in_snapshot.options.len(), 3);
    assert_eq!(
        (in_snapshot.choices.min, in_snapshot.choices.max),
        (0, 2),
        "an election ballot keeps none up to the seats"
    );
    for viewer in [
        Viewer::Full,
        Viewer::for_actor(&m.delegate(0)),
        Viewer::for_actor(&m.projector()),
    ] {
        let sent = viewer
            .redact(&created[0])
            .expect("everyone hears of a new poll");
        let EventKind::PollCreated {
            view: Some(view), ..
        } = &sent.event
        else {
            panic!("{sent:?}")
        };
        let snapshot = &m.state.view(viewer).unwrap().polls[0];
        assert_eq!(
            **view, *snapshot,
            "the event's view is this viewer's snapshot's"
        );
    }
}
