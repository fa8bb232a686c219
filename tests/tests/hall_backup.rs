//! A backup while 300 tablets vote, on the real `hub` program: `hub backup` asks the running
//! hub on its control socket, the vote goes on, `hub restore` checks the copy and every hash
//! chain, and a hub started on the restored directory serves the meeting as it was at the
//! copy's point: every ballot acknowledged at or before it, none after. The test prints
//! how long the backup took and the hub's ack latency while it ran (figures, not asserts).

use meeting_tests::browser::Driver;
use meeting_tests::sealed;
use meeting_tests::{guard, hub_binary, Tablet, TestHub};
use protocol::{Command, HubFrame, PollKind, PollStatus};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TABLETS: usize = 300;

/// One acknowledged ballot: who, the seq of its event, when it was sent, its round trip in ms.
type Ack = (protocol::ParticipantId, u64, Instant, f64);

/// Milliseconds at the given quantile of `samples` (sorted here).
fn quantile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_a_300_tablet_vote_restores_to_the_same_meeting() {
    let mut hub = TestHub::start_process().await;
    let m = hub.meeting_with(TABLETS).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let spec = sealed::spec("Thông qua Nghị quyết Đại hội", PollKind::Motion, false);
    let poll = sealed::open_poll(&hub, m.id, "motion", spec).await;

    let mut tablets = Vec::with_capacity(TABLETS);
    for member in &m.delegates {
        let (tablet, first) = Tablet::join(&hub.ws_url(), &member.token, None, None).await;
        assert!(matches!(first, HubFrame::Snapshot { .. }), "{first:?}");
        tablets.push((member.id(), tablet));
    }

    // Every tablet votes, 4 at a time, each timing its ballot's ack; the backup starts
    // once a third have voted and the vote goes on while it runs.
    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let backup_dir = tempfile::tempdir().unwrap();
    let out = backup_dir.path().join("nightly");
    let (third_tx, third) = tokio::sync::oneshot::channel::<()>();
    let data = hub.data_dir().to_owned();
    let backup = {
        let out = out.clone();
        tokio::spawn(async move {
            let _ = third.await;
            let started = Instant::now();
            let run = tokio::process::Command::new(hub_binary())
                .arg("backup")
                .arg("--data")
                .arg(&data)
                .arg(&out)
                .output()
                .await
                .expect("running hub backup");
            (started, Instant::now(), run)
        })
    };
    let mut third_tx = Some(third_tx);
    let lanes = 4;
    let mut lanes_of: Vec<Vec<_>> = (0..lanes).map(|_| Vec::new()).collect();
    for (n, t) in tablets.into_iter().enumerate() {
        lanes_of[n % lanes].push((n, t));
    }
    let voted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut running = Vec::new();
    for lane in lanes_of {
        let (acks, voted) = (acks.clone(), voted.clone());
        running.push(tokio::spawn(async move {
            let mut kept = Vec::new();
            for (n, (who, mut tablet)) in lane {
                let choice = u32::try_from(n % 3).unwrap();
                let cast = Command::CastBallot {
                    poll,
                    choices: vec![choice],
                    on_behalf_of: None,
                };
                let sent = Instant::now();
                let seq = tablet.ok(&format!("ballot-{n}"), cast).await;
                let ms = sent.elapsed().as_secs_f64() * 1000.0;
                acks.lock().unwrap().push((who, seq, sent, ms));
                voted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // A hall votes over seconds, not all in one instant.
                tokio::time::sleep(Duration::from_millis(15)).await;
                kept.push(tablet);
            }
            kept
        }));
    }
    while voted.load(std::sync::atomic::Ordering::SeqCst) < TABLETS / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = third_tx.take().unwrap().send(());
    for lane in running {
        guard("a lane of tablets to vote", lane)
            .await
            .expect("the lane");
    }
    let (backup_started, backup_ended, run) = guard("hub backup", backup).await.unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("BACKUP MADE"),
        "hub backup: {stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;

    // The figures.
    let acks = acks.lock().unwrap().clone();
    assert_eq!(acks.len(), TABLETS);
    let mut during: Vec<f64> = acks
        .iter()
        .filter(|(_, _, sent, _)| *sent >= backup_started && *sent <= backup_ended)
        .map(|a| a.3)
        .collect();
    let mut outside: Vec<f64> = acks
        .iter()
        .filter(|(_, _, sent, _)| *sent < backup_started || *sent > backup_ended)
        .map(|a| a.3)
        .collect();
    let took = backup_ended - backup_started;
    eprintln!(
        "backup of a running hub ({TABLETS} tablets voting): {:.0} ms (`hub backup` process, \
         start to exit); {stdout}",
        took.as_secs_f64() * 1000.0
    );
    eprintln!(
        "ack latency while the backup ran: {} ballots, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        during.len(),
        quantile(&mut during, 0.5),
        quantile(&mut during, 0.95),
        quantile(&mut during, 1.0)
    );
    eprintln!(
        "ack latency otherwise:            {} ballots, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        outside.len(),
        quantile(&mut outside, 0.5),
        quantile(&mut outside, 0.95),
        quantile(&mut outside, 1.0)
    );

    // Where the copy ends: a batch boundary inside the vote.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("MANIFEST.json")).unwrap()).unwrap();
    let log = manifest["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["meeting"] == serde_json::json!(m.id))
        .expect("the meeting in the manifest")
        .clone();
    let copied_seq = log["last_seq"].as_u64().unwrap();
    let before: BTreeSet<_> = acks
        .iter()
        .filter(|a| a.1 <= copied_seq)
        .map(|a| a.0)
        .collect();
    assert!(
        !before.is_empty() && before.len() < TABLETS,
        "the copy was taken mid-vote: {} of {TABLETS} ballots in it",
        before.len()
    );
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for kept in ["hub.redb", "secretariat.token", "token.key", "signing.key"] {
        assert!(files.contains(&kept), "{kept} in {files:?}");
    }

    // The desk is told when the last backup was made, and shows it.
    let health = hub.get("/healthz", hub.office_token()).await.json();
    assert!(
        health["last_backup"]["made_at_ms"].as_i64().is_some(),
        "{health}"
    );
    let driver = Driver::start().await;
    let page = driver.page((1366, 900)).await;
    page.goto(&format!("http://{}/j/{}", hub.addr(), hub.office_token()))
        .await;
    let shown = page
        .wait_text(
            "[data-testid=last-backup]",
            "the last backup on the office's page",
            |t| t.starts_with("Sao lưu gần nhất:"),
        )
        .await;
    eprintln!("the office's page: {shown}");
    page.close().await;
    hub.stop().await;

    // A stopped hub's directory is copied by `hub backup` itself.
    let stopped = backup_dir.path().join("stopped");
    let run = tokio::process::Command::new(hub_binary())
        .arg("backup")
        .arg("--data")
        .arg(hub.data_dir())
        .arg(&stopped)
        .output()
        .await
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = tokio::process::Command::new(hub_binary())
        .arg("restore")
        .arg(&stopped)
        .args(["--data", "/nonexistent", "--check-only"])
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && said.contains("BACKUP VALID"),
        "{said}"
    );

    // An altered copy is refused, and restores nothing.
    let damaged = backup_dir.path().join("damaged");
    copy_dir(&out, &damaged);
    std::fs::write(damaged.join("secretariat.token"), "hub_not_the_token\n").unwrap();
    let target = tempfile::tempdir().unwrap();
    let refused = restore(&damaged, &target.path().join("data")).await;
    assert!(!refused.status.success(), "an altered backup restored");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("secretariat.token"), "{said}");

    // The copy restores, every hash chain checked, to a hub that serves it.
    let restored_dir = tempfile::tempdir().unwrap();
    let run = restore(&out, restored_dir.path()).await;
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && said.contains("RESTORED"),
        "hub restore: {said}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(said.contains(&format!("up to seq {copied_seq}")), "{said}");
    let restored = TestHub::start_in(restored_dir).await;
    assert_eq!(restored.office_token(), hub.office_token());
    let (seq, view) = restored.meeting_state(m.id, restored.office_token()).await;
    assert_eq!(seq, copied_seq, "the restored log ends where the copy did");
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    assert_eq!(p.status, PollStatus::Open, "copied before the poll closed");
    let voters: BTreeSet<_> = p
        .voters
        .clone()
        .expect("the office sees who voted")
        .into_iter()
        .collect();
    assert_eq!(
        voters, before,
        "the restored hub holds exactly the ballots acknowledged at or before the copy"
    );
    assert_eq!(p.ballots_in as usize, before.len());
    assert_eq!(view.participants.len(), TABLETS + 3);
    // And a tablet whose token was issued before the copy joins the restored hub.
    let (_, first) = restored.join(&m.delegates[0].token, None).await;
    assert!(matches!(first, HubFrame::Snapshot { .. }), "{first:?}");
}

async fn restore(backup: &std::path::Path, data: &std::path::Path) -> std::process::Output {
    tokio::process::Command::new(hub_binary())
        .arg("restore")
        .arg(backup)
        .arg("--data")
        .arg(data)
        .output()
        .await
        .expect("running hub restore")
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
