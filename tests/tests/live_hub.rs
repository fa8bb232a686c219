//! The live WebSocket against a real hub: hundreds of tablets joining at once, every one
//! following the chair in order, and a dropped tablet resuming with exactly what it missed.

use meeting_tests::{expect_snapshot, guard, Member, Tablet, TestHub};
use protocol::{AgendaItemId, Command, Event, EventKind, HubFrame, MeetingStatus, Role};
use std::collections::BTreeMap;
use std::sync::Arc;
use tablet_client::Follower;
use tokio::sync::{mpsc, Barrier};

const DELEGATES: usize = 220;

async fn add_items(
    hub: &TestHub,
    meeting: protocol::MeetingId,
    titles: &[&str],
) -> Vec<AgendaItemId> {
    for (n, title) in titles.iter().enumerate() {
        let add = Command::AddAgendaItem {
            title: (*title).to_owned(),
            description: String::new(),
        };
        hub.office_command(meeting, &format!("setup-item-{n}"), &add)
            .await;
    }
    let (_, view) = hub.meeting_state(meeting, hub.office_token()).await;
    let ids: Vec<_> = view.agenda.iter().map(|i| i.id).collect();
    assert_eq!(
        ids.len(),
        titles.len(),
        "agenda after setup: {:?}",
        view.agenda
    );
    ids
}

/// Checks that a delegate saw what the chair saw, redacted as a delegate may see it:
/// other members' check-ins without their names, everything else as is.
/// Whether a delegate hears an event the chair heard: not another member's check-in or
/// check-out (the hall hears `attendance` counters instead, PROTOCOL.md §1.5).
fn delegate_hears(who: &Member, chair: &Event) -> bool {
    match &chair.event {
        EventKind::CheckedIn { participant } | EventKind::CheckedOut { participant } => {
            *participant == Some(who.id())
        }
        _ => true,
    }
}

fn assert_same_as_chair(who: &Member, seen: &Event, chair: &Event) {
    assert_eq!(
        (seen.seq, seen.at),
        (chair.seq, chair.at),
        "{}",
        who.participant.name
    );
    match (&seen.event, &chair.event) {
        (EventKind::CheckedIn { participant: p }, EventKind::CheckedIn { participant: c })
        | (EventKind::CheckedOut { participant: p }, EventKind::CheckedOut { participant: c }) => {
            let full = c.expect("the chair sees who checked in or out");
            let expected = (full == who.id()).then_some(full);
            assert_eq!(*p, expected, "{} at seq {}", who.participant.name, seen.seq);
        }
        (s, c) => assert_eq!(s, c, "{} at seq {}", who.participant.name, seen.seq),
    }
}

/// What one delegate task reports: who, its snapshot's seq, and everything it followed.
struct Followed {
    member: Member,
    snapshot_seq: u64,
    present_in_snapshot: bool,
    follower: Follower,
}

