//! Issue 13, finding 1: one delegate's token must not exhaust the hub. Four threads send
//! comments of 4,000 characters, then private notes of 20,000 characters, as fast as REST
//! `/commands` answers, against the real `hub` program with its default limits. The hub
//! refuses what is over the sender's rate (`rate_limited`) or over a quota (`quota`, naming
//! the limit), and its memory, its data directory and the chair's snapshot stay within a
//! stated bound. The figures are printed (`cargo test --test flood -- --nocapture`).

use meeting_tests::files::{multipart, Part};
use meeting_tests::http::Request;
use meeting_tests::{expect_snapshot, TestHub, TEST_CONFIG};
use protocol::{Command, ErrorCode, HubFrame, MeetingId};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const THREADS: usize = 4;
const MIB: u64 = 1024 * 1024;

/// Seconds of each phase of the flood: 15 as in the finding, or `FLOOD_SECS`.
fn phase() -> Duration {
    let secs = std::env::var("FLOOD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

/// What the flood got back: HTTP status and error code → count; and one message per code.
#[derive(Debug, Default)]
struct Outcomes {
    counts: BTreeMap<String, u64>,
    messages: BTreeMap<String, String>,
}

async fn flood(
    addr: SocketAddr,
    meeting: MeetingId,
    token: String,
    thread: usize,
    command: impl Fn(usize) -> Command,
    until: Instant,
) -> Outcomes {
    let path = format!("/api/v1/meetings/{meeting}/commands");
    let mut out = Outcomes::default();
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let command = command(n);
        // Ids of their own per phase: a re-used id would get its first answer back.
        let id = format!("{}-{thread}-{n}", command.op());
        let body = serde_json::json!({"id": id, "command": command});
        let r = Request::new("POST", &path)
            .bearer(&token)
            .json(&body)
            .send(addr)
            .await;
        let key = match r {
            Ok(r) if r.status == 200 => "200".to_owned(),
            Ok(r) => {
                let code = r.error_code().unwrap_or_default();
                let key = format!("{} {code}", r.status);
                let message = r.json()["message"].as_str().unwrap_or_default().to_owned();
                out.messages.entry(code).or_insert(message);
                key
            }
            Err(e) => format!("connection error: {e}"),
        };
        *out.counts.entry(key).or_default() += 1;
    }
    out
}

async fn phase_of(
    hub: &TestHub,
    meeting: MeetingId,
    token: &str,
    command: fn(usize) -> Command,
) -> Outcomes {
    let until = Instant::now() + phase();
    let tasks: Vec<_> = (0..THREADS)
        .map(|t| {
            tokio::spawn(flood(
                hub.addr(),
                meeting,
                token.to_owned(),
                t,
                command,
                until,
            ))
        })
        .collect();
    let mut all = Outcomes::default();
    for task in tasks {
        let one = task.await.unwrap();
        for (k, v) in one.counts {
            *all.counts.entry(k).or_default() += v;
        }
        all.messages.extend(one.messages);
    }
    all
}

fn comment(n: usize) -> Command {
    Command::SendDocumentComment {
        document: "Dự thảo Báo cáo chính trị".into(),
        page: Some(1),
        text: format!("{n:07} ").repeat(500),
    }
}

fn note(n: usize) -> Command {
    Command::SaveNote {
        note: None,
        document: "Dự thảo Báo cáo chính trị".into(),
        page: Some(2),
        text: format!("{n:09} ").repeat(2000),
    }
}

/// The chair's view of the meeting, as its snapshot carries it: bytes of JSON.
async fn chair_view_bytes(hub: &TestHub, meeting: MeetingId, chair: &str) -> u64 {
    let r = hub.get(&format!("/api/v1/meetings/{meeting}"), chair).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.body.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_delegate_flooding_comments_and_notes_leaves_the_hub_flat() {
    let mut hub = TestHub::start_process().await;
    let m = hub.meeting_with(3).await;
    let delegate = m.delegates[0].token.clone();
    let rss_before = hub.rss_bytes();
    let disk_before = hub.data_bytes();
    let view_before = chair_view_bytes(&hub, m.id, &m.chair.token).await;

    let comments = phase_of(&hub, m.id, &delegate, comment).await;
    let view_after = chair_view_bytes(&hub, m.id, &m.chair.token).await;
    let notes = phase_of(&hub, m.id, &delegate, note).await;
    let rss_after = hub.rss_bytes();
    let disk_after = hub.data_bytes();
    // That delegate's next connection gets all its notes in one frame.
    let (mut tablet, first) = hub.join(&delegate, None).await;
    expect_snapshot(first);
    let notes_frame = match tablet.conn.recv().await.expect("the notes frame") {
        frame @ HubFrame::Notes { .. } => serde_json::to_vec(&frame).unwrap().len() as u64,
        other => panic!("expected the notes frame, got {other:?}"),
    };

    println!(
        "flood of {:?} per phase, {THREADS} threads, one delegate's token, REST /commands",
        phase()
    );
    println!("  comments of 4,000 characters: {:?}", comments.counts);
    println!("  notes of 20,000 characters:   {:?}", notes.counts);
    for (phase, o) in [("comments", &comments), ("notes", &notes)] {
        for (code, message) in &o.messages {
            println!("  {phase}, {code}: {message}");
        }
    }
    let mb = |b: u64| b as f64 / MIB as f64;
    println!(
        "  chair's snapshot: {:.2} MB before, {:.2} MB after the comments",
        mb(view_before),
        mb(view_after)
    );
    println!(
        "  the delegate's notes frame on its next connection: {:.2} MB",
        mb(notes_frame)
    );
    println!(
        "  data directory: {:.2} MB before, {:.2} MB after",
        mb(disk_before),
        mb(disk_after)
    );
    println!(
        "  hub RSS: {:.1} MB before, {:.1} MB after",
        mb(rss_before),
        mb(rss_after)
    );

    // Some went through, then the rate and the quotas refused the rest, saying why.
    for (what, o) in [("comments", &comments), ("notes", &notes)] {
        assert!(o.counts.get("200").is_some_and(|&n| n > 0), "{what}: {o:?}");
        assert!(
            o.counts.contains_key("403 quota"),
            "{what}: no quota refusal {o:?}"
        );
        assert!(
            o.counts
                .keys()
                .all(|k| k == "200" || k == "403 quota" || k == "429 rate_limited"),
            "{what}: unexpected answers {o:?}"
        );
        let message = &o.messages["quota"];
        assert!(
            message.contains("limits."),
            "{what}: the limit is named: {message}"
        );
    }
    assert!(
        comments.messages["quota"].contains("512 KiB"),
        "{}",
        comments.messages["quota"]
    );
    assert!(
        notes.messages["quota"].contains("2 MiB"),
        "{}",
        notes.messages["quota"]
    );
    // The bounds: the default quotas are 512 KiB of comments and 2 MiB of notes per
    // participant; JSON and the database add their share, well under these.
    assert!(
        view_after - view_before < MIB,
        "the chair's snapshot grew by {} bytes",
        view_after - view_before
    );
    assert!(
        notes_frame < 3 * MIB,
        "a notes frame of {notes_frame} bytes"
    );
    assert!(
        disk_after.saturating_sub(disk_before) < 64 * MIB,
        "the data directory grew by {} bytes",
        disk_after - disk_before
    );
    assert!(
        rss_after.saturating_sub(rss_before) < 128 * MIB,
        "the hub's memory grew by {} bytes",
        rss_after - rss_before
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_senders_websockets_and_rest_share_one_budget() {
    let dir = tempfile::tempdir().unwrap();
    let limits = "[limits]\nsender_commands_per_second = 1\nsender_command_burst = 4\n";
    std::fs::write(dir.path().join(TEST_CONFIG), limits).unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(2).await;
    let token = &m.delegates[0].token;
    let (mut a, first) = hub.join(token, None).await;
    expect_snapshot(first);
    let (mut b, first) = hub.join(token, None).await;
    expect_snapshot(first);
    let speak = || Command::SendDocumentComment {
        document: "Dự thảo".into(),
        page: None,
        text: "Đề nghị làm rõ số liệu".into(),
    };
    // Two over REST, one on each socket: the burst of four is spent.
    for n in 0..2 {
        let r = hub
            .rest_command(m.id, token, &format!("r-{n}"), &speak())
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    a.ok("a-1", speak()).await;
    b.ok("b-1", speak()).await;
    let refused = a.refused("a-2", speak(), ErrorCode::RateLimited).await;
    assert!(
        refused.message.contains("at most 1 a second"),
        "{}",
        refused.message
    );
    b.refused("b-2", speak(), ErrorCode::RateLimited).await;
    let r = hub.rest_command(m.id, token, "r-9", &speak()).await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.error_code().as_deref(), Some("rate_limited"));
    // Another delegate's budget is untouched.
    let r = hub
        .rest_command(m.id, &m.delegates[1].token, "other-1", &speak())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A REST command is no larger than a frame.
    let big = Command::SaveNote {
        note: None,
        document: "x".into(),
        page: None,
        text: "a".repeat(70_000),
    };
    let r = hub
        .rest_command(m.id, &m.delegates[1].token, "big", &big)
        .await;
    assert_eq!(r.status, 413, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_the_hourly_quota_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        "[limits]\nuploads_per_hour = 2\n",
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(1).await;
    let path = format!("/api/v1/meetings/{}/files", m.id);
    let upload = |n: u8| {
        let bytes = vec![n; 1000];
        let parts = [Part::File(
            "file",
            "to-trinh.pdf",
            "application/pdf",
            &bytes,
        )];
        let (content_type, body) = multipart(&parts);
        Request::new("POST", &path)
            .bearer(&m.secretariat.token)
            .body(&content_type, body)
    };
    for n in 0..2 {
        let r = hub.request(upload(n)).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let before = hub.data_bytes();
    let r = hub.request(upload(9)).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.error_code().as_deref(), Some("quota"));
    assert!(r.text().contains("limits.uploads_per_hour"), "{}", r.text());
    assert_eq!(
        hub.data_bytes(),
        before,
        "nothing of the refused upload was kept"
    );
    // The office token has its own budget.
    let r = hub
        .request(Request::new("POST", &path).bearer(hub.office_token()).body(
            &multipart(&[Part::File("file", "a.pdf", "application/pdf", b"abc")]).0,
            multipart(&[Part::File("file", "a.pdf", "application/pdf", b"abc")]).1,
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}
