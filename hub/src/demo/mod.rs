//! `hub demo`: a district Party congress on a running hub, seeded through the hub's own
//! HTTP API as any script of a secretariat could, and reused on the next start.
//!
//! The demo is a client of the hub, not a part of it. `hub demo` opens and serves the
//! `Server` exactly as `hub serve` does; this module then acts with the office token
//! (`DATA/secretariat.token`) and with the tokens the import hands out: it creates the
//! meetings (`POST /api/v1/meetings`), imports a `participants.csv`, uploads the generated
//! PDFs and sends every other step as a command (`POST …/commands`) by whoever would send
//! it: delegates ask to speak, answer and vote with their own tokens. It then writes
//! `demo.json` with every token and URL a script needs.
//!
//! It is built to look real to its users: the agenda of a congress (đại hội) in its usual
//! order, the committee members who sit ex officio, delegates from every commune and body
//! of the district with their usual posts, seated by unit, and Vietnamese names drawn by
//! gender and by how common each family name is. The district, "huyện Minh Sơn", is
//! invented. Everything but the dates is deterministic.
//!
//! By what they seed: `congress` (the meeting, agenda, session, speakers, announcement),
//! `delegates` and `names` (who sits where), `documents` and `papers` (the congress's
//! documents), `votes` (the approved agenda, the prepared election), `committee` (the
//! standing committee: opinion request, calendar, petition), `year` (its year of weekly
//! meetings for the archive, and the library's shelf with documents and news). `api` is
//! the HTTP client and `info` the `demo.json` it writes and the summary `hub demo` prints.

mod api;
mod committee;
mod congress;
mod delegates;
mod documents;
mod enrol;
mod info;
mod names;
mod papers;
mod votes;
pub mod year;

pub use congress::{Congress, DEFAULT_DELEGATES};
pub use delegates::Person;
pub use info::{
    print_summary, DemoBody, DemoDocumentInfo, DemoExport, DemoInfo, DemoItem, DemoParticipant,
    DEMO_FILE,
};

use crate::config::Config;
use crate::server::OFFICE_TOKEN_FILE;
use anyhow::Context as _;
use api::Api;
use protocol::{MeetingId, MeetingView, Timestamp};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use time::UtcOffset;

/// The invented district.
pub const DISTRICT: &str = "Minh Sơn";
/// Viet Nam's time, for the congress's start and the committee's week.
const VIETNAM: UtcOffset = time::macros::offset!(+7);

/// The running hub the demo seeds.
#[derive(Clone, Debug)]
pub struct Hub {
    /// Where this process reaches the hub.
    pub addr: SocketAddr,
    /// The base of the URLs the hub hands out (join links, downloads), for `demo.json`.
    pub public_base: String,
    /// The data directory: the office token is read from it and `demo.json` written to it.
    pub data: PathBuf,
}

impl Hub {
    /// The hub that `config` describes, listening on `bound`.
    pub fn new(config: &Config, bound: SocketAddr) -> Hub {
        // A hub listening on every interface is reached here on the loopback.
        let ip = match bound.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Hub {
            addr: SocketAddr::new(ip, bound.port()),
            public_base: config.public_base(bound),
            data: config.data.clone(),
        }
    }
}

/// Seeds the demo on `hub` with `delegates` delegates, unless the data directory describes
/// a demo whose meeting the hub still holds: then that one is brought up to date (its
/// addresses, and its documents if it has none) and returned.
pub async fn seed(hub: &Hub, delegates: usize) -> anyhow::Result<DemoInfo> {
    let office_file = hub.data.join(OFFICE_TOKEN_FILE);
    let office = std::fs::read_to_string(&office_file)
        .with_context(|| format!("reading {}", office_file.display()))?;
    let api = Api::new(hub.addr, office.trim().to_owned());
    let path = hub.data.join(DEMO_FILE);
    if let Some(mut info) = info::read(&path)? {
        let at = format!("/api/v1/meetings/{}", info.meeting);
        if api.exists(&at, api.office()).await? {
            refresh(&api, hub, &mut info).await?;
            info::write(&path, &info)?;
            return Ok(info);
        }
    }
    let now = Timestamp(time::OffsetDateTime::now_utc().unix_timestamp() * 1000);
    let plan = Congress::new(delegates, now);
    let congress = congress::seed(&api, &plan).await?;
    let body = committee::seed(&api, &plan.people, now).await?;
    let year = year::seed(&api, &committee::standing_committee(&plan.people), now).await?;
    let (poll, poll_title) = votes::seed(&api, &congress).await?;
    let meeting = congress.meeting;
    let mut info = DemoInfo {
        meeting,
        title: plan.title,
        hub_url: hub.public_base.clone(),
        agenda: congress.agenda,
        participants: congress.people.into_iter().map(Into::into).collect(),
        public_url: String::new(),
        public_qr_url: String::new(),
        badges_url: String::new(),
        documents: Vec::new(),
        body: Some(body),
        results: vec![DemoExport::new(&hub.public_base, meeting, poll, poll_title)],
        archive: year.meetings,
        library: Some(year.library),
        enrol: None,
    };
    info.enrol = Some(enrol::link(&api).await?);
    documents::add(&api, &mut info).await?;
    info::write(&path, &info)?;
    Ok(info)
}

/// A demo from an earlier start: the address may differ from the last run; the tokens do
/// not.
async fn refresh(api: &Api, hub: &Hub, info: &mut DemoInfo) -> anyhow::Result<()> {
    let base = &hub.public_base;
    info.hub_url.clone_from(base);
    let body = info.body.iter_mut().flat_map(|b| b.participants.iter_mut());
    for p in info.participants.iter_mut().chain(body) {
        // The hub's CA (`?ca=`) is kept in the data directory: the pin stays.
        let pin = p.join_url.split_once('?').map_or("", |(_, q)| q).to_owned();
        p.join_url = format!("{base}/j/{}", p.token);
        if !pin.is_empty() {
            p.join_url = format!("{}?{pin}", p.join_url);
        }
    }
    documents::add(api, info).await?;
    if info.body.is_some() {
        info.enrol = Some(enrol::link(api).await?);
    }
    for r in &mut info.results {
        *r = DemoExport::new(base, info.meeting, r.poll, std::mem::take(&mut r.title));
    }
    Ok(())
}

/// A meeting as `token` sees it (`GET /api/v1/meetings/{m}`).
async fn view(api: &Api, meeting: MeetingId, token: &str) -> anyhow::Result<MeetingView> {
    #[derive(serde::Deserialize)]
    struct Answer {
        view: MeetingView,
    }
    let answer: Answer = api
        .get(&format!("/api/v1/meetings/{meeting}"), token)
        .await?;
    Ok(answer.view)
}

#[cfg(test)]
mod tests;
