//! Secret polls on a real hub, driven by the real native client's `sealed` module: the
//! counting committee's devices make its key through the hub, each voter's tablet encrypts
//! its own ballot, and members' devices recount the closed box and open it.

use crate::{guard, Member, TestHub};
use protocol::{
    Command, CommandId, EventKind, HubFrame, MeetingId, MeetingView, ParticipantId, PollId,
    PollKind, PollSpec,
};
use std::time::Duration;
use tablet_client::sealed::{
    self, fetch_box, make_key, KeyDevice, KeyHooks, KeyLog, MemberKey, PollSeal,
};
use tablet_client::{Answer, CommandError, Follower, JoinUrl, Session};

/// A member's badge URL on the hub as it now runs (the port changes on a restart).
pub fn join_url(hub: &TestHub, member: &Member) -> JoinUrl {
    JoinUrl::parse(&format!("http://{}/j/{}", hub.addr(), member.token)).expect("a join URL")
}

/// A session of `member`'s tablet and the meeting as its snapshot shows it.
pub async fn session(hub: &TestHub, member: &Member) -> (Session, MeetingView) {
    let join = join_url(hub, member);
    let mut session = guard(
        "the tablet to join",
        Session::join(join, Follower::new(), Duration::from_secs(10)),
    )
    .await
    .expect("the tablet joins");
    match guard("the snapshot", session.next())
        .await
        .expect("a frame")
    {
        HubFrame::Snapshot { view, .. } => (session, view),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

/// Follows `session` until `me` is checked in (joining an open meeting checks a member in).
pub async fn until_checked_in(session: &mut Session, view: &MeetingView, me: ParticipantId) {
    if view.attendance.present_ids.contains(&me) {
        return;
    }
    guard("the member's check-in", async {
        loop {
            if let HubFrame::Event(e) = session.next().await.expect("the session follows") {
                if e.event
                    == (EventKind::CheckedIn {
                        participant: Some(me),
                    })
                {
                    return;
                }
            }
        }
    })
    .await;
}

/// A device that keeps nothing and whose members all see the same check code.
struct TestDevice;

impl KeyHooks for TestDevice {
    fn save(&mut self, _device: &KeyDevice) -> std::io::Result<()> {
        Ok(())
    }
    fn compare(&mut self, _code: &str) -> bool {
        true
    }
}

/// Names `members` the counting committee (as the office) and runs each member's device
/// through the key setup at once, over its own session, as the rounds come. Returns each
/// member's key, in the committee's order.
pub async fn make_committee(
    hub: &TestHub,
    meeting: MeetingId,
    members: &[Member],
    threshold: u32,
) -> Vec<MemberKey> {
    let set = Command::SetCountingCommittee {
        members: members.iter().map(Member::id).collect(),
        threshold,
    };
    hub.office_command(meeting, "committee", &set).await;
    let devices: Vec<_> = members
        .iter()
        .map(|member| {
            let join = join_url(hub, member);
            let me = member.id();
            tokio::spawn(async move {
                let mut session = Session::join(join, Follower::new(), Duration::from_secs(10))
                    .await
                    .expect("the member's device joins");
                let HubFrame::Snapshot { view, .. } = session.next().await.expect("a frame") else {
                    panic!("no snapshot");
                };
                let committee = view.committee.expect("the committee in the snapshot");
                let mut device =
                    KeyDevice::start(&committee, me, &mut sealed::os_rng().unwrap()).unwrap();
                let mut log = KeyLog::from_view(&committee);
                make_key(&mut session, &mut device, &mut log, &mut TestDevice)
                    .await
                    .expect("the key setup")
            })
        })
        .collect();
    let mut keys = Vec::new();
    for device in devices {
        keys.push(
            guard("a member's key setup", device)
                .await
                .expect("the task"),
        );
    }
    let fingerprint = keys[0].key.fingerprint();
    assert!(keys.iter().all(|k| k.key.fingerprint() == fingerprint));
    keys
}

/// A poll of `kind` that needs no quorum.
pub fn spec(title: &str, kind: PollKind, secret: bool) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        kind,
        secret,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().expect("a fraction")),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

/// `candidates` names (`Ứng cử viên 01` …) for `seats` seats.
pub fn election(candidates: u32, seats: u32) -> PollKind {
    PollKind::Election {
        candidates: (1..=candidates)
            .map(|c| format!("Ứng cử viên {c:02}"))
            .collect(),
        seats,
    }
}

/// Creates and opens a poll as the office; returns its id.
pub async fn open_poll(hub: &TestHub, meeting: MeetingId, name: &str, spec: PollSpec) -> PollId {
    let title = spec.title.clone();
    hub.office_command(
        meeting,
        &format!("{name}-create"),
        &Command::CreatePoll { poll: spec },
    )
    .await;
    let (_, view) = hub.meeting_state(meeting, hub.office_token()).await;
    let poll = view
        .polls
        .iter()
        .rev()
        .find(|p| p.poll.title == title)
        .expect("the poll just created")
        .poll
        .id;
    hub.office_command(
        meeting,
        &format!("{name}-open"),
        &Command::OpenPoll { poll },
    )
    .await;
    poll
}

/// A random command id, as a tablet gives a ballot.
pub fn ballot_id() -> CommandId {
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    CommandId::try_from(format!("b-{hex}")).expect("a command id")
}

/// What a voter's tablet sent and got back.
#[derive(Clone, Debug)]
pub struct Cast {
    pub marks: Vec<u32>,
    pub receipt: String,
    pub fingerprint: String,
}

/// Encrypts `marks` on the tablet of `session` (its view must show the open poll) and
/// casts it; returns what was sent, the hub's receipt checked against the tablet's own.
pub async fn cast(
    session: &mut Session,
    view: &MeetingView,
    poll: PollId,
    marks: &[u32],
) -> Result<(Cast, Answer), CommandError> {
    let seal = PollSeal::of(view, poll).expect("the poll's seal");
    let vote = seal
        .encrypt(marks, &mut sealed::os_rng().unwrap())
        .expect("an allowed ballot");
    let answer = guard(
        "the ballot's answer",
        session.command_as(ballot_id(), vote.command()),
    )
    .await?;
    assert_eq!(answer.receipt.as_deref(), Some(vote.receipt.as_str()));
    let cast = Cast {
        marks: marks.to_vec(),
        receipt: vote.receipt,
        fingerprint: vote.fingerprint,
    };
    Ok((cast, answer))
}

/// Member `member`'s device opens the count of the closed `poll`: downloads the box,
/// verifies and adds every ballot itself, and gives its share. Returns the hub's answer.
pub async fn give_share(
    hub: &TestHub,
    meeting: MeetingId,
    poll: PollId,
    member: &Member,
    key: &MemberKey,
) -> Result<u64, CommandError> {
    let (mut session, view) = session(hub, member).await;
    let file = guard("box.json", fetch_box(&join_url(hub, member), meeting, poll))
        .await
        .expect("the closed box");
    let recount = tokio::task::block_in_place(|| sealed::recount(key, &view, poll, &file, None))
        .expect("the device recounts the box");
    let command = key.share(&recount, &mut sealed::os_rng().unwrap()).unwrap();
    guard("the share's answer", session.command(command)).await
}
