//! Faults around the sealed box on a real hub: a hub killed in the middle of a secret poll
//! keeps its box and counts it right after the restart; a ballot with a broken proof, a
//! ballot of another poll, a ballot for a poll that is not open, the same ballot twice, a
//! share from a non-member, a share with a broken proof, a share twice and a share of a
//! poll still open are each refused with a clear error, over the socket and over REST, and
//! change nothing: the meeting's seq does not move.

use meeting_tests::sealed::{self, ballot_id};
use meeting_tests::{MeetingFixture, TestHub};
use protocol::{Command, ErrorCode, MeetingId, PollId, PollKind, Sealed};
use tablet_client::sealed::{fetch_box, os_rng, recount, PollSeal};
use tablet_client::{CommandError, Session};

async fn seq(hub: &TestHub, meeting: MeetingId) -> u64 {
    hub.meeting_state(meeting, hub.office_token()).await.0
}

/// Sends `command` from `session`; it must be refused with `code` and a message holding
/// `says`, and the meeting's seq must not move.
async fn refused(
    hub: &TestHub,
    meeting: MeetingId,
    session: &mut Session,
    command: Command,
    code: ErrorCode,
    says: &str,
) {
    let before = seq(hub, meeting).await;
    let op = command.op();
    match session.command_as(ballot_id(), command).await {
        Err(CommandError::Refused(e)) => {
            assert_eq!(e.code, code, "{op}: {e:?}");
            assert!(
                e.message.contains(says),
                "{op}: “{}” lacks “{says}”",
                e.message
            );
        }
        other => panic!("{op} should be refused with {code}, got {other:?}"),
    }
    assert_eq!(
        seq(hub, meeting).await,
        before,
        "{op}: the refusal changed nothing"
    );
}

