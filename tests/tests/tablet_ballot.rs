//! A ballot cast from the native client as the Wi-Fi fails: the hub records it, the ack is
//! lost, the link drops; the tablet reconnects and re-sends the same command id, gets the
//! first outcome (the secret ballot's receipt included) and the hub counts one ballot.

use meeting_tests::relay::Relay;
use meeting_tests::{guard, TestHub};
use protocol::{Command, CommandId, EventKind, PollKind, PollSpec};
use std::time::Duration;
use tablet_client::{Follower, JoinUrl, Session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_whose_ack_is_lost_is_re_sent_and_counted_once() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    let relay = Relay::start(hub.addr()).await;
    let url = m.delegates[0]
        .join_url
        .replace(&hub.addr().to_string(), &relay.addr.to_string());
    let mut session = Session::join(
        JoinUrl::parse(&url).unwrap(),
        Follower::new(),
        Duration::from_secs(10),
    )
    .await
    .expect("joins");
    // Joining an open meeting checks the delegate in: wait for it before voting.
    guard("the delegate's check-in", async {
        loop {
            let frame = session.next().await.expect("the session follows");
            if let protocol::HubFrame::Event(e) = frame {
                if matches!(e.event, EventKind::CheckedIn { participant: Some(p) } if p == m.delegates[0].id())
                {
                    break;
                }
            }
        }
    })
    .await;

    let spec = PollSpec {
        title: "Biểu quyết thông qua Nghị quyết Đại hội".into(),
        item: None,
        kind: PollKind::Motion,
        secret: true,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    };
    hub.office_command(m.id, "create", &Command::CreatePoll { poll: spec })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = view.polls[0].poll.id;
    hub.office_command(m.id, "open", &Command::OpenPoll { poll })
        .await;

    // The hub's answers are swallowed from here: the ballot arrives, its ack does not.
    relay.swallow_replies(true);
    let id = CommandId::try_from(format!("b-{}", uuid_like())).unwrap();
    let ballot = Command::CastBallot {
        poll,
        choices: vec![0],
        on_behalf_of: None,
    };
    let task = tokio::spawn(async move {
        let answer = session.command_as(id, ballot).await;
        (session, answer)
    });
    guard("the hub to record the ballot", async {
        loop {
            let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
            if view.polls[0].ballots_in == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    relay.cut();
    let (session, answer) = guard("the re-sent ballot's answer", task).await.unwrap();
    let answer = answer.expect("the re-send is acknowledged");
    assert!(
        session.connections >= 2,
        "it was re-sent on a new connection"
    );
    let receipt = answer
        .receipt
        .expect("the first outcome: the secret ballot's receipt");
    assert_eq!(receipt.len(), 10, "{receipt}");

    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = &view.polls[0];
    assert_eq!(p.ballots_in, 1, "counted once");
    let result = p.result.as_ref().expect("the secretariat sees the result");
    assert_eq!(result.ballots, 1);
    assert_eq!(result.tallies[0], 1, "tán thành");
}

/// A random id: a secret ballot's command id must not hint at the voter or the order.
fn uuid_like() -> String {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
