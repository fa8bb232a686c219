//! Documents against a real hub: who may fetch what, recall (thu hồi), the public page,
//! downloads with Range / ETag, and the refusals bad input gets.

use meeting_tests::files::{self, Part};
use meeting_tests::http::Request;
use meeting_tests::{Tablet, TestHub, TEST_CONFIG};
use protocol::{Classification, Command, Document, DocumentId, EventKind, MeetingId};
use serde_json::Value;

/// Uploads a document as the office; returns it as the hub published it.
pub async fn publish(
    hub: &TestHub,
    meeting: MeetingId,
    title: &str,
    class: Classification,
    readers: &[String],
    file_name: &str,
    bytes: &[u8],
) -> Document {
    let path = format!("/api/v1/meetings/{meeting}/documents");
    let parts = [
        Part::Text("title", title.to_owned()),
        Part::Text("classification", class.as_str().to_owned()),
        Part::Text("readers", readers.join(",")),
        Part::File("file", file_name, "application/pdf", bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload {title}: {}", r.text());
    serde_json::from_value(r.json()["document"].clone()).expect("a document")
}

/// Reads events until one about `document` arrives.
async fn document_event(tablet: &mut Tablet, document: DocumentId) -> EventKind {
    loop {
        let e = tablet.event().await.event;
        match &e {
            EventKind::DocumentPublished { document: d }
            | EventKind::DocumentRevised { document: d }
            | EventKind::DocumentWithdrawn { document: d }
            | EventKind::DocumentRecalled { document: d }
                if d.id == document =>
            {
                return e
            }
            _ => {}
        }
    }
}

fn doc_path(meeting: MeetingId, doc: DocumentId) -> String {
    format!("/api/v1/meetings/{meeting}/documents/{doc}")
}

#[tokio::test]
async fn a_confidential_document_reaches_only_its_readers_and_nobody_after_a_recall() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let (reader, other) = (&m.delegates[0], &m.delegates[1]);
    let (mut reader_tablet, _) = hub.join(&reader.token, None).await;
    let (mut other_tablet, _) = hub.join(&other.token, None).await;

    let bytes = files::test_bytes(300_000, 7);
    let secret = publish(
        &hub,
        m.id,
        "Danh sách nhân sự dự kiến (Mật)",
        Classification::Confidential,
        &[reader.id().to_string()],
        "nhan-su.pdf",
        &bytes,
    )
    .await;
    let internal = publish(
        &hub,
        m.id,
        "Dự thảo Báo cáo chính trị",
        Classification::Internal,
        &[],
        "bao-cao.pdf",
        b"%PDF-1.7 internal",
    )
    .await;
    // The other delegate's next document event is the internal one: the secret never came.
    match document_event(&mut other_tablet, internal.id).await {
        EventKind::DocumentPublished { .. } => {}
        e => panic!("expected the internal document, got {e:?}"),
    }
    assert!(
        other_tablet
            .follower
            .events()
            .iter()
            .all(|e| !matches!(&e.event,
            EventKind::DocumentPublished { document } if document.id == secret.id)),
        "a delegate not named never hears of the confidential document"
    );
    match document_event(&mut reader_tablet, secret.id).await {
        EventKind::DocumentPublished { document } => {
            assert_eq!(document.readers, vec![reader.id()]);
            assert_eq!(
                document.current().unwrap().file.sha256,
                files::sha256_hex(&bytes)
            );
        }
        e => panic!("expected document_published, got {e:?}"),
    }
    let listed = hub
        .get(
            &format!("/api/v1/meetings/{}/documents", m.id),
            &other.token,
        )
        .await
        .json();
    assert_eq!(listed["documents"].as_array().unwrap().len(), 1, "{listed}");

    let path = doc_path(m.id, secret.id);
    let r = hub.get(&path, &other.token).await;
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (403, Some("forbidden"))
    );
    let r = hub.get(&path, &reader.token).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        files::sha256_hex(&r.body),
        secret.current().unwrap().file.sha256
    );

    let recall = Command::RecallDocuments {
        document: Some(secret.id),
    };
    hub.office_command(m.id, "recall-1", &recall).await;
    match document_event(&mut reader_tablet, secret.id).await {
        EventKind::DocumentRecalled { document } => {
            assert_eq!(document.status, protocol::DocumentStatus::Recalled)
        }
        e => panic!("expected document_recalled, got {e:?}"),
    }
    for token in [
        &reader.token,
        &other.token,
        &m.secretariat.token,
        hub.office_token(),
    ] {
        let status = hub.get(&path, token).await.status;
        assert!(matches!(status, 403 | 410), "after the recall: {status}");
    }
    assert_eq!(hub.get(&path, &reader.token).await.status, 410);
    assert_eq!(hub.get(&path, hub.office_token()).await.status, 410);

    // Closing the meeting recalls what is left, and downloads of it stop too.
    let late = publish(
        &hub,
        m.id,
        "Phương án nhân sự (Mật)",
        Classification::Confidential,
        &[reader.id().to_string()],
        "phuong-an.pdf",
        b"secret two",
    )
    .await;
    assert_eq!(
        hub.get(&doc_path(m.id, late.id), &reader.token)
            .await
            .status,
        200
    );
    hub.office_command(m.id, "close", &Command::CloseMeeting)
        .await;
    assert_eq!(
        hub.get(&doc_path(m.id, late.id), &reader.token)
            .await
            .status,
        410
    );
    assert_eq!(
        hub.get(&doc_path(m.id, internal.id), &other.token)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_public_page_lists_public_documents_only_and_serves_them_without_a_token() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let reader = m.delegates[0].id().to_string();
    let public = publish(
        &hub,
        m.id,
        "Chương trình Đại hội",
        Classification::Public,
        &[],
        "chuong-trinh.pdf",
        b"public bytes",
    )
    .await;
    let internal = publish(
        &hub,
        m.id,
        "Dự thảo Nghị quyết",
        Classification::Internal,
        &[],
        "nghi-quyet.pdf",
        b"internal bytes",
    )
    .await;
    let secret = publish(
        &hub,
        m.id,
        "Nhân sự (Mật)",
        Classification::Confidential,
        &[reader],
        "mat.pdf",
        b"secret bytes",
    )
    .await;

    let link = hub
        .get(
            &format!("/api/v1/meetings/{}/public", m.id),
            &m.delegates[1].token,
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.text());
    let url = link.json()["url"].as_str().unwrap().to_owned();
    let page_path = url
        .split_once("/p/")
        .map(|(_, l)| format!("/p/{l}"))
        .unwrap();
    let page = hub.request(Request::new("GET", &page_path)).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Chương trình Đại hội"), "{html}");
    assert!(
        !html.contains("Dự thảo Nghị quyết") && !html.contains("Nhân sự"),
        "{html}"
    );
    assert!(!html.contains(&internal.id.to_string()) && !html.contains(&secret.id.to_string()));

    let get = |doc: DocumentId| {
        hub.request(Request::new(
            "GET",
            Box::leak(format!("{page_path}/documents/{doc}").into_boxed_str()),
        ))
    };
    let r = get(public.id).await;
    assert_eq!((r.status, r.body.as_slice()), (200, &b"public bytes"[..]));
    assert_eq!(get(internal.id).await.status, 404);
    assert_eq!(get(secret.id).await.status, 404);
    let bad = hub.request(Request::new("GET", "/p/not-a-link")).await;
    assert_eq!(bad.status, 404);
}

