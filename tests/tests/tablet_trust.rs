//! The native tablet's cache against a real hub: kept copies hashed again on `tablet docs`
//! and `tablet sync` (a damaged one is never reported held, and is fetched again), the
//! reasons of a failed sync said when the output is not a terminal, and a watermarked copy
//! checked against the hash its download announced.

use meeting_tests::files;
use meeting_tests::native::{publish, run_tablet};
use meeting_tests::TestHub;
use protocol::Classification;
use std::process::Output;

fn out(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_copy_is_never_reported_held_and_is_fetched_again() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let me = &m.delegates[0];
    let bytes = files::test_bytes(150_000, 21);
    let doc = publish(
        &hub,
        m.id,
        "Dự thảo Nghị quyết",
        Classification::Internal,
        &[],
        "Dự thảo.pdf",
        &bytes,
    )
    .await;
    let profile = tempfile::tempdir().unwrap();
    assert!(run_tablet(profile.path(), &["join", &me.join_url])
        .await
        .status
        .success());
    let synced = run_tablet(profile.path(), &["sync"]).await;
    assert!(synced.status.success(), "{}", out(&synced));
    let sha = &doc.current().unwrap().file.sha256;
    let copy = profile
        .path()
        .join("documents")
        .join(doc.id.to_string())
        .join(format!("{sha}.pdf"));

    // A byte flips on the tablet's disk: `docs` hashes the copy again and says so.
    let mut damaged = std::fs::read(&copy).unwrap();
    damaged[70_000] ^= 0x20;
    std::fs::write(&copy, &damaged).unwrap();
    let listed = run_tablet(profile.path(), &["docs"]).await;
    let text = out(&listed);
    assert!(listed.status.success(), "{text}");
    assert!(text.contains("damaged copy deleted"), "{text}");
    assert!(!text.contains("held, verified"), "{text}");
    assert!(!copy.exists(), "the damaged copy is not kept");

    // `sync` fetches it again, verified.
    std::fs::write(&copy, &damaged).unwrap();
    let synced = run_tablet(profile.path(), &["sync"]).await;
    let text = out(&synced);
    assert!(synced.status.success(), "{text}");
    assert!(text.contains("fetching it again"), "{text}");
    assert!(text.contains("✓ Dự thảo Nghị quyết"), "{text}");
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_that_fails_says_why_per_document_without_a_terminal_and_reports_nothing() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let me = &m.delegates[0];
    let bytes = files::test_bytes(80_000, 22);
    let doc = publish(
        &hub,
        m.id,
        "Báo cáo tài chính",
        Classification::Internal,
        &[],
        "Báo cáo.pdf",
        &bytes,
    )
    .await;
    // The hub's own copy rots: what it serves no longer matches the hash it announced.
    let sha = doc.current().unwrap().file.sha256.clone();
    let blob = hub.data_dir().join("blobs").join(&sha[..2]).join(&sha);
    let mut rotten = std::fs::read(&blob).unwrap();
    rotten[10] ^= 0x01;
    std::fs::write(&blob, rotten).unwrap();

    let profile = tempfile::tempdir().unwrap();
    assert!(run_tablet(profile.path(), &["join", &me.join_url])
        .await
        .status
        .success());
    let synced = run_tablet(profile.path(), &["sync"]).await;
    let text = out(&synced);
    assert!(!synced.status.success(), "{text}");
    assert!(
        text.contains("✗ Báo cáo tài chính") && text.contains("does not match its SHA-256"),
        "the reason, though stdout is a pipe: {text}"
    );
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let delivery = view.documents[0].delivery.as_ref().unwrap();
    assert!(
        delivery.held.is_empty(),
        "nothing reported held: {delivery:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watermarked_copy_is_kept_under_both_hashes_and_checked_against_its_own() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let me = &m.delegates[1];
    let pdf = hub
        .get(
            &format!("/api/v1/meetings/{}/badges.pdf", m.id),
            hub.office_token(),
        )
        .await
        .body;
    let doc = publish(
        &hub,
        m.id,
        "Hồ sơ nhân sự",
        Classification::Personnel,
        &[me.id().to_string()],
        "Hồ sơ.pdf",
        &pdf,
    )
    .await;
    assert!(doc.current().unwrap().file.watermarked);
    let profile = tempfile::tempdir().unwrap();
    assert!(run_tablet(profile.path(), &["join", &me.join_url])
        .await
        .status
        .success());
    let synced = run_tablet(profile.path(), &["sync"]).await;
    assert!(synced.status.success(), "{}", out(&synced));
    let dir = profile.path().join("documents").join(doc.id.to_string());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let original = &doc.current().unwrap().file.sha256;
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    let copy_sha = name
        .strip_prefix(&format!("{original}."))
        .and_then(|n| n.strip_suffix(".pdf"))
        .unwrap_or_else(|| panic!("named by both hashes: {name}"));
    let copy = std::fs::read(dir.join(name)).unwrap();
    assert_eq!(files::sha256_hex(&copy), copy_sha);
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let delivery = view.documents[0].delivery.as_ref().unwrap();
    assert_eq!(delivery.held, vec![me.id()]);
    assert_eq!(
        delivery.copies[0].sha256, copy_sha,
        "reported with its own hash"
    );
    let listed = run_tablet(profile.path(), &["docs"]).await;
    assert!(out(&listed).contains("held, verified"), "{}", out(&listed));
}