async fn follow_until_item_starts(
    url: String,
    member: Member,
    item: AgendaItemId,
    barrier: Arc<Barrier>,
    ready: mpsc::Sender<()>,
) -> Followed {
    let mut tablet = Tablet::open(&url, Follower::new()).await;
    barrier.wait().await;
    let first = tablet.hello(&member.token, None, None).await;
    let (snapshot_seq, me, view) = expect_snapshot(first);
    assert_eq!(
        me.participant,
        Some(member.id()),
        "me of {}",
        member.participant.name
    );
    assert_eq!(me.role, Role::Delegate);
    assert_eq!(me.name, member.participant.name);
    assert_eq!(view.agenda.len(), 1);
    let present_in_snapshot = view.attendance.present_ids.contains(&member.id());
    ready.send(()).await.expect("the test is waiting");
    loop {
        let event = tablet.event().await;
        if event.event == (EventKind::AgendaItemStarted { item }) {
            break;
        }
    }
    Followed {
        member,
        snapshot_seq,
        present_in_snapshot,
        follower: tablet.follower,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_delegates_join_at_once_and_follow_the_chair_in_order() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(DELEGATES).await;
    let item = add_items(&hub, m.id, &["Báo cáo chính trị"]).await[0];

    let (mut chair, first) = hub.join(&m.chair.token, None).await;
    let (chair_from, me, _) = expect_snapshot(first);
    assert_eq!((me.role, me.participant), (Role::Chair, Some(m.chair.id())));

    let barrier = Arc::new(Barrier::new(DELEGATES));
    let (ready_tx, mut ready_rx) = mpsc::channel(DELEGATES);
    let tasks: Vec<_> = m
        .delegates
        .iter()
        .map(|d| {
            let task = follow_until_item_starts(
                hub.ws_url(),
                d.clone(),
                item,
                barrier.clone(),
                ready_tx.clone(),
            );
            tokio::spawn(task)
        })
        .collect();
    drop(ready_tx);
    for n in 0..DELEGATES {
        let got = guard("every delegate's snapshot", ready_rx.recv()).await;
        assert!(got.is_some(), "only {n} delegates got a snapshot");
    }

    let in_session = chair.ok("chair-start-session", Command::StartSession).await;
    let started = chair
        .ok("chair-start-item", Command::StartAgendaItem { item })
        .await;
    assert!(started > in_session, "acks: {in_session} then {started}");
    chair.events_until(started).await;
    let chair_seen: BTreeMap<u64, Event> = chair
        .follower
        .events()
        .iter()
        .map(|e| (e.seq, e.clone()))
        .collect();
    let expected: Vec<u64> = (chair_from + 1..=started).collect();
    assert_eq!(
        chair_seen.keys().copied().collect::<Vec<_>>(),
        expected,
        "the chair sees every event"
    );
    assert_eq!(
        chair_seen[&in_session].event,
        EventKind::MeetingStatusChanged {
            status: MeetingStatus::InSession
        }
    );
    assert_eq!(
        chair_seen[&started].event,
        EventKind::AgendaItemStarted { item }
    );

    for task in tasks {
        let f = guard("a delegate to see the item start", task)
            .await
            .expect("a delegate task panicked");
        let name = &f.member.participant.name;
        let seen: Vec<u64> = f.follower.events().iter().map(|e| e.seq).collect();
        let expected: Vec<u64> = chair_seen
            .range(f.snapshot_seq + 1..)
            .filter(|(_, e)| delegate_hears(&f.member, e))
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(
            seen, expected,
            "{name} (snapshot at {}) missed or repeated events",
            f.snapshot_seq
        );
        for event in f.follower.events() {
            assert_same_as_chair(&f.member, event, &chair_seen[&event.seq]);
        }
        let own = EventKind::CheckedIn {
            participant: Some(f.member.id()),
        };
        let checked_in =
            f.present_in_snapshot || f.follower.events().iter().any(|e| e.event == own);
        assert!(checked_in, "{name} never learnt it was checked in");
    }

    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(seq, started, "nothing happened after the item started");
    for d in &m.delegates {
        assert!(
            view.attendance.present_ids.contains(&d.id()),
            "{} is present",
            d.participant.name
        );
    }
    assert_eq!(
        view.attendance.summoned as usize,
        DELEGATES + 1,
        "delegates and the chair"
    );
    assert!(view.attendance.quorum_reached);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_tablet_resumes_with_exactly_the_events_it_missed() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(4).await;
    let items = add_items(&hub, m.id, &["Khai mạc", "Báo cáo", "Thảo luận"]).await;
    let (d1, d2, d3) = (&m.delegates[0], &m.delegates[1], &m.delegates[2]);

    let (mut chair, _) = hub.join(&m.chair.token, None).await;
    let (mut sec, _) = hub.join(&m.secretariat.token, None).await;
    let (mut dropped, first) = hub.join(&d1.token, None).await;
    expect_snapshot(first);
    let (mut stayed, first) = hub.join(&d2.token, None).await;
    expect_snapshot(first);

    dropped.until_checked_in(d1.id()).await;
    stayed.until_checked_in(d2.id()).await;
    let opened = chair.ok("r-session", Command::StartSession).await;
    dropped.events_until(opened).await;
    stayed.events_until(opened).await;
    let left_at = dropped.follower.last_seq();
    let Tablet { conn, follower, .. } = dropped;
    guard("closing the dropped tablet", conn.close())
        .await
        .expect("a clean close");

    // While it is away: the agenda moves, the secretariat adds an item, a delegate joins.
    chair
        .ok("r-start-0", Command::StartAgendaItem { item: items[0] })
        .await;
    let add = Command::AddAgendaItem {
        title: "Bế mạc".into(),
        description: "Thêm trong phiên họp".into(),
    };
    sec.ok("r-add", add).await;
    let (mut late, first) = hub.join(&d3.token, None).await;
    expect_snapshot(first);
    late.until_checked_in(d3.id()).await;
    chair
        .ok("r-start-1", Command::StartAgendaItem { item: items[1] })
        .await;
    let last = chair.ok("r-adjourn", Command::Adjourn).await;
    chair.events_until(last).await;
    let missed: Vec<Event> = chair
        .follower
        .events()
        .iter()
        .filter(|e| e.seq > left_at && delegate_hears(d1, e))
        .cloned()
        .collect();
    assert!(missed.len() >= 5, "the chair saw {} events", missed.len());
    stayed.events_until(last).await;

    let (mut back, first) =
        Tablet::rejoin(&hub.ws_url(), &d1.token, follower, Some(left_at), None).await;
    match first {
        HubFrame::Resumed { from, seq, me, .. } => {
            assert_eq!(from, left_at);
            assert!(
                seq >= last,
                "resumed up to {seq}, but the meeting is at {last}"
            );
            assert_eq!(me.participant, Some(d1.id()));
        }
        other => panic!("expected `resumed` from {left_at}, got {other:?}"),
    }
    back.events_until(last).await;
    let resumed: Vec<&Event> = back
        .follower
        .events()
        .iter()
        .filter(|e| e.seq > left_at)
        .collect();
    let seqs = |events: &[&Event]| events.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(&resumed),
        seqs(&missed.iter().collect::<Vec<_>>()),
        "exactly the missed events"
    );
    for (seen, full) in resumed.iter().zip(&missed) {
        assert_same_as_chair(d1, seen, full);
    }

    // And it is live again: the next event arrives once.
    let again = chair.ok("r-session-2", Command::StartSession).await;
    let live = back.events_until(again).await;
    let after: Vec<u64> = live.iter().map(|e| e.seq).filter(|s| *s > last).collect();
    assert_eq!(
        after.last(),
        Some(&again),
        "live events after the resume: {live:?}"
    );
    stayed.events_until(again).await;
    let stayed_after: Vec<u64> = stayed
        .follower
        .events()
        .iter()
        .map(|e| e.seq)
        .filter(|s| *s > last)
        .collect();
    assert_eq!(
        after, stayed_after,
        "both delegates see the same live events"
    );
}
