//! A congress of 300 members elects 15 of 20 candidates by sealed secret ballot, one member
//! after another (each ballot alone in its write to disk, the case that used to give voters
//! away), each ballot encrypted on the member's own tablet; a counting committee of five,
//! three needed, made the key on their own devices through the hub.
//!
//! Whoever holds every byte the hub has (the data directory, raw and through `Store::dump`,
//! every export and the hub's log) finds no ballot in plaintext and no member's share of the
//! key; with two shares of the three needed the box stays shut (the hub does not count,
//! `ballot_box::open` refuses); with the third it opens, and the count is the tally of what
//! the tablets sent. Every voter finds their receipt in the published list.

use aho_corasick::AhoCorasick;
use base64::Engine as _;
use meeting_tests::sealed::{self, Cast};
use meeting_tests::{guard, TestHub};
use protocol::{Command, ErrorCode, PollStatus};
use std::collections::HashSet;
use std::path::Path;
use tablet_client::ballot_box::rand_core::RngCore;
use tablet_client::ballot_box::{self, rng_from_seed, EncryptedSum, MemberSecret};
use tablet_client::sealed::{fetch_box, in_published_list, MemberKey};
use tokio::sync::{mpsc, oneshot};

const MEMBERS: usize = 300;
const CANDIDATES: u32 = 20;
const SEATS: u32 = 15;
const COMMITTEE: usize = 5;
const THRESHOLD: u32 = 3;

/// Member `n`'s ballot: 12 to 15 names drawn at random (seeded, so a failure repeats), so
/// that nearly every member's marks are their own.
fn marks_of(n: usize) -> Vec<u32> {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
    let mut rng = rng_from_seed(seed);
    let keep = 12 + (rng.next_u32() % 4) as usize;
    let mut names: Vec<u32> = (0..CANDIDATES).collect();
    for i in (1..names.len()).rev() {
        names.swap(i, (rng.next_u32() as usize) % (i + 1));
    }
    names.truncate(keep);
    names.sort_unstable();
    names
}

/// The ways a ballot's marks could be written down in plain: JSON (`[0,3,7]`), Rust's debug
/// form (`[0, 3, 7]`), and one byte per candidate (0 or 1).
fn encodings(marks: &[u32]) -> Vec<Vec<u8>> {
    let json = serde_json::to_string(marks).unwrap().into_bytes();
    let debug = format!("{marks:?}").into_bytes();
    let mut bits = vec![0u8; CANDIDATES as usize];
    for &m in marks {
        bits[m as usize] = 1;
    }
    vec![json, debug, bits]
}

/// What a member's share of the key looks like in every form it takes on their device:
/// the printed text, its share part, the JSON form's share and its 32 raw bytes.
fn share_forms(secret: &MemberSecret) -> Vec<Vec<u8>> {
    let text = secret.to_text();
    let part = text.rsplit('-').next().unwrap().to_owned();
    let json = serde_json::to_value(secret).unwrap();
    let b64 = json["share"].as_str().unwrap().to_owned();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&b64)
        .unwrap();
    assert_eq!(raw.len(), 32);
    vec![text.into_bytes(), part.into_bytes(), b64.into_bytes(), raw]
}

