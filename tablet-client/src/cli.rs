//! The `tablet` command line: a delegate's client in a terminal, and the load generator.
//! Lives in the library so tests can build the same program as a binary of their own.

use crate::swarm;
use crate::{Follower, JoinUrl, Session};
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use protocol::{AgendaItemStatus, EventKind, HubFrame, MeetingView};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The meeting hub's native tablet client and load generator"
)]
struct Cli {
    /// Where the tablet keeps its profile (the hub's address and this delegate's token).
    #[arg(long, global = true, env = "TABLET_PROFILE")]
    profile: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Join with the URL from the badge's QR code and keep it in the profile.
    Join { url: String },
    /// Print the agenda, the current item marked.
    Agenda,
    /// Follow the meeting live, reconnecting by itself.
    Watch,
    /// Connect many simulated tablets and print what a full hall feels.
    Swarm {
        /// The demo.json that `hub demo` wrote: the hub's address and every token.
        #[arg(long)]
        demo: Option<PathBuf>,
        /// The baseline server (`tablet baseline`), measured beside the hub (ws://HOST:PORT).
        #[arg(long)]
        baseline: Option<String>,
        #[arg(long, default_value_t = 200)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        #[arg(long)]
        hub_pid: Option<u32>,
        #[arg(long)]
        baseline_pid: Option<u32>,
    },
    /// Run the baseline: a broadcast server with no logic, for `swarm --baseline`.
    Baseline {
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: SocketAddr,
    },
}

/// Runs the `tablet` program with the process's arguments.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let profile = cli.profile.clone().unwrap_or_else(default_profile);
    match cli.command {
        Cmd::Join { url } => join(&profile, &url).await,
        Cmd::Agenda => agenda(&profile).await,
        Cmd::Watch => watch(&profile).await,
        Cmd::Swarm {
            demo,
            baseline,
            clients,
            rounds,
            hub_pid,
            baseline_pid,
        } => {
            let mut plans = Vec::new();
            if let Some(demo) = demo {
                plans.push(swarm::demo_plan(&demo, clients, rounds, hub_pid)?);
            }
            if let Some(url) = baseline {
                plans.push(swarm::baseline_plan(url, clients, rounds, baseline_pid));
            }
            anyhow::ensure!(
                !plans.is_empty(),
                "name a target: --demo hub-data/demo.json and/or --baseline ws://HOST:PORT"
            );
            let mut reports = Vec::new();
            for plan in plans {
                eprintln!(
                    "swarm: {} tablets against {} …",
                    plan.tablets.len(),
                    plan.target
                );
                reports.push(swarm::run(plan).await?);
            }
            print!("{}", swarm::table(&reports));
            Ok(())
        }
        Cmd::Baseline { listen } => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("baseline listening on ws://{}", listener.local_addr()?);
            swarm::serve_baseline(listener).await
        }
    }
}

fn default_profile() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".tablet").join("profile.txt")
}

async fn join(profile: &Path, url: &str) -> anyhow::Result<()> {
    let join = JoinUrl::parse(url)?;
    let mut session = Session::join(join, Follower::new(), Duration::from_secs(10)).await?;
    let HubFrame::Snapshot { me, view, .. } = session.next().await? else {
        anyhow::bail!("the hub did not send the meeting");
    };
    save_profile(profile, url)?;
    println!("Đã tham gia / joined: {}", view.meeting.title);
    println!("  {} ({}){}", me.name, me.role, seat(&view, &me));
    println!("  profile: {}", profile.display());
    Ok(())
}

async fn agenda(profile: &Path) -> anyhow::Result<()> {
    let mut session = open(profile).await?;
    let HubFrame::Snapshot { view, .. } = session.next().await? else {
        anyhow::bail!("the hub did not send the meeting");
    };
    println!("{}", view.meeting.title);
    for (n, item) in view.agenda.iter().enumerate() {
        let mark = match item.status {
            AgendaItemStatus::Current => "▶",
            AgendaItemStatus::Done => "✓",
            AgendaItemStatus::Pending => " ",
        };
        println!("{mark} {:>2}. {}", n + 1, item.title);
    }
    let a = &view.attendance;
    println!(
        "Có mặt / present: {} / {} (quorum {}: {})",
        a.present,
        a.summoned,
        a.quorum,
        if a.quorum_reached {
            "đủ / reached"
        } else {
            "chưa đủ / not reached"
        }
    );
    Ok(())
}

async fn watch(profile: &Path) -> anyhow::Result<()> {
    let mut session = open(profile).await?;
    let mut names = Names::default();
    loop {
        match session.next().await? {
            HubFrame::Snapshot { seq, view, .. } => {
                names = Names::from(&view);
                println!(
                    "#{seq} {} — {} items, {} present",
                    view.meeting.title,
                    view.agenda.len(),
                    view.attendance.present
                );
            }
            HubFrame::Resumed { from, seq, .. } => {
                println!("(reconnected: resuming after #{from}, hub at #{seq})")
            }
            HubFrame::Event(e) => println!("#{} {}", e.seq, names.describe(&e.event)),
            _ => {}
        }
    }
}

async fn open(profile: &Path) -> anyhow::Result<Session> {
    let url = std::fs::read_to_string(profile).with_context(|| {
        format!(
            "no profile at {}: run `tablet join URL` first",
            profile.display()
        )
    })?;
    let join = JoinUrl::parse(url.trim())?;
    Ok(Session::join(join, Follower::new(), Duration::from_secs(10)).await?)
}

/// The profile holds the join URL, which holds the token: readable by its owner only.
fn save_profile(path: &Path, url: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, format!("{url}\n").as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn seat(view: &MeetingView, me: &protocol::Me) -> String {
    let seat = me
        .participant
        .and_then(|id| view.participants.iter().find(|p| p.id == id))
        .and_then(|p| p.seat.clone());
    seat.map_or_else(String::new, |s| format!(", ghế / seat {s}"))
}

/// Titles and names, to print events as a person reads them.
#[derive(Default)]
struct Names {
    items: HashMap<protocol::AgendaItemId, String>,
    people: HashMap<protocol::ParticipantId, String>,
}

impl Names {
    fn from(view: &MeetingView) -> Names {
        Names {
            items: view
                .agenda
                .iter()
                .map(|i| (i.id, i.title.clone()))
                .collect(),
            people: view
                .participants
                .iter()
                .map(|p| (p.id, p.name.clone()))
                .collect(),
        }
    }

    fn item(&self, id: &protocol::AgendaItemId) -> &str {
        self.items.get(id).map_or("(?)", String::as_str)
    }

    fn describe(&mut self, event: &EventKind) -> String {
        match event {
            EventKind::AgendaItemAdded { item } => {
                self.items.insert(item.id, item.title.clone());
                format!("agenda: added “{}”", item.title)
            }
            EventKind::AgendaItemStarted { item } => format!("▶ now: {}", self.item(item)),
            EventKind::AgendaItemFinished { item } => format!("✓ finished: {}", self.item(item)),
            EventKind::MeetingStatusChanged { status } => format!("meeting is now {status:?}"),
            EventKind::ParticipantAdded { participant } => {
                self.people.insert(participant.id, participant.name.clone());
                format!("summoned: {}", participant.name)
            }
            EventKind::CheckedIn {
                participant: Some(p),
            } => {
                format!(
                    "checked in: {}",
                    self.people.get(p).map_or("(?)", String::as_str)
                )
            }
            EventKind::CheckedIn { participant: None } => "a member checked in".into(),
            other => format!("{other:?}"),
        }
    }
}
