//! Incoming documents and petitions on a real hub: the secretariat registers a petition
//! and forwards it to two leaders; they read it and give directions live; a leader it was
//! not forwarded to never hears of it and may not act on it.

use meeting_tests::files::{sha256_hex, test_bytes, upload, Part};
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

    // The scanned petition is uploaded first, then named by its hash.
    let scan = test_bytes(300_000, 37);
    let path = format!("/api/v1/meetings/{}/files", m.id);
    let parts = [Part::File(
        "file",
        "Đơn đề nghị 37.pdf",
        "application/pdf",
        &scan,
    )];
    let stored = hub
        .request(upload(&path, &m.secretariat.token, &parts))
        .await;
    assert_eq!(stored.status, 201, "{}", stored.text());
    let stored = stored.json();
    assert_eq!(stored["sha256"], sha256_hex(&scan));
    assert_eq!(stored["size"], scan.len());
    let not_office = hub
        .request(upload(&path, &m.delegates[0].token, &parts))
        .await;
    assert_eq!(not_office.status, 403, "only the secretariat uploads files");

    let register = Command::RegisterIncoming {
        kind: IncomingKind::Petition,
        number: "37/ĐT".into(),
        sender: "Bà Trần Thị Mai, thôn Đông".into(),
        subject: "Đơn đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất".into(),
        file: Some(Attachment {
            name: stored["name"].as_str().unwrap().into(),
            sha256: Some(sha256_hex(&scan)),
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
    // The leaders it went to, and only they, download the file.
    let file = format!("/api/v1/meetings/{}/incoming/{item}/file", m.id);
    let got = hub.get(&file, &m.delegates[0].token).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(sha256_hex(&got.body), sha256_hex(&scan));
    assert!(got
        .header("content-disposition")
        .is_some_and(|d| d.contains("filename*=UTF-8''%C4%90%C6%A1n")));
    let refused = hub.get(&file, &m.delegates[2].token).await;
    assert_eq!(refused.status, 404, "the outsider is not told it exists");
    assert_eq!(
        hub.get(&file, &m.projector.token).await.status,
        404,
        "nor is the projector"
    );

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_named_in_commands_must_have_been_uploaded_and_reach_only_those_asked() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let (mut office, first) = hub.join(&m.secretariat.token, None).await;
    expect_snapshot(first);

    let made_up = "ab".repeat(32);
    let register = Command::RegisterIncoming {
        kind: IncomingKind::Document,
        number: "12/VBĐ".into(),
        sender: "Huyện ủy".into(),
        subject: "Công văn".into(),
        file: Some(Attachment {
            name: "cong-van.pdf".into(),
            sha256: Some(made_up.clone()),
        }),
    };
    office
        .refused("ghost-file", register, ErrorCode::Invalid)
        .await;
    let (_, view) = hub.meeting_state(m.id, &m.secretariat.token).await;
    assert!(
        view.incoming.is_empty(),
        "a refused command changes nothing"
    );

    // An opinion request carries an uploaded draft; the two asked download it, the third
    // participant cannot.
    let draft = test_bytes(50_000, 5);
    let path = format!("/api/v1/meetings/{}/files", m.id);
    let parts = [Part::File(
        "file",
        "Dự thảo nghị quyết.pdf",
        "application/pdf",
        &draft,
    )];
    let stored = hub
        .request(upload(&path, &m.secretariat.token, &parts))
        .await;
    assert_eq!(stored.status, 201, "{}", stored.text());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let ask = Command::CreateOpinionRequest {
        title: "Góp ý dự thảo".into(),
        description: String::new(),
        questions: vec!["Đồng ý với dự thảo?".into()],
        attachments: vec![Attachment {
            name: "Dự thảo nghị quyết.pdf".into(),
            sha256: Some(sha256_hex(&draft)),
        }],
        recipients: vec![m.delegates[0].id(), m.delegates[1].id()],
        deadline: Timestamp(now + 3_600_000),
    };
    let seq = office.ok("ask", ask).await;
    office.events_until(seq).await;
    let (_, view) = hub.meeting_state(m.id, &m.secretariat.token).await;
    let request = view.opinions[0].request.id;
    let attachment = format!("/api/v1/meetings/{}/opinions/{request}/attachments/1", m.id);
    for asked in [&m.delegates[0], &m.delegates[1]] {
        let got = hub.get(&attachment, &asked.token).await;
        assert_eq!(got.status, 200, "{}", got.text());
        assert_eq!(sha256_hex(&got.body), sha256_hex(&draft));
    }
    assert_eq!(
        hub.get(&attachment, &m.delegates[2].token).await.status,
        404
    );
    let second = format!("/api/v1/meetings/{}/opinions/{request}/attachments/2", m.id);
    assert_eq!(hub.get(&second, &m.secretariat.token).await.status, 404);
}