/// Every file under `dir`, with its bytes.
fn every_file(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(every_file(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// What must be found nowhere, each with what it is: every member's marks in every form,
/// every committee member's share in every form.
fn secrets(cast: &[Cast], keys: &[MemberKey]) -> Vec<(Vec<u8>, String)> {
    let mut out = Vec::new();
    for (n, c) in cast.iter().enumerate() {
        for needle in encodings(&c.marks) {
            out.push((needle, format!("member {n}'s marks {:?}", c.marks)));
        }
    }
    for (k, key) in keys.iter().enumerate() {
        for needle in share_forms(&key.secret) {
            out.push((needle, format!("committee member {k}'s share of the key")));
        }
    }
    out
}

/// The start of a plaintext ballot's choices as JSON (`"choices":[3,…`), where the sealed
/// ballot's choices are ciphertexts (`"choices":[{"ct":…`).
const PLAIN_CHOICES: [&[u8]; 2] = [b"\"choices\":[", b"\"choices\": ["];

/// The first secret `bytes` hold, if any: one of `secrets`, or a plaintext ballot's choices.
fn first_secret(
    search: &AhoCorasick,
    secrets: &[(Vec<u8>, String)],
    bytes: &[u8],
) -> Option<String> {
    search.find_overlapping_iter(bytes).find_map(|found| {
        match secrets.get(found.pattern().as_usize()) {
            Some((_, secret)) => Some(secret.clone()),
            None => {
                let next = bytes.get(found.end()).copied().unwrap_or(b'{');
                (next.is_ascii_digit() || next == b']')
                    .then(|| "a plaintext ballot's choices".to_owned())
            }
        }
    })
}

/// Stops the hub and reads every byte it has: every file of its data directory, every
/// record of its store, the exports fetched so far and its whole log. Nothing may hold a
/// ballot's marks, a plaintext ballot's choices or a member's share, nor a record that
/// names a voter beside their ballot's receipt or fingerprint.
async fn read_everything(
    hub: &mut TestHub,
    exports: &[(String, Vec<u8>)],
    cast: &[Cast],
    voters: &[protocol::ParticipantId],
    keys: &[MemberKey],
) {
    hub.stop().await;
    let log = hub.whole_log();
    assert!(log.contains("listening on"), "the whole log: {log}");
    let mut everything = every_file(hub.data_dir());
    let names: Vec<_> = everything.iter().map(|(path, _)| path.clone()).collect();
    assert!(
        names.iter().any(|p| p.ends_with(hub::store::DATABASE_FILE)),
        "the data directory holds the database: {names:?}"
    );
    let store = hub::store::Store::open(hub.data_dir()).expect("the stopped hub's store");
    // A voter's id in its two forms, then their ballot's receipt and fingerprint.
    let mut links = Vec::new();
    for (id, c) in voters.iter().zip(cast) {
        links.push(id.as_bytes().to_vec());
        links.push(id.to_string().into_bytes());
        links.push(c.receipt.clone().into_bytes());
        links.push(c.fingerprint.clone().into_bytes());
    }
    let linked = AhoCorasick::new(&links).unwrap();
    let mut in_box = 0;
    for (tree, key, value) in store.dump().expect("every record of the store") {
        let record = [key.as_slice(), value.as_slice()].concat();
        let mut named = HashSet::new();
        let mut ballot = HashSet::new();
        for found in linked.find_overlapping_iter(&record) {
            let (n, what) = (
                found.pattern().as_usize() / 4,
                found.pattern().as_usize() % 4,
            );
            if what < 2 {
                named.insert(n)
            } else {
                ballot.insert(n)
            };
        }
        if tree == "ballots" {
            in_box += 1;
            assert!(
                named.is_empty(),
                "a ballot in the box names its voter(s) {named:?}"
            );
        }
        let both: Vec<_> = named.intersection(&ballot).collect();
        assert!(
            both.is_empty(),
            "{tree}: a record names members {both:?} beside their ballots"
        );
        everything.push((format!("store record of {tree}"), record));
    }
    drop(store);
    assert!(
        in_box == 0 || in_box == cast.len(),
        "the box holds each ballot once: {in_box}"
    );
    everything.extend(exports.iter().cloned());
    everything.push(("the hub's log".into(), log.into_bytes()));

    let secrets = secrets(cast, keys);
    let needles = secrets
        .iter()
        .map(|(n, _)| n.as_slice())
        .chain(PLAIN_CHOICES);
    let search = AhoCorasick::new(needles).unwrap();
    // The search finds what it looks for: a plaintext ballot of the last voter, in a
    // cast_ballot command and alone, and the last committee member's printed share.
    let last = cast.last().unwrap();
    let planted = [
        serde_json::to_vec(&Command::CastBallot {
            poll: protocol::PollId::new_random(),
            choices: vec![1, 2],
            on_behalf_of: None,
        })
        .unwrap(),
        format!("…{}…", serde_json::to_string(&last.marks).unwrap()).into_bytes(),
        keys.last().unwrap().secret.to_text().into_bytes(),
    ];
    for bytes in &planted {
        assert!(
            first_secret(&search, &secrets, bytes).is_some(),
            "the search misses {}",
            String::from_utf8_lossy(bytes)
        );
    }
    let mut read = 0;
    for (what, bytes) in &everything {
        read += bytes.len();
        if let Some(secret) = first_secret(&search, &secrets, bytes) {
            panic!("{what} holds {secret}");
        }
    }
    eprintln!(
        "read {read} bytes in {} files, records and exports",
        everything.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_members_vote_one_at_a_time_and_nothing_the_hub_keeps_tells_a_ballot() {
    // The hub logs all it would at its most talkative, and the test reads all of it.
    let mut hub = TestHub::start_process_logging(Some("hub=trace,protocol=trace,info")).await;
    let started = std::time::Instant::now();
    let phase = |what: &str| eprintln!("{:>7.1} s  {what}", started.elapsed().as_secs_f64());
    let m = hub.meeting_with(MEMBERS).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let committee = &m.delegates[..COMMITTEE];
    let keys = sealed::make_committee(&hub, m.id, committee, THRESHOLD).await;
    phase("the committee's key is made");
    let poll = sealed::open_poll(
        &hub,
        m.id,
        "e",
        sealed::spec(
            "Bầu Ban Chấp hành Đảng bộ khóa mới",
            sealed::election(CANDIDATES, SEATS),
            true,
        ),
    )
    .await;

    // Every member's tablet joins at once, then they vote one after another, each waiting
    // for the one before to be acknowledged.
    let (ready_tx, mut ready) = mpsc::channel(MEMBERS);
    let mut turns = Vec::new();
    let mut tablets = Vec::new();
    for (n, member) in m.delegates.iter().enumerate() {
        let (turn_tx, turn) = oneshot::channel::<()>();
        turns.push(turn_tx);
        let (member, ready) = (member.clone(), ready_tx.clone());
        let join = sealed::join_url(&hub, &member);
        tablets.push(tokio::spawn(async move {
            let mut session = tablet_client::Session::join(
                join,
                tablet_client::Follower::new(),
                std::time::Duration::from_secs(10),
            )
            .await
            .expect("joins");
            let protocol::HubFrame::Snapshot { view, .. } = session.next().await.unwrap() else {
                panic!("no snapshot");
            };
            sealed::until_checked_in(&mut session, &view, member.id()).await;
            ready.send(()).await.unwrap();
            let mut turn = turn;
            loop {
                tokio::select! {
                    _ = &mut turn => break,
                    frame = session.next() => { frame.expect("the tablet follows"); }
                }
            }
            let (cast, _) = sealed::cast(&mut session, &view, poll, &marks_of(n))
                .await
                .expect("the ballot is taken");
            cast
        }));
    }
    drop(ready_tx);
    for k in 0..MEMBERS {
        let got = guard("every tablet checked in", ready.recv()).await;
        assert!(got.is_some(), "only {k} tablets are ready");
    }
    phase("every tablet is checked in");
    let mut cast = Vec::new();
    for (turn, tablet) in turns.into_iter().zip(tablets) {
        turn.send(()).unwrap();
        cast.push(
            guard("a member's ballot", tablet)
                .await
                .expect("the tablet task"),
        );
    }
    phase("every member has voted, one at a time");
    let voters: Vec<_> = m.delegates.iter().map(|d| d.id()).collect();

    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    let closed = p.sealed_box.clone().expect("the closed box");
    assert_eq!(
        (p.status, closed.ballots, p.result.clone()),
        (PollStatus::Closed, MEMBERS as u32, None)
    );

    // Two of the three shares needed: the box stays shut.
    for (member, key) in committee.iter().zip(&keys).take(THRESHOLD as usize - 1) {
        sealed::give_share(&hub, m.id, poll, member, key)
            .await
            .expect("a member's share");
    }
    let (seq, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    let b = p.sealed_box.as_ref().unwrap();
    assert_eq!(
        (b.opened_by.len(), b.counts.clone(), p.result.clone()),
        (2, None, None)
    );
    let early = hub
        .rest_command(
            m.id,
            hub.office_token(),
            "publish-early",
            &Command::PublishPoll { poll },
        )
        .await;
    assert_eq!(
        early.error_code().as_deref(),
        Some(ErrorCode::InvalidState.as_str()),
        "{}",
        early.text()
    );
    assert_eq!(
        hub.meeting_state(m.id, hub.office_token()).await.0,
        seq,
        "the refusal changed nothing"
    );
    let base = format!("/api/v1/meetings/{}/polls/{poll}", m.id);
    let r = hub
        .get(&format!("{base}/result.json"), hub.office_token())
        .await;
    assert_eq!(
        r.status,
        409,
        "no result before the box is opened: {}",
        r.text()
    );
    let file = fetch_box(&sealed::join_url(&hub, &m.delegates[9]), m.id, poll)
        .await
        .unwrap();
    // The cryptography agrees: two verified shares do not open the sum.
    let sum = EncryptedSum::verified_from(&keys[0].key, &file.params, &file.ballots, None).unwrap();
    let shares: Vec<_> = keys[..2]
        .iter()
        .map(|k| {
            let share = k
                .secret
                .decryption_share(&k.key, &sum, &mut tablet_client::sealed::os_rng().unwrap())
                .unwrap();
            ballot_box::verify_share(&k.key, &sum, &share).unwrap()
        })
        .collect();
    assert_eq!(
        ballot_box::open(&keys[0].key, &sum, &shares),
        Err(ballot_box::CountError::BelowThreshold { have: 2, need: 3 })
    );
    let box_json = hub
        .get(&format!("{base}/box.json"), hub.office_token())
        .await;
    assert_eq!(box_json.status, 200);
    let exports = vec![("box.json".to_owned(), box_json.body.clone())];
    read_everything(&mut hub, &exports, &cast, &voters, &keys).await;
    phase("two shares given; everything read");

    // The third member opens it, after a restart: the box was kept.
    hub.restart().await;
    sealed::give_share(&hub, m.id, poll, &committee[2], &keys[2])
        .await
        .expect("the third share");
    let mut tally = vec![0u32; CANDIDATES as usize];
    for c in &cast {
        for &mark in &c.marks {
            tally[mark as usize] += 1;
        }
    }
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    let result = p.result.clone().expect("counted once the box is opened");
    assert_eq!(
        result.tallies, tally,
        "the count is the tally of what the tablets sent"
    );
    assert_eq!(
        (result.ballots, result.valid),
        (MEMBERS as u32, MEMBERS as u32)
    );
    hub.office_command(m.id, "publish", &Command::PublishPoll { poll })
        .await;
    phase("restarted, opened by the third share, published");

    // Every voter finds their receipt, with the fingerprint of the ballot their tablet sent.
    let (_, view) = sealed::session(&hub, &m.delegates[0]).await;
    for (n, c) in cast.iter().enumerate() {
        assert_eq!(
            in_published_list(&view, poll, &c.receipt, &c.fingerprint),
            Some(true),
            "member {n}'s receipt"
        );
    }
    let mut exports = Vec::new();
    for name in ["result.json", "result.csv", "box.json"] {
        let r = hub
            .get(&format!("{base}/{name}"), &m.delegates[0].token)
            .await;
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        exports.push((name.to_owned(), r.body));
    }
    let summary = hub::export::check_sealed(&exports[0].1).expect("the published box holds");
    assert!(summary.is_some_and(|s| s.contains("300 encrypted ballots")));
    read_everything(&mut hub, &exports, &cast, &voters, &keys).await;
    phase("everything read again");
}
