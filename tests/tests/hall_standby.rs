//! Failover on the real `hub` program: two hubs share one PostgreSQL (started here, in a
//! temporary directory), the first holds the hall, the second waits as the standby. 300
//! tablets on the real `tablet-client` sessions, each knowing both hubs, are voting when
//! the first hub is killed with SIGKILL. The standby takes the lease over and every tablet
//! resumes through it: every tablet current again within 10 s, every acknowledged ballot
//! counted exactly once and none lost. The test prints the figures (time to takeover, time
//! until all tablets are current, ballots acked and counted).

use meeting_tests::sealed;
use meeting_tests::standby::ScratchPostgres;
use meeting_tests::{guard, TestHub};
use protocol::{Command, CommandId, HubFrame, ParticipantId, PollKind, PollStatus};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tablet_client::{Follower, JoinUrl, Session};

const TABLETS: usize = 300;

/// What each tablet reports: its ballot's ack (if one came), when the second hub first
/// brought it up to date, and the last seq it has seen.
#[derive(Debug, Default, Clone)]
struct Report {
    acked: Option<u64>,
    /// The ballot's round trip, when the first hub answered it (before the kill).
    ack_ms: Option<f64>,
    moved_at: Option<Instant>,
    last_seq: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_takes_over_a_300_tablet_vote_when_the_hub_is_killed() {
    let postgres = tokio::task::spawn_blocking(ScratchPostgres::start)
        .await
        .unwrap()
        .expect("a scratch PostgreSQL (Debian's postgresql package)");
    let url = postgres.database().unwrap();

    // The first hub takes the hall; the second, with the same office token, waits.
    let first_dir = tempfile::tempdir().unwrap();
    let mut first = TestHub::start_process_in(first_dir, &[("HUB_STORE_URL", url.as_str())]).await;
    let second_dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        first.data_dir().join("secretariat.token"),
        second_dir.path().join("secretariat.token"),
    )
    .unwrap();
    let standby = TestHub::start_standby(second_dir, &url).await;
    let second_addr = standby.addr();
    let answer = meeting_tests::http::Request::new("GET", "/healthz")
        .send(second_addr)
        .await
        .unwrap();
    assert_eq!(
        answer.status,
        503,
        "the standby's /healthz: {}",
        answer.text()
    );
    assert_eq!(answer.json()["status"], "standby", "{}", answer.text());
    assert_eq!(answer.json()["code"], "standby");

    let m = first.meeting_with(TABLETS).await;
    first
        .office_command(m.id, "start", &Command::StartSession)
        .await;
    let spec = sealed::spec("Thông qua Nghị quyết Đại hội", PollKind::Motion, false);
    let poll = sealed::open_poll(&first, m.id, "motion", spec).await;

