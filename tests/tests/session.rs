//! The native client's session over a link the test degrades: it misses nothing across a
//! cut, and a command whose answer is lost is re-sent under the same id and takes effect
//! exactly once.

use meeting_tests::relay::Relay;
use meeting_tests::{guard, TestHub};
use protocol::{Command, EventKind, HubFrame};
use std::time::Duration;
use tablet_client::{Follower, JoinUrl, Session};

fn item(title: &str) -> Command {
    Command::AddAgendaItem {
        title: title.into(),
        description: String::new(),
    }
}

/// Reads frames until the session has seen `seq`.
async fn follow_to(session: &mut Session, seq: u64) {
    while session.follower().last_seq() < seq {
        guard("the session to catch up", session.next())
            .await
            .expect("the session follows");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_resumes_across_a_cut_and_a_lost_answer_counts_once() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let relay = Relay::start(hub.addr()).await;
    let via_relay = m
        .secretariat
        .join_url
        .replace(&hub.addr().to_string(), &relay.addr.to_string());
    let join = JoinUrl::parse(&via_relay).expect("the badge's URL parses");
    let mut session = Session::join(join, Follower::new(), Duration::from_secs(10))
        .await
        .expect("joins");
    let first = session.next().await.unwrap();
    assert!(matches!(first, HubFrame::Snapshot { .. }), "{first:?}");

    // Events before and after a cut: the session reconnects, resumes, and misses nothing.
    for n in 0..3 {
        hub.office_command(m.id, &format!("before-{n}"), &item(&format!("Mục {n}")))
            .await;
    }
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
    follow_to(&mut session, seq).await;
    relay.cut();
    for n in 3..6 {
        hub.office_command(m.id, &format!("after-{n}"), &item(&format!("Mục {n}")))
            .await;
    }
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
    follow_to(&mut session, seq).await;
    assert_eq!(session.connections, 2, "one reconnect");
    let seen: Vec<u64> = session.follower().events().iter().map(|e| e.seq).collect();
    let first_seen = seen[0];
    assert_eq!(
        seen,
        (first_seen..=seq).collect::<Vec<_>>(),
        "every event once, in order, across the cut"
    );

    // A command whose ack is lost: the hub records it, the tablet never hears back, the
    // link drops; the session re-sends under the same id and gets the first outcome.
    relay.swallow_replies(true);
    let task = tokio::spawn(async move {
        let answer = session.command(item("Bế mạc")).await;
        (session, answer)
    });
    let recorded_at = guard("the hub to record the command", async {
        loop {
            let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
            if view.agenda.iter().any(|i| i.title == "Bế mạc") {
                return seq;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    relay.cut();
    let (mut session, answer) = guard("the re-sent command's answer", task).await.unwrap();
    assert_eq!(
        answer.expect("acknowledged after the re-send"),
        recorded_at,
        "the first outcome"
    );
    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(seq, recorded_at, "the re-send changed nothing");
    assert_eq!(
        view.agenda.iter().filter(|i| i.title == "Bế mạc").count(),
        1,
        "added exactly once"
    );
    follow_to(&mut session, seq).await;
    let added = session
        .follower()
        .events()
        .iter()
        .filter(
            |e| matches!(&e.event, EventKind::AgendaItemAdded { item } if item.title == "Bế mạc"),
        )
        .count();
    assert_eq!(added, 1, "the tablet saw it once");
    assert_eq!(session.connections, 3);
}
