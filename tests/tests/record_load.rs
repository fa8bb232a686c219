//! How long the record takes for a provincial-size congress: `hub demo --delegates 2000`
//! (its check-ins and its published motion of some 1,800 ballots), 45 more documents of
//! 1 MiB beside the demo's 5, the secret election sealed under a committee of three with
//! every present member casting an encrypted ballot, the box opened by two of them, the
//! close; then the minutes, the counting report, the attendance sheet and the dossier,
//! each timed, and the dossier checked with `hub verify`.
//!
//! A benchmark, not a test of speed: it asserts only that everything is there and valid.
//! Run it on a release build:
//! `cargo test --release -p meeting-tests --test record_load -- --ignored --nocapture`.

#[path = "support/sealed.rs"]
mod sealed;

use meeting_tests::demo::DemoHub;
use meeting_tests::files::{self, Part};
use meeting_tests::http::{Request, Response};
use meeting_tests::{guard, hub_binary};
use protocol::{Command, MeetingId, ParticipantId, Role};
use sealed::{ballot_params, Api, Committee};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

async fn send(addr: SocketAddr, r: Request<'_>) -> Response {
    tokio::time::timeout(Duration::from_secs(600), r.send(addr))
        .await
        .expect("an answer within ten minutes")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --ignored --nocapture on a release build"]
async fn a_congress_of_2000_with_50_documents_gets_its_dossier_in_seconds() {
    let started = Instant::now();
    let demo = DemoHub::start(2000).await;
    println!("demo of 2,000 seeded in {:?}", started.elapsed());
    let (addr, info) = (demo.addr, &demo.info);
    let m: MeetingId = serde_json::from_value(info["meeting"].clone()).unwrap();
    let people = info["participants"].as_array().unwrap();
    let token = |p: &Value| p["token"].as_str().unwrap().to_owned();
    let sec = token(people.iter().find(|p| p["role"] == "secretariat").unwrap());

    // 45 more documents of 1 MiB.
    let upload = format!("/api/v1/meetings/{m}/documents");
    for n in 0..45u64 {
        let bytes = files::test_bytes(1 << 20, n + 10);
        let parts = [
            Part::Text("title", format!("Tham luận số {}", n + 1)),
            Part::Text("classification", "internal".into()),
            Part::File("file", "Tham luận.pdf", "application/pdf", &bytes),
        ];
        let r = send(addr, files::upload(&upload, &sec, &parts)).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }

    let command = |token: String, id: String, c: Command| async move {
        let path = format!("/api/v1/meetings/{m}/commands");
        let body = serde_json::json!({"id": id, "command": c});
        let r = send(addr, Request::new("POST", &path).bearer(&token).json(&body)).await;
        assert_eq!(r.status, 200, "{}: {}", c.op(), r.text());
    };
    let view_path = format!("/api/v1/meetings/{m}");
    let view = send(addr, Request::new("GET", &view_path).bearer(&sec))
        .await
        .json();
    let election = view["view"]["polls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["poll"]["secret"] == true)
        .unwrap()["poll"]["id"]
        .clone();
    let poll = serde_json::from_value(election).unwrap();
    let present: Vec<String> = view["view"]["attendance"]["present_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let voters: Vec<(ParticipantId, String)> = people
        .iter()
        .filter(|p| {
            (p["role"] == Role::Delegate.as_str() || p["role"] == Role::Chair.as_str())
                && present.contains(&p["id"].as_str().unwrap().to_owned())
        })
        .map(|p| (serde_json::from_value(p["id"].clone()).unwrap(), token(p)))
        .collect();
    let api = Api { addr, meeting: m };
    let keyed = Instant::now();
    let mut committee = Committee::make(&api, &sec, &voters[1..4], 2).await;
    println!("the committee's key made in {:?}", keyed.elapsed());
    command(sec.clone(), "open".into(), Command::OpenPoll { poll }).await;
    let params = ballot_params(&api.view(&sec).await, poll);
    let voting = Instant::now();
    for (k, (_, t)) in voters.iter().enumerate() {
        let choices: Vec<u32> = (0..15).map(|c| (c + k as u32 % 3) % 18).collect();
        committee
            .cast(&api, t, &format!("b-{k}"), poll, &params, &choices)
            .await;
    }
    println!(
        "{} sealed ballots encrypted and cast in {:?}",
        voters.len(),
        voting.elapsed()
    );
    command(sec.clone(), "close".into(), Command::ClosePoll { poll }).await;
    let opening = Instant::now();
    committee.open(&api, poll, &[0, 2]).await;
    println!(
        "the box checked on two members' devices and opened in {:?}",
        opening.elapsed()
    );
    command(sec.clone(), "publish".into(), Command::PublishPoll { poll }).await;
    command(sec.clone(), "end".into(), Command::CloseMeeting).await;

    let timed = |path: String| {
        let sec = sec.clone();
        async move {
            let t = Instant::now();
            let r = send(addr, Request::new("GET", &path).bearer(&sec)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text());
            let took = t.elapsed();
            println!(
                "{:<34} {:>10} bytes in {:>8.2?}",
                path.rsplit("/record/").next().unwrap(),
                r.body.len(),
                took
            );
            r
        }
    };
    let base = format!("/api/v1/meetings/{m}/record");
    timed(format!("{base}/minutes.pdf")).await;
    timed(format!("{base}/minutes.docx")).await;
    timed(format!("{base}/attendance.xlsx")).await;
    timed(format!("{base}/delivery.xlsx")).await;
    timed(format!("{base}/polls/{poll}/counting-report.pdf")).await;
    let zip = timed(format!("{base}/dossier.zip")).await;
    let again = timed(format!("{base}/dossier.zip")).await;
    assert_eq!(zip.body, again.body, "the same dossier twice");

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ho-so.zip");
    std::fs::write(&path, &zip.body).unwrap();
    let key = out.path().join("signing.pub");
    std::fs::write(
        &key,
        send(addr, Request::new("GET", "/api/v1/signing-key"))
            .await
            .body,
    )
    .unwrap();
    let t = Instant::now();
    let verified = guard(
        "hub verify",
        tokio::process::Command::new(hub_binary())
            .arg("verify")
            .arg(&path)
            .arg("--key")
            .arg(&key)
            .output(),
    )
    .await
    .unwrap();
    println!("hub verify of the dossier: {:?}", t.elapsed());
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(
        verified.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    println!("{said}");
}
