//! Polls through the live layer and a real store: what the disk holds after a secret
//! poll, receipts on re-send, a restart, and the countdown closing a poll by itself.

use super::*;
use crate::store::Store;
use protocol::{EventKind, PollId, PollKind, PollSpec, PollStatus, Role};

fn settings() -> LiveSettings {
    LiveSettings {
        client_queue: 64,
        group_commit_window: Duration::from_millis(2),
        job_queue: 1024,
        clock: Clock::system(),
        quotas: Default::default(),
        closed_idle: std::time::Duration::from_secs(600),
        archive: None,
    }
}

fn run(actor: Actor, command: Command) -> Request {
    Request::one(actor, None, command)
}

/// A meeting in session with `n` delegates, all checked in, and a poll of `spec` open.
async fn hall(
    meetings: &Meetings,
    n: usize,
    spec: PollSpec,
) -> (
    Arc<MeetingHandle>,
    Vec<ParticipantId>,
    PollId,
    Vec<ballot_box::MemberSecret>,
) {
    let id = MeetingId::new_random();
    let mut steps = vec![(
        Command::CreateMeeting {
            title: "Đại hội".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        },
        Uuid::new_v4(),
    )];
    let people: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
    for (k, p) in people.iter().enumerate() {
        let add = Command::AddParticipant {
            name: format!("Đại biểu {k}"),
            position: String::new(),
            unit: String::new(),
            role: Role::Delegate,
            seat: None,
            person: None,
        };
        steps.push((add, *p));
    }
    let create = Request {
        actor: Actor::Office,
        origin: None,
        steps,
        grants: Vec::new(),
        token: None,
        ballot: None,
    };
    meetings.create(id, create).await.unwrap();
    let h = meetings.get(id).await.unwrap().unwrap();
    let people: Vec<ParticipantId> = people.into_iter().map(ParticipantId).collect();
    h.run(run(Actor::Office, Command::OpenMeeting))
        .await
        .unwrap();
    h.run(run(Actor::Office, Command::StartSession))
        .await
        .unwrap();
    for p in &people {
        h.run(run(Actor::System, Command::CheckIn { participant: *p }))
            .await
            .unwrap();
    }
    let mut secrets = Vec::new();
    if spec.secret && h.read(|s| s.committees.current.is_none()) {
        secrets = make_committee(&h, &people[..3], 2).await;
    }
    let mut create = run(Actor::Office, Command::CreatePoll { poll: spec });
    let poll = PollId(create.steps[0].1);
    create.origin = None;
    h.run(create).await.unwrap();
    h.run(run(Actor::Office, Command::OpenPoll { poll }))
        .await
        .unwrap();
    (h, people, poll, secrets)
}

fn delegate(id: ParticipantId) -> Actor {
    Actor::Participant {
        id,
        role: Role::Delegate,
    }
}

/// Names `members` the counting committee and runs their devices' key setup through the
/// meeting's task; the members' secrets stay with the test, as on their tablets.
async fn make_committee(
    h: &MeetingHandle,
    members: &[ParticipantId],
    threshold: u32,
) -> Vec<ballot_box::MemberSecret> {
    let set = Command::SetCountingCommittee {
        members: members.to_vec(),
        threshold,
    };
    h.run(run(Actor::Office, set)).await.unwrap();
    let (committee, params) = h.read(|s| {
        let c = s.committees.current.as_ref().unwrap();
        (c.committee.id, c.params)
    });
    let mut setup = crate::engine::testing::KeySetup::new(params);
    while let Some(messages) = setup.next_round() {
        for (member, round, message) in messages {
            let send = Command::SendKeyMessage {
                committee,
                round,
                message,
            };
            h.run(run(delegate(members[member]), send)).await.unwrap();
        }
    }
    setup.finished().1
}

/// Member `i` of the committee gives their share of the closed box, recomputed from the
/// ballots in the store as their tablet would from the published box.
async fn give_share(
    h: &MeetingHandle,
    store: &Store,
    secrets: &[ballot_box::MemberSecret],
    member: ParticipantId,
    i: usize,
    poll: PollId,
) -> Answer {
    let (key, params) = h.read(|s| {
        let sealed = s.polls.get(poll).unwrap().sealed.as_ref().unwrap();
        (sealed.key.clone(), sealed.params)
    });
    let ballots: Vec<ballot_box::EncryptedBallot> = store
        .poll_ballots(h.id, poll)
        .unwrap()
        .into_iter()
        .map(|b| serde_json::from_value(b.0).unwrap())
        .collect();
    let sum = ballot_box::EncryptedSum::verified_from(&key, &params, &ballots, None).unwrap();
    let share = secrets[i]
        .decryption_share(&key, &sum, &mut crate::engine::testing::rng(i as u64))
        .unwrap();
    let give = Command::GiveDecryptionShare {
        poll,
        share: protocol::Sealed(serde_json::to_value(&share).unwrap()),
    };
    h.run(run(delegate(member), give)).await
}

