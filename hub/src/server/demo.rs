//! `hub demo`: a district Party congress, created once in the data directory and reused on
//! the next start, with `demo.json` for scripts that drive it.

use super::demo_polls::{self, DemoExport};
use super::Server;
use crate::engine::Actor;
use crate::live::Request;
use anyhow::Context as _;
use protocol::{Command, MeetingId, Role};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The file in the data directory that describes the demo meeting.
pub const DEMO_FILE: &str = "demo.json";

/// What `demo.json` holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoInfo {
    pub meeting: MeetingId,
    pub title: String,
    pub hub_url: String,
    /// The agenda in order, for scripts that drive the meeting.
    #[serde(default)]
    pub agenda: Vec<DemoItem>,
    pub participants: Vec<DemoParticipant>,
    /// Signed exports of the demo's published results, to try `hub verify` at once.
    #[serde(default)]
    pub results: Vec<DemoExport>,
}

/// One agenda item of the demo.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoItem {
    pub id: protocol::AgendaItemId,
    pub title: String,
}

/// One participant of the demo, with the token a script needs to act as them.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoParticipant {
    pub name: String,
    pub role: Role,
    pub seat: Option<String>,
    pub token: String,
    pub join_url: String,
}

impl DemoInfo {
    /// The first participant in `role`.
    pub fn first(&self, role: Role) -> Option<&DemoParticipant> {
        self.participants.iter().find(|p| p.role == role)
    }
}

/// Seeds the demo meeting unless the data directory has it already, and returns it.
pub async fn seed_demo(server: &Server, delegates: usize) -> anyhow::Result<DemoInfo> {
    let path: PathBuf = server.state.config.data.join(DEMO_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let mut info: DemoInfo = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a demo description", path.display()))?;
        if server.state.meetings.get(info.meeting).is_some() {
            // The address may differ from the last run; the tokens do not.
            let base = &server.state.public_base;
            info.hub_url.clone_from(base);
            for p in &mut info.participants {
                p.join_url = format!("{base}/j/{}", p.token);
            }
            for r in &mut info.results {
                *r = DemoExport::new(base, info.meeting, r.poll, std::mem::take(&mut r.title));
            }
            write(&path, &info)?;
            return Ok(info);
        }
    }
    let package = crate::demo::demo_package(delegates);
    let title = match &package.create {
        Command::CreateMeeting { title, .. } => title.clone(),
        _ => String::new(),
    };
    let imported = server.import(package).await?;
    let handle = server
        .state
        .meetings
        .get(imported.meeting)
        .context("the demo meeting vanished")?;
    // A congress in its first hour: delegates checking in, the opening item on the screen.
    let first_item = handle.read(|s| s.agenda.first().map(|i| i.id));
    let mut steps = vec![Command::OpenMeeting, Command::StartSession];
    steps.extend(first_item.map(|item| Command::StartAgendaItem { item }));
    for command in steps {
        handle
            .run(Request::one(Actor::Office, None, command))
            .await?;
    }
    let (poll, poll_title) = demo_polls::seed(&handle).await?;
    let info = DemoInfo {
        meeting: imported.meeting,
        title,
        hub_url: server.state.public_base.clone(),
        agenda: handle.read(|s| {
            s.agenda
                .iter()
                .map(|i| DemoItem {
                    id: i.id,
                    title: i.title.clone(),
                })
                .collect()
        }),
        participants: imported
            .participants
            .into_iter()
            .map(|i| DemoParticipant {
                name: i.participant.name,
                role: i.participant.role,
                seat: i.participant.seat,
                token: i.token.as_str().to_owned(),
                join_url: i.join_url,
            })
            .collect(),
        results: vec![DemoExport::new(
            &server.state.public_base,
            imported.meeting,
            poll,
            poll_title,
        )],
    };
    write(&path, &info)?;
    Ok(info)
}

fn write(path: &std::path::Path, info: &DemoInfo) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    // It holds every demo token: readable by the hub's user only, like secretariat.token.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&tmp)?, &serde_json::to_vec_pretty(info)?)?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
