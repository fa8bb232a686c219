//! Crash safety against a real `kill -9`: whatever the hub acknowledged is there after a
//! restart, the log the chair followed is the log on disk, and the hub carries on.

use meeting_tests::{expect_snapshot, guard, MeetingFixture, Tablet, TestHub};
use protocol::{AgendaItem, Command, EventKind, HubFrame, MeetingId, ParticipantId};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tablet_client::{ClientError, CommandError, Follower};
use tokio::sync::Notify;

const WRITERS: usize = 4;
const ITEMS_PER_WRITER: usize = 25;
const DELEGATES: usize = 40;
/// Kill the hub once this many commands are acknowledged, with the rest still in flight.
const KILL_AFTER: usize = 70;

/// One acknowledged command: its id, its seq, and the effect that must survive.
#[derive(Clone, Debug)]
struct Acked {
    id: String,
    command: Command,
    seq: u64,
}

#[derive(Clone, Default)]
struct Ledger {
    acked: Arc<Mutex<Vec<Acked>>>,
    count: Arc<AtomicUsize>,
    kill: Arc<Notify>,
}

impl Ledger {
    fn record(&self, id: String, command: Command, seq: u64) {
        self.acked.lock().unwrap().push(Acked { id, command, seq });
        if self.count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
            self.kill.notify_one();
        }
    }
}

/// Sends `commands` one after another on its own connection until the hub goes away;
/// returns whether the crash cut it short.
async fn writer(
    url: String,
    token: String,
    meeting: Option<MeetingId>,
    commands: Vec<(String, Command)>,
    ledger: Ledger,
) -> bool {
    let (mut tablet, first) = Tablet::join(&url, &token, None, meeting).await;
    expect_snapshot(first);
    for (id, command) in commands {
        match tablet.command(&id, command.clone()).await {
            Ok(seq) => ledger.record(id, command, seq),
            Err(CommandError::Connection(_)) => return true,
            Err(CommandError::Refused(e)) => panic!("{id} refused: {e:?}"),
        }
    }
    false
}

fn item_commands(writer: usize) -> Vec<(String, Command)> {
    (0..ITEMS_PER_WRITER)
        .map(|k| {
            let title = format!("Nội dung {writer}-{k}");
            let command = Command::AddAgendaItem {
                title,
                description: format!("của luồng {writer}"),
            };
            (format!("w{writer}-item-{k}"), command)
        })
        .collect()
}

