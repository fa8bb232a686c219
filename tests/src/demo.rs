//! A real `hub demo` process, as a new user starts it: seeded, its summary printed, its
//! `demo.json` read. One place that starts it, so every test that needs the demo waits for
//! the same line and, when the demo stops early, shows why (its exit status and the end of
//! its log) instead of a bare "stopped".

use crate::{guard, hub_binary};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

/// The last line of the summary the demo prints once it is seeded.
const SEEDED: &str = "Every participant's join URL";
/// Seeding the congress and the committee's year takes seconds alone; a shared 2-core
/// machine building and testing beside it takes longer, so this wait is longer than
/// [`crate::GUARD`], and longer again for a large congress (its check-ins are rate-limited
/// like any secretariat's).
fn seeding_time(delegates: usize) -> Duration {
    Duration::from_secs(180 + delegates as u64 / 4)
}
/// How much of the demo's log a failure shows.
const LOG_LINES_SHOWN: usize = 40;

/// How the demo serves: plain HTTP (what most tests speak) or HTTPS with its own CA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// A seeded `hub demo`; killed when dropped.
#[derive(Debug)]
pub struct DemoHub {
    /// Where it listens (from its `listening on` line).
    pub addr: SocketAddr,
    /// `demo.json`: the meeting, every participant's token and the demo's URLs.
    pub info: Value,
    /// Everything it printed up to and including the summary.
    pub printed: String,
    /// Killed with the `DemoHub`.
    _child: Child,
    dir: tempfile::TempDir,
}

impl DemoHub {
    /// `hub demo --delegates N` over plain HTTP.
    pub async fn start(delegates: usize) -> DemoHub {
        DemoHub::start_with(delegates, Scheme::Http).await
    }

    pub async fn start_with(delegates: usize, scheme: Scheme) -> DemoHub {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let log_path = dir.path().join("demo.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let tls = match scheme {
            Scheme::Http => "off",
            Scheme::Https => "self-signed",
        };
        let mut child = tokio::process::Command::new(hub_binary())
            .env("HUB_TLS", tls)
            .args(["demo", "--delegates", &delegates.to_string()])
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("starting hub demo");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = String::new();
        let mut addr = None;
        let seeding = seeding_time(delegates);
        let seeded = tokio::time::timeout(seeding, async {
            while let Ok(Some(line)) = lines.next_line().await {
                printed.push_str(&line);
                printed.push('\n');
                let line = line.trim();
                if let Some(a) = line
                    .strip_prefix("listening on http://")
                    .or_else(|| line.strip_prefix("listening on https://"))
                {
                    addr = a.parse::<SocketAddr>().ok();
                }
                if line.contains(SEEDED) {
                    return true;
                }
            }
            false
        })
        .await;
        if seeded != Ok(true) {
            let why = match seeded {
                Err(_) => format!("was not seeded within {seeding:?}"),
                Ok(_) => match guard("hub demo to exit", child.wait()).await {
                    Ok(status) => format!("stopped before it was seeded ({status})"),
                    Err(e) => format!("stopped before it was seeded (wait: {e})"),
                },
            };
            panic!(
                "hub demo {why}\n--- it printed:\n{printed}--- the end of its log:\n{}",
                log_tail(&log_path)
            );
        }
        // Keep reading, so the hub never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = addr.expect("hub demo printed where it listens");
        let info = serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap())
            .expect("demo.json is JSON");
        DemoHub {
            addr,
            info,
            printed,
            _child: child,
            dir,
        }
    }

    /// The hub's data directory.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The file `demo.json` (what `tablet swarm --demo` reads).
    pub fn demo_json(&self) -> PathBuf {
        self.data().join("demo.json")
    }
}

fn log_tail(path: &Path) -> String {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    // A backtrace's frames would fill the tail and hide the error and its causes above them.
    let lines: Vec<&str> = log
        .lines()
        .take_while(|l| !l.eq_ignore_ascii_case("stack backtrace:"))
        .collect();
    let from = lines.len().saturating_sub(LOG_LINES_SHOWN);
    lines[from..].join("\n")
}
