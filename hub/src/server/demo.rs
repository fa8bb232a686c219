//! `hub demo`: a district Party congress, created once in the data directory and reused on
//! the next start, with `demo.json` for scripts that drive it.

use super::demo_polls::{self, DemoExport};
use super::Server;
use crate::engine::Actor;
use crate::live::Request;
use anyhow::Context as _;
use protocol::{
    Classification, Command, DocumentId, DocumentStatus, MeetingId, ParticipantId, Role,
};
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
    /// The page the meeting's public QR code opens: public documents only, no token.
    #[serde(default)]
    pub public_url: String,
    /// The public QR code (PNG).
    #[serde(default)]
    pub public_qr_url: String,
    /// Every participant's badge, A4 PDF (with a secretariat token).
    #[serde(default)]
    pub badges_url: String,
    /// The published documents.
    #[serde(default)]
    pub documents: Vec<DemoDocumentInfo>,
    /// The district's standing committee, with an open opinion request.
    #[serde(default)]
    pub body: Option<super::demo_live::DemoBody>,
    /// Signed exports of the demo's published results, to try `hub verify` at once.
    #[serde(default)]
    pub results: Vec<DemoExport>,
}

/// One published demo document.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoDocumentInfo {
    pub id: DocumentId,
    pub title: String,
    pub classification: Classification,
    pub status: DocumentStatus,
    pub version: u32,
    pub size: u64,
    pub sha256: String,
    /// With a participant's token (bearer or join cookie) that may read it.
    pub download_url: String,
    /// For public documents: works without a token.
    pub public_download_url: Option<String>,
    /// For confidential documents: who may read it, by name.
    pub readers: Vec<String>,
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
    #[serde(default)]
    pub id: Option<ParticipantId>,
    pub name: String,
    pub role: Role,
    pub seat: Option<String>,
    pub token: String,
    pub join_url: String,
    /// The join QR code (PNG), with a secretariat token.
    #[serde(default)]
    pub qr_url: Option<String>,
}

impl From<super::Issued> for DemoParticipant {
    fn from(i: super::Issued) -> Self {
        DemoParticipant {
            id: Some(i.participant.id),
            qr_url: None,
            name: i.participant.name,
            role: i.participant.role,
            seat: i.participant.seat,
            token: i.token.as_str().to_owned(),
            join_url: i.join_url,
        }
    }
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
            let body = info.body.iter_mut().flat_map(|b| b.participants.iter_mut());
            for p in info.participants.iter_mut().chain(body) {
                p.join_url = format!("{base}/j/{}", p.token);
            }
            super::demo_docs::add_documents(server, &mut info).await?;
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
    let congress = package.participants.clone();
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
    super::demo_live::seed_speakers(&handle).await?;
    super::demo_live::seed_announcement(&handle).await?;
    let now = protocol::Timestamp(time::OffsetDateTime::now_utc().unix_timestamp() * 1000);
    let body = super::demo_live::seed_body(server, &congress, now).await?;
    let (poll, poll_title) = demo_polls::seed(&handle).await?;
    let mut info = DemoInfo {
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
            .map(DemoParticipant::from)
            .collect(),
        public_url: String::new(),
        public_qr_url: String::new(),
        badges_url: String::new(),
        documents: Vec::new(),
        body: Some(body),
        results: vec![DemoExport::new(
            &server.state.public_base,
            imported.meeting,
            poll,
            poll_title,
        )],
    };
    super::demo_docs::add_documents(server, &mut info).await?;
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
