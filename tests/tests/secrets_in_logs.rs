//! Issue 13, finding 7: nothing secret reaches the hub's log at any level, and a text
//! frame that is not UTF-8 closes with 1007 (RFC 6455 §7.4.1), not 1002.

use futures_util::{SinkExt, StreamExt};
use meeting_tests::http::Request;
use meeting_tests::{expect_snapshot, guard, TestHub};
use protocol::{ClientFrame, Command, MeetingId};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_trace_level_no_token_and_no_secret_choice_reaches_the_log() {
    let mut hub = TestHub::start_process_logging(Some("trace")).await;
    let m = hub.meeting_with(2).await;
    let delegate = &m.delegates[0];
    // A token in hello, a token in the cookie of the upgrade, a token as Bearer, a token in
    // the join link's path, and a note's text that only its author may read.
    let (mut tablet, first) = hub.join(&delegate.token, None).await;
    expect_snapshot(first);
    let (_, first) = hub.join(hub.office_token(), Some(m.id)).await;
    expect_snapshot(first);
    let secret = "GHI-CHU-RIENG-trace-9d41";
    let note = Command::SaveNote {
        note: None,
        document: "Dự thảo".into(),
        page: None,
        text: secret.into(),
    };
    tablet.ok("note-1", note).await;
    let join = hub
        .request(Request::new("GET", &format!("/j/{}", m.delegates[1].token)))
        .await;
    assert_eq!(join.status, 303, "{}", join.text());
    let r = hub
        .request(
            Request::new("GET", &format!("/api/v1/meetings/{}", m.id))
                .header("Cookie", format!("hub_token={}", m.chair.token)),
        )
        .await;
    assert_eq!(r.status, 200);
    hub.stop().await;

    let log = hub.whole_log();
    assert!(
        log.contains("TRACE") && log.contains("command frame"),
        "the hub did log at trace level:\n{log}"
    );
    let secrets = [
        delegate.token.as_str(),
        hub.office_token(),
        m.delegates[1].token.as_str(),
        m.chair.token.as_str(),
        secret,
    ];
    for s in secrets {
        // As text, and as the hex a frame dump prints.
        let hex = hex::encode(s.as_bytes());
        assert!(!log.contains(s), "{s} is in the log");
        assert!(!log.contains(&hex), "{s} is in the log in hex");
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a raw WebSocket, says hello as `token`, waits for the snapshot.
async fn greeted(hub: &TestHub, token: &str, meeting: Option<MeetingId>) -> Ws {
    let (mut ws, _) = guard(
        "the WebSocket",
        tokio_tungstenite::connect_async(hub.ws_url()),
    )
    .await
    .expect("the upgrade");
    let hello = ClientFrame::Hello {
        token: Some(token.to_owned()),
        resume_from: None,
        meeting,
    };
    ws.send(Message::text(serde_json::to_string(&hello).unwrap()))
        .await
        .unwrap();
    loop {
        let m = guard("the snapshot", ws.next())
            .await
            .expect("a frame")
            .unwrap();
        if m.to_text().is_ok_and(|t| t.contains("\"snapshot\"")) {
            return ws;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let mut ws = greeted(&hub, &m.delegates[0].token, None).await;
    let bad = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    ws.send(Message::Frame(bad)).await.unwrap();
    let code = guard("the close", async {
        while let Some(message) = ws.next().await {
            match message {
                Ok(Message::Close(Some(frame))) => return Some(u16::from(frame.code)),
                Ok(Message::Close(None)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
        None
    })
    .await;
    assert_eq!(code, Some(1007), "invalid payload data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_meeting_from_a_delegate_is_refused_by_role_on_every_route() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let create = Command::CreateMeeting {
        title: "Họp riêng".into(),
        venue: String::new(),
        starts_at: None,
        quorum: None,
    };
    let r = hub
        .rest_command(m.id, &m.delegates[0].token, "c-1", &create)
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.error_code().as_deref(), Some("forbidden"));
    assert!(!r.text().contains("exists already"), "{}", r.text());
    let body = serde_json::json!({"title": "Họp riêng"});
    let r = hub
        .post("/api/v1/meetings", &m.delegates[0].token, &body)
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let (mut tablet, first) = hub.join(&m.delegates[0].token, None).await;
    expect_snapshot(first);
    tablet
        .refused("c-2", create, protocol::ErrorCode::Forbidden)
        .await;
}
