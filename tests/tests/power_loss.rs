//! Power cuts against the real hub program: its database runs on the store's power-loss
//! harness (`HUB_TEST_POWER_LOSS`, see `hub::store::power_loss`), which holds every write
//! not yet fsynced in the process's memory, so a kill -9 loses exactly what a power cut
//! would. Each cycle: tablets vote in a new poll while the secretariat moves the meeting
//! from room to room (one `update_meeting` after another, each naming a new venue),
//! the power goes at a random instant (a kill, or a sync torn half-way), the hub starts
//! again on the same data, and every acknowledged command must be in the log at the seq
//! its ack named, once, with the ballot box agreeing with the log.

use meeting_tests::{expect_snapshot, guard, MeetingFixture, Member, Tablet, TestHub};
use protocol::{
    ClientFrame, Command, CommandId, Event, EventKind, HubFrame, ParticipantId, PollId, PollKind,
    PollSpec,
};
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tablet_client::CommandError;
use tokio::sync::watch;

const DELEGATES: usize = 12;
/// Venue changes the secretariat tries in a cycle, one after another.
const ITEMS: usize = 30;
/// The power goes within this long after a cycle's first command.
const WINDOW_MS: u64 = 150;

/// Cycles to run: 100, or `POWER_LOSS_CYCLES` for a longer run.
fn cycles() -> usize {
    std::env::var("POWER_LOSS_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    SystemRandom::new().fill(&mut b).expect("random bytes");
    u64::from_le_bytes(b) % n
}

/// What an acknowledged command must have left at the seq its ack named.
#[derive(Clone, Debug)]
enum Expect {
    PollCreated(String),
    PollOpened(PollId),
    Ballot { poll: PollId, voter: ParticipantId },
    Venue(String),
}

type Ledger = Arc<Mutex<Vec<(u64, Expect)>>>;

fn spec(title: &str) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        kind: PollKind::Motion,
        secret: false,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some(protocol::Fraction { num: 0, den: 1 }),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

/// The secretariat's part of a cycle: a poll created and opened (then the delegates vote),
/// then venue changes one by one, until done or the hub is gone.
async fn secretariat(
    mut tablet: Tablet,
    cycle: usize,
    go: watch::Sender<Option<PollId>>,
    ledger: Ledger,
) {
    let title = format!("Biểu quyết lần {cycle}");
    let create = Command::CreatePoll { poll: spec(&title) };
    let seq = match tablet.command(&format!("c{cycle}-poll"), create).await {
        Ok(seq) => seq,
        Err(CommandError::Refused(e)) => panic!("the poll of cycle {cycle} refused: {e:?}"),
        Err(CommandError::Connection(_)) => return,
    };
    ledger
        .lock()
        .unwrap()
        .push((seq, Expect::PollCreated(title)));
    // The event came before its ack, so it is read from what the connection kept.
    let poll = tablet
        .events_until(seq)
        .await
        .iter()
        .find_map(|e| match &e.event {
            EventKind::PollCreated { poll, .. } if e.seq == seq => Some(poll.id),
            _ => None,
        })
        .expect("the poll_created event comes before its ack");
    let seq = match tablet
        .command(&format!("c{cycle}-open"), Command::OpenPoll { poll })
        .await
    {
        Ok(seq) => seq,
        Err(CommandError::Refused(e)) => panic!("the poll of cycle {cycle} not opened: {e:?}"),
        Err(CommandError::Connection(_)) => return,
    };
    ledger.lock().unwrap().push((seq, Expect::PollOpened(poll)));
    go.send_replace(Some(poll));
    for k in 0..ITEMS {
        let venue = format!("Phòng họp {cycle}-{k}");
        let update = Command::UpdateMeeting {
            title: None,
            venue: Some(venue.clone()),
            starts_at: None,
            quorum: None,
        };
        match tablet.command(&format!("c{cycle}-venue-{k}"), update).await {
            Ok(seq) => ledger.lock().unwrap().push((seq, Expect::Venue(venue))),
            Err(CommandError::Connection(_)) => return,
            Err(CommandError::Refused(e)) => panic!("venue {cycle}-{k} refused: {e:?}"),
        }
    }
}

/// A delegate's part: one ballot in the cycle's poll, once it is open.
async fn delegate(
    mut tablet: Tablet,
    n: usize,
    cycle: usize,
    me: ParticipantId,
    mut go: watch::Receiver<Option<PollId>>,
    ledger: Ledger,
) {
    // The sender is dropped when the secretariat's task ends: no poll this cycle.
    let Ok(poll) = go
        .wait_for(Option::is_some)
        .await
        .map(|p| (*p).expect("set"))
    else {
        return;
    };
    let command = Command::CastBallot {
        poll,
        choices: vec![(n % 3) as u32],
        on_behalf_of: None,
    };
    let id = CommandId::try_from(format!("c{cycle}-ballot").as_str()).unwrap();
    let frame = ClientFrame::Command {
        id: id.clone(),
        command,
        pin: None,
    };
    if tablet.conn.send(&frame).await.is_err() {
        return;
    }
    // Read by hand rather than with `command`, so that a cut mid-ballot is told apart.
    loop {
        match guard("a ballot's answer", tablet.conn.recv()).await {
            Ok(HubFrame::Ack { id: got, seq, .. }) if got == id => {
                let voted = Expect::Ballot { poll, voter: me };
                ledger.lock().unwrap().push((seq, voted));
                return;
            }
            Ok(HubFrame::Error(e)) if e.id.as_ref() == Some(&id) => {
                panic!("a ballot of cycle {cycle} refused: {e:?}")
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

async fn join(hub: &TestHub, member: &Member) -> Tablet {
    let (tablet, first) = hub.join(&member.token, None).await;
    expect_snapshot(first);
    tablet
}

/// Checks the log after the restart (the events after the cycle's start) against every ack
/// of the cycle, and that nothing is in it twice.
fn check(events: &[Event], acked: &[(u64, Expect)], cycle: usize) {
    let by_seq: HashMap<u64, &EventKind> = events.iter().map(|e| (e.seq, &e.event)).collect();
    for (seq, expect) in acked {
        let found = by_seq.get(seq).unwrap_or_else(|| {
            panic!("cycle {cycle}: {expect:?} was acknowledged at seq {seq}, which was lost")
        });
        let ok = match (expect, found) {
            (Expect::PollCreated(t), EventKind::PollCreated { poll, .. }) => &poll.title == t,
            (Expect::PollOpened(p), EventKind::PollOpened { poll, .. }) => poll == p,
            (
                Expect::Ballot { poll, voter, .. },
                EventKind::BallotCast {
                    poll: p, voter: v, ..
                },
            ) => p == poll && *v == Some(*voter),
            (Expect::Venue(v), EventKind::MeetingUpdated { venue, .. }) => venue == v,
            _ => false,
        };
        assert!(
            ok,
            "cycle {cycle}: seq {seq} holds {found:?}, but {expect:?} was acknowledged there"
        );
    }
    // Nothing twice: each venue once, each poll once, each voter once per poll.
    let mut seen = HashMap::new();
    for e in events {
        let key = match &e.event {
            EventKind::MeetingUpdated { venue, .. } => venue.clone(),
            EventKind::PollCreated { poll, .. } => poll.title.clone(),
            EventKind::BallotCast { poll, voter, .. } => format!("{poll}/{voter:?}"),
            _ => continue,
        };
        if let Some(first) = seen.insert(key.clone(), e.seq) {
            panic!(
                "cycle {cycle}: {key} recorded twice, at {first} and {}",
                e.seq
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_commands_survive_power_cuts_at_random_instants() {
    let mut hub = TestHub::start_process_with_env(&[(hub::store::power_loss::ENV, "1")]).await;
    let m: MeetingFixture = hub.meeting_with(DELEGATES).await;
    // Every delegate checks in once now, so that joining later writes nothing: the power
    // cuts fall on the cycles' own commands.
    for d in &m.delegates {
        let mut tablet = join(&hub, d).await;
        tablet.until_checked_in(d.id()).await;
    }
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let cut_file = {
        let mut name = hub::store::DATABASE_FILE.to_owned();
        name.push_str(hub::store::power_loss::CUT_SUFFIX);
        hub.data_dir().join(name)
    };

    let (mut acks_checked, mut torn, mut cut_short, mut ballots_counted) = (0, 0, 0, 0);
    let started = Instant::now();
    let total = cycles();
    for cycle in 1..=total {
        let (base, _) = hub.meeting_state(m.id, hub.office_token()).await;
        let ledger = Ledger::default();
        let (go, ready) = watch::channel(None);
        let sec = join(&hub, &m.secretariat).await;
        let mut tasks = Vec::new();
        for (n, d) in m.delegates.iter().enumerate() {
            let tablet = join(&hub, d).await;
            let task = delegate(tablet, n, cycle, d.id(), ready.clone(), ledger.clone());
            tasks.push(tokio::spawn(task));
        }
        drop(ready);
        tasks.push(tokio::spawn(secretariat(sec, cycle, go, ledger.clone())));

        // The power goes at a random instant: every other cycle in the middle of a sync
        // (the next one after that instant is torn), the others by a plain kill -9.
        tokio::time::sleep(Duration::from_millis(random_below(WINDOW_MS))).await;
        if cycle % 2 == 0 {
            std::fs::write(&cut_file, b"").unwrap();
            let deadline = Instant::now() + Duration::from_millis(500);
            while hub.exited().is_none() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // No sync came (the cycle's traffic was over): the kill below is the cut.
            let _ = std::fs::remove_file(&cut_file);
            if hub.exited().is_some() {
                torn += 1;
            }
        }
        hub.kill().await;
        let mut unfinished = false;
        for task in tasks {
            guard("a tablet to notice the power cut", task)
                .await
                .expect("a tablet's task panicked");
        }
        let acked = ledger.lock().unwrap().clone();
        if acked.len() < 2 + DELEGATES + ITEMS {
            unfinished = true;
        }
        cut_short += usize::from(unfinished);

        hub.restart().await;
        let (seq, _) = hub.meeting_state(m.id, hub.office_token()).await;
        let max_acked = acked.iter().map(|(s, _)| *s).max().unwrap_or(base);
        assert!(
            seq >= max_acked,
            "cycle {cycle}: the hub is at {seq}, {max_acked} was acknowledged"
        );

        // The log from where the cycle began, as a tablet resuming there gets it.
        let (mut sec, first) = Tablet::rejoin(
            &hub.ws_url(),
            &m.secretariat.token,
            tablet_client::Follower::resuming_from(base),
            Some(base),
            None,
        )
        .await;
        match first {
            HubFrame::Resumed {
                from, seq: upto, ..
            } => assert_eq!((from, upto), (base, seq)),
            other => panic!("expected to resume from {base}, got {other:?}"),
        }
        let events = sec.events_until(seq).await;
        check(&events, &acked, cycle);
        acks_checked += acked.len();

        // The count agrees with the log: the poll's ballots are the ballot_cast events that
        // survived. (The polls are open ones: a secret poll needs a counting committee's
        // devices; its ballots go in the same transaction as the log, and sealed_faults.rs
        // kills the hub in the middle of one.)
        let opened = events.iter().find_map(|e| match &e.event {
            EventKind::PollOpened { poll, .. } => Some(*poll),
            _ => None,
        });
        if let Some(poll) = opened {
            let cast = events
                .iter()
                .filter(|e| matches!(&e.event, EventKind::BallotCast { poll: p, .. } if *p == poll))
                .count();
            sec.ok(&format!("c{cycle}-close"), Command::ClosePoll { poll })
                .await;
            let published = sec
                .ok(&format!("c{cycle}-publish"), Command::PublishPoll { poll })
                .await;
            let result = sec
                .events_until(published)
                .await
                .iter()
                .find_map(|e| match &e.event {
                    EventKind::PollPublished { result, .. } if e.seq == published => {
                        Some(result.clone())
                    }
                    _ => None,
                })
                .expect("poll_published before its ack");
            assert_eq!(
                result.ballots as usize, cast,
                "cycle {cycle}: ballots counted / cast"
            );
            ballots_counted += cast;
        }
    }

    // At the end, with the hub stopped: the store opens and every chain verifies.
    hub.kill().await;
    let store = hub::store::Store::open(hub.data_dir()).unwrap();
    let log = store.replay(m.id).expect("the hash chain is intact");
    let elapsed = started.elapsed();
    eprintln!(
        "power loss: {total} cycles ({torn} torn syncs, the rest kill -9; {cut_short} cut short \
         with commands in flight), {acks_checked} acknowledged commands checked, 0 lost, \
         0 doubled; {ballots_counted} ballots counted; log of {} events, chain intact; \
         {:.0} ms per cycle",
        log.len(),
        elapsed.as_secs_f64() * 1000.0 / total as f64
    );
    assert!(
        torn > 0,
        "no sync was torn: the test did not cut the power mid-sync"
    );
    assert!(cut_short > 0, "every cycle finished before the power went");
    assert!(
        ballots_counted > 0,
        "no acknowledged ballot was put to the test"
    );
}