async fn hall(
    hub: &TestHub,
    delegates: usize,
) -> (MeetingFixture, Vec<tablet_client::sealed::MemberKey>) {
    let m = hub.meeting_with(delegates).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let keys = sealed::make_committee(hub, m.id, &m.delegates[..3], 2).await;
    (m, keys)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_in_the_middle_of_a_secret_poll_keeps_its_box() {
    let mut hub = TestHub::start_process().await;
    let (m, keys) = hall(&hub, 6).await;
    let poll = sealed::open_poll(
        &hub,
        m.id,
        "e",
        sealed::spec("Bầu Ban Thường vụ", sealed::election(4, 2), true),
    )
    .await;
    let ballots: [&[u32]; 5] = [&[0, 1], &[1], &[0, 3], &[2, 3], &[0]];
    for (d, marks) in m.delegates.iter().zip(&ballots[..3]) {
        let (mut session, view) = sealed::session(&hub, d).await;
        sealed::until_checked_in(&mut session, &view, d.id()).await;
        sealed::cast(&mut session, &view, poll, marks)
            .await
            .unwrap();
    }
    hub.restart().await; // kill -9, then start again on the same data
    for (d, marks) in m.delegates[3..].iter().zip(&ballots[3..]) {
        let (mut session, view) = sealed::session(&hub, d).await;
        sealed::until_checked_in(&mut session, &view, d.id()).await;
        sealed::cast(&mut session, &view, poll, marks)
            .await
            .unwrap();
    }
    // The voters' records came back too: the first voter cannot vote again.
    let (mut again, view) = sealed::session(&hub, &m.delegates[0]).await;
    let vote = PollSeal::of(&view, poll)
        .unwrap()
        .encrypt(&[2], &mut os_rng().unwrap())
        .unwrap();
    refused(
        &hub,
        m.id,
        &mut again,
        vote.command(),
        ErrorCode::InvalidState,
        "already recorded",
    )
    .await;

    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    for (member, key) in m.delegates.iter().zip(&keys).take(2) {
        sealed::give_share(&hub, m.id, poll, member, key)
            .await
            .expect("a member's share");
    }
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let p = &view.polls[0];
    assert_eq!(p.sealed_box.as_ref().unwrap().ballots, 5);
    let result = p.result.as_ref().expect("counted");
    assert_eq!(
        (result.ballots, result.tallies.clone()),
        (5, vec![3, 2, 1, 2])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ballots_and_bad_shares_are_refused_and_change_nothing() {
    let hub = TestHub::start().await;
    let (m, keys) = hall(&hub, 6).await;
    let election = sealed::open_poll(
        &hub,
        m.id,
        "e",
        sealed::spec("Bầu Ban Kiểm tra", sealed::election(4, 2), true),
    )
    .await;
    let motion = sealed::open_poll(
        &hub,
        m.id,
        "m",
        sealed::spec("Thông qua Quy chế bầu cử", PollKind::Motion, true),
    )
    .await;
    hub.office_command(
        m.id,
        "draft",
        &Command::CreatePoll {
            poll: sealed::spec("Bầu Chủ tịch", sealed::election(3, 1), true),
        },
    )
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let draft = view.polls[2].poll.id;

    let voter = &m.delegates[3];
    let (mut session, view) = sealed::session(&hub, voter).await;
    sealed::until_checked_in(&mut session, &view, voter.id()).await;
    let seal = PollSeal::of(&view, election).unwrap();
    let vote = seal.encrypt(&[0, 2], &mut os_rng().unwrap()).unwrap();
    let Command::CastSealedBallot { ballot, .. } = vote.command() else {
        unreachable!()
    };

    // A proof that does not hold: two options' ciphertexts swapped.
    let mut broken = ballot.0.clone();
    let first = broken["choices"][0]["ct"].clone();
    broken["choices"][0]["ct"] = broken["choices"][1]["ct"].clone();
    broken["choices"][1]["ct"] = first;
    let cast = |poll: PollId, ballot: &serde_json::Value| Command::CastSealedBallot {
        poll,
        ballot: Sealed(ballot.clone()),
    };
    refused(
        &hub,
        m.id,
        &mut session,
        cast(election, &broken),
        ErrorCode::Invalid,
        "the proof of option 0 does not hold",
    )
    .await;
    let before = seq(&hub, m.id).await;
    let rest = hub
        .rest_command(m.id, &voter.token, "rest-broken", &cast(election, &broken))
        .await;
    assert_eq!(
        (rest.status, rest.error_code().as_deref()),
        (422, Some("invalid")),
        "{}",
        rest.text()
    );
    assert_eq!(
        seq(&hub, m.id).await,
        before,
        "REST: the refusal changed nothing"
    );
    // A ballot of this election sent to another poll, and to a poll not open yet.
    refused(
        &hub,
        m.id,
        &mut session,
        cast(motion, &ballot.0),
        ErrorCode::Invalid,
        "the ballot is refused",
    )
    .await;
    refused(
        &hub,
        m.id,
        &mut session,
        cast(draft, &ballot.0),
        ErrorCode::InvalidState,
        "not open",
    )
    .await;
    // Not JSON of a ballot at all.
    refused(
        &hub,
        m.id,
        &mut session,
        cast(election, &serde_json::json!({"v": 1})),
        ErrorCode::Invalid,
        "the ballot is refused",
    )
    .await;

    session
        .command_as(ballot_id(), vote.command())
        .await
        .expect("the ballot is taken");
    // The same encrypted ballot again, from another member's tablet.
    let other = &m.delegates[4];
    let (mut replay, view) = sealed::session(&hub, other).await;
    sealed::until_checked_in(&mut replay, &view, other.id()).await;
    refused(
        &hub,
        m.id,
        &mut replay,
        vote.command(),
        ErrorCode::Invalid,
        "in the box already",
    )
    .await;

    // Shares: of a poll still open; then, closed, from a non-member, with a broken proof,
    // twice.
    hub.office_command(m.id, "close", &Command::ClosePoll { poll: election })
        .await;
    refused(
        &hub,
        m.id,
        &mut session,
        cast(election, &ballot.0),
        ErrorCode::InvalidState,
        "not open",
    )
    .await;
    let (mut member, view) = sealed::session(&hub, &m.delegates[0]).await;
    let file = fetch_box(&sealed::join_url(&hub, &m.delegates[0]), m.id, election)
        .await
        .unwrap();
    let counted =
        tokio::task::block_in_place(|| recount(&keys[0], &view, election, &file, None)).unwrap();
    let share = keys[0].share(&counted, &mut os_rng().unwrap()).unwrap();
    let Command::GiveDecryptionShare { share: json, .. } = share.clone() else {
        unreachable!()
    };
    let give = |poll: PollId, share: &Sealed| Command::GiveDecryptionShare {
        poll,
        share: share.clone(),
    };
    refused(
        &hub,
        m.id,
        &mut member,
        give(motion, &json),
        ErrorCode::InvalidState,
        "once the poll is closed",
    )
    .await;
    refused(
        &hub,
        m.id,
        &mut replay,
        share.clone(),
        ErrorCode::Forbidden,
        "only the members of the committee",
    )
    .await;
    let mut bad = json.0.clone();
    let part = bad["parts"][1]["share"].clone();
    bad["parts"][0]["share"] = part;
    refused(
        &hub,
        m.id,
        &mut member,
        give(election, &Sealed(bad)),
        ErrorCode::Invalid,
        "does not hold",
    )
    .await;
    member.command(share).await.expect("the share is taken");
    let again = keys[0].share(&counted, &mut os_rng().unwrap()).unwrap();
    refused(
        &hub,
        m.id,
        &mut member,
        again,
        ErrorCode::InvalidState,
        "in already",
    )
    .await;

    // None of it got in the way: the second member opens a box of one ballot.
    sealed::give_share(&hub, m.id, election, &m.delegates[1], &keys[1])
        .await
        .expect("the second share");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let result = view.polls[0].result.as_ref().expect("counted");
    assert_eq!(
        (result.ballots, result.tallies.clone()),
        (1, vec![1, 0, 1, 0])
    );
}
