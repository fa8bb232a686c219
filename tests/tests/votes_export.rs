//! Signed result exports checked offline with `hub verify`, and the refusals a tablet gets
//! for bad ballots and for a chair command from a delegate: an `error` frame with a code,
//! and the tally unchanged.

use meeting_tests::{guard, hub_binary, TestHub};
use protocol::{Command, ErrorCode, MeetingId, PollId, PollKind, PollSpec, PollView};

fn motion(title: &str, secret: bool, kind: PollKind) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        kind,
        secret,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

async fn polls(hub: &TestHub, meeting: MeetingId) -> Vec<PollView> {
    hub.meeting_state(meeting, hub.office_token()).await.1.polls
}

async fn create(hub: &TestHub, meeting: MeetingId, id: &str, spec: PollSpec) -> PollId {
    let title = spec.title.clone();
    hub.office_command(meeting, id, &Command::CreatePoll { poll: spec })
        .await;
    let poll = polls(hub, meeting)
        .await
        .into_iter()
        .find(|p| p.poll.title == title)
        .expect("the poll")
        .poll
        .id;
    hub.office_command(meeting, &format!("{id}-open"), &Command::OpenPoll { poll })
        .await;
    poll
}

fn cast(poll: PollId, choices: Vec<u32>) -> Command {
    Command::CastBallot {
        poll,
        choices,
        on_behalf_of: None,
    }
}

/// Runs `hub verify FILE --key KEY`; returns success and what it printed.
async fn verify(file: &std::path::Path, key: &std::path::Path) -> (bool, String) {
    let out = guard(
        "hub verify",
        tokio::process::Command::new(hub_binary())
            .arg("verify")
            .arg(file)
            .arg("--key")
            .arg(key)
            .output(),
    )
    .await
    .expect("running hub verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn an_altered_export_fails_hub_verify_and_the_untouched_one_passes() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(4).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let poll = create(
        &hub,
        m.id,
        "p",
        motion("Thông qua quy chế", false, PollKind::Motion),
    )
    .await;
    for (n, d) in m.delegates.iter().enumerate() {
        let (mut t, _) = hub.join(&d.token, None).await;
        t.until_checked_in(d.id()).await;
        t.ok("v", cast(poll, vec![u32::from(n == 3)])).await;
    }
    let base = format!("/api/v1/meetings/{}/polls/{poll}", m.id);
    let early = hub
        .get(&format!("{base}/result.json"), hub.office_token())
        .await;
    assert_eq!(
        (early.status, early.error_code().as_deref()),
        (409, Some("invalid_state"))
    );
    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    let hidden = hub
        .get(&format!("{base}/result.json"), &m.delegates[0].token)
        .await;
    assert_eq!(hidden.status, 403, "the hall waits for the announcement");
    hub.office_command(m.id, "publish", &Command::PublishPoll { poll })
        .await;

    let dir = tempfile::tempdir().unwrap();
    let key = hub.get("/api/v1/signing-key", "").await;
    assert_eq!(key.status, 200);
    let on_disk = std::fs::read_to_string(hub.data_dir().join("signing.pub")).unwrap();
    assert_eq!(
        key.text(),
        on_disk,
        "the route serves the key next to the data"
    );
    let key_path = dir.path().join("signing.pub");
    std::fs::write(&key_path, &key.body).unwrap();
    for name in ["result.json", "result.csv"] {
        // Published: any token of the meeting may fetch it.
        let file = hub
            .get(&format!("{base}/{name}"), &m.delegates[0].token)
            .await;
        let sig = hub
            .get(&format!("{base}/{name}.sig"), &m.delegates[0].token)
            .await;
        assert_eq!((file.status, sig.status), (200, 200), "{}", file.text());
        let again = hub.get(&format!("{base}/{name}"), hub.office_token()).await;
        assert_eq!(again.body, file.body, "the same bytes every time");
        assert!(
            file.text().contains("Đại biểu 1"),
            "an open poll names its voters"
        );
        let path = dir.path().join(name);
        std::fs::write(&path, &file.body).unwrap();
        std::fs::write(dir.path().join(format!("{name}.sig")), &sig.body).unwrap();
        let (ok, said) = verify(&path, &key_path).await;
        assert!(ok && said.contains("VALID"), "{said}");

        let mut altered = file.body.clone();
        let at = altered.len() / 2;
        altered[at] ^= 0x01;
        std::fs::write(&path, &altered).unwrap();
        let (ok, said) = verify(&path, &key_path).await;
        assert!(!ok, "an altered {name} passed: {said}");
        assert!(said.contains("ALTERED"), "{said}");
    }
}

