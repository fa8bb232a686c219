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
    let ctx = crate::engine::Ctx::new(deadline, Uuid::new_v4());
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
