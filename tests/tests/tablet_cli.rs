//! The `tablet` program as a delegate uses it, against a real hub: join by URL, sync the
//! documents, list them, vote by label, ask to speak, answer an opinion request; and the
//! sentences (and exit codes) it ends with on a wrong URL, an unreachable hub and a revoked
//! badge — never a backtrace.

use meeting_tests::files;
use meeting_tests::native::{publish, run_tablet};
use meeting_tests::TestHub;
use protocol::{Classification, Command, PollKind, PollSpec};
use std::process::Output;

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Fails unless the program ended with `code` and said `needle` on stderr, as a sentence.
fn ended_with(output: &Output, code: i32, needle: &str) {
    let (out, err) = text(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(err.contains(needle), "stderr lacks “{needle}”: {err}");
    for noise in ["panicked", "backtrace", "Caused by", "Error: "] {
        assert!(!err.contains(noise), "stderr has “{noise}”: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_joins_syncs_and_votes_from_the_terminal() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    let bytes = files::test_bytes(120_000, 9);
    let doc = publish(
        &hub,
        m.id,
        "Dự thảo Nghị quyết Đại hội",
        Classification::Internal,
        &[],
        "Dự thảo Nghị quyết.pdf",
        &bytes,
    )
    .await;
    let secret = publish(
        &hub,
        m.id,
        "Danh sách nhân sự (Mật)",
        Classification::Confidential,
        &[m.delegates[1].id().to_string()],
        "Nhân sự.pdf",
        &files::test_bytes(10_000, 10),
    )
    .await;
    let profile = tempfile::tempdir().unwrap();
    let me = &m.delegates[0];

    let joined = run_tablet(profile.path(), &["join", &me.join_url]).await;
    let (out, err) = text(&joined);
    assert!(joined.status.success(), "{out}{err}");
    assert!(out.contains("Đại hội đại biểu lần thứ XV"), "{out}");
    assert!(out.contains("Đại biểu 1"), "{out}");

    let synced = run_tablet(profile.path(), &["sync"]).await;
    let (out, err) = text(&synced);
    assert!(synced.status.success(), "{out}{err}");
    assert!(out.contains("1 of 1 held"), "{out}");
    let copy = profile
        .path()
        .join("documents")
        .join(doc.id.to_string())
        .join(format!("{}.pdf", doc.current().unwrap().file.sha256));
    assert_eq!(std::fs::read(&copy).unwrap(), bytes, "the verified copy");
    assert!(
        !profile
            .path()
            .join("documents")
            .join(secret.id.to_string())
            .exists(),
        "nothing of the confidential document"
    );

    let listed = run_tablet(profile.path(), &["docs"]).await;
    let (out, _) = text(&listed);
    assert!(out.contains("Dự thảo Nghị quyết Đại hội"), "{out}");
    assert!(out.contains("held, verified"), "{out}");
    assert!(!out.contains("Nhân sự"), "{out}");

    let spec = PollSpec {
        title: "Biểu quyết thông qua chương trình".into(),
        item: None,
        kind: PollKind::Motion,
        secret: false,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    };
    hub.office_command(m.id, "create", &Command::CreatePoll { poll: spec })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = view.polls[0].poll.id;
    hub.office_command(m.id, "open", &Command::OpenPoll { poll })
        .await;
    let voted = run_tablet(profile.path(), &["vote", "1", "Tán thành"]).await;
    let (out, err) = text(&voted);
    assert!(voted.status.success(), "{out}{err}");
    assert!(out.contains("Tán thành"), "{out}");
    let again = run_tablet(profile.path(), &["vote", "1", "2"]).await;
    ended_with(&again, 5, "command refused");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.polls[0].ballots_in, 1);
    assert_eq!(view.polls[0].tallies.as_deref(), Some(&[1, 0, 0][..]));

    // Asking to speak on the current item, and taking it back.
    hub.office_command(
        m.id,
        "item",
        &Command::AddAgendaItem {
            title: "Thảo luận dự thảo Nghị quyết".into(),
            description: String::new(),
        },
    )
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let item = view.agenda[0].id;
    hub.office_command(m.id, "start", &Command::StartAgendaItem { item })
        .await;
    let spoke = run_tablet(profile.path(), &["speak"]).await;
    assert!(spoke.status.success(), "{:?}", text(&spoke));
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.speakers.queue.len(), 1);
    assert_eq!(view.speakers.queue[0].participant, me.id());
    let withdrew = run_tablet(profile.path(), &["speak", "--withdraw"]).await;
    assert!(withdrew.status.success(), "{:?}", text(&withdrew));
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert!(view.speakers.queue.is_empty());

    // An opinion request (xin ý kiến): listed, then answered question by question.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    hub.office_command(
        m.id,
        "ask",
        &Command::CreateOpinionRequest {
            title: "Xin ý kiến về dự thảo Quy chế làm việc".into(),
            description: String::new(),
            questions: vec!["Điều 3".into(), "Điều 7".into()],
            attachments: vec![],
            recipients: vec![me.id()],
            deadline: protocol::Timestamp(now + 3_600_000),
        },
    )
    .await;
    let listed = run_tablet(profile.path(), &["opinion"]).await;
    let (out, _) = text(&listed);
    assert!(
        out.contains("Xin ý kiến về dự thảo Quy chế làm việc"),
        "{out}"
    );
    assert!(out.contains("2. Điều 7"), "{out}");
    let answered = run_tablet(
        profile.path(),
        &["opinion", "1", "đồng ý", "khác: Đề nghị bổ sung thời hạn"],
    )
    .await;
    assert!(answered.status.success(), "{:?}", text(&answered));
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let reply = &view.opinions[0].replies[0];
    assert_eq!(reply.participant, me.id());
    assert_eq!(reply.answers[1].comment, "Đề nghị bổ sung thời hạn");
    let short = run_tablet(profile.path(), &["opinion", "1", "agree"]).await;
    ended_with(&short, 2, "give one answer for each");

    // The badge is revoked: the next sync says so and stops.
    hub.revoke_token(m.id, me.id()).await;
    let refused = run_tablet(profile.path(), &["sync"]).await;
    ended_with(&refused, 4, "no longer valid");
}

#[tokio::test]
async fn a_wrong_url_and_an_unreachable_hub_are_said_plainly() {
    let profile = tempfile::tempdir().unwrap();
    let wrong = run_tablet(profile.path(), &["join", "http://10.0.0.5:8080/join/abc"]).await;
    ended_with(&wrong, 2, "is not a join URL");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}/j/tokenOfNoOne");
    let unreachable = run_tablet(profile.path(), &["--wait", "1", "join", &url]).await;
    ended_with(&unreachable, 3, "cannot reach the hub");
    ended_with(&unreachable, 3, "hall's network");

    let no_profile = run_tablet(profile.path(), &["agenda"]).await;
    ended_with(&no_profile, 2, "run `tablet join URL`");
}