/// Follows the meeting as the chair until the connection dies: the snapshot's seq and
/// agenda (the writers may have begun before the chair joined), and what followed.
async fn chair_follows(url: String, token: String) -> (u64, Vec<AgendaItem>, Follower) {
    let (mut chair, first) = Tablet::join(&url, &token, None, None).await;
    let (from, _, view) = expect_snapshot(first);
    loop {
        match chair.next().await {
            Ok(_) => continue,
            Err(ClientError::Closed { .. } | ClientError::WebSocket(_)) => {
                return (from, view.agenda, chair.follower)
            }
            Err(e) => panic!("the chair's connection failed oddly: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_commands_survive_a_kill_9_and_the_hub_carries_on() {
    let mut hub = TestHub::start_process().await;
    let m: MeetingFixture = hub.meeting_with(DELEGATES).await;
    let url = hub.ws_url();
    let ledger = Ledger::default();
    let chair = tokio::spawn(chair_follows(url.clone(), m.chair.token.clone()));

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        // One writer speaks for the office (hub-wide token), the others for the meeting's secretariat.
        let (token, meeting) = if w == 0 {
            (hub.office_token().to_owned(), Some(m.id))
        } else {
            (m.secretariat.token.clone(), None)
        };
        writers.push(tokio::spawn(writer(
            url.clone(),
            token,
            meeting,
            item_commands(w),
            ledger.clone(),
        )));
    }
    let check_ins: Vec<(String, Command)> = m
        .delegates
        .iter()
        .enumerate()
        .map(|(n, d)| {
            (
                format!("check-in-{n}"),
                Command::CheckIn {
                    participant: d.id(),
                },
            )
        })
        .collect();
    writers.push(tokio::spawn(writer(
        url.clone(),
        m.secretariat.token.clone(),
        None,
        check_ins,
        ledger.clone(),
    )));

    guard(
        "enough acknowledgements to pull the plug",
        ledger.kill.notified(),
    )
    .await;
    hub.kill().await;
    let mut cut_short = 0;
    for w in writers {
        let cut = guard("a writer to notice the crash", w).await;
        cut_short += usize::from(cut.expect("a writer panicked"));
    }
    assert!(cut_short > 0, "the kill came after every writer was done");
    let (chair_from, chair_agenda, chair_saw) =
        guard("the chair to notice the crash", chair).await.unwrap();
    let acked = ledger.acked.lock().unwrap().clone();
    let max_acked = acked.iter().map(|a| a.seq).max().expect("acks");
    assert!(acked.len() >= KILL_AFTER);
    assert!(
        acked.len() < WRITERS * ITEMS_PER_WRITER + DELEGATES,
        "the kill came after everything was done"
    );

    hub.restart().await;
    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    eprintln!(
        "killed with {} commands acknowledged (up to seq {max_acked}), the chair at {}; after restart at {seq}",
        acked.len(),
        chair_saw.last_seq()
    );
    assert!(
        seq >= max_acked,
        "the hub is at {seq}, but acknowledged {max_acked}"
    );
    assert!(
        seq >= chair_saw.last_seq(),
        "the chair saw {} before the crash",
        chair_saw.last_seq()
    );
    for a in &acked {
        match &a.command {
            Command::AddAgendaItem { title, .. } => {
                let found = view.agenda.iter().filter(|i| &i.title == title).count();
                assert_eq!(
                    found, 1,
                    "{} (acked at {}) is on the agenda {found} times",
                    a.id, a.seq
                );
            }
            Command::CheckIn { participant } => {
                assert!(
                    view.attendance.present_ids.contains(participant),
                    "{} (acked at {}) lost",
                    a.id,
                    a.seq
                );
            }
            other => unreachable!("{other:?}"),
        }
    }

    // The chair's picture before the crash is the start of the picture after it.
    let mut seen_items = chair_agenda;
    let mut seen_present: Vec<ParticipantId> = Vec::new();
    for e in chair_saw.events() {
        match &e.event {
            EventKind::AgendaItemAdded { item } => seen_items.push(item.clone()),
            EventKind::CheckedIn {
                participant: Some(p),
            } => seen_present.push(*p),
            _ => {}
        }
    }
    let prefix: Vec<_> = view.agenda.iter().take(seen_items.len()).cloned().collect();
    assert_eq!(
        prefix, seen_items,
        "the agenda the chair saw before the crash"
    );
    assert!(seen_present
        .iter()
        .all(|p| view.attendance.present_ids.contains(p)));

    // The log itself: resuming from where the chair started gives back what it saw, byte for byte.
    let follower = Follower::resuming_from(chair_from);
    let (mut chair, first) = Tablet::rejoin(
        &hub.ws_url(),
        &m.chair.token,
        follower,
        Some(chair_from),
        None,
    )
    .await;
    match first {
        HubFrame::Resumed {
            from, seq: upto, ..
        } => {
            assert_eq!((from, upto), (chair_from, seq));
            chair.events_until(upto).await;
            let replayed: Vec<_> = chair
                .follower
                .events()
                .iter()
                .take(chair_saw.events().len())
                .cloned()
                .collect();
            assert_eq!(
                replayed,
                chair_saw.events(),
                "the log replayed after the crash differs"
            );
        }
        other => panic!("expected `resumed` from {chair_from}, got {other:?}"),
    }

    // The hub carries on: the next command gets the next seq, and an acknowledged command
    // re-sent after the crash (its ack lost, say) is not recorded twice.
    let (mut sec, first) = hub.join(&m.secretariat.token, None).await;
    let (now, _, _) = expect_snapshot(first);
    assert_eq!(now, seq);
    let add = Command::AddAgendaItem {
        title: "Sau sự cố".into(),
        description: String::new(),
    };
    assert_eq!(sec.ok("after-crash", add).await, seq + 1);
    // Ids are the sender's own: re-send one of the meeting secretariat's and one of the office's.
    let (mut office, _) = hub.join(hub.office_token(), Some(m.id)).await;
    for (prefix, tablet) in [("w1-", &mut sec), ("w0-", &mut office)] {
        let old = acked
            .iter()
            .find(|a| a.id.starts_with(prefix))
            .expect("an acked item");
        let again = tablet.ok(&old.id, old.command.clone()).await;
        assert_eq!(again, old.seq, "re-sent {} after the crash", old.id);
    }
    assert_eq!(hub.meeting_state(m.id, hub.office_token()).await.0, seq + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_live_connections_and_keeps_the_meeting() {
    let mut hub = TestHub::start_process().await;
    let m = hub.meeting_with(3).await;
    let add = Command::AddAgendaItem {
        title: "Báo cáo tổng kết".into(),
        description: String::new(),
    };
    hub.office_command(m.id, "item-1", &add).await;
    let (mut tablet, first) = hub.join(&m.delegates[0].token, None).await;
    expect_snapshot(first);
    tablet.until_checked_in(m.delegates[0].id()).await;
    let before = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(tablet.follower.last_seq(), before.0);
    let reader = tokio::spawn(async move {
        let frames = tablet.until_closed().await;
        (tablet.follower, frames)
    });

    let status = hub.terminate().await;
    assert!(
        status.success(),
        "the hub should exit cleanly on SIGTERM: {status:?}"
    );
    let (follower, frames) = guard("the tablet to be closed", reader).await.unwrap();
    for frame in frames {
        if let HubFrame::Error(e) = frame {
            assert_eq!(e.code, protocol::ErrorCode::ShuttingDown, "{e:?}");
        }
    }
    hub.restart().await;
    assert_eq!(hub.meeting_state(m.id, hub.office_token()).await, before);
    let token = &m.delegates[0].token;
    let (_, first) = Tablet::rejoin(&hub.ws_url(), token, follower, Some(before.0), None).await;
    match first {
        HubFrame::Resumed { from, seq, .. } => assert_eq!((from, seq), (before.0, before.0)),
        other => panic!("expected to resume at {}, got {other:?}", before.0),
    }
}
