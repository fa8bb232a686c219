//! Incoming documents and petitions on a real hub: the secretariat registers a petition
//! and forwards it to two leaders; they read it and give directions live; a leader it was
//! not forwarded to never hears of it and may not act on it.

use meeting_tests::{expect_snapshot, TestHub};
use protocol::incoming::{IncomingKind, IncomingStatus};
use protocol::opinions::Attachment;
use protocol::{Command, ErrorCode, EventKind, Timestamp};
use std::time::{SystemTime, UNIX_EPOCH};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_petition_is_forwarded_directed_and_closed_and_only_its_leaders_see_it() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let (mut office, first) = hub.join(&m.secretariat.token, None).await;
    expect_snapshot(first);
    let (mut a, _) = hub.join(&m.delegates[0].token, None).await;
    let (mut b, _) = hub.join(&m.delegates[1].token, None).await;
    let (mut outsider, _) = hub.join(&m.delegates[2].token, None).await;

    let register = Command::RegisterIncoming {
        kind: IncomingKind::Petition,
        number: "37/ĐT".into(),
        sender: "Bà Trần Thị Mai, thôn Đông".into(),
        subject: "Đơn đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất".into(),
        file: Some(Attachment {
            name: "don-de-nghi.pdf".into(),
            sha256: None,
        }),
    };
    let seq = office.ok("register", register).await;
    office.events_until(seq).await;
    let item = match &office.follower.events().last().unwrap().event {
        EventKind::IncomingRegistered { item } => item.id,
        other => panic!("{other:?}"),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let forward = Command::ForwardIncoming {
        item,
        to: vec![m.delegates[0].id(), m.delegates[1].id()],
        due: Some(Timestamp(now + 7 * 86_400_000)),
        note: "Kính chuyển các đồng chí cho ý kiến chỉ đạo".into(),
    };
    let forwarded = office.ok("forward", forward).await;
    for leader in [&mut a, &mut b] {
        let seen = leader.events_until(forwarded).await;
        let got = seen.iter().any(|e| {
            matches!(&e.event, EventKind::IncomingForwarded { item: i } if i.id == item && i.subject.contains("giấy chứng nhận"))
        });
        assert!(
            got,
            "a leader receives the item in full when it is forwarded"
        );
    }
    a.ok("read", Command::ReadIncoming { item }).await;
    a.ok(
        "direct",
        Command::DirectIncoming {
            item,
            text: "Giao UBND huyện kiểm tra, trả lời công dân".into(),
        },
    )
    .await;
    outsider
        .refused(
            "not-mine",
            Command::DirectIncoming {
                item,
                text: "x".into(),
            },
            ErrorCode::Forbidden,
        )
        .await;
    let last = b
        .ok(
            "direct",
            Command::DirectIncoming {
                item,
                text: "Đồng ý".into(),
            },
        )
        .await;
    let (_, view) = hub.meeting_state(m.id, &m.delegates[0].token).await;
    assert_eq!(view.incoming[0].status, IncomingStatus::Answered);
    let closed = office
        .ok(
            "close",
            Command::CloseIncoming {
                item,
                note: "Đã trả lời".into(),
            },
        )
        .await;
    assert!(closed > last);
    let seen_by_b = b.events_until(closed).await;
    assert!(seen_by_b
        .iter()
        .any(|e| matches!(e.event, EventKind::IncomingClosed { .. })));

    let (_, view) = hub.meeting_state(m.id, &m.secretariat.token).await;
    let kept = &view.incoming[0];
    assert_eq!(kept.status, IncomingStatus::Closed);
    assert_eq!(
        kept.history.len(),
        6,
        "registered, forwarded, read, directed ×2, closed"
    );

    outsider.assert_alive().await;
    for e in outsider.follower.events() {
        let name = format!("{:?}", e.event);
        assert!(
            !name.starts_with("Incoming"),
            "the outsider received {name}"
        );
    }
    let (_, view) = hub.meeting_state(m.id, &m.delegates[2].token).await;
    assert!(view.incoming.is_empty());
    let (_, view) = hub.meeting_state(m.id, &m.projector.token).await;
    assert!(view.incoming.is_empty());
}