fn election() -> PollSpec {
    PollSpec {
        title: "Bầu Ban Chấp hành".into(),
        item: None,
        kind: PollKind::Election {
            candidates: vec![
                "Lê Văn An".into(),
                "Trần Thị Bình".into(),
                "Phạm Văn Cường".into(),
            ],
            seats: 2,
        },
        secret: true,
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

/// A ballot of `voter`: a secret poll's is encrypted on the "tablet" (seeded by `cmd`, so a
/// re-send is the same ballot) and its proofs checked as the transport checks them.
fn ballot(
    h: &MeetingHandle,
    voter: ParticipantId,
    poll: PollId,
    cmd: &str,
    choices: Vec<u32>,
) -> Request {
    let principal = Principal::Participant {
        meeting: h.id,
        participant: voter,
    };
    let origin = Some((principal, CommandId::try_from(cmd).unwrap()));
    let sealed = h.read(|s| {
        let sealed = s.polls.get(poll)?.sealed.as_ref()?;
        Some((sealed.key.clone(), sealed.params))
    });
    let Some((key, params)) = sealed else {
        let cast = Command::CastBallot {
            poll,
            choices,
            on_behalf_of: None,
        };
        return Request::one(delegate(voter), origin, cast);
    };
    let seed = cmd
        .bytes()
        .fold(voter.as_bytes()[0] as u64, |a, b| a * 31 + u64::from(b));
    let encrypted = ballot_box::encrypt(
        &key,
        &params,
        &choices,
        &mut crate::engine::testing::rng(seed),
    )
    .unwrap();
    let verified = ballot_box::verify(&key, &params, &encrypted).unwrap();
    let cast = Command::CastSealedBallot {
        poll,
        ballot: protocol::Sealed(serde_json::to_value(&encrypted).unwrap()),
    };
    let mut request = Request::one(delegate(voter), origin, cast);
    request.ballot = Some(Arc::new(verified));
    request
}

#[tokio::test]
async fn no_stored_record_ties_a_delegate_to_a_secret_choice() {
    let dir = tempfile::tempdir().unwrap();
    let (meeting, voters, poll, receipts) = {
        let store = Store::open(dir.path()).unwrap();
        let meetings = Meetings::load(store.clone(), settings()).unwrap();
        let (h, voters, poll, secrets) = hall(&meetings, 12, election()).await;
        let pending: Vec<_> = voters
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let choices = vec![(k % 3) as u32, ((k + 1) % 3) as u32];
                h.submit(ballot(&h, *v, poll, &format!("b-{k}"), choices))
                    .unwrap()
            })
            .collect();
        let mut receipts = Vec::new();
        for rx in pending {
            let accepted = rx.await.unwrap().unwrap();
            receipts.push(
                accepted
                    .receipt
                    .expect("a secret ballot's ack carries its receipt"),
            );
        }
        // A re-send with the same id is answered with the same receipt, and not counted.
        let resent: Vec<_> = voters
            .iter()
            .enumerate()
            .map(|(k, v)| {
                h.submit(ballot(&h, *v, poll, &format!("b-{k}"), vec![2]))
                    .unwrap()
            })
            .collect();
        for (k, rx) in resent.into_iter().enumerate() {
            let again = rx.await.unwrap().unwrap();
            assert_eq!(
                again.receipt.as_deref(),
                Some(receipts[k].as_str()),
                "voter {k}"
            );
        }
        h.run(run(Actor::Office, Command::ClosePoll { poll }))
            .await
            .unwrap();
        // Two of the three members open the box: the sum, never a ballot.
        for i in [0, 2] {
            give_share(&h, &store, &secrets, voters[i], i, poll)
                .await
                .unwrap();
        }
        h.run(run(Actor::Office, Command::PublishPoll { poll }))
            .await
            .unwrap();
        let r = h.read(|s| s.polls.get(poll).unwrap().result.clone().unwrap());
        assert_eq!((r.valid, r.tallies.iter().sum::<u32>()), (12, 24));
        assert_eq!(r.tallies, vec![8, 8, 8]);
        let published = h.read(|s| s.polls.get(poll).unwrap().receipts());
        for mine in &receipts {
            assert!(
                published.iter().any(|l| &l.receipt == mine),
                "every voter finds their receipt"
            );
        }

        // Everything the disk holds: no record names a voter and holds a receipt or a choice.
        let dump = store.dump().unwrap();
        let mut ballots_seen = 0;
        for (tree, key, value) in &dump {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(value)
            );
            let names_voter = voters.iter().any(|v| {
                text.contains(&v.to_string())
                    || key.windows(16).any(|w| w == v.as_bytes())
                    || value.windows(16).any(|w| w == v.as_bytes())
            });
            let holds_receipt = receipts.iter().any(|r| text.contains(r.as_str()));
            if tree == "ballots" {
                ballots_seen += 1;
                assert!(!names_voter, "a ballot names its voter: {text}");
            }
            if names_voter {
                assert!(
                    !holds_receipt,
                    "{tree}: a voter's record holds a receipt: {text}"
                );
                assert!(
                    !text.contains("choices"),
                    "{tree}: a voter's record holds choices: {text}"
                );
            }
        }
        assert_eq!(ballots_seen, 12, "the ballot box holds every ballot");
        meetings.close().await;
        (h.id, voters, poll, receipts)
    };

    // After a restart the ballot box gives the same result back, and a re-send is known.
    let store = Store::open(dir.path()).unwrap();
    let meetings = Meetings::load(store, settings()).unwrap();
    let h = meetings.get(meeting).await.unwrap().unwrap();
    let sealed = h.read(|s| s.polls.get(poll).unwrap().receipts());
    assert_eq!(sealed.len(), receipts.len());
    assert_eq!(
        h.read(|s| s.polls.get(poll).unwrap().status),
        PollStatus::Published
    );
    let seq = h.read(|s| s.seq);
    let resent = h.run(ballot(&h, voters[3], poll, "b-3", vec![0])).await;
    assert!(
        resent
            .as_ref()
            .is_ok_and(|a| a.seq < seq && a.receipt.is_none()),
        "answered from the log, not refused: {resent:?}"
    );
}

