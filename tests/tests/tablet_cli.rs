//! The `tablet` program as a delegate uses it, against a real hub: join by URL, sync the
//! documents, list them, vote by label, ask to speak, answer an opinion request; and the
//! sentences (and exit codes) it ends with on a wrong URL, an unreachable hub and a revoked
//! badge — never a backtrace.

use meeting_tests::files;
use meeting_tests::native::{publish, run_tablet, run_tablet_with};
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

/// `tablet committee` for one member, as a child process the test can kill.
fn committee_process(profile: &std::path::Path) -> tokio::process::Child {
    tokio::process::Command::new(meeting_tests::native::tablet_binary())
        .arg("--profile")
        .arg(profile)
        .args(["committee", "--yes"])
        .env_remove("TABLET_PROFILE")
        .env("TABLET_PASSPHRASE", meeting_tests::native::PASSPHRASE)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting tablet committee")
}

async fn finished(child: tokio::process::Child) -> Output {
    meeting_tests::guard("tablet committee to finish", child.wait_with_output())
        .await
        .expect("tablet committee")
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The line of `out` that starts with `prefix`, after it.
fn after<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no “{prefix}” in: {out}"))
        .trim()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committee_makes_its_key_votes_in_secret_and_opens_the_count_from_the_terminal() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(4).await;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    let profiles: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    for (d, p) in m.delegates.iter().zip(&profiles) {
        let joined = run_tablet(p.path(), &["join", &d.join_url]).await;
        assert!(joined.status.success(), "{:?}", text(&joined));
    }
    let members: Vec<_> = m.delegates[..3].iter().map(|d| d.id()).collect();
    hub.office_command(
        m.id,
        "committee",
        &Command::SetCountingCommittee {
            members,
            threshold: 2,
        },
    )
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let committee = view.committee.unwrap().committee.id;
    let setup = |n: usize| {
        profiles[n]
            .path()
            .join(format!("committee/{committee}.setup.json"))
    };

    // Two members start; the first device is killed once its round-1 message is in, and
    // carries on from its kept state when started again with the third.
    let first = committee_process(profiles[0].path());
    let second = committee_process(profiles[1].path());
    meeting_tests::guard("two round-1 messages", async {
        loop {
            let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
            let messages = view.committee.unwrap().messages.unwrap_or_default();
            if messages.iter().filter(|k| k.round == 1).count() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    drop(first);
    assert_eq!(
        mode(&setup(0)),
        0o600,
        "the setup is kept for its owner only"
    );
    let first = committee_process(profiles[0].path());
    let third = committee_process(profiles[2].path());
    let outputs = [
        finished(first).await,
        finished(second).await,
        finished(third).await,
    ];
    let mut codes = Vec::new();
    for (n, out) in outputs.iter().enumerate() {
        let (stdout, stderr) = text(out);
        assert!(out.status.success(), "member {n}: {stdout}{stderr}");
        codes.push((
            after(&stdout, "Mã kiểm tra / check code:").to_owned(),
            after(
                &stdout,
                "Khóa của Ban kiểm phiếu đã sẵn sàng / the committee's key is ready:",
            )
            .to_owned(),
        ));
        assert!(
            !setup(n).exists(),
            "the setup's secrets are gone once the key is made"
        );
        let key = profiles[n]
            .path()
            .join(format!("committee/{committee}.key.json"));
        assert_eq!(mode(&key), 0o600, "the share is for its owner only");
    }
    assert!(text(&outputs[0]).0.contains("carrying on from round 1"));
    assert!(codes.iter().all(|c| *c == codes[0]), "{codes:?}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let c = view.committee.unwrap();
    assert_eq!(c.status, protocol::CommitteeStatus::Ready);

    // A printed copy of member 1's share, read back on a new device of theirs; the copy is
    // refused on another member's tablet.
    let printed = run_tablet(profiles[0].path(), &["committee", "--print"]).await;
    let (out, _) = text(&printed);
    assert!(printed.status.success(), "{out}");
    let copy = out
        .lines()
        .find(|l| l.starts_with("BKP1-0-"))
        .unwrap_or_else(|| panic!("no text copy: {out}"))
        .to_owned();
    assert!(out.contains('█') || out.contains('▀'), "a QR code: {out}");
    let new_device = tempfile::tempdir().unwrap();
    run_tablet(new_device.path(), &["join", &m.delegates[0].join_url]).await;
    // The share on the tablet is sealed under the member's passphrase: the file holds
    // neither the copy's text nor the share, and another passphrase opens nothing.
    let key_file = profiles[0]
        .path()
        .join(format!("committee/{committee}.key.json"));
    let kept = std::fs::read_to_string(&key_file).unwrap();
    assert!(kept.contains("PBKDF2-SHA256"), "{kept}");
    assert!(
        !kept.contains("\"secret\"") && !kept.contains("\"committee\""),
        "nothing of the key is readable in the file: {kept}"
    );
    let other = run_tablet_with(profiles[0].path(), &["committee"], "not the passphrase").await;
    ended_with(&other, 2, "passphrase does not open");
    let imported = run_tablet(new_device.path(), &["committee", "--import", &copy]).await;
    assert!(imported.status.success(), "{:?}", text(&imported));
    let wrong = run_tablet(profiles[1].path(), &["committee", "--import", &copy]).await;
    ended_with(&wrong, 2, "member 1's share, not yours");

    // A secret election: each ballot encrypted on its tablet, its receipt kept.
    let spec = PollSpec {
        title: "Bầu Tổ trưởng tổ đại biểu".into(),
        item: None,
        kind: PollKind::Election {
            candidates: vec!["Lê Văn An".into(), "Trần Thị Bình".into(), "Đỗ Hùng".into()],
            seats: 2,
        },
        secret: true,
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
    let voted = run_tablet(profiles[3].path(), &["vote", "1", "Lê Văn An", "3"]).await;
    let (out, err) = text(&voted);
    assert!(voted.status.success(), "{out}{err}");
    assert!(out.contains("encrypted on this device"), "{out}");
    // The voter's device shows the code of the key it encrypted to: the members' code.
    assert_eq!(
        after(&out, "Mã khóa Ban kiểm phiếu / committee key code:"),
        codes[0].1,
        "{out}"
    );
    let key: ballot_box::CommitteeKey = serde_json::from_value(
        serde_json::to_value(c.key.as_ref().expect("the committee's key")).unwrap(),
    )
    .unwrap();
    assert_eq!(codes[0].1, tablet_client::sealed::key_code(&key));
    let receipt = after(&out, "Mã biên nhận / receipt:")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let voted = run_tablet(profiles[1].path(), &["vote", "1", "2"]).await;
    assert!(voted.status.success(), "{:?}", text(&voted));
    let again = run_tablet(profiles[3].path(), &["vote", "1", "2"]).await;
    ended_with(&again, 5, "cannot be changed");
    let too_many = run_tablet(profiles[0].path(), &["vote", "1", "1", "2", "3"]).await;
    ended_with(&too_many, 2, "at most 2 may be");
    let waiting = run_tablet(profiles[3].path(), &["receipts"]).await;
    let (out, _) = text(&waiting);
    assert!(
        out.contains(&receipt) && out.contains("not published yet"),
        "{out}"
    );
    let kept = std::fs::read_to_string(profiles[3].path().join("receipts.json")).unwrap();
    assert!(
        !kept.contains("Lê Văn An") && !kept.contains("choices"),
        "{kept}"
    );

    // The box is opened by two members' tablets, each checking it first.
    let early = run_tablet(profiles[0].path(), &["count", "1", "--yes"]).await;
    ended_with(&early, 2, "is opened once the poll is closed");
    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    let outsider = run_tablet(profiles[3].path(), &["count", "1", "--yes"]).await;
    ended_with(&outsider, 2, "holds no share");
    let asked = run_tablet(profiles[0].path(), &["count", "1"]).await;
    let (out, _) = text(&asked);
    assert!(asked.status.success(), "{out}");
    assert!(
        out.contains("2 phiếu mã hóa") && out.contains("Chưa gửi / nothing sent"),
        "{out}"
    );
    let counted = run_tablet(new_device.path(), &["count", "1", "--yes"]).await;
    let (out, err) = text(&counted);
    assert!(counted.status.success(), "{out}{err}");
    assert!(
        out.contains("box fingerprint") && out.contains("1 of 2 members"),
        "{out}"
    );
    let counted = run_tablet(profiles[2].path(), &["count", "1", "--yes"]).await;
    let (out, err) = text(&counted);
    assert!(counted.status.success(), "{out}{err}");
    assert!(
        out.contains("2 of 2 members") && out.contains("the count is opened"),
        "{out}"
    );
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let result = view.polls[0].result.clone().expect("counted");
    assert_eq!(result.tallies, vec![1, 1, 1]);

    hub.office_command(m.id, "publish", &Command::PublishPoll { poll })
        .await;
    let checked = run_tablet(profiles[3].path(), &["receipts"]).await;
    let (out, err) = text(&checked);
    assert!(checked.status.success(), "{out}{err}");
    assert!(out.contains(&receipt) && out.contains("✓"), "{out}");
    let listed = run_tablet(profiles[3].path(), &["vote"]).await;
    assert!(text(&listed).0.contains("in the published list"));
}
