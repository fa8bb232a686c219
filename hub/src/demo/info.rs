//! `demo.json`: what scripts need to drive the demo (every token, join URL, document and
//! signed export), and the summary `hub demo` prints.

use super::delegates::Issued;
use anyhow::Context as _;
use protocol::{AgendaItemId, Classification, DocumentId, DocumentStatus, MeetingId};
use protocol::{ParticipantId, PollId, Role};
use serde::{Deserialize, Serialize};
use std::path::Path;

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
    pub body: Option<DemoBody>,
    /// Signed exports of the demo's published results, to try `hub verify` at once.
    #[serde(default)]
    pub results: Vec<DemoExport>,
    /// The standing committee's year of weekly meetings, closed: the archive's.
    #[serde(default)]
    pub archive: Vec<MeetingId>,
    /// The library's shelf (documents and news for everyone).
    #[serde(default)]
    pub library: Option<MeetingId>,
    /// A one-time link that enrols a tablet for one member of the standing committee.
    #[serde(default)]
    pub enrol: Option<super::enrol::DemoEnrolment>,
}

impl DemoInfo {
    /// The first participant in `role`.
    pub fn first(&self, role: Role) -> Option<&DemoParticipant> {
        self.participants.iter().find(|p| p.role == role)
    }
}

/// One agenda item of the demo.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoItem {
    pub id: AgendaItemId,
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

impl From<Issued> for DemoParticipant {
    fn from(i: Issued) -> Self {
        DemoParticipant {
            id: Some(i.participant.id),
            qr_url: None,
            name: i.participant.name,
            role: i.participant.role,
            seat: i.participant.seat,
            token: i.token,
            join_url: i.join_url,
        }
    }
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

/// The standing committee in `demo.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoBody {
    pub meeting: MeetingId,
    pub title: String,
    pub participants: Vec<DemoParticipant>,
}

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
    pub fn new(base: &str, meeting: MeetingId, poll: PollId, title: String) -> Self {
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

/// The demo described in `path`, if there is one.
pub(super) fn read(path: &Path) -> anyhow::Result<Option<DemoInfo>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let info = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a demo description", path.display()))?;
    Ok(Some(info))
}

/// Writes `demo.json` whole (a temporary file, then a rename).
pub(super) fn write(path: &Path, info: &DemoInfo) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    // It holds every demo token: readable by the hub's user only, like secretariat.token.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&tmp)?, &serde_json::to_vec_pretty(info)?)?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Prints where everything is: the join URLs of each role, the public page, the badge
/// sheet, the files with every token, and the signed result.
pub fn print_summary(info: &DemoInfo, data: &Path) {
    let url = |role| info.first(role).map_or("-", |p| p.join_url.as_str());
    println!();
    println!("  {}", info.title);
    // The same count the chair and the projector show: members (chairs and delegates);
    // the secretariat and the hall's screen are participants but not summoned members.
    let members = info
        .participants
        .iter()
        .filter(|p| p.role.is_member())
        .count();
    println!(
        "  {members} members summoned (chair and delegates), with {} secretariat and screen",
        info.participants.len() - members
    );
    println!();
    println!("  Hub:          {}", info.hub_url);
    println!("  Chair:        {}", url(Role::Chair));
    println!("  Secretariat:  {}", url(Role::Secretariat));
    println!("  Projector:    {}", url(Role::Projector));
    println!("  A delegate:   {}", url(Role::Delegate));
    println!();
    println!("  Documents:    {} published", info.documents.len());
    println!("  Public page (no token):    {}", info.public_url);
    println!("  Public QR code (PNG):      {}", info.public_qr_url);
    println!("  Badge sheet (PDF, A4):     {}", info.badges_url);
    println!("    (send the secretariat's token: Authorization: Bearer …, or open the");
    println!("     secretariat's join URL first in the same browser)");
    println!();
    println!(
        "  Every participant's join URL and token: {}",
        data.join(DEMO_FILE).display()
    );
    println!(
        "  Hub-wide secretariat token (REST API):  {}",
        data.join(crate::server::OFFICE_TOKEN_FILE).display()
    );
    if let Some(enrol) = &info.enrol {
        println!(
            "  One tablet, one person: open {} on a tablet to enrol it for {} (a PIN, then their meetings; valid 24 h, once)",
            enrol.url, enrol.name
        );
    }
    if !info.archive.is_empty() {
        println!(
            "  Archive: {} closed meetings of the standing committee; search: {}/api/v1/search?q=chuyen%20doi%20so",
            info.archive.len(),
            info.hub_url
        );
    }
    for r in &info.results {
        println!("  Signed result, {}:", r.title);
        println!("    {}  (+ .sig; key: {})", r.json, r.public_key);
    }
    if !info.results.is_empty() {
        println!("    check a downloaded copy offline: hub verify result.json --key signing.pub");
    }
    println!();
}
