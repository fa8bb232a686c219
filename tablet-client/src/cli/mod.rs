//! The `tablet` command line: a delegate's client in a terminal, and the load generator.
//! Lives in the library so tests can build the same program as a binary of their own.
//!
//! Failures a delegate can act on (a wrong URL, a hub out of reach, a revoked badge) end
//! the program with a sentence and an exit code of their own, never a backtrace.

mod act;
mod committee;
mod count;
mod documents;
mod profile;
mod receipts;
mod show;
mod vault;

use crate::sealed::SealedError;
use crate::swarm;
use crate::{CacheError, ClientError, CommandError, DownloadError};
use clap::{Parser, Subcommand};
use protocol::ErrorCode;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The meeting hub's native tablet client and load generator"
)]
struct Cli {
    /// The profile directory: the join URL (hub address and token) and the document cache.
    /// Default: the user's config directory, e.g. ~/.config/tablet.
    #[arg(long, global = true, env = "TABLET_PROFILE")]
    profile: Option<PathBuf>,
    /// How long to keep trying to reach the hub before giving up, in seconds.
    #[arg(long, global = true, default_value_t = 10)]
    wait: u64,
    /// Trust the hub over HTTPS through the CA certificate(s) of this PEM file (an office's
    /// own CA) instead of the fingerprint on the badge or the system's roots. Kept in the
    /// profile by `join`.
    #[arg(long, global = true, value_name = "FILE", env = "TABLET_CA")]
    ca: Option<PathBuf>,
    /// Another hub of the hall (its standby), e.g. http://10.0.0.6:8080; repeat for more.
    /// When the connection drops the hubs are tried in turn, and the session resumes on
    /// whichever serves. Also HUB_ALTERNATES, comma-separated.
    #[arg(
        long = "hub",
        global = true,
        env = "HUB_ALTERNATES",
        value_delimiter = ','
    )]
    hubs: Vec<String>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Join with the URL from the badge's QR code and keep it in the profile.
    Join { url: String },
    /// Download every document this delegate may read, verified by its SHA-256.
    Sync,
    /// Print the agenda, the current item marked.
    Agenda,
    /// List the documents, and whether this tablet holds a verified copy.
    Docs,
    /// Follow the meeting live, reconnecting by itself and caching documents as they come.
    Watch,
    /// Vote. Without a poll: list the polls (and the receipts of your secret ballots).
    /// Without a choice: show the options and ask. A secret poll's ballot is encrypted on
    /// this device to the counting committee's key.
    Vote {
        /// The poll: its number in the list, or its id.
        poll: Option<String>,
        /// The choices: option numbers (from 1) or labels; several for a multiple choice
        /// or an election.
        choices: Vec<String>,
    },
    /// The receipts of your secret ballots, and whether each is in the published list.
    Receipts,
    /// A member of the counting committee (Ban kiểm phiếu): make the committee's key with
    /// the other members' tablets, through the hub, and keep your share on this tablet.
    Committee {
        /// Go on without asking whether all members saw the same check code.
        #[arg(long)]
        yes: bool,
        /// Show your share as text and a QR code, for a printed copy.
        #[arg(long)]
        print: bool,
        /// Read your share back from its printed copy (the text, or - to read a line).
        #[arg(long, value_name = "TEXT")]
        import: Option<String>,
    },
    /// A member of the counting committee opens the count of a closed secret poll: checks
    /// every ballot of its box on this tablet, then gives this member's decryption share.
    Count {
        /// The poll: its number in the list, or its id.
        poll: String,
        /// Give the share without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Ask to speak on the current item (đăng ký phát biểu), or withdraw the request.
    Speak {
        #[arg(long)]
        withdraw: bool,
    },
    /// Answer an opinion request (xin ý kiến). Without a request: list those addressed to you.
    Opinion {
        /// The request: its number in the list, or its id.
        request: Option<String>,
        /// One answer per question, in order: agree, disagree or other, each with an
        /// optional comment after a colon ("other:Đề nghị bổ sung…").
        answers: Vec<String>,
    },
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
        /// Instead: a 15-of-20 election, in the open and then sealed to a counting
        /// committee of the first `--members` delegates' devices (`--threshold` of them
        /// open it), every tablet voting within one second (`--vote-within`).
        #[arg(long)]
        election: bool,
        /// The election's spell in seconds: every tablet votes at a random moment of it.
        /// 1 is the whole hall at once (the benchmark's goal); a hall takes a minute or so.
        #[arg(long, default_value_t = 1.0, value_parser = spell)]
        vote_within: f64,
        #[arg(long, default_value_t = 3)]
        members: usize,
        #[arg(long, default_value_t = 2)]
        threshold: u32,
        /// Where the election swarm writes the published results, for `hub verify`.
        #[arg(long)]
        save: Option<PathBuf>,
    },
    /// Run the baseline: a broadcast server with no logic, for `swarm --baseline`.
    Baseline {
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: SocketAddr,
    },
}

