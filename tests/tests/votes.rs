//! Votes on a real hub: 300 delegates on their own WebSockets vote at once in an open
//! motion and in a secret election for 15 seats among 20 candidates; the results must
//! equal a tally this test computes from what each client sent, re-sent ballots must not
//! count twice, and every voter must find their receipt in the published list.

use meeting_tests::{guard, Member, Tablet, TestHub};
use protocol::{
    ClientFrame, Command, CommandId, EventKind, HubFrame, MeetingId, PollId, PollKind, PollSpec,
    PollStatus, PollView,
};
use std::time::Instant;
use tokio::sync::{mpsc, watch};

const DELEGATES: usize = 300;
const CANDIDATES: usize = 20;
const SEATS: u32 = 15;

fn spec(title: &str, kind: PollKind, secret: bool) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        kind,
        secret,
        preset: None,
        base: None,
        threshold: None,
        quorum: None,
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

/// Creates a poll through REST as the office and returns its id, read back from the view.
async fn create_poll(hub: &TestHub, meeting: MeetingId, id: &str, spec: PollSpec) -> PollId {
    let title = spec.title.clone();
    hub.office_command(meeting, id, &Command::CreatePoll { poll: spec })
        .await;
    polls(hub, meeting)
        .await
        .into_iter()
        .find(|p| p.poll.title == title)
        .expect("the poll just created")
        .poll
        .id
}

async fn polls(hub: &TestHub, meeting: MeetingId) -> Vec<PollView> {
    hub.meeting_state(meeting, hub.office_token()).await.1.polls
}

/// A delegate's motion choice and election ballot, decided by their number alone, so the
/// test can tally them independently.
fn motion_choice(n: usize) -> u32 {
    // Six in ten agree; the rest disagree or abstain.
    match n % 10 {
        0..=5 => 0,
        6 => 1 + u32::from(n % 20 == 6),
        7 | 8 => 1,
        _ => 2,
    }
}

