//! Hubs on PostgreSQL, for the failover tests: a scratch PostgreSQL server (the hub's own
//! test helper, `hub/src/store/scratch_pg.rs`, included here) and the real `hub` program
//! started on it as the standby ([`StandbyHub`]), which becomes a [`TestHub`] once it has
//! taken the hall over.

#[path = "../../hub/src/store/scratch_pg.rs"]
mod scratch_pg;

pub use scratch_pg::ScratchPostgres;

use super::{drain_into, guard, hub_binary, Logs, Running, TestHub};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A hub program waiting as the standby.
#[derive(Debug)]
pub struct StandbyHub {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    child: Child,
    logs: Logs,
    /// Resolves with the hub's address when it says it serves (`listening on`).
    serving: tokio::sync::oneshot::Receiver<Instant>,
}

impl TestHub {
    /// Starts the real `hub` program on the database `store_url` (plain HTTP, no mDNS)
    /// when another hub holds the hall: returns once it answers as the standby. `dir` may
    /// hold the primary's `secretariat.token`, so both hubs take the same office token.
    pub async fn start_standby(dir: tempfile::TempDir, store_url: &str) -> StandbyHub {
        let logs = Logs::default();
        let mut child = Command::new(hub_binary())
            .env("HUB_TLS", "off")
            .env("HUB_ANNOUNCE", "false")
            .env("HUB_STORE_URL", store_url)
            .env("NO_COLOR", "1")
            .arg("serve")
            .arg("--data")
            .arg(dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("starting the hub binary");
        drain_into(
            logs.clone(),
            "stderr",
            child.stderr.take().expect("piped stderr"),
        );
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let addr = guard("the standby's `standby on` line", async {
            while let Ok(Some(line)) = lines.next_line().await {
                logs.lock().unwrap().push("stdout", &line);
                if let Some(rest) = line.trim().strip_prefix("standby on ") {
                    return rest.parse::<SocketAddr>().ok();
                }
            }
            None
        })
        .await
        .unwrap_or_else(|| {
            let said: Vec<String> = logs.lock().unwrap().last.iter().cloned().collect();
            panic!(
                "the standby never said where it listens:\n{}",
                said.join("\n")
            )
        });
        let (serving_tx, serving) = tokio::sync::oneshot::channel();
        let kept = logs.clone();
        tokio::spawn(async move {
            let mut serving_tx = Some(serving_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("listening on ") {
                    if let Some(tx) = serving_tx.take() {
                        let _ = tx.send(Instant::now());
                    }
                }
                kept.lock().unwrap().push("stdout", &line);
            }
        });
        StandbyHub {
            dir,
            addr,
            child,
            logs,
            serving,
        }
    }
}

impl StandbyHub {
    /// Where the standby listens (and will serve once it takes over).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits (at most `within`) until the standby serves the hall; returns it as a
    /// [`TestHub`] and the instant it said so.
    pub async fn serving(mut self, within: Duration) -> (TestHub, Instant) {
        let said = match tokio::time::timeout(within, &mut self.serving).await {
            Ok(Ok(at)) => at,
            _ => {
                let said: Vec<String> = self.logs.lock().unwrap().last.iter().cloned().collect();
                panic!(
                    "the standby did not take over within {within:?}:\n{}",
                    said.join("\n")
                )
            }
        };
        let running = Running::Process {
            child: Some(self.child),
            logs: self.logs,
            env: Vec::new(),
        };
        (TestHub::started(self.dir, self.addr, running).await, said)
    }
}