    // Every tablet joins with both hubs, then votes when its turn comes and follows the
    // meeting; the first hub is killed once a third of the ballots are acknowledged.
    let reports: Arc<Mutex<BTreeMap<ParticipantId, Report>>> = Arc::default();
    let acked = Arc::new(tokio::sync::Semaphore::new(0));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut tablets = Vec::with_capacity(TABLETS);
    for (n, member) in m.delegates.iter().enumerate() {
        let badge = JoinUrl::parse(&member.join_url).unwrap();
        let hubs = vec![
            badge.clone(),
            badge.at_hub(&format!("http://{second_addr}")).unwrap(),
        ];
        let session = Session::join_hubs(hubs, Follower::new(), Duration::from_secs(10))
            .await
            .expect("a tablet joins");
        tablets.push((n, member.id(), session));
    }
    let started = Instant::now();
    let mut running = Vec::with_capacity(TABLETS);
    for (n, who, mut session) in tablets {
        let (reports, acked, mut stop) = (reports.clone(), acked.clone(), stop.clone());
        running.push(tokio::spawn(async move {
            // A hall votes over seconds: each tablet's turn comes 20 ms after the last;
            // until then, and after, it follows the meeting.
            let turn = tokio::time::Instant::now() + Duration::from_millis(20 * n as u64);
            let mut voted = false;
            loop {
                let step = tokio::select! {
                    () = tokio::time::sleep_until(turn), if !voted => None,
                    frame = session.next() => Some(frame),
                    stopped = stop.wait_for(|s| *s) => {
                        drop(stopped);
                        break;
                    }
                };
                let frame = match step {
                    Some(frame) => Some(frame.expect("the session follows the meeting")),
                    None => {
                        voted = true;
                        let cast = Command::CastBallot {
                            poll,
                            choices: vec![u32::try_from(n % 3).unwrap()],
                            on_behalf_of: None,
                        };
                        let id = CommandId::try_from(format!("ballot-{n}")).unwrap();
                        let sent = Instant::now();
                        let answer = session.command_as(id, cast).await.expect("the ballot");
                        let mut reports = reports.lock().unwrap();
                        let report = reports.entry(who).or_default();
                        report.acked = Some(answer.seq);
                        if session.hub().base_url().port() != Some(second_addr.port()) {
                            report.ack_ms = Some(sent.elapsed().as_secs_f64() * 1000.0);
                        }
                        drop(reports);
                        acked.add_permits(1);
                        None
                    }
                };
                let moved = session.hub().base_url().port() == Some(second_addr.port());
                let mut reports = reports.lock().unwrap();
                let report = reports.entry(who).or_default();
                report.last_seq = session.follower().last_seq();
                let fresh = matches!(
                    frame,
                    Some(HubFrame::Snapshot { .. } | HubFrame::Resumed { .. })
                );
                // Current through the second hub: it answered this tablet's hello (or its
                // ballot, when that was how the tablet found it gone).
                if moved && (fresh || frame.is_none()) {
                    report.moved_at.get_or_insert_with(Instant::now);
                }
            }
            session.follower().last_seq()
        }));
    }
    let third = acked
        .acquire_many(u32::try_from(TABLETS / 3).unwrap())
        .await
        .unwrap();
    third.forget();
    let acked_before_kill = reports
        .lock()
        .unwrap()
        .values()
        .filter(|r| r.acked.is_some())
        .count();
    let killed = Instant::now();
    first.kill().await;

    let (second, took_over) = standby.serving(Duration::from_secs(10)).await;
    let takeover = took_over - killed;

