//! The sealed ballot box through the engine: the committee's key made by its members'
//! devices, ballots encrypted on the voters' devices, the box opened only as a sum by
//! enough members, and the refusals that change nothing.

use super::tests::{close, create, election, hall, open, spec};
use crate::engine::testing::{Devices, Hall};
use crate::engine::Viewer;
use protocol::{
    Command, CommitteeStatus, ErrorCode, EventKind, PollId, PollKind, PollSpec, PollStatus, Preset,
    Sealed,
};

/// A secret election of `candidates` for `seats`.
fn secret_election(candidates: usize, seats: u32) -> PollSpec {
    PollSpec {
        secret: true,
        ..election(candidates, seats)
    }
}

/// A hall of nine present delegates whose first three are a 2-of-3 committee with its key.
fn hall_with_committee() -> (Hall, Devices) {
    let mut m = hall(9);
    let devices = m.make_committee(&[0, 1, 2], 2);
    (m, devices)
}

/// Casts `votes[n]` for delegate n; returns the ballots as sent.
fn cast_all(m: &mut Hall, poll: PollId, votes: &[&[u32]]) -> Vec<Sealed> {
    votes
        .iter()
        .enumerate()
        .map(|(n, marks)| {
            m.cast_sealed(m.delegate(n), poll, marks, n as u64)
                .unwrap()
                .1
        })
        .collect()
}

#[test]
fn the_members_devices_make_the_key_and_the_hub_only_relays() {
    let (m, devices) = hall_with_committee();
    let c = m.state.committees.current.as_ref().unwrap();
    assert_eq!(c.status, CommitteeStatus::Ready);
    assert_eq!(
        c.key.as_ref().unwrap().fingerprint(),
        devices.key.fingerprint(),
        "the hub computes the same key as every device"
    );
    for secret in &devices.secrets {
        secret.check(&devices.key).unwrap();
    }
    // Everyone sees the committee and its key; only its members and the staff the messages.
    let hall_view = m.state.view(Viewer::for_actor(&m.delegate(5))).unwrap();
    let seen = hall_view.committee.unwrap();
    assert!(seen.key.is_some() && seen.messages.is_none());
    let member_view = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
    assert_eq!(member_view.committee.unwrap().messages.unwrap().len(), 12);
}