#[tokio::test]
async fn bad_ballots_and_chair_commands_from_delegates_get_error_frames() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(5).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let kind = PollKind::Election {
        candidates: vec!["An".into(), "Bình".into(), "Cường".into()],
        seats: 2,
    };
    // An open election: a secret one takes only sealed ballots, whose refusals
    // sealed_faults.rs tests.
    let poll = create(&hub, m.id, "e", motion("Bầu tổ", false, kind)).await;
    let d = &m.delegates[0];
    let (mut t, _) = hub.join(&d.token, None).await;
    t.until_checked_in(d.id()).await;
    let receipt_ok = t.ok("b-1", cast(poll, vec![0, 2])).await;
    assert!(receipt_ok > 0);
    t.refused("b-2", cast(poll, vec![1]), ErrorCode::InvalidState)
        .await; // second ballot
    let (mut t2, _) = hub.join(&m.delegates[1].token, None).await;
    t2.until_checked_in(m.delegates[1].id()).await;
    t2.refused("x-1", cast(poll, vec![0, 1, 2]), ErrorCode::Invalid)
        .await; // too many
    t2.refused("x-2", cast(poll, vec![9]), ErrorCode::Invalid)
        .await; // unknown option
    t2.refused(
        "x-3",
        cast(PollId::new_random(), vec![0]),
        ErrorCode::NotFound,
    )
    .await;
    let for_other = Command::CastBallot {
        poll,
        choices: vec![1],
        on_behalf_of: Some(m.delegates[2].id()),
    };
    t2.refused("x-4", for_other, ErrorCode::Forbidden).await;
    t2.refused("x-5", Command::ClosePoll { poll }, ErrorCode::Forbidden)
        .await;
    let view = polls(&hub, m.id).await;
    assert_eq!(view[0].ballots_in, 1, "the refusals changed nothing");
    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    t2.refused("x-6", cast(poll, vec![0]), ErrorCode::InvalidState)
        .await; // closed
    let result = polls(&hub, m.id).await[0].result.clone().unwrap();
    assert_eq!((result.valid, result.tallies.clone()), (1, vec![1, 0, 1]));
}

/// `hub demo` seeds a published agenda vote, and `demo.json` lists its signed exports:
/// a new user can fetch them and run `hub verify` at once.
#[tokio::test]
async fn the_demo_lists_a_signed_result_that_verifies() {
    let demo = meeting_tests::demo::DemoHub::start(40).await;
    let addr = demo.addr;
    let info = &demo.info;
    let result = &info["results"][0];
    assert_eq!(
        result["title"],
        "Thông qua chương trình làm việc của Đại hội"
    );
    let token = info["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "delegate")
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let fetch = |url: &serde_json::Value| {
        let path = url
            .as_str()
            .unwrap()
            .split_once("/api/")
            .unwrap()
            .1
            .to_owned();
        let token = token.clone();
        async move {
            let path = format!("/api/{path}");
            let r = meeting_tests::http::Request::new("GET", &path)
                .bearer(&token)
                .send(addr)
                .await
                .unwrap();
            assert_eq!(r.status, 200, "{path}: {}", r.text());
            r.body
        }
    };
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("result.json");
    std::fs::write(&file, fetch(&result["json"]).await).unwrap();
    std::fs::write(
        out.path().join("result.json.sig"),
        fetch(&result["json_signature"]).await,
    )
    .unwrap();
    let key = out.path().join("signing.pub");
    std::fs::write(&key, fetch(&result["public_key"]).await).unwrap();
    let (ok, said) = verify(&file, &key).await;
    assert!(ok, "{said}");
    let export: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(export["status"], "published");
    assert_eq!(export["result"]["passed"], true);
}