    // Every tablet votes (its ballot re-sent to the second hub if the first died before
    // answering) and moves to the second hub.
    guard("every ballot to be acknowledged", async {
        let _ = acked
            .acquire_many(u32::try_from(TABLETS - TABLETS / 3).unwrap())
            .await
            .unwrap();
    })
    .await;
    let all_moved = guard("every tablet to move to the second hub", async {
        loop {
            let latest = {
                let reports = reports.lock().unwrap();
                let moved: Vec<Instant> = reports.values().filter_map(|r| r.moved_at).collect();
                (moved.len() == TABLETS).then(|| moved.into_iter().max().unwrap())
            };
            if let Some(latest) = latest {
                return latest;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let all_current_after = all_moved.saturating_duration_since(killed);

    // The second hub counts each acknowledged ballot once; the tablets end on its seq.
    let (seq, view) = second.meeting_state(m.id, second.office_token()).await;
    let _ = stop_tx.send(true);
    let mut last_seqs = Vec::new();
    for tablet in running {
        last_seqs.push(guard("a tablet to stop", tablet).await.unwrap());
    }
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    assert_eq!(p.status, PollStatus::Open);
    let voters: Vec<ParticipantId> = p.voters.clone().expect("the office sees who voted");
    let distinct: BTreeSet<ParticipantId> = voters.iter().copied().collect();
    let acked: BTreeSet<ParticipantId> = reports
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, r)| r.acked.is_some())
        .map(|(who, _)| *who)
        .collect();
    eprintln!(
        "failover of a {TABLETS}-tablet vote: the standby served {:.0} ms after the kill -9; \
         every tablet current through it {:.0} ms after the kill; ballots acknowledged: {} \
         ({acked_before_kill} before the kill), counted: {} ({} voters, seq {seq})",
        takeover.as_secs_f64() * 1000.0,
        all_current_after.as_secs_f64() * 1000.0,
        acked.len(),
        p.ballots_in,
        distinct.len(),
    );
    let mut on_first: Vec<f64> = reports
        .lock()
        .unwrap()
        .values()
        .filter_map(|r| r.ack_ms)
        .collect();
    on_first.sort_by(f64::total_cmp);
    let at = |q: f64| on_first[((on_first.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "the vote took {:.1} s from the first ballot to the last ack; ballot acks on the first \
         hub (the scratch PostgreSQL, fsync off; one commit per batch): {} ballots, median {:.1} ms, p95 {:.1} ms",
        started.elapsed().as_secs_f64(),
        on_first.len(),
        at(0.5),
        at(0.95),
    );
    assert_eq!(acked.len(), TABLETS, "every tablet's ballot acknowledged");
    assert_eq!(voters.len(), distinct.len(), "nobody counted twice");
    assert_eq!(
        distinct, acked,
        "every acknowledged ballot counted, none lost"
    );
    assert_eq!(p.ballots_in as usize, TABLETS, "each ballot counted once");
    assert!(
        all_current_after < Duration::from_secs(10),
        "every tablet current again within 10 s of the kill: {all_current_after:?}"
    );
    // A delegate is not sent every event (others' ballots are withheld), so tablets end on
    // different seqs, none past the second hub's, and the last voter's on it.
    assert!(
        last_seqs.iter().all(|s| *s <= seq),
        "no tablet saw past the second hub's log"
    );
    assert_eq!(last_seqs.iter().max(), Some(&seq));
    drop(postgres);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_whose_lease_connection_is_cut_stops_and_the_standby_serves() {
    let postgres = tokio::task::spawn_blocking(ScratchPostgres::start)
        .await
        .unwrap()
        .expect("a scratch PostgreSQL (Debian's postgresql package)");
    let url = postgres.database().unwrap();
    let first_dir = tempfile::tempdir().unwrap();
    let mut first = TestHub::start_process_in(first_dir, &[("HUB_STORE_URL", url.as_str())]).await;
    let second_dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        first.data_dir().join("secretariat.token"),
        second_dir.path().join("secretariat.token"),
    )
    .unwrap();
    let standby = TestHub::start_standby(second_dir, &url).await;
    let m = first.meeting_with(3).await;
    let epochs = postgres.psql(&url, "SELECT epoch FROM hub_lease").unwrap();
    assert_eq!(epochs.trim(), "1", "the first hub took the first epoch");

    // The database ends the hubs' lease connections, as a cut cable would: the first hub
    // must stop (its process exits with an error), the standby must take the hall.
    let cut = Instant::now();
    postgres
        .psql(
            &url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'hub lease'",
        )
        .unwrap();
    let (second, _) = standby.serving(Duration::from_secs(10)).await;
    let status = guard("the first hub to stop", async {
        loop {
            if let Some(status) = first.exited() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    eprintln!(
        "a hub whose lease connection was cut stopped, and the standby served, {:.0} ms after the cut",
        cut.elapsed().as_secs_f64() * 1000.0
    );
    assert!(
        !status.success(),
        "a hub that lost its lease exits with an error"
    );
    assert!(
        first.logs().contains("lost the lease"),
        "it says why: {}",
        first.logs()
    );
    let epochs = postgres.psql(&url, "SELECT epoch FROM hub_lease").unwrap();
    assert_eq!(epochs.trim(), "2", "the takeover raised the epoch");
    let (_, view) = second.meeting_state(m.id, second.office_token()).await;
    assert_eq!(
        view.participants.len(),
        6,
        "the meeting as the first hub left it"
    );
    // A delegate joins through it.
    let (_, first_frame) = second.join(&m.delegates[0].token, None).await;
    assert!(
        matches!(first_frame, HubFrame::Snapshot { .. }),
        "{first_frame:?}"
    );
}