#[tokio::test]
async fn the_countdown_closes_a_poll_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let meetings = Meetings::load(store, settings()).unwrap();
    let mut spec = election();
    spec.secret = false;
    spec.duration_secs = Some(1);
    let (h, voters, poll, _) = hall(&meetings, 3, spec).await;
    let mut live = h.subscribe();
    h.run(ballot(&h, voters[0], poll, "b", vec![1]))
        .await
        .unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(Live::Event(e)) = live.recv().await {
                if matches!(e.event, EventKind::PollClosed { .. }) {
                    return e;
                }
            }
        }
    })
    .await
    .expect("the poll closes within its countdown");
    let EventKind::PollClosed {
        result: Some(r), ..
    } = &closed.event
    else {
        panic!()
    };
    assert_eq!(r.tallies, vec![0, 1, 0]);
    let late = h.run(ballot(&h, voters[1], poll, "late", vec![0])).await;
    assert_eq!(late.unwrap_err().code, ErrorCode::InvalidState);
}

#[tokio::test]
async fn a_resent_secret_ballot_gets_its_receipt_while_another_poll_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let meetings = Meetings::load(store, settings()).unwrap();
    let mut motion = election();
    let (h, voters, election, _) = hall(&meetings, 4, election()).await;
    motion.secret = false;
    motion.kind = PollKind::Motion;
    let mut create = run(Actor::Office, Command::CreatePoll { poll: motion });
    let motion = PollId(create.steps[0].1);
    create.origin = None;
    h.run(create).await.unwrap();
    h.run(run(Actor::Office, Command::OpenPoll { poll: motion }))
        .await
        .unwrap();
    let send =
        |cmd: &str, poll, choices| h.submit(ballot(&h, voters[0], poll, cmd, choices)).unwrap();
    let m1 = send("m", motion, vec![0]).await.unwrap();
    let e1 = send("e", election, vec![1]).await.unwrap();
    let m2 = send("m", motion, vec![0]).await.unwrap();
    let e2 = send("e", election, vec![1]).await.unwrap();
    assert_eq!((&m1, &e1), (&m2, &e2));
    assert!(e1.unwrap().receipt.is_some() && m1.unwrap().receipt.is_none());
}