fn election_ballot(n: usize) -> Vec<u32> {
    // Each voter keeps 12 to 15 names, skewed so that candidates differ in votes.
    let keep = 12 + n % 4;
    let mut names: Vec<u32> = (0..CANDIDATES as u32)
        .map(|c| (c + (n as u32 * 7) % 5) % CANDIDATES as u32)
        .take(keep)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Sends a command and returns its ack's seq and receipt; events that arrive first are
/// kept by the follower.
async fn send(tablet: &mut Tablet, id: &str, command: Command) -> (u64, Option<String>) {
    let id = CommandId::try_from(id).unwrap();
    tablet
        .conn
        .send(&ClientFrame::Command {
            id: id.clone(),
            command,
        })
        .await
        .expect("sending a command");
    loop {
        match tablet.frame().await {
            HubFrame::Ack {
                id: got,
                seq,
                receipt,
            } if got == id => return (seq, receipt),
            HubFrame::Error(e) if e.id.as_ref() == Some(&id) => panic!("{id} refused: {e:?}"),
            _ => {}
        }
    }
}

struct Voted {
    n: usize,
    receipt: String,
    closes_seen: usize,
}

async fn delegate(
    url: String,
    n: usize,
    member: Member,
    ready: mpsc::Sender<()>,
    mut go: watch::Receiver<Option<(PollId, PollId)>>,
) -> Voted {
    let done = ready.clone();
    let (mut tablet, _) = Tablet::join(&url, &member.token, None, None).await;
    tablet.until_checked_in(member.id()).await;
    ready.send(()).await.expect("the test waits");
    let (motion, election) = guard("the polls to open", go.wait_for(Option::is_some))
        .await
        .expect("the test lives")
        .expect("set");
    let vote = |poll, choices| Command::CastBallot {
        poll,
        choices,
        on_behalf_of: None,
    };
    let (m1, none) = send(&mut tablet, "m", vote(motion, vec![motion_choice(n)])).await;
    assert!(none.is_none(), "an open ballot has no receipt");
    let (e1, receipt) = send(&mut tablet, "e", vote(election, election_ballot(n))).await;
    let receipt = receipt.expect("a secret ballot's receipt");
    // A tablet that lost its acks re-sends with the same ids: same answers, not counted.
    let (m2, _) = send(&mut tablet, "m", vote(motion, vec![motion_choice(n)])).await;
    let (e2, again) = send(&mut tablet, "e", vote(election, election_ballot(n))).await;
    assert_eq!((m1, e1, Some(&receipt)), (m2, e2, again.as_ref()));
    done.send(()).await.expect("the test waits");
    // Every tablet is told when each poll closes.
    let mut closes_seen = tablet
        .follower
        .events()
        .iter()
        .filter(|e| matches!(e.event, EventKind::PollClosed { .. }))
        .count();
    while closes_seen < 2 {
        if let EventKind::PollClosed { .. } = tablet.event().await.event {
            closes_seen += 1;
        }
    }
    Voted {
        n,
        receipt,
        closes_seen,
    }
}

async fn flushes(hub: &TestHub) -> u64 {
    let r = hub.get("/healthz", hub.office_token()).await;
    r.json()["flushes"].as_u64().expect("flushes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_delegates_vote_at_once_and_the_count_is_exact() {
    let mut hub = TestHub::start().await;
    let m = hub.meeting_with(DELEGATES).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let motion = create_poll(
        &hub,
        m.id,
        "p-motion",
        spec("Thông qua chương trình đại hội", PollKind::Motion, false),
    )
    .await;
    let candidates = (1..=CANDIDATES)
        .map(|c| format!("Ứng cử viên {c:02}"))
        .collect();
    let election = create_poll(
        &hub,
        m.id,
        "p-election",
        spec(
            "Bầu Ban Chấp hành khóa mới",
            PollKind::Election {
                candidates,
                seats: SEATS,
            },
            true,
        ),
    )
    .await;

    let (ready_tx, mut ready_rx) = mpsc::channel(DELEGATES);
    let (go_tx, go_rx) = watch::channel(None);
    let url = hub.ws_url();
    let tasks: Vec<_> = m
        .delegates
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let task = delegate(url.clone(), n, d.clone(), ready_tx.clone(), go_rx.clone());
            tokio::spawn(task)
        })
        .collect();
    drop(ready_tx);
    for k in 0..DELEGATES {
        let got = guard("every delegate checked in", ready_rx.recv()).await;
        assert!(got.is_some(), "only {k} delegates are ready");
    }
    hub.office_command(m.id, "open-m", &Command::OpenPoll { poll: motion })
        .await;
    hub.office_command(m.id, "open-e", &Command::OpenPoll { poll: election })
        .await;

    let flushes_before = flushes(&hub).await;
    let started = Instant::now();
    go_tx.send(Some((motion, election))).unwrap();
    // Every tablet has its answers, re-sends included: a receipt is kept for a re-send
    // only while its poll is open.
    for k in 0..DELEGATES {
        let got = guard("every delegate's ballots and re-sends", ready_rx.recv()).await;
        assert!(got.is_some(), "only {k} delegates voted");
    }
    let voting = started.elapsed();
    let flushed = flushes(&hub).await - flushes_before;
    let views = polls(&hub, m.id).await;
    assert!(
        views.iter().all(|p| p.ballots_in == DELEGATES as u32),
        "turnout: {views:?}"
    );
    eprintln!(
        "600 ballots and 600 re-sends from {DELEGATES} tablets in {voting:?}, {flushed} flushes"
    );

    hub.office_command(m.id, "close-m", &Command::ClosePoll { poll: motion })
        .await;
    hub.office_command(m.id, "close-e", &Command::ClosePoll { poll: election })
        .await;
    hub.office_command(m.id, "pub-e", &Command::PublishPoll { poll: election })
        .await;
    let mut voted = Vec::new();
    for t in tasks {
        voted.push(
            guard("a delegate task", t)
                .await
                .expect("the delegate task"),
        );
    }
    assert!(voted.iter().all(|v| v.closes_seen == 2));

    // The independent tally, from what each client sent.
    let mut motion_tally = vec![0u32; 3];
    let mut election_tally = vec![0u32; CANDIDATES];
    for n in 0..DELEGATES {
        motion_tally[motion_choice(n) as usize] += 1;
        for c in election_ballot(n) {
            election_tally[c as usize] += 1;
        }
    }
    let views = polls(&hub, m.id).await;
    let by_id = |id| views.iter().find(|p| p.poll.id == id).unwrap();
    let mr = by_id(motion).result.clone().unwrap();
    assert_eq!(mr.tallies, motion_tally);
    assert_eq!((mr.valid, mr.summoned, mr.base_count), (300, 301, 301));
    assert_eq!(mr.passed, u64::from(motion_tally[0]) * 2 > 301);

    let ev = by_id(election);
    assert_eq!(ev.status, PollStatus::Published);
    let er = ev.result.clone().unwrap();
    assert_eq!(er.tallies, election_tally);
    assert_eq!(er.valid, 300);
    // Elected: over half of 300 valid ballots, most votes first, 15 seats, a tie at the
    // last seat leaving the tied for a new round.
    let mut over: Vec<u32> = (0..CANDIDATES as u32)
        .filter(|&c| election_tally[c as usize] * 2 > 300)
        .collect();
    over.sort_by_key(|&c| (std::cmp::Reverse(election_tally[c as usize]), c));
    let seats = SEATS as usize;
    let votes = |c: &u32| election_tally[*c as usize];
    let (elected, tied) = if over.len() <= seats || votes(&over[seats - 1]) != votes(&over[seats]) {
        (over.iter().copied().take(seats).collect::<Vec<_>>(), vec![])
    } else {
        let last = votes(&over[seats - 1]);
        (
            over.iter().copied().filter(|c| votes(c) > last).collect(),
            over.iter().copied().filter(|c| votes(c) == last).collect(),
        )
    };
    assert_eq!((er.elected.clone(), er.tied.clone()), (elected, tied));

    // Each voter finds their receipt, with exactly the ballot they sent.
    let receipts = ev.receipts.clone().expect("published receipts");
    assert_eq!(receipts.len(), DELEGATES);
    for v in &voted {
        let line = receipts
            .iter()
            .find(|l| l.receipt == v.receipt)
            .unwrap_or_else(|| panic!("delegate {}'s receipt is not published", v.n));
        assert_eq!(line.fingerprint.len(), 64, "{}", election_ballot(v.n).len());
    }
    assert!(
        flushed < 600,
        "group commit: {flushed} flushes for 1200 commands"
    );

    // Whoever holds the disk: stop the hub and read every record of every tree. No record
    // that names a delegate and concerns the election holds a receipt or a choice, and the
    // ballot box names nobody.
    hub.stop().await;
    let store = hub::store::Store::open(hub.data_dir()).expect("the stopped hub's store");
    let election_text = election.to_string();
    let receipts: Vec<&str> = voted.iter().map(|v| v.receipt.as_str()).collect();
    let mut in_box = 0;
    for (tree, key, value) in store.dump() {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&key),
            String::from_utf8_lossy(&value)
        );
        let names_voter = m.delegates.iter().any(|d| {
            let id = d.id();
            text.contains(&id.to_string())
                || key.windows(16).any(|w| w == id.as_bytes())
                || value.windows(16).any(|w| w == id.as_bytes())
        });
        let about_election =
            text.contains(&election_text) || key.windows(16).any(|w| w == election.as_bytes());
        if tree == "ballots" {
            in_box += 1;
            assert!(!names_voter, "a ballot names its voter: {text}");
        }
        if names_voter && about_election {
            assert!(!text.contains("choices"), "{tree}: {text}");
            assert!(
                !receipts.iter().any(|r| text.contains(r)),
                "{tree}: a voter's record holds a receipt: {text}"
            );
        }
    }
    assert_eq!(in_box, DELEGATES, "the ballot box holds each ballot once");
}