#[tokio::test]
async fn downloads_resume_revalidate_and_refuse_bad_requests_with_readable_errors() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let other = hub.meeting_with(1).await;
    let token = &m.delegates[0].token;
    let bytes = files::test_bytes(100_000, 3);
    let doc = publish(
        &hub,
        m.id,
        "Báo cáo",
        Classification::Internal,
        &[],
        "../../Dự thảo Báo cáo.pdf",
        &bytes,
    )
    .await;
    let v1 = doc.current().unwrap().file.clone();
    assert_eq!(v1.file_name, "Dự thảo Báo cáo.pdf", "the path is gone");
    assert_eq!(v1.size, 100_000);
    let path = doc_path(m.id, doc.id);

    let full = hub.get(&path, token).await;
    assert_eq!(full.status, 200);
    assert_eq!(
        full.header("etag"),
        Some(format!("\"{}\"", v1.sha256).as_str())
    );
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    assert_eq!(full.header("content-type"), Some("application/pdf"));
    let disposition = full.header("content-disposition").unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''D%E1%BB%B1%20th%E1%BA%A3o"),
        "{disposition}"
    );

    let ranged = |range: &str| {
        Request::new("GET", &path)
            .bearer(token)
            .header("Range", range.to_owned())
    };
    let part = hub.request(ranged("bytes=1000-1999")).await;
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some("bytes 1000-1999/100000"));
    assert_eq!(part.body, &bytes[1000..2000]);
    let tail = hub.request(ranged("bytes=-10")).await;
    assert_eq!(tail.body, &bytes[99_990..]);
    let beyond = hub.request(ranged("bytes=100000-")).await;
    assert_eq!(beyond.status, 416);
    assert_eq!(beyond.header("content-range"), Some("bytes */100000"));
    assert_eq!(beyond.error_code().as_deref(), Some("invalid"));
    let etag = format!("\"{}\"", v1.sha256);
    let same = hub
        .request(
            Request::new("GET", &path)
                .bearer(token)
                .header("If-None-Match", etag),
        )
        .await;
    assert_eq!((same.status, same.body.len()), (304, 0));

    // A new version replaces the old for everyone; the old stays downloadable by number.
    let v2_bytes = files::test_bytes(5_000, 4);
    let (ct, body) = files::multipart(&[Part::File(
        "file",
        "bao-cao-v2.pdf",
        "application/pdf",
        &v2_bytes,
    )]);
    let r = hub
        .request(
            Request::new("POST", &format!("{path}/versions"))
                .bearer(hub.office_token())
                .body(&ct, body),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(hub.get(&path, token).await.body, v2_bytes);
    assert_eq!(
        hub.get(&format!("{path}/versions/1"), token).await.body,
        bytes
    );
    let missing = hub.get(&format!("{path}/versions/3"), token).await;
    assert_eq!(
        (missing.status, missing.error_code().as_deref()),
        (404, Some("not_found"))
    );

    let unknown = hub
        .get(&doc_path(m.id, DocumentId::new_random()), token)
        .await;
    assert_eq!(unknown.status, 404);
    let foreign = hub.get(&path, &other.delegates[0].token).await;
    assert_eq!(
        (foreign.status, foreign.error_code().as_deref()),
        (403, Some("forbidden"))
    );
    let elsewhere = hub
        .get(&doc_path(other.id, doc.id), &other.delegates[0].token)
        .await;
    assert_eq!(
        elsewhere.status, 404,
        "a document id of another meeting is not found"
    );
    let anonymous = hub.request(Request::new("GET", &path)).await;
    assert_eq!(anonymous.status, 401);

    let upload = format!("/api/v1/meetings/{}/documents", m.id);
    let parts = [
        Part::Text("title", "x".into()),
        Part::Text("classification", "internal".into()),
        Part::File("file", "x.pdf", "application/pdf", b"x"),
    ];
    let r = hub.request(files::upload(&upload, token, &parts)).await;
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (403, Some("forbidden"))
    );
    let parts = [
        Part::Text("title", "x".into()),
        Part::File("file", "x.pdf", "application/pdf", b"x"),
    ];
    let r = hub
        .request(files::upload(&upload, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("classification"), "{}", r.text());
    let publish_by_command = serde_json::json!({"id": "p-1", "command": {"op": "publish_document",
        "title": "x", "classification": "public", "file": v1}});
    let r = hub
        .post(
            &format!("/api/v1/meetings/{}/commands", m.id),
            hub.office_token(),
            &publish_by_command,
        )
        .await;
    assert_eq!(r.status, 422, "publishing names a stored file: upload only");
    let v: Value = r.json();
    assert_eq!(v["code"], "invalid");
}

