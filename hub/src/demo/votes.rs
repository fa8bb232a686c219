//! The demo's votes: the congress has approved its agenda (an open motion that nine in ten
//! members voted on from their own tablets, closed and published, so its signed export can
//! be verified at once), and its committee election is prepared in draft (secret, 15 seats
//! among 18 candidates) for the chair to open.

use super::api::Api;
use super::congress::Seeded;
use super::delegates::Issued;
use super::view;
use anyhow::Context as _;
use protocol::{Command, PollId, PollKind, PollSpec, Preset, Role};

/// The title of the published vote.
const AGENDA_VOTE: &str = "Thông qua chương trình làm việc của Đại hội";

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

/// Seeds the congress's polls; returns the published one's id and title.
pub(super) async fn seed(api: &Api, congress: &Seeded) -> anyhow::Result<(PollId, String)> {
    let meeting = congress.meeting;
    let office = api.office();
    let members: Vec<&Issued> = congress
        .people
        .iter()
        .filter(|p| p.participant.role.is_member())
        .collect();
    // Nine in ten members have arrived; the secretariat checks them in at the door.
    let arrived: Vec<&Issued> = members
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 10 != 7)
        .map(|(_, m)| *m)
        .collect();
    let check_ins = arrived
        .iter()
        .map(|m| {
            let participant = m.participant.id;
            (office.to_owned(), Command::CheckIn { participant })
        })
        .collect();
    api.commands_together(meeting, check_ins).await?;

    let item = congress.agenda.first().map(|i| i.id);
    let mut approve = spec(AGENDA_VOTE, item, PollKind::Motion);
    approve.preset = Some(Preset::MajorityOfSummoned);
    let poll = create_poll(api, congress, approve).await?;
    api.command(meeting, office, Command::OpenPoll { poll })
        .await?;
    // Most approve; a few disagree or abstain, as in a real hall. Each from their tablet.
    let ballots = arrived
        .iter()
        .enumerate()
        .map(|(n, voter)| {
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
            (voter.token.clone(), ballot)
        })
        .collect();
    api.commands_together(meeting, ballots).await?;
    api.command(meeting, office, Command::ClosePoll { poll })
        .await?;
    api.command(meeting, office, Command::PublishPoll { poll })
        .await?;

    // The committee election, prepared: candidates drawn from the summoned delegates.
    let candidates: Vec<String> = congress
        .in_role(Role::Delegate)
        .map(|d| d.participant.name.clone())
        .take(18)
        .collect();
    if candidates.len() >= 16 {
        let mut election = spec(
            "Bầu Ban Chấp hành Đảng bộ huyện khóa XXIII",
            congress.agenda.get(6).map(|i| i.id),
            PollKind::Election {
                candidates,
                seats: 15,
            },
        );
        election.secret = true;
        create_poll(api, congress, election).await?;
    }
    Ok((poll, AGENDA_VOTE.to_owned()))
}

/// Creates a poll in draft and learns its id from the secretariat's view: the newest poll
/// of that title.
async fn create_poll(api: &Api, congress: &Seeded, spec: PollSpec) -> anyhow::Result<PollId> {
    let title = spec.title.clone();
    let create = Command::CreatePoll { poll: spec };
    api.command(congress.meeting, api.office(), create).await?;
    let view = view(api, congress.meeting, api.office()).await?;
    view.polls
        .iter()
        .rev()
        .find(|p| p.poll.title == title)
        .map(|p| p.poll.id)
        .with_context(|| format!("the poll '{title}' is not in the meeting"))
}
