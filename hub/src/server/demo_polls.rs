//! The demo's votes: the congress has approved its agenda (an open motion, closed and
//! published, so its signed export can be verified at once), and its committee election
//! is prepared in draft (secret, 15 seats among 18 candidates) for the chair to open.

use crate::engine::Actor;
use crate::live::{MeetingHandle, Request};
use protocol::{Command, PollId, PollKind, PollSpec, Preset, Role};
use serde::{Deserialize, Serialize};

/// The signed export of one demo result, as URLs on this hub.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoExport {
    pub poll: PollId,
    pub title: String,
    pub json: String,
    pub json_signature: String,
    pub csv: String,
    pub csv_signature: String,
    /// The hub's public key (hex), for `hub verify --key`.
    pub public_key: String,
}

impl DemoExport {
    /// The URLs of `poll`'s export on the hub at `base`.
    pub fn new(base: &str, meeting: protocol::MeetingId, poll: PollId, title: String) -> Self {
        let at = format!("{base}/api/v1/meetings/{meeting}/polls/{poll}");
        DemoExport {
            poll,
            title,
            json: format!("{at}/result.json"),
            json_signature: format!("{at}/result.json.sig"),
            csv: format!("{at}/result.csv"),
            csv_signature: format!("{at}/result.csv.sig"),
            public_key: format!("{base}/api/v1/signing-key"),
        }
    }
}

fn spec(title: &str, item: Option<protocol::AgendaItemId>, kind: PollKind) -> PollSpec {
    PollSpec {
        title: title.into(),
        item,
        kind,
        secret: false,
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

/// Seeds the demo's polls; returns the published one's id and title.
pub(super) async fn seed(handle: &MeetingHandle) -> anyhow::Result<(PollId, String)> {
    let office = |c| Request::one(Actor::Office, None, c);
    let (item, election_item, members) = handle.read(|s| {
        let members: Vec<_> = s
            .participants
            .iter()
            .filter(|p| p.role.is_member())
            .map(|p| (p.id, p.role, p.name.clone()))
            .collect();
        (
            s.agenda.first().map(|i| i.id),
            s.agenda.get(6).map(|i| i.id),
            members,
        )
    });
    // Nine in ten members have arrived.
    let arrived: Vec<_> = members
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 10 != 7)
        .map(|(_, m)| m.clone())
        .collect();
    for (id, _, _) in &arrived {
        handle
            .run(Request::one(
                Actor::System,
                None,
                Command::CheckIn { participant: *id },
            ))
            .await?;
    }
    let title = "Thông qua chương trình làm việc của Đại hội".to_owned();
    let mut approve = spec(&title, item, PollKind::Motion);
    approve.preset = Some(Preset::MajorityOfSummoned);
    let create = office(Command::CreatePoll { poll: approve });
    let poll = PollId(create.steps[0].1);
    handle.run(create).await?;
    handle.run(office(Command::OpenPoll { poll })).await?;
    for (n, (id, role, _)) in arrived.iter().enumerate() {
        // Most approve; a few disagree or abstain, as in a real hall.
        let choice = match n % 40 {
            13 => 1,
            27 | 33 => 2,
            _ => 0,
        };
        let ballot = Command::CastBallot {
            poll,
            choices: vec![choice],
            on_behalf_of: None,
        };
        let voter = Actor::Participant {
            id: *id,
            role: *role,
        };
        handle.run(Request::one(voter, None, ballot)).await?;
    }
    handle.run(office(Command::ClosePoll { poll })).await?;
    handle.run(office(Command::PublishPoll { poll })).await?;

    // The committee election, prepared: candidates drawn from the summoned delegates.
    let candidates: Vec<String> = members
        .iter()
        .filter(|(_, role, _)| *role == Role::Delegate)
        .map(|(_, _, name)| name.clone())
        .take(18)
        .collect();
    if candidates.len() >= 16 {
        let mut election = spec(
            "Bầu Ban Chấp hành Đảng bộ huyện khóa XXIII",
            election_item,
            PollKind::Election {
                candidates,
                seats: 15,
            },
        );
        election.secret = true;
        handle
            .run(office(Command::CreatePoll { poll: election }))
            .await?;
    }
    Ok((poll, title))
}
