//! The load test: a 50 MiB document uploaded once reaches 200 connected tablets
//! as an event; each downloads it (every fifth one in two halves, resuming with `Range`),
//! hashes it as it streams, finds the published SHA-256, and reports it holds it; the
//! secretariat's delivery list then shows every delegate holding the final draft.

use meeting_tests::files::{self, Part};
use meeting_tests::{guard, Member, Tablet, TestHub};
use protocol::{Command, Document, EventKind};
use ring::digest;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Semaphore};

const TABLETS: usize = 200;
const SIZE: usize = 50 * 1024 * 1024;
/// Downloads at once: the hub serves them all, but a debug build on two cores shares them
/// with the test's own hashing.
const AT_ONCE: usize = 24;

/// What one tablet does once the document is announced.
async fn fetch_and_report(
    hub_addr: std::net::SocketAddr,
    mut tablet: Tablet,
    member: Member,
    doc: Document,
    resume: bool,
    slots: Arc<Semaphore>,
) -> (Member, String, bool) {
    let v = doc.current().expect("a version").clone();
    let path = format!(
        "/api/v1/meetings/{}/documents/{}",
        member_meeting(&tablet),
        doc.id
    );
    let auth = ("Authorization", format!("Bearer {}", member.token));
    let mut hash = digest::Context::new(&digest::SHA256);
    {
        let _slot = slots.acquire().await.expect("the semaphore stays open");
        if resume {
            // A first connection that "drops" half way, then a resume from where it stopped.
            let half = v.file.size / 2;
            let first = files::stream_get(
                hub_addr,
                &path,
                &[auth.clone(), ("Range", format!("bytes=0-{}", half - 1))],
                &mut hash,
            )
            .await
            .expect("first half");
            assert_eq!(first.status, 206);
            assert_eq!(
                first.header("content-range"),
                Some(format!("bytes 0-{}/{}", half - 1, v.file.size).as_str())
            );
            let rest = files::stream_get(
                hub_addr,
                &path,
                &[auth, ("Range", format!("bytes={half}-"))],
                &mut hash,
            )
            .await
            .expect("the rest");
            assert_eq!(rest.status, 206);
            assert_eq!(first.bytes + rest.bytes, v.file.size);
        } else {
            let got = files::stream_get(hub_addr, &path, &[auth], &mut hash)
                .await
                .expect("the download");
            assert_eq!(got.status, 200);
            assert_eq!(got.bytes, v.file.size);
            assert_eq!(
                got.header("etag"),
                Some(format!("\"{}\"", v.file.sha256).as_str())
            );
        }
    }
    let sha = hex::encode(hash.finish().as_ref());
    let held = Command::ReportHeld {
        document: doc.id,
        version: v.version,
        sha256: None,
    };
    tablet.ok(&format!("held-{}", doc.id), held).await;
    (member, sha, resume)
}

fn member_meeting(tablet: &Tablet) -> protocol::MeetingId {
    tablet
        .follower
        .snapshot_view()
        .map(|v| v.meeting.id)
        .expect("joined with a snapshot")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_document_reaches_200_tablets_and_every_copy_hashes_to_the_published_sha256() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(TABLETS).await;

    // Every tablet connected before the upload: they must learn of it live.
    let (ready_tx, mut ready_rx) = mpsc::channel(TABLETS);
    let slots = Arc::new(Semaphore::new(AT_ONCE));
    let addr = hub.addr();
    let mut tasks = Vec::new();
    for (n, member) in m.delegates.iter().cloned().enumerate() {
        let (url, ready, slots) = (hub.ws_url(), ready_tx.clone(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let (mut tablet, _) = Tablet::join(&url, &member.token, None, None).await;
            ready.send(()).await.expect("the test waits");
            let doc = loop {
                if let EventKind::DocumentPublished { document } = tablet.event().await.event {
                    break document;
                }
            };
            fetch_and_report(addr, tablet, member, doc, n % 5 == 0, slots).await
        }));
    }
    drop(ready_tx);
    for _ in 0..TABLETS {
        guard("every tablet to join", ready_rx.recv())
            .await
            .expect("a tablet joined");
    }

    let bytes = files::test_bytes(SIZE, 42);
    let expected = files::sha256_hex(&bytes);
    let started = Instant::now();
    let path = format!("/api/v1/meetings/{}/documents", m.id);
    let parts = [
        Part::Text("title", "Dự thảo Nghị quyết Đại hội (bản cuối)".into()),
        Part::Text("classification", "internal".into()),
        Part::File("file", "Dự thảo Nghị quyết.pdf", "application/pdf", &bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    drop(bytes);
    let uploaded = started.elapsed();
    let doc: Document = serde_json::from_value(r.json()["document"].clone()).unwrap();
    assert_eq!(doc.current().unwrap().file.sha256, expected);
    assert_eq!(doc.current().unwrap().file.size, SIZE as u64);

    let mut resumed = 0;
    for task in tasks {
        let done = tokio::time::timeout(std::time::Duration::from_secs(600), task)
            .await
            .expect("every tablet finishes within 10 minutes")
            .expect("a tablet task panicked");
        let (member, sha, was_resumed) = done;
        assert_eq!(sha, expected, "{}'s copy", member.participant.name);
        resumed += usize::from(was_resumed);
    }
    let all = started.elapsed();
    assert_eq!(resumed, TABLETS / 5);

    let delivery = hub
        .get(&format!("{path}/{}/delivery", doc.id), &m.secretariat.token)
        .await
        .json();
    let held = delivery["delivery"]["held"].as_array().unwrap();
    let missing = delivery["delivery"]["missing"].as_array().unwrap();
    assert_eq!(held.len(), TABLETS, "{delivery}");
    assert_eq!(
        missing.len(),
        1,
        "only the chair, who has no tablet here: {delivery}"
    );
    assert_eq!(missing[0].as_str().unwrap(), m.chair.id().to_string());
    eprintln!(
        "50 MiB to {TABLETS} tablets ({resumed} resumed): upload {:.1}s, all verified {:.1}s ({:.0} MiB/s served)",
        uploaded.as_secs_f64(),
        all.as_secs_f64(),
        (TABLETS * 50) as f64 / (all - uploaded).as_secs_f64()
    );
}
