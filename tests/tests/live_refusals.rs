//! What the hub refuses on its live WebSocket, and that refusing changes nothing: bad
//! frames, bad tokens, foreign origins, forbidden commands, repeated commands, revoked
//! badges.

use meeting_tests::{expect_error, expect_snapshot, guard, Tablet, TestHub};
use protocol::{ClientFrame, Command, ErrorCode, EventKind, HubFrame};
use tablet_client::{ClientError, Connection, Follower};

async fn first_item(hub: &TestHub, meeting: protocol::MeetingId) -> protocol::AgendaItemId {
    let add = Command::AddAgendaItem {
        title: "Báo cáo kiểm điểm".into(),
        description: String::new(),
    };
    hub.office_command(meeting, "setup-item", &add).await;
    hub.meeting_state(meeting, hub.office_token())
        .await
        .1
        .agenda[0]
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_and_forbidden_commands_get_errors_and_change_nothing() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let item = first_item(&hub, m.id).await;
    hub.office_command(m.id, "setup-session", &Command::StartSession)
        .await;
    let d = &m.delegates[0];
    let (mut tablet, first) = hub.join(&d.token, None).await;
    expect_snapshot(first);
    tablet.until_checked_in(d.id()).await;
    // The second tablet joins (and is checked in) before the state is taken as the baseline.
    let (mut big, first) = hub.join(&m.delegates[1].token, None).await;
    expect_snapshot(first);
    big.until_checked_in(m.delegates[1].id()).await;
    let (before, view_before) = hub.meeting_state(m.id, hub.office_token()).await;
    // The last event is the other delegate's check-in, which this tablet does not hear
    // (PROTOCOL.md §1.5): a ping's answer comes after whatever it was sent.
    tablet.assert_alive().await;

    tablet.conn.send_text("{not json").await.unwrap();
    let e = tablet.error().await;
    assert_eq!((e.code, e.id.clone()), (ErrorCode::BadFrame, None), "{e:?}");
    tablet
        .conn
        .send_text(r#"{"type":"vote_twice","id":"x"}"#)
        .await
        .unwrap();
    assert_eq!(tablet.error().await.code, ErrorCode::UnknownType);
    tablet
        .conn
        .send_text(r#"{"type":"command","id":"c-bad","command":{"op":"launch"}}"#)
        .await
        .unwrap();
    let e = tablet.error().await;
    assert_eq!(e.code, ErrorCode::BadFrame);
    assert_eq!(
        e.id.as_ref().map(|i| i.as_str()),
        Some("c-bad"),
        "the error names the command"
    );
    let hello = ClientFrame::Hello {
        token: Some(d.token.clone()),
        resume_from: None,
        meeting: None,
    };
    tablet.conn.send(&hello).await.unwrap();
    assert_eq!(tablet.error().await.code, ErrorCode::AlreadyGreeted);
    tablet
        .refused(
            "d-start",
            Command::StartAgendaItem { item },
            ErrorCode::Forbidden,
        )
        .await;
    tablet
        .refused("d-adjourn", Command::Adjourn, ErrorCode::Forbidden)
        .await;
    let add = Command::AddAgendaItem {
        title: "Của tôi".into(),
        description: String::new(),
    };
    tablet.refused("d-add", add, ErrorCode::Forbidden).await;
    tablet.assert_alive().await;

    // A frame over 64 KiB, on the second tablet: refused by code; the hub may then hang up.
    let pad = "x".repeat(70 * 1024);
    big.conn
        .send_text(format!(r#"{{"type":"ping","pad":"{pad}"}}"#))
        .await
        .unwrap();
    loop {
        match big.next().await {
            Ok(HubFrame::Event(_)) => continue,
            Ok(HubFrame::Error(e)) => {
                assert_eq!(e.code, ErrorCode::FrameTooLarge, "{e:?}");
                break;
            }
            other => panic!("expected frame_too_large, got {other:?}"),
        }
    }

    let (after, view_after) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(after, before, "refused frames changed the meeting");
    assert_eq!(view_after, view_before);
    tablet.assert_alive().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tokens_and_commands_before_hello_are_refused() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;

    let mut early = Tablet::open(&hub.ws_url(), Follower::new()).await;
    let id = protocol::CommandId::try_from("too-early").unwrap();
    let command = ClientFrame::Command {
        id,
        command: Command::StartSession,
        pin: None,
    };
    early.conn.send(&command).await.unwrap();
    assert_eq!(early.error().await.code, ErrorCode::HelloRequired);

    for token in ["not-a-token", "", &format!("{}x", m.delegates[0].token)] {
        let (_, first) = hub.join(token, None).await;
        assert_eq!(
            expect_error(first).code,
            ErrorCode::BadToken,
            "token {token:?}"
        );
    }
    let mut conn = guard("open", Connection::open(&hub.ws_url()))
        .await
        .unwrap();
    let refused = guard("join", conn.join("not-a-token", None, None))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::BadToken), "{refused}");
    let r = hub
        .get(&format!("/api/v1/meetings/{}", m.id), "not-a-token")
        .await;
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (401, Some("bad_token")),
        "{}",
        r.text()
    );
    assert_eq!(hub.meeting_state(m.id, hub.office_token()).await.0, seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_is_refused_and_the_hubs_own_is_not() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let url = hub.ws_url();
    let foreign = Connection::open_with_headers(&url, &[("Origin", "http://evil.example")]).await;
    match foreign {
        Err(ClientError::UpgradeRefused { status, .. }) => assert_eq!(status, 403),
        other => panic!("a foreign origin should get HTTP 403, got {other:?}"),
    }
    let own = format!("http://{}", hub.addr());
    let mut conn = guard(
        "same-origin upgrade",
        Connection::open_with_headers(&url, &[("Origin", &own)]),
    )
    .await
    .expect("the hub's own origin is accepted");
    let first = guard("hello", conn.hello(&m.delegates[0].token, None, None))
        .await
        .unwrap();
    expect_snapshot(first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_sent_twice_is_recorded_once() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let (mut chair, _) = hub.join(&m.chair.token, None).await;
    let (mut sec, _) = hub.join(&m.secretariat.token, None).await;
    let add = |title: &str| Command::AddAgendaItem {
        title: title.into(),
        description: String::new(),
    };

    let first = sec.ok("dup-1", add("Mục một")).await;
    assert_eq!(
        sec.ok("dup-1", add("Mục một")).await,
        first,
        "same id, same ack"
    );
    // The same id again from a new connection, as a tablet that lost its Wi-Fi would.
    let (mut retry, _) = hub.join(&m.secretariat.token, None).await;
    assert_eq!(
        retry.ok("dup-1", add("Mục một")).await,
        first,
        "same ack after reconnecting"
    );
    let next = sec.ok("dup-2", add("Mục hai")).await;
    assert_eq!(next, first + 1, "the repeats produced no events");

    chair.events_until(next).await;
    let added: Vec<u64> = chair
        .follower
        .events()
        .iter()
        .filter(|e| matches!(e.event, EventKind::AgendaItemAdded { .. }))
        .map(|e| e.seq)
        .collect();
    assert_eq!(added, vec![first, next]);

    // The REST endpoint shares the engine and the idempotency.
    let r1 = hub.office_command(m.id, "rest-dup", &add("Mục ba")).await;
    let r2 = hub.office_command(m.id, "rest-dup", &add("Mục ba")).await;
    assert_eq!((r1, r2), (next + 1, next + 1));
    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(seq, next + 1);
    let titles: Vec<&str> = view.agenda.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Mục một", "Mục hai", "Mục ba"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_and_reissued_tokens_stop_working_at_once() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let (d1, d2) = (&m.delegates[0], &m.delegates[1]);

    let (mut revoked, first) = hub.join(&d1.token, None).await;
    expect_snapshot(first);
    hub.revoke_token(m.id, d1.id()).await;
    for frame in revoked.until_closed().await {
        if let HubFrame::Error(e) = frame {
            assert_eq!(e.code, ErrorCode::BadToken, "{e:?}");
        }
    }
    let (_, first) = hub.join(&d1.token, None).await;
    assert_eq!(expect_error(first).code, ErrorCode::BadToken);

    let (mut old, first) = hub.join(&d2.token, None).await;
    expect_snapshot(first);
    let fresh = hub.reissue_token(m.id, d2.id()).await;
    assert_ne!(fresh, d2.token);
    old.until_closed().await;
    let (_, first) = hub.join(&d2.token, None).await;
    assert_eq!(expect_error(first).code, ErrorCode::BadToken);
    let (_, first) = hub.join(&fresh, None).await;
    let (_, me, _) = expect_snapshot(first);
    assert_eq!(me.participant, Some(d2.id()));
}
