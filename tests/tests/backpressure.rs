//! A tablet that stops reading must not slow the others: its queue is bounded, it is
//! dropped with `lagged` when the queue overflows, and it resumes from its last sequence
//! number without losing an event.

use meeting_tests::{expect_snapshot, guard, Tablet, TestHub, TEST_CONFIG};
use protocol::{ClientFrame, Command, CommandId, ErrorCode, EventKind, HubFrame};
use tablet_client::{ClientError, Follower};

/// Events of about 4 KB each; enough of them to fill the slow tablet's socket buffers and
/// the hub's bounded queue, and fewer than the 5,000 a resume replays.
const UPDATES: usize = 4500;
/// Commands sent before waiting for their acks, under the hub's in-flight limit of 32.
const WAVE: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_that_stops_reading_is_dropped_and_resumes_while_others_keep_up() {
    let dir = tempfile::tempdir().unwrap();
    let limits =
        "[limits]\nclient_queue = 16\ncommands_per_second = 100000\ncommand_burst = 100000\n\
                  sender_commands_per_second = 100000\nsender_command_burst = 100000\n";
    std::fs::write(dir.path().join(TEST_CONFIG), limits).unwrap();
    let hub = TestHub::start_in(dir).await;
    let meeting = hub.meeting_with(2).await;
    let item = {
        let add = Command::AddAgendaItem {
            title: "Thảo luận".into(),
            description: String::new(),
        };
        hub.office_command(meeting.id, "item", &add).await;
        hub.meeting_state(meeting.id, hub.office_token())
            .await
            .1
            .agenda[0]
            .id
    };
    let url = hub.ws_url();

    let (mut slow, first) = Tablet::join(&url, &meeting.delegates[0].token, None, None).await;
    expect_snapshot(first);
    let (mut steady, first) = Tablet::join(&url, &meeting.delegates[1].token, None, None).await;
    expect_snapshot(first);
    let (mut secretariat, first) = Tablet::join(&url, &meeting.secretariat.token, None, None).await;
    expect_snapshot(first);

    // The steady tablet reads everything as it comes, in its own task.
    let steady_task = tokio::spawn(async move {
        let mut updates = 0;
        while updates < UPDATES {
            match steady.frame().await {
                HubFrame::Event(e) if matches!(e.event, EventKind::AgendaItemUpdated { .. }) => {
                    updates += 1
                }
                HubFrame::Event(_) => {}
                other => panic!("the steady tablet got {other:?}"),
            }
        }
        steady
    });

    // The secretariat rewrites the item's description UPDATES times; the slow tablet reads nothing.
    let mut last_seq = 0;
    for wave in 0..UPDATES / WAVE {
        for n in 0..WAVE {
            let k = wave * WAVE + n;
            let fill = if k.is_multiple_of(2) { 'a' } else { 'b' };
            let command = Command::UpdateAgendaItem {
                item,
                title: None,
                description: Some(fill.to_string().repeat(4000)),
            };
            let id = CommandId::try_from(format!("u{k}")).unwrap();
            secretariat
                .conn
                .send(&ClientFrame::Command {
                    id,
                    command,
                    pin: None,
                })
                .await
                .unwrap();
        }
        let mut acks = 0;
        while acks < WAVE {
            match secretariat.frame().await {
                HubFrame::Ack { seq, .. } => {
                    acks += 1;
                    last_seq = last_seq.max(seq);
                }
                HubFrame::Event(_) => {}
                other => panic!("the secretariat got {other:?}"),
            }
        }
    }

    let mut steady = guard("the steady tablet to see every update", steady_task)
        .await
        .unwrap();
    assert_eq!(
        steady.follower.last_seq(),
        last_seq,
        "the reading tablet kept up and was never dropped"
    );
    steady.assert_alive().await;

    // The slow tablet now reads what was buffered for it, then finds the connection gone.
    // The hub says `lagged` when the socket still takes a frame; a tablet that reads
    // nothing at all is cut off once a write has waited too long, with no room to say why.
    let mut last_frame = None;
    loop {
        match slow.next().await {
            Ok(frame) => last_frame = Some(frame),
            Err(ClientError::Closed { .. } | ClientError::WebSocket(_)) => break,
            Err(e) => panic!("the slow tablet's connection ended oddly: {e}"),
        }
    }
    if let Some(HubFrame::Error(e)) = &last_frame {
        assert_eq!(
            e.code,
            ErrorCode::Lagged,
            "the only error it may get is lagged"
        );
    }
    let resume_from = slow.follower.last_seq();
    assert!(
        resume_from < last_seq,
        "it was dropped before the end ({resume_from} of {last_seq})"
    );

    // Resuming brings it to the end with nothing missing (the follower checks every seq).
    let follower = std::mem::replace(&mut slow.follower, Follower::new());
    let (mut back, first) = Tablet::rejoin(
        &url,
        &meeting.delegates[0].token,
        follower,
        Some(resume_from),
        None,
    )
    .await;
    let HubFrame::Resumed { from, .. } = first else {
        panic!("expected resumed, got {first:?}")
    };
    assert_eq!(from, resume_from);
    back.events_until(last_seq).await;
    assert_eq!(back.follower.last_seq(), last_seq);
    back.assert_alive().await;
}
