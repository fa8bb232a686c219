//! The list of speakers on a real hub: thirty delegates ask to speak at once, the chair
//! gives the floor thirty times, and every tablet and the projector see the same queue and
//! the same speakers in the same order.

use meeting_tests::{expect_snapshot, guard, Member, Tablet, TestHub};
use protocol::{Command, ErrorCode, Event, EventKind, ParticipantId};
use std::sync::Arc;
use tablet_client::Follower;
use tokio::sync::{mpsc, Barrier};

const SPEAKERS: usize = 30;

/// The order of the queue and of the floor, as one client saw them.
fn orders(events: &[Event]) -> (Vec<ParticipantId>, Vec<ParticipantId>) {
    let queued = events
        .iter()
        .filter_map(|e| match e.event {
            EventKind::SpeakerQueued { participant, .. } => Some(participant),
            _ => None,
        })
        .collect();
    let floor = events
        .iter()
        .filter_map(|e| match e.event {
            EventKind::FloorGiven { participant, .. } => Some(participant),
            _ => None,
        })
        .collect();
    (queued, floor)
}

fn ended(follower: &Follower) -> usize {
    follower
        .events()
        .iter()
        .filter(|e| matches!(e.event, EventKind::SpeechEnded { .. }))
        .count()
}

/// A delegate's tablet: joins, asks to speak together with the others, then follows the
/// meeting until the last speech has ended.
async fn delegate(
    url: String,
    member: Member,
    start: Arc<Barrier>,
    asked: mpsc::Sender<u64>,
) -> Follower {
    let (mut tablet, first) = Tablet::join(&url, &member.token, None, None).await;
    expect_snapshot(first);
    start.wait().await;
    let seq = tablet
        .ok("ask-to-speak", Command::RequestToSpeak { item: None })
        .await;
    asked.send(seq).await.expect("the test is waiting");
    while ended(&tablet.follower) < SPEAKERS {
        tablet.event().await;
    }
    tablet.follower
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_speakers_driven_by_the_chair_are_seen_in_the_same_order_everywhere() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(SPEAKERS + 2).await;
    let add = Command::AddAgendaItem {
        title: "Thảo luận văn kiện đại hội".into(),
        description: String::new(),
    };
    hub.office_command(m.id, "item", &add).await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let item = view.agenda[0].id;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    hub.office_command(m.id, "start", &Command::StartAgendaItem { item })
        .await;
    hub.office_command(m.id, "limit", &Command::SetSpeakingLimit { seconds: 180 })
        .await;

    let (mut chair, first) = hub.join(&m.chair.token, None).await;
    let (chair_from, _, _) = expect_snapshot(first);
    let (mut projector, first) = hub.join(&m.projector.token, None).await;
    let (projector_from, _, _) = expect_snapshot(first);
    assert_eq!(projector_from, chair_from);

    let start = Arc::new(Barrier::new(SPEAKERS));
    let (asked_tx, mut asked_rx) = mpsc::channel(SPEAKERS);
    let tasks: Vec<_> = m.delegates[..SPEAKERS]
        .iter()
        .map(|d| {
            tokio::spawn(delegate(
                hub.ws_url(),
                d.clone(),
                start.clone(),
                asked_tx.clone(),
            ))
        })
        .collect();
    let mut last_ask = 0;
    for _ in 0..SPEAKERS {
        last_ask = last_ask.max(
            guard("every delegate to ask", asked_rx.recv())
                .await
                .unwrap(),
        );
    }

    // Bad input over the socket: each refused with a code, and nothing changes.
    let (mut again, first) = hub.join(&m.delegates[0].token, None).await;
    expect_snapshot(first);
    again
        .refused(
            "twice",
            Command::RequestToSpeak { item: None },
            ErrorCode::InvalidState,
        )
        .await;
    again
        .refused(
            "floor",
            Command::GiveFloor { participant: None },
            ErrorCode::Forbidden,
        )
        .await;
    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(seq, last_ask, "the refusals changed nothing");
    assert_eq!(view.speakers.queue.len(), SPEAKERS);

    // The chair moves down the list, one "next" at a time, then ends the last speech.
    for n in 0..SPEAKERS {
        chair
            .ok(
                &format!("next-{n}"),
                Command::GiveFloor { participant: None },
            )
            .await;
    }
    let last = chair.ok("end", Command::EndSpeech).await;
    chair.events_until(last).await;
    projector.events_until(last).await;

    let (queued, floor) = orders(chair.follower.events());
    assert_eq!(queued.len(), SPEAKERS);
    assert_eq!(floor, queued, "the floor went in the order members asked");
    let (p_queued, p_floor) = orders(projector.follower.events());
    assert_eq!(
        (p_queued, p_floor),
        (queued.clone(), floor.clone()),
        "the projector"
    );
    for (task, member) in tasks.into_iter().zip(&m.delegates) {
        let follower = guard("a delegate to see the last speech end", task)
            .await
            .expect("a delegate task panicked");
        let events = follower.events();
        // A tablet that joined late has the early asks in its snapshot instead.
        let from_snapshot: Vec<ParticipantId> = follower
            .snapshot_view()
            .map(|v| v.speakers.queue.iter().map(|q| q.participant).collect())
            .unwrap_or_default();
        let (mut seen_queue, seen_floor) = orders(events);
        let mut whole = from_snapshot;
        whole.append(&mut seen_queue);
        assert_eq!(
            whole, queued,
            "{} saw another queue",
            member.participant.name
        );
        assert_eq!(
            seen_floor, floor,
            "{} saw another floor order",
            member.participant.name
        );
    }

    let (_, view) = hub.meeting_state(m.id, &m.projector.token).await;
    let history: Vec<_> = view
        .speakers
        .history
        .iter()
        .map(|s| s.participant)
        .collect();
    assert_eq!(history, floor, "the minutes list who spoke, in order");
    assert!(view
        .speakers
        .history
        .iter()
        .all(|s| s.item == item && s.limit_secs == 180 && s.ended_at.is_some()));
    assert!(view.speakers.queue.is_empty() && view.speakers.speaking.is_none());

    // The same list for the minutes, as CSV.
    let csv = hub
        .get(
            &format!("/api/v1/meetings/{}/speakers.csv", m.id),
            &m.secretariat.token,
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let text = csv.text();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("STT,Mục,Nội dung,Người phát biểu,Chức vụ,Đơn vị,Bắt đầu,Kết thúc,Thời lượng (giây),Giới hạn (giây),Tóm tắt ý kiến"),
        "Vietnamese headings"
    );
    let names: Vec<String> = lines
        .map(|l| l.split(',').nth(3).unwrap().to_owned())
        .collect();
    let expected: Vec<String> = floor
        .iter()
        .map(|p| {
            let d = m.delegates.iter().find(|d| d.id() == *p).unwrap();
            d.participant.name.clone()
        })
        .collect();
    assert_eq!(names, expected, "the minutes list the speakers in order");
}