/// A hall's documents in demand are served from memory, one copy for every download; a
/// file too large for that memory streams from disk. Both give the same bytes, whole and
/// in ranges, and the same headers.
#[tokio::test]
async fn a_document_from_memory_and_one_streamed_from_disk_serve_the_same_bytes_and_ranges() {
    let dir = tempfile::tempdir().unwrap();
    // 1 MiB of memory: files up to a quarter of it are held.
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        "[documents]\nmemory_mib = 1\n",
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(1).await;
    let token = &m.delegates[0].token;
    for (size, seed) in [(200_000, 7), (600_000, 8)] {
        let bytes = files::test_bytes(size, seed);
        let doc = publish(
            &hub,
            m.id,
            "Tờ trình",
            Classification::Internal,
            &[],
            "t.pdf",
            &bytes,
        )
        .await;
        let path = doc_path(m.id, doc.id);
        let sha = &doc.current().unwrap().file.sha256;
        // Twice: the first read fills memory, the second comes from it.
        for _ in 0..2 {
            let full = hub.get(&path, token).await;
            assert_eq!(full.status, 200);
            assert!(full.body == bytes, "{size} bytes whole");
            assert_eq!(full.header("etag"), Some(format!("\"{sha}\"").as_str()));
            assert_eq!(
                full.header("content-length"),
                Some(size.to_string().as_str())
            );
            for (range, from, to) in [
                ("bytes=0-0", 0, 1),
                ("bytes=150000-150999", 150_000, 151_000),
                ("bytes=-7", size - 7, size),
                (&format!("bytes={}-", size - 3), size - 3, size),
            ] {
                let part = hub
                    .request(
                        Request::new("GET", &path)
                            .bearer(token)
                            .header("Range", range.to_owned()),
                    )
                    .await;
                assert_eq!(part.status, 206, "{size}: {range}");
                assert!(part.body == bytes[from..to], "{size}: {range}");
                assert_eq!(
                    part.header("content-range"),
                    Some(format!("bytes {from}-{}/{size}", to - 1).as_str())
                );
            }
        }
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(meeting_tests::TEST_CONFIG),
        "[limits]\nmax_upload_bytes = 65536\n",
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(1).await;
    let upload = format!("/api/v1/meetings/{}/documents", m.id);
    let big = files::test_bytes(200_000, 9);
    let parts = [
        Part::Text("title", "Quá lớn".into()),
        Part::Text("classification", "public".into()),
        Part::File("file", "lon.pdf", "application/pdf", &big),
    ];
    let r = hub
        .request(files::upload(&upload, hub.office_token(), &parts))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (413, Some("frame_too_large")),
        "{}",
        r.text()
    );
    let count = |sub: &str| walk(&hub.data_dir().join(sub));
    assert_eq!(
        (count("tmp"), count("blobs")),
        (0, 0),
        "nothing of it is kept"
    );
    let small = [
        Part::Text("title", "Vừa".into()),
        Part::Text("classification", "public".into()),
        Part::File("file", "vua.pdf", "application/pdf", &big[..60_000]),
    ];
    let r = hub
        .request(files::upload(&upload, hub.office_token(), &small))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(count("blobs"), 1);
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn delivery_reports_reach_the_secretariat_and_the_chair_live_and_no_other_delegate() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let (mut chair, _) = hub.join(&m.chair.token, None).await;
    let (mut d1, _) = hub.join(&m.delegates[0].token, None).await;
    let (mut d2, _) = hub.join(&m.delegates[1].token, None).await;
    let doc = publish(
        &hub,
        m.id,
        "Dự thảo Nghị quyết",
        Classification::Internal,
        &[],
        "nq.pdf",
        b"v1",
    )
    .await;
    document_event(&mut d1, doc.id).await;
    let held = Command::ReportHeld {
        document: doc.id,
        version: 1,
        sha256: None,
    };
    let seq = d1.ok("held-1", held).await;
    d1.ok("opened-1", Command::ReportOpened { document: doc.id })
        .await;
    let reported = |e: &EventKind| matches!(e, EventKind::DocumentHeld { participant, version: 1, .. } if *participant == m.delegates[0].id());
    let mut seen = false;
    while chair.follower.last_seq() < seq {
        seen |= reported(&chair.event().await.event);
    }
    assert!(seen, "the chair hears of the delivery at once");
    // The other delegate's stream skips both reports: its next event is the revision.
    let (ct, body) = files::multipart(&[Part::File("file", "nq-v2.pdf", "application/pdf", b"v2")]);
    let path = format!("{}/versions", doc_path(m.id, doc.id));
    let r = hub
        .request(
            Request::new("POST", &path)
                .bearer(hub.office_token())
                .body(&ct, body),
        )
        .await;
    assert_eq!(r.status, 201);
    match document_event(&mut d2, doc.id).await {
        EventKind::DocumentPublished { .. } => {}
        e => panic!("{e:?}"),
    }
    match document_event(&mut d2, doc.id).await {
        EventKind::DocumentRevised { document } => assert_eq!(document.versions.len(), 2),
        e => panic!("{e:?}"),
    }
    assert!(!d2.follower.events().iter().any(|e| reported(&e.event)));
    let delivery = hub
        .get(
            &format!("{}/delivery", doc_path(m.id, doc.id)),
            &m.secretariat.token,
        )
        .await
        .json();
    assert_eq!(delivery["delivery"]["version"], 2);
    assert_eq!(
        delivery["delivery"]["held"].as_array().unwrap().len(),
        0,
        "v2 not fetched yet"
    );
    assert_eq!(
        delivery["delivery"]["opened"][0],
        m.delegates[0].id().to_string()
    );
    let r = hub
        .get(
            &format!("{}/delivery", doc_path(m.id, doc.id)),
            &m.delegates[0].token,
        )
        .await;
    assert_eq!(r.status, 403);
}
