//! A secret ballot cast from the native client as the Wi-Fi fails: the tablet encrypts it,
//! the hub checks its proofs and records it, the ack is lost, the link drops; the tablet
//! reconnects and re-sends the same command (same id, same encrypted ballot), gets the
//! first outcome (the receipt included) and the box holds the ballot once: the committee
//! opens a count of one.

use meeting_tests::relay::Relay;
use meeting_tests::sealed::{self, ballot_id};
use meeting_tests::{guard, TestHub};
use protocol::{Command, PollKind};
use std::time::Duration;
use tablet_client::sealed::{os_rng, PollSeal};
use tablet_client::{Follower, JoinUrl, Session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_ballot_whose_ack_is_lost_is_re_sent_and_counted_once() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(4).await;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    let committee = &m.delegates[1..3];
    let keys = sealed::make_committee(&hub, m.id, committee, 2).await;
    let poll = sealed::open_poll(
        &hub,
        m.id,
        "p",
        sealed::spec(
            "Biểu quyết thông qua Nghị quyết Đại hội",
            PollKind::Motion,
            true,
        ),
    )
    .await;

    let relay = Relay::start(hub.addr()).await;
    let url = format!("http://{}/j/{}", relay.addr, m.delegates[0].token);
    let mut session = Session::join(
        JoinUrl::parse(&url).unwrap(),
        Follower::new(),
        Duration::from_secs(10),
    )
    .await
    .expect("joins");
    let protocol::HubFrame::Snapshot { view, .. } = session.next().await.unwrap() else {
        panic!("no snapshot");
    };
    sealed::until_checked_in(&mut session, &view, m.delegates[0].id()).await;
    let vote = PollSeal::of(&view, poll)
        .expect("the poll's seal")
        .encrypt(&[0], &mut os_rng().unwrap())
        .expect("tán thành");

    // The hub's answers are swallowed from here: the ballot arrives, its ack does not.
    relay.swallow_replies(true);
    let (id, command) = (ballot_id(), vote.command());
    let task = tokio::spawn(async move {
        let answer = session.command_as(id, command).await;
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
    assert_eq!(
        answer.receipt.as_deref(),
        Some(vote.receipt.as_str()),
        "the first outcome: the receipt of the ballot the tablet sent"
    );

    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = &view.polls[0];
    assert_eq!(p.ballots_in, 1, "one voter recorded");
    assert_eq!(
        p.sealed_box.as_ref().unwrap().ballots,
        1,
        "one ballot in the box"
    );
    for (member, key) in committee.iter().zip(&keys) {
        sealed::give_share(&hub, m.id, poll, member, key)
            .await
            .expect("a member's share");
    }
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let result = view.polls[0].result.as_ref().expect("counted");
    assert_eq!(result.ballots, 1);
    assert_eq!(result.tallies, vec![1, 0, 0], "tán thành, once");
}