/// Exit codes a script can tell apart.
pub mod exit {
    /// Something else failed.
    pub const OTHER: u8 = 1;
    /// The join URL, or an argument, is wrong.
    pub const USAGE: u8 = 2;
    /// The hub cannot be reached.
    pub const UNREACHABLE: u8 = 3;
    /// The hub refused this badge's token (revoked, replaced, removed).
    pub const BAD_TOKEN: u8 = 4;
    /// The hub refused the command (a closed poll, not checked in …).
    pub const REFUSED: u8 = 5;
    /// Something the hub sent does not hold up: a receipt missing from the published list,
    /// a box whose sum is not the hub's, a committee key that differs.
    pub const MISMATCH: u8 = 6;
    /// The hub's certificate is not the one this tablet trusts (the badge's CA, `--ca`).
    pub const UNTRUSTED: u8 = 7;
}

/// Runs the `tablet` program with the process's arguments and returns its exit code,
/// having printed any failure as a sentence.
pub async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (code, hint) = classify(&e);
            eprintln!("tablet: {}", sentence(&e));
            if let Some(hint) = hint {
                eprintln!("{hint}");
            }
            ExitCode::from(code)
        }
    }
}

/// The failure and its causes as one line. Several of our errors already name their cause
/// in their own text (`cannot reach the hub at …: connection refused`), so a cause whose
/// text is already there is not said again.
fn sentence(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// The exit code for a failure, and what the delegate can do about it.
fn classify(e: &anyhow::Error) -> (u8, Option<&'static str>) {
    for cause in e.chain() {
        let client = cause.downcast_ref::<ClientError>().or_else(|| {
            match cause.downcast_ref::<CommandError>() {
                Some(CommandError::Connection(c)) => Some(c),
                _ => None,
            }
        });
        if let Some(client) = client {
            return classify_client(client);
        }
        if let Some(CommandError::Refused(_)) = cause.downcast_ref::<CommandError>() {
            return (exit::REFUSED, None);
        }
        if let Some(sealed) = cause.downcast_ref::<SealedError>() {
            return classify_sealed(sealed);
        }
        if let Some(download) = cause.downcast_ref::<DownloadError>() {
            return classify_download(download);
        }
        if cause.downcast_ref::<receipts::NotListed>().is_some()
            || cause.downcast_ref::<act::ReceiptDiffers>().is_some()
        {
            return (exit::MISMATCH, None);
        }
        match cause.downcast_ref::<CacheError>() {
            Some(CacheError::BadToken) => return (exit::BAD_TOKEN, Some(REVOKED)),
            Some(CacheError::Unreachable { .. }) => return (exit::UNREACHABLE, None),
            Some(CacheError::Untrusted { .. }) => return (exit::UNTRUSTED, Some(UNTRUSTED)),
            _ => {}
        }
        if cause.downcast_ref::<Usage>().is_some()
            || cause.downcast_ref::<vault::VaultError>().is_some()
        {
            return (exit::USAGE, None);
        }
    }
    (exit::OTHER, None)
}

fn classify_client(client: &ClientError) -> (u8, Option<&'static str>) {
    match client {
        ClientError::BadJoinUrl { .. } | ClientError::BadCaFile { .. } => (exit::USAGE, None),
        ClientError::Untrusted { .. } => (exit::UNTRUSTED, Some(UNTRUSTED)),
        ClientError::Unreachable { .. } | ClientError::Closed { .. } => (
            exit::UNREACHABLE,
            Some("Is the hub running, and is this device on the hall's network?"),
        ),
        // A hub that serves HTTPS redirects plain HTTP from another machine.
        ClientError::UpgradeRefused {
            status: 301 | 302 | 307 | 308,
            ..
        } => (
            exit::UNREACHABLE,
            Some("The hub serves HTTPS: join with the https:// link on your badge."),
        ),
        ClientError::UpgradeRefused { .. } => (exit::UNREACHABLE, None),
        c if c.code() == Some(ErrorCode::BadToken) => (exit::BAD_TOKEN, Some(REVOKED)),
        _ => (exit::OTHER, None),
    }
}

fn classify_sealed(e: &SealedError) -> (u8, Option<&'static str>) {
    match e {
        SealedError::Command(CommandError::Refused(_)) => (exit::REFUSED, None),
        SealedError::Command(CommandError::Connection(c)) => classify_client(c),
        SealedError::Download(d) => classify_download(d),
        SealedError::NotSecret(_)
        | SealedError::NotSealed(_)
        | SealedError::NotAMember
        | SealedError::NotYourShare { .. }
        | SealedError::NoCommittee
        | SealedError::Key(_)
        | SealedError::Ballot(_) => (exit::USAGE, None),
        e if e.is_mismatch() => (exit::MISMATCH, None),
        _ => (exit::OTHER, None),
    }
}

fn classify_download(e: &DownloadError) -> (u8, Option<&'static str>) {
    match e {
        DownloadError::BadToken => (exit::BAD_TOKEN, Some(REVOKED)),
        DownloadError::Unreachable { .. } => (exit::UNREACHABLE, None),
        DownloadError::Untrusted { .. } => (exit::UNTRUSTED, Some(UNTRUSTED)),
        DownloadError::Status { status: 409, .. } => (exit::REFUSED, None),
        _ => (exit::OTHER, None),
    }
}

const REVOKED: &str = "This badge is no longer valid: ask the secretariat for a new one, \
                       then run `tablet join URL` with it.";

const UNTRUSTED: &str = "Không tin máy chủ này / not trusting this hub: join again with the \
                         link on your badge (it names the hall's certificate), or ask the \
                         secretariat.";

/// A wrong argument, said in words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Usage(pub String);

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let profile = profile::Profile::at(cli.profile.clone(), cli.wait, cli.ca.clone())?
        .with_hubs(cli.hubs.clone());
    match cli.command {
        Cmd::Join { url } => profile.join(&url).await,
        Cmd::Sync => documents::sync(&profile).await,
        Cmd::Agenda => show::agenda(&profile).await,
        Cmd::Docs => documents::list(&profile).await,
        Cmd::Watch => show::watch(&profile).await,
        Cmd::Vote { poll, choices } => act::vote(&profile, poll, &choices).await,
        Cmd::Receipts => receipts::receipts(&profile).await,
        Cmd::Committee { yes, print, import } => {
            committee::committee(&profile, yes, print, import).await
        }
        Cmd::Count { poll, yes } => count::count(&profile, &poll, yes).await,
        Cmd::Speak { withdraw } => act::speak(&profile, withdraw).await,
        Cmd::Opinion { request, answers } => act::opinion(&profile, request, &answers).await,
        Cmd::Swarm {
            demo,
            baseline,
            clients,
            rounds,
            hub_pid,
            baseline_pid,
            election,
            members,
            threshold,
            vote_within,
            save,
        } => {
            if election {
                let demo = demo.ok_or_else(|| Usage("--election needs --demo".into()))?;
                let plan = swarm::election_plan(
                    &demo,
                    clients,
                    members,
                    threshold,
                    std::time::Duration::from_secs_f64(vote_within),
                    hub_pid,
                    save,
                )?;
                eprintln!("swarm: {clients} tablets, a 15-of-20 election, open then sealed …");
                let reports = swarm::run_election(plan).await?;
                print!("{}", swarm::election_table(&reports));
                for r in &reports {
                    anyhow::ensure!(
                        r.ballots_counted == r.clients as u64 && r.refused == 0,
                        "{}: {} ballots counted from {} tablets, {} refused",
                        r.target,
                        r.ballots_counted,
                        r.clients,
                        r.refused
                    );
                }
                return Ok(());
            }
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
            let mut failed = Vec::new();
            for plan in plans {
                eprintln!(
                    "swarm: {} tablets against {} …",
                    plan.tablets.len(),
                    plan.target
                );
                // One target failing still leaves the other's column in the table.
                let target = plan.target.clone();
                match swarm::run(plan).await {
                    Ok(report) => reports.push(report),
                    Err(e) => {
                        eprintln!("swarm: {target} failed: {e:#}");
                        failed.push(target);
                    }
                }
            }
            print!("{}", swarm::table(&reports));
            anyhow::ensure!(failed.is_empty(), "the swarm failed against {failed:?}");
            for r in &reports {
                if let Some(counted) = r.ballots_counted {
                    anyhow::ensure!(
                        counted == r.clients as u64,
                        "the hub counted {counted} ballots from {} tablets",
                        r.clients
                    );
                }
                anyhow::ensure!(
                    r.storm_missed == 0 && r.storm_duplicates == 0,
                    "{}: events missed or repeated in the reconnect storm",
                    r.target
                );
            }
            Ok(())
        }
        Cmd::Baseline { listen } => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("baseline listening on ws://{}", listener.local_addr()?);
            swarm::serve_baseline(listener).await
        }
    }
}

/// `--vote-within`: seconds, from 0.1 to an hour.
fn spell(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text} is not a number of seconds"))?;
    if (0.1..=3600.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(format!("{text} s: give 0.1 to 3600 seconds"))
    }
}

#[cfg(test)]
mod tests {
    use super::{sentence, spell};

    #[test]
    fn an_election_spell_is_a_sane_number_of_seconds() {
        assert_eq!(spell("20"), Ok(20.0));
        assert_eq!(spell("0.5"), Ok(0.5));
        assert!(spell("0").unwrap_err().contains("0.1 to 3600"));
        assert!(spell("ten").unwrap_err().contains("not a number"));
        assert!(spell("NaN").is_err());
    }

    #[derive(Debug, thiserror::Error)]
    #[error("cannot reach the hub at ws://h/: {0}")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_cause_already_in_the_message_is_not_said_twice() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e = anyhow::Error::new(Outer(io)).context("joining the meeting");
        assert_eq!(
            sentence(&e),
            "joining the meeting: cannot reach the hub at ws://h/: connection refused"
        );
    }
}
