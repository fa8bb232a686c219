//! The native client against a real hub, through a relay the test can cut: it joins by the
//! badge's URL, keeps a verified copy of every document it may read (and none it may not),
//! resumes a download cut half-way with Range, throws away bytes that do not hash right,
//! follows new versions and withdrawals, and misses no event across a forced disconnect.

use meeting_tests::files::{self, Part};
use meeting_tests::native::publish;
use meeting_tests::relay::Relay;
use meeting_tests::{guard, TestHub};
use protocol::{Classification, Command, Document, DocumentStatus, EventKind, HubFrame};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tablet_client::{
    documents_in, sha256_of, spawn_downloader, CacheError, CopyState, DocumentCache, Follower,
    JoinUrl, Session,
};

/// Reads frames until the session has seen `seq`; returns the frames.
async fn follow_to(session: &mut Session, seq: u64) -> Vec<HubFrame> {
    let mut frames = Vec::new();
    while session.follower().last_seq() < seq {
        let frame = guard("the session to catch up", session.next())
            .await
            .expect("the session follows");
        frames.push(frame);
    }
    frames
}

fn verified(cache: &DocumentCache, document: &Document) -> std::path::PathBuf {
    match cache.state(document) {
        CopyState::Verified(path) => path,
        other => panic!("“{}” is not held verified: {other:?}", document.title),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_native_tablet_keeps_a_verified_copy_of_what_it_may_read_across_cuts() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let (me, other) = (&m.delegates[0], &m.delegates[1]);
    let internal = publish(
        &hub,
        m.id,
        "Dự thảo Báo cáo chính trị",
        Classification::Internal,
        &[],
        "Dự thảo Báo cáo chính trị.pdf",
        &files::test_bytes(8_000_000, 1),
    )
    .await;
    let public = publish(
        &hub,
        m.id,
        "Thông báo triệu tập",
        Classification::Public,
        &[],
        "Thông báo.pdf",
        &files::test_bytes(40_000, 2),
    )
    .await;
    let secret = publish(
        &hub,
        m.id,
        "Danh sách nhân sự (Mật)",
        Classification::Confidential,
        &[other.id().to_string()],
        "Nhân sự.pdf",
        &files::test_bytes(50_000, 3),
    )
    .await;

    // Join by the badge's URL, through the relay.
    let relay = Relay::start(hub.addr()).await;
    let url = me
        .join_url
        .replace(&hub.addr().to_string(), &relay.addr.to_string());
    let join = JoinUrl::parse(&url).expect("the badge's URL parses");
    let mut session = Session::join(join.clone(), Follower::new(), Duration::from_secs(10))
        .await
        .expect("joins");
    let snapshot = session.next().await.unwrap();
    let HubFrame::Snapshot { me: who, .. } = &snapshot else {
        panic!("expected a snapshot, got {snapshot:?}")
    };
    let readable = documents_in(&snapshot);
    let mut ids: Vec<_> = readable.iter().map(|d| d.id).collect();
    ids.sort();
    let mut expected = vec![internal.id, public.id];
    expected.sort();
    assert_eq!(
        ids, expected,
        "the confidential document is not even listed"
    );

    let dir = tempfile::tempdir().unwrap();
    let cache = DocumentCache::open(dir.path(), &join, who.meeting).expect("the cache opens");

    // The big document: the link fails half-way; the cache resumes with Range, so the
    // bytes that crossed the network add up to the file, not to more.
    let received = AtomicU64::new(0);
    let tripped = AtomicBool::new(false);
    let progress = |n: u64| {
        let total = received.fetch_add(n, Ordering::SeqCst) + n;
        if total > 100_000 && !tripped.swap(true, Ordering::SeqCst) {
            relay.swallow_replies(true);
        }
    };
    let cut_half_way = async {
        guard("the download to stall half-way", async {
            loop {
                let before = received.load(Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                if before > 100_000 && received.load(Ordering::SeqCst) == before {
                    break;
                }
            }
        })
        .await;
        assert!(
            received.load(Ordering::SeqCst) < internal.current().unwrap().file.size,
            "cut before the end"
        );
        relay.cut();
    };
    let (held, ()) = tokio::join!(cache.sync(&internal, &progress), cut_half_way);
    let held = held
        .expect("the download resumes and verifies")
        .expect("a new copy");
    let size = internal.current().unwrap().file.size;
    assert_eq!(
        received.load(Ordering::SeqCst),
        size,
        "resumed where it stopped"
    );
    assert_eq!(held.path, verified(&cache, &internal));
    assert_eq!(
        sha256_of(&held.path).await.unwrap(),
        internal.current().unwrap().file.sha256
    );

    // A partial copy whose bytes are wrong is thrown away and fetched again.
    let public_sha = public.current().unwrap().file.sha256.clone();
    let partial = dir
        .path()
        .join(public.id.to_string())
        .join(format!(".{public_sha}.part"));
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(&partial, vec![b'x'; 40_000]).unwrap();
    assert_eq!(cache.state(&public), CopyState::Partial { bytes: 40_000 });
    cache.sync(&public, &|_| {}).await.expect("fetched again");
    assert_eq!(
        sha256_of(&verified(&cache, &public)).await.unwrap(),
        public_sha
    );
    assert!(!partial.exists(), "the bad bytes are gone");

    // The hub refuses the confidential document to this delegate; nothing reaches the disk.
    let refused = cache.sync(&secret, &|_| {}).await.unwrap_err();
    assert!(matches!(refused, CacheError::Forbidden(_)), "{refused:?}");
    assert_eq!(cache.state(&secret), CopyState::Missing);
    assert!(!dir
        .path()
        .join(secret.id.to_string())
        .join(secret.current().unwrap().file.sha256.clone() + ".pdf")
        .exists());

    // Held copies are reported; the secretariat sees them delivered.
    for document in [&internal, &public] {
        let version = document.current().unwrap().version;
        session
            .command(Command::ReportHeld {
                document: document.id,
                version,
                sha256: None,
            })
            .await
            .expect("report_held is accepted");
    }
    let delivery = hub
        .get(
            &format!(
                "/api/v1/meetings/{}/documents/{}/delivery",
                m.id, internal.id
            ),
            hub.office_token(),
        )
        .await
        .json();
    assert!(
        delivery["delivery"]["held"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(me.id())),
        "{delivery}"
    );

    // A forced disconnect while the secretariat revises one document and withdraws the
    // other: the session resumes, misses nothing, and the cache follows.
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
    follow_to(&mut session, seq).await;
    let mut reference = Session::join(
        JoinUrl::parse(&other.join_url).unwrap(),
        Follower::new(),
        Duration::from_secs(10),
    )
    .await
    .expect("a second tablet joins directly");
    let reference_start = match reference.next().await.unwrap() {
        HubFrame::Snapshot { seq, .. } => seq,
        other => panic!("{other:?}"),
    };
    relay.cut();
    let revision = hub
        .request(files::upload(
            &format!(
                "/api/v1/meetings/{}/documents/{}/versions",
                m.id, internal.id
            ),
            hub.office_token(),
            &[Part::File(
                "file",
                "Dự thảo Báo cáo chính trị (lần 2).pdf",
                "application/pdf",
                &files::test_bytes(500_000, 4),
            )],
        ))
        .await;
    assert_eq!(revision.status, 201, "revise: {}", revision.text());
    hub.office_command(
        m.id,
        "withdraw-public",
        &Command::WithdrawDocument {
            document: public.id,
        },
    )
    .await;
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
    let frames = follow_to(&mut session, seq).await;
    follow_to(&mut reference, seq).await;
    assert!(session.connections >= 2, "the cut forced a reconnect");
    // Each delegate hears its own check-in and no one else's (PROTOCOL.md §1.5).
    let after = |s: &Session| -> Vec<u64> {
        s.follower()
            .events()
            .iter()
            .filter(|e| !matches!(e.event, EventKind::CheckedIn { .. }))
            .map(|e| e.seq)
            .filter(|&q| q > reference_start)
            .collect()
    };
    assert_eq!(
        after(&session),
        after(&reference),
        "the cut tablet saw every event the other one saw, once each"
    );
    let changed: Vec<Document> = frames.iter().flat_map(documents_in).collect();
    let revised = changed
        .iter()
        .rfind(|d| d.id == internal.id)
        .expect("the new version was announced");
    assert_eq!(revised.current().unwrap().version, 2);
    let withdrawn = changed
        .iter()
        .rfind(|d| d.id == public.id)
        .expect("the withdrawal was announced");
    assert_eq!(withdrawn.status, DocumentStatus::Withdrawn);
    for document in &changed {
        cache
            .sync(document, &|_| {})
            .await
            .expect("the cache follows");
    }
    let new_copy = verified(&cache, revised);
    assert!(!held.path.exists(), "the old version is replaced");
    assert_eq!(
        sha256_of(&new_copy).await.unwrap(),
        revised.current().unwrap().file.sha256
    );
    assert!(
        !dir.path().join(public.id.to_string()).exists(),
        "a withdrawn document is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_published_while_following_are_cached_in_the_background_and_recalls_deleted() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let me = &m.delegates[0];
    let join = JoinUrl::parse(&me.join_url).unwrap();
    let mut session = Session::join(join.clone(), Follower::new(), Duration::from_secs(10))
        .await
        .expect("joins");
    let HubFrame::Snapshot { me: who, .. } = session.next().await.unwrap() else {
        panic!("expected a snapshot")
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = DocumentCache::open(dir.path(), &join, who.meeting).unwrap();
    let (downloads, mut fetched) = spawn_downloader(cache.clone());

    let secret = publish(
        &hub,
        m.id,
        "Phương án nhân sự (Mật)",
        Classification::Confidential,
        &[me.id().to_string()],
        "Phương án.pdf",
        &files::test_bytes(200_000, 5),
    )
    .await;
    // The tablet hears of it and hands it to the downloader, as `tablet watch` does.
    let held = guard("the document to be cached", async {
        loop {
            tokio::select! {
                frame = session.next() => {
                    for document in documents_in(&frame.expect("the session follows")) {
                        downloads.send(document).unwrap();
                    }
                }
                Some(outcome) = fetched.recv() => return outcome.expect("cached"),
            }
        }
    })
    .await;
    assert_eq!(held.document, secret.id);
    assert_eq!(held.path, verified(&cache, &secret));

    hub.office_command(
        m.id,
        "recall",
        &Command::RecallDocuments {
            document: Some(secret.id),
        },
    )
    .await;
    let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
    for frame in follow_to(&mut session, seq).await {
        for document in documents_in(&frame) {
            downloads.send(document).unwrap();
        }
    }
    guard("the recalled copy to be deleted", async {
        while dir.path().join(secret.id.to_string()).exists() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(
        hub.get(
            &format!("/api/v1/meetings/{}/documents/{}", m.id, secret.id),
            &me.token
        )
        .await
        .status,
        410,
        "and the hub serves it to nobody"
    );
}

/// The secretariat's and the chair's snapshot carries every participant and every delivery
/// list: at a 2,000-delegate congress it is larger than anything a tablet sends. The hub
/// must still send it (found by `tablet swarm`: the secretariat could not connect).
#[tokio::test]
async fn a_snapshot_larger_than_the_frame_limit_still_reaches_the_console() {
    let dir = tempfile::tempdir().unwrap();
    // The smallest frame limit the hub takes: its socket then refuses messages over 4 KiB
    // from clients, and the snapshot below is several times that.
    std::fs::write(
        dir.path().join(meeting_tests::TEST_CONFIG),
        "[limits]\nmax_frame_bytes = 1024\n",
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(120).await;
    let join = JoinUrl::parse(&m.secretariat.join_url).unwrap();
    let mut session = Session::join(join, Follower::new(), Duration::from_secs(5))
        .await
        .expect("the console joins");
    let frame = session.next().await.expect("the snapshot arrives");
    let HubFrame::Snapshot { view, .. } = &frame else {
        panic!("expected a snapshot, got {frame:?}")
    };
    assert_eq!(view.participants.len(), 123);
    assert!(
        serde_json::to_string(&frame).unwrap().len() > 16 * 1024,
        "the snapshot is bigger than the socket's limits"
    );
}