#[test]
fn key_setup_messages_out_of_turn_or_from_others_are_refused() {
    let mut m = hall(9);
    let set = Command::SetCountingCommittee {
        members: vec![m.delegates[0], m.delegates[1], m.delegates[2]],
        threshold: 4,
    };
    assert_eq!(
        m.run(m.chair(), set).unwrap_err().code(),
        ErrorCode::Invalid,
        "a threshold over the members"
    );
    let set = Command::SetCountingCommittee {
        members: vec![m.delegates[0], m.delegates[0]],
        threshold: 1,
    };
    assert_eq!(
        m.run(m.chair(), set).unwrap_err().code(),
        ErrorCode::Invalid
    );
    let set = Command::SetCountingCommittee {
        members: vec![m.delegates[0], m.delegates[1]],
        threshold: 2,
    };
    assert_eq!(
        m.run(m.delegate(3), set.clone()).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    m.run(m.chair(), set).unwrap();
    let c = m.state.committees.current.clone().unwrap();
    let (device, round1) =
        ballot_box::DkgMember::start(c.params, 0, &mut crate::engine::testing::rng(1)).unwrap();
    let message = Sealed(serde_json::to_value(&round1).unwrap());
    let send = |round: u8, message: Sealed| Command::SendKeyMessage {
        committee: c.committee.id,
        round,
        message,
    };
    let seq = m.state.seq;
    assert_eq!(
        m.run(m.delegate(5), send(1, message.clone()))
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden,
        "not a member"
    );
    assert_eq!(
        m.run(m.delegate(1), send(1, message.clone()))
            .unwrap_err()
            .code(),
        ErrorCode::Invalid,
        "member 1 sending member 0's message"
    );
    assert_eq!(
        m.run(m.delegate(0), send(2, message.clone()))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState,
        "round 2 before round 1 is done"
    );
    assert_eq!(m.state.seq, seq, "refusals change nothing");
    m.run(m.delegate(0), send(1, message.clone())).unwrap();
    assert_eq!(
        m.run(m.delegate(0), send(1, message)).unwrap_err().code(),
        ErrorCode::InvalidState,
        "twice"
    );
    drop(device);
    // A secret poll cannot open before the key is ready.
    let poll = create(&mut m, secret_election(3, 1));
    assert_eq!(
        m.run(m.chair(), Command::OpenPoll { poll })
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
}

#[test]
fn a_sealed_election_is_counted_from_the_sum_and_never_a_single_ballot() {
    let (mut m, devices) = hall_with_committee();
    let poll = open(&mut m, secret_election(4, 2));
    let votes: [&[u32]; 7] = [&[0, 1], &[0, 1], &[0, 2], &[1], &[0, 1], &[], &[3, 1]];
    // The event says who voted, never what; the ballot leaves apart, with its receipt.
    let (effects, _) = m.cast_sealed(m.delegate(8), poll, &[2], 99).unwrap();
    let EventKind::BallotCast { choices, voter, .. } = &effects.events[0].event else {
        panic!("{effects:?}")
    };
    assert_eq!((choices, *voter), (&None, Some(m.delegates[8])));
    assert_eq!(effects.ballots.len(), 1);
    assert_eq!(
        effects.receipt.as_deref(),
        Some(effects.ballots[0].receipt.as_str())
    );
    let stored = serde_json::to_string(&effects.events).unwrap();
    assert!(!stored.contains(&effects.ballots[0].fingerprint));
    let mut ballots = cast_all(&mut m, poll, &votes);
    ballots.push(effects.ballots[0].ballot.clone());

    // A plain ballot, a second ballot and the same ballot again are refused.
    let plain = Command::CastBallot {
        poll,
        choices: vec![0],
        on_behalf_of: None,
    };
    assert_eq!(
        m.run(m.delegate(0), plain).unwrap_err().code(),
        ErrorCode::Invalid
    );
    assert_eq!(
        m.cast_sealed(m.delegate(0), poll, &[3], 50)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
    m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    let p = m.state.polls.get(poll).unwrap();
    assert_eq!((p.status, &p.result), (PollStatus::Closed, &None));
    let box_view = m.state.view(Viewer::Full).unwrap().polls[0]
        .sealed_box
        .clone()
        .unwrap();
    assert_eq!((box_view.ballots, box_view.counts), (8, None));

    // A share sent by a non-member is refused; one member is not enough.
    let share = m.share_of(&devices, 0, poll, &ballots);
    assert_eq!(
        m.run(m.delegate(6), Command::GiveDecryptionShare { poll, share })
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    let events = m.give_share(&devices, 2, poll, &ballots).unwrap();
    assert_eq!(events.len(), 1, "below the threshold nothing is opened");
    assert_eq!(
        m.give_share(&devices, 2, poll, &ballots)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState,
        "the same member twice"
    );
    let events = m.give_share(&devices, 0, poll, &ballots).unwrap();
    let counts = events
        .iter()
        .find_map(|e| match &e.event {
            EventKind::SealedBoxOpened { counts, .. } => Some(counts.clone()),
            _ => None,
        })
        .expect("opened at the threshold");
    assert_eq!(counts, vec![4, 5, 2, 1], "the sum of the eight ballots");
    let result = m.state.polls.get(poll).unwrap().result.clone().unwrap();
    // More than half of 8 valid ballots: only candidate 2 (5 votes) is elected.
    assert_eq!((result.valid, result.elected.clone()), (8, vec![1]));
    // Published: every ballot by receipt and fingerprint, nothing naming a voter.
    m.run(m.chair(), Command::PublishPoll { poll }).unwrap();
    let view = &m
        .state
        .view(Viewer::for_actor(&m.delegate(4)))
        .unwrap()
        .polls[0];
    let receipts = view.receipts.clone().unwrap();
    assert_eq!(receipts.len(), 8);
    assert!(receipts
        .iter()
        .any(|r| r.receipt == effects.ballots[0].receipt));
    assert_eq!(view.sealed_box.as_ref().unwrap().counts, Some(counts));
}

#[test]
fn paper_ballots_join_a_secret_count_after_the_close_and_before_the_opening() {
    let (mut m, devices) = hall_with_committee();
    let poll = open(&mut m, secret_election(3, 1));
    let ballots = cast_all(&mut m, poll, &[&[0], &[1], &[0]]);
    let paper = Command::RecordPaperBallots {
        poll,
        valid: 2,
        invalid: 1,
        tallies: vec![0, 2, 0],
    };
    assert_eq!(
        m.run(m.secretariat(), paper.clone()).unwrap_err().code(),
        ErrorCode::InvalidState,
        "while open, a paper count would show a vote to the hall"
    );
    m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    m.run(m.secretariat(), paper.clone()).unwrap();
    m.give_share(&devices, 0, poll, &ballots).unwrap();
    m.give_share(&devices, 1, poll, &ballots).unwrap();
    let r = m.state.polls.get(poll).unwrap().result.clone().unwrap();
    assert_eq!(r.tallies, vec![2, 3, 0]);
    assert_eq!((r.valid, r.invalid, r.ballots), (5, 1, 6));
    assert_eq!(
        m.run(m.secretariat(), paper).unwrap_err().code(),
        ErrorCode::InvalidState,
        "after the opening"
    );
}

#[test]
fn a_secret_poll_voted_all_on_paper_is_counted_from_the_paper_after_its_empty_box_opened() {
    let (mut m, _devices) = hall_with_committee();
    let poll = open(&mut m, secret_election(3, 1));
    m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    let counted = m.state.polls.get(poll).unwrap().result.clone().unwrap();
    assert!(counted.elected.is_empty(), "an empty box elects nobody");

    m.run(
        m.secretariat(),
        Command::RecordPaperBallots {
            poll,
            valid: 7,
            invalid: 0,
            tallies: vec![6, 1, 0],
        },
    )
    .unwrap();
    let p = m.state.polls.get(poll).unwrap();
    let result = p.result.clone().unwrap();
    assert_eq!(result.elected.len(), 1, "{result:?}");
    assert_eq!(p.paper.valid, 7);

    m.run(m.chair(), Command::PublishPoll { poll }).unwrap();
    assert_eq!(
        m.run(
            m.secretariat(),
            Command::RecordPaperBallots {
                poll,
                valid: 1,
                invalid: 0,
                tallies: vec![1, 0, 0],
            },
        )
        .unwrap_err()
        .code(),
        ErrorCode::InvalidState,
        "nothing is added once published"
    );
}

#[test]
fn an_empty_box_opens_itself_and_a_replay_with_the_box_restored_counts_the_same() {
    let (mut m, devices) = hall_with_committee();
    let empty = open(&mut m, secret_election(3, 1));
    m.run(m.chair(), Command::ClosePoll { poll: empty })
        .unwrap();
    assert!(m.state.polls.get(empty).unwrap().result.is_some());

    let poll = open(
        &mut m,
        PollSpec {
            secret: true,
            ..spec(PollKind::Motion, Preset::MajorityOfValid)
        },
    );
    let mut log: Vec<_> = Vec::new();
    let mut boxed = Vec::new();
    for n in 0..5 {
        let (effects, json) = m
            .cast_sealed(m.delegate(n), poll, &[(n % 2) as u32], n as u64)
            .unwrap();
        log.extend(effects.events);
        boxed.push((poll, json));
    }
    // Replayed from the log alone, the poll knows who voted but holds no ballot; the box
    // is put back from the store.
    assert_eq!(&m.log()[m.log().len() - log.len()..], &log[..]);
    let mut replayed = crate::engine::MeetingState::replay(m.state.id, m.log());
    assert_eq!(replayed.polls.get(poll).unwrap().voters.len(), 5);
    assert_eq!(
        replayed
            .polls
            .get(poll)
            .unwrap()
            .sealed
            .as_ref()
            .unwrap()
            .sum
            .ballots(),
        0
    );
    assert_eq!(replayed.polls.restore_sealed(boxed.clone()), 0);
    assert_eq!(
        replayed
            .polls
            .get(poll)
            .unwrap()
            .sealed
            .as_ref()
            .unwrap()
            .sum
            .digest(),
        m.state
            .polls
            .get(poll)
            .unwrap()
            .sealed
            .as_ref()
            .unwrap()
            .sum
            .digest()
    );
    m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
    let ballots: Vec<Sealed> = boxed.into_iter().map(|(_, b)| b).collect();
    m.give_share(&devices, 1, poll, &ballots).unwrap();
    m.give_share(&devices, 2, poll, &ballots).unwrap();
    assert_eq!(
        m.state
            .polls
            .get(poll)
            .unwrap()
            .result
            .as_ref()
            .unwrap()
            .tallies,
        vec![3, 2, 0]
    );
}

#[test]
fn a_tie_at_the_last_seat_starts_a_new_round_among_the_tied_with_one_action() {
    let mut m = hall(9);
    let poll = open(&mut m, election(4, 2));
    for (n, marks) in [&[0u32, 1][..], &[0, 1], &[0, 2], &[0, 2], &[0], &[3]]
        .into_iter()
        .enumerate()
    {
        let cast = Command::CastBallot {
            poll,
            choices: marks.to_vec(),
            on_behalf_of: None,
        };
        m.run(m.delegate(n), cast).unwrap();
    }
    let r = close(&mut m, poll);
    assert_eq!((r.elected.clone(), r.tied.clone()), (vec![0], vec![]));
    // 0: 5 votes; 1 and 2: 2 each, under the threshold of half of 6: no tie is named.
    // Here 0 has 4 of 5, 1 and 2 have 3 each: both over half, tied for the second seat.
    let poll2 = open(&mut m, election(4, 2));
    for (n, marks) in [&[0u32, 1][..], &[0, 2], &[0, 1], &[0, 2], &[1, 2]]
        .into_iter()
        .enumerate()
    {
        let cast = Command::CastBallot {
            poll: poll2,
            choices: marks.to_vec(),
            on_behalf_of: None,
        };
        m.run(m.delegate(n), cast).unwrap();
    }
    let r = close(&mut m, poll2);
    assert_eq!((r.elected.clone(), r.tied.clone()), (vec![0], vec![1, 2]));
    assert_eq!(
        m.run(m.delegate(0), Command::StartRunoff { poll: poll2 })
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    let events = m
        .run(m.chair(), Command::StartRunoff { poll: poll2 })
        .unwrap();
    let EventKind::PollCreated { poll: created, .. } = &events[0].event else {
        panic!("{events:?}")
    };
    assert!(matches!(&events[1].event, EventKind::PollOpened { .. }));
    assert_eq!(created.runoff.unwrap().of, poll2);
    assert_eq!(
        created.kind.options(),
        vec!["Ứng cử viên 2", "Ứng cử viên 3"]
    );
    assert!(
        matches!(created.kind, PollKind::Election { seats: 1, .. }),
        "one seat left"
    );
    assert!(created.title.ends_with("(bầu lại lần 1)"));
    assert_eq!(
        m.state.polls.get(created.id).unwrap().status,
        PollStatus::Open
    );
    assert_eq!(
        m.run(m.chair(), Command::StartRunoff { poll })
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState,
        "no tie"
    );
}
