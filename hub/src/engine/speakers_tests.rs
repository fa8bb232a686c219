//! The list of speakers' rules and role checks.

use crate::engine::testing::*;
use crate::engine::{Actor, Viewer};
use protocol::{Command, ErrorCode, EventKind};

fn ask(m: &mut Hall, n: usize) {
    m.run(m.delegate(n), Command::RequestToSpeak { item: None })
        .unwrap();
}

fn code(r: Result<Vec<protocol::Event>, crate::engine::EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

fn with_item() -> (Hall, protocol::AgendaItemId) {
    let mut m = Hall::in_session();
    let item = m.add_item("Thảo luận văn kiện");
    m.run(m.chair(), Command::StartAgendaItem { item }).unwrap();
    (m, item)
}

#[test]
fn the_queue_keeps_the_order_members_asked_in() {
    let (mut m, item) = with_item();
    for n in [3, 1, 4] {
        ask(&mut m, n);
    }
    let queue: Vec<_> = m
        .state
        .speakers
        .queue
        .iter()
        .map(|q| q.participant)
        .collect();
    assert_eq!(queue, vec![m.delegates[3], m.delegates[1], m.delegates[4]]);
    assert!(m.state.speakers.queue.iter().all(|q| q.item == item));
}

#[test]
fn moving_to_another_item_closes_the_list_of_the_one_before() {
    let (mut m, first) = with_item();
    ask(&mut m, 0);
    ask(&mut m, 1);
    let second = m.add_item("Biểu quyết");
    m.run(m.chair(), Command::StartAgendaItem { item: second })
        .unwrap();
    assert!(
        m.state.speakers.queue.is_empty(),
        "the first item's list closed"
    );
    // The delegate who did not get the floor asks again, now on the new item.
    ask(&mut m, 1);
    assert_eq!(m.state.speakers.queue.len(), 1);
    assert_eq!(m.state.speakers.queue[0].item, second);
    m.run(m.chair(), Command::FinishAgendaItem { item: second })
        .unwrap();
    assert!(
        m.state.speakers.queue.is_empty(),
        "a finished item's list closes"
    );
    assert_ne!(first, second);
}

#[test]
fn asking_twice_is_refused_and_changes_nothing() {
    let (mut m, _) = with_item();
    ask(&mut m, 0);
    let seq = m.state.seq;
    let again = m.run(m.delegate(0), Command::RequestToSpeak { item: None });
    assert_eq!(code(again), ErrorCode::InvalidState);
    assert_eq!(m.state.seq, seq);
    assert_eq!(m.state.speakers.queue.len(), 1);
}

#[test]
fn only_members_ask_and_only_with_an_item_to_speak_on() {
    let mut m = Hall::in_session();
    let none = m.run(m.delegate(0), Command::RequestToSpeak { item: None });
    assert_eq!(code(none), ErrorCode::InvalidState, "no current item");
    let item = m.add_item("Báo cáo");
    m.run(m.delegate(0), Command::RequestToSpeak { item: Some(item) })
        .expect("registering ahead for a pending item");
    let projector = m.run(m.projector(), Command::RequestToSpeak { item: Some(item) });
    assert_eq!(code(projector), ErrorCode::Forbidden);
    let office = m.run(Actor::Office, Command::RequestToSpeak { item: Some(item) });
    assert_eq!(code(office), ErrorCode::Forbidden);
}

#[test]
fn a_delegate_may_not_give_the_floor() {
    let (mut m, _) = with_item();
    ask(&mut m, 0);
    let seq = m.state.seq;
    let r = m.run(m.delegate(1), Command::GiveFloor { participant: None });
    assert_eq!(code(r), ErrorCode::Forbidden);
    assert_eq!(m.state.seq, seq, "nothing changed");
    assert!(m.state.speakers.speaking.is_none());
}

#[test]
fn next_gives_the_floor_in_order_and_ends_the_speech_before() {
    let (mut m, item) = with_item();
    m.run(m.chair(), Command::SetSpeakingLimit { seconds: 420 })
        .unwrap();
    ask(&mut m, 2);
    ask(&mut m, 5);
    let first = m
        .run(m.chair(), Command::GiveFloor { participant: None })
        .unwrap();
    assert_eq!(first.len(), 1);
    let EventKind::FloorGiven {
        participant,
        started_at,
        limit_secs,
        ..
    } = &first[0].event
    else {
        panic!("{first:?}")
    };
    assert_eq!(*participant, m.delegates[2]);
    assert_eq!((*started_at, *limit_secs), (first[0].at, 420));
    let second = m
        .run(m.chair(), Command::GiveFloor { participant: None })
        .unwrap();
    assert!(
        matches!(second[0].event, EventKind::SpeechEnded { participant, .. } if participant == m.delegates[2])
    );
    assert!(
        matches!(second[1].event, EventKind::FloorGiven { participant, .. } if participant == m.delegates[5])
    );
    assert!(m.state.speakers.queue.is_empty());
    let empty = m.run(m.chair(), Command::GiveFloor { participant: None });
    assert_eq!(code(empty), ErrorCode::InvalidState, "nobody waiting");
    m.run(m.chair(), Command::EndSpeech).unwrap();
    let history: Vec<_> = m
        .state
        .speakers
        .history
        .iter()
        .map(|s| (s.participant, s.item, s.ended_at.is_some()))
        .collect();
    assert_eq!(
        history,
        vec![(m.delegates[2], item, true), (m.delegates[5], item, true)],
        "who spoke on which item, for the minutes"
    );
}

#[test]
fn withdrawing_is_for_oneself_or_for_the_chair() {
    let (mut m, _) = with_item();
    ask(&mut m, 0);
    ask(&mut m, 1);
    let other = m.delegates[1];
    let r = m.run(
        m.delegate(0),
        Command::WithdrawSpeakingRequest {
            participant: Some(other),
        },
    );
    assert_eq!(code(r), ErrorCode::Forbidden);
    m.run(
        m.delegate(0),
        Command::WithdrawSpeakingRequest { participant: None },
    )
    .unwrap();
    m.run(
        m.chair(),
        Command::WithdrawSpeakingRequest {
            participant: Some(other),
        },
    )
    .unwrap();
    assert!(m.state.speakers.queue.is_empty());
    let r = m.run(
        m.delegate(0),
        Command::WithdrawSpeakingRequest { participant: None },
    );
    assert_eq!(code(r), ErrorCode::InvalidState, "not on the list");
}

#[test]
fn the_speaker_may_end_their_own_speech_but_not_anothers() {
    let (mut m, _) = with_item();
    ask(&mut m, 0);
    m.run(m.chair(), Command::GiveFloor { participant: None })
        .unwrap();
    assert_eq!(
        code(m.run(m.delegate(1), Command::EndSpeech)),
        ErrorCode::Forbidden
    );
    m.run(m.delegate(0), Command::EndSpeech).unwrap();
    assert_eq!(
        code(m.run(m.chair(), Command::EndSpeech)),
        ErrorCode::InvalidState
    );
}

#[test]
fn the_floor_needs_a_session_and_a_member() {
    let mut m = Hall::new();
    let item = m.add_item("Khai mạc");
    m.run(m.chair(), Command::OpenMeeting).unwrap();
    m.run(m.delegate(0), Command::RequestToSpeak { item: Some(item) })
        .unwrap();
    let r = m.run(m.chair(), Command::GiveFloor { participant: None });
    assert_eq!(code(r), ErrorCode::InvalidState, "not in session");
    m.run(m.chair(), Command::StartSession).unwrap();
    let projector = m.projector_id();
    let r = m.run(
        m.chair(),
        Command::GiveFloor {
            participant: Some(projector),
        },
    );
    assert_eq!(code(r), ErrorCode::Invalid);
    let (d0, d3) = (m.delegates[0], m.delegates[3]);
    let r = m.run(
        m.chair(),
        Command::GiveFloor {
            participant: Some(d3),
        },
    );
    assert_eq!(code(r), ErrorCode::InvalidState, "no item to speak on");
    m.run(
        m.chair(),
        Command::GiveFloor {
            participant: Some(d0),
        },
    )
    .expect("a member who registered ahead speaks on the item they named");
    assert_eq!(m.state.speakers.speaking.as_ref().unwrap().item, item);
    m.run(m.chair(), Command::StartAgendaItem { item }).unwrap();
    m.run(
        m.chair(),
        Command::GiveFloor {
            participant: Some(d3),
        },
    )
    .expect("the chair may call on a member who did not ask");
    assert_eq!(m.state.speakers.history.len(), 1, "the speech before ended");
}

#[test]
fn the_limit_is_bounded_and_set_by_the_chair() {
    let (mut m, _) = with_item();
    let r = m.run(m.delegate(0), Command::SetSpeakingLimit { seconds: 60 });
    assert_eq!(code(r), ErrorCode::Forbidden);
    let r = m.run(m.chair(), Command::SetSpeakingLimit { seconds: 3601 });
    assert_eq!(code(r), ErrorCode::Invalid);
    m.run(m.secretariat(), Command::SetSpeakingLimit { seconds: 0 })
        .unwrap();
    assert_eq!(m.state.speakers.limit_secs, 0);
}

#[test]
fn every_viewer_sees_the_same_queue() {
    let (mut m, _) = with_item();
    ask(&mut m, 4);
    ask(&mut m, 2);
    let chair = m.state.view(Viewer::for_actor(&m.chair())).unwrap();
    let delegate = m.state.view(Viewer::for_actor(&m.delegate(7))).unwrap();
    let projector = m.state.view(Viewer::for_actor(&m.projector())).unwrap();
    assert_eq!(chair.speakers, delegate.speakers);
    assert_eq!(chair.speakers, projector.speakers);
    assert_eq!(chair.speakers.queue.len(), 2);
}
