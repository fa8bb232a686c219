//! End-to-end test support: a real `hub` process on an ephemeral port ([`TestHub`]), its
//! REST API through a tiny HTTP client ([`http`]), and tablets on the real `tablet-client`
//! library ([`tablet::Tablet`]).
//!
//! Nothing here sleeps to wait for something: every wait is for a line, a frame or an
//! exit, bounded by [`GUARD`] so a broken hub fails a test instead of hanging it.
#![forbid(unsafe_code)]

pub mod browser;
pub mod files;
pub mod fixture;
pub mod http;
pub mod native;
pub mod relay;
pub mod tablet;

pub use fixture::{MeetingFixture, Member};
pub use tablet::{expect_error, expect_snapshot, Tablet};

use anyhow::Context;
use http::{Request, Response};
use protocol::MeetingId;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// How long any single wait may take before the test fails.
pub const GUARD: Duration = Duration::from_secs(30);

/// Awaits `fut`, failing the test with `what` if it takes longer than [`GUARD`].
pub async fn guard<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(GUARD, fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {GUARD:?} waiting for {what}"),
    }
}

/// The hub program under test: this package's `hub-under-test` binary (the same code as
/// `hub`, see `src/bin/hub-under-test.rs`), which cargo builds before it runs this
/// package's tests; or `$HUB_BIN`, to test another build.
pub fn hub_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HUB_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable has a path");
    let deps = exe
        .parent()
        .expect("the test executable is in target/<profile>/deps");
    let profile_dir = deps.parent().expect("deps is inside target/<profile>");
    let bin = profile_dir.join(format!("hub-under-test{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "the hub program is missing at {}: run the tests with `cargo test`",
        bin.display()
    );
    bin
}

/// The hub's output, kept so a failing test can show what the hub said.
type Logs = Arc<Mutex<VecDeque<String>>>;
const LOG_LINES: usize = 400;

fn drain_into(logs: Logs, tag: &'static str, stream: impl AsyncRead + Unpin + Send + 'static) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let mut logs = logs.lock().unwrap();
            if logs.len() == LOG_LINES {
                logs.pop_front();
            }
            logs.push_back(format!("[{tag}] {line}"));
        }
    });
}

/// A config file a test may put in the data directory before [`TestHub::start_in`]; the
/// hub is then started with `--config` on it.
pub const TEST_CONFIG: &str = "test-hub.toml";

/// A real hub process serving a temporary data directory on 127.0.0.1:PORT.
/// Dropping it kills the process and removes the directory.
#[derive(Debug)]
pub struct TestHub {
    dir: tempfile::TempDir,
    child: Option<Child>,
    addr: SocketAddr,
    office: String,
    logs: Logs,
}

impl TestHub {
    /// Starts a hub on a fresh data directory.
    pub async fn start() -> TestHub {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self::start_in(dir).await
    }

    /// Starts a hub on `dir`, which may already hold data (e.g. from `hub import`).
    pub async fn start_in(dir: tempfile::TempDir) -> TestHub {
        let logs = Logs::default();
        let (child, addr) = spawn_serve(dir.path(), &logs).await;
        let token_path = dir.path().join("secretariat.token");
        let office = std::fs::read_to_string(&token_path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", token_path.display()))
            .trim()
            .to_owned();
        assert!(!office.is_empty(), "secretariat.token is empty");
        let hub = TestHub {
            dir,
            child: Some(child),
            addr,
            office,
            logs,
        };
        let health = hub.request(Request::new("GET", "/healthz")).await;
        assert_eq!(health.status, 200, "GET /healthz: {}", health.text());
        hub
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The hub-wide secretariat ("office") token.
    pub fn office_token(&self) -> &str {
        &self.office
    }

    /// `ws://127.0.0.1:PORT/api/v1/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/api/v1/ws", self.addr)
    }

    /// The last lines the hub wrote to stdout and stderr.
    pub fn logs(&self) -> String {
        let logs = self.logs.lock().unwrap();
        logs.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// SIGKILL: a crash. Returns once the process is gone.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("killing the hub");
            guard("the killed hub to exit", child.wait())
                .await
                .expect("waiting for the hub");
        }
    }

    /// SIGTERM: a clean shutdown. Returns the exit status.
    pub async fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the hub is running");
        let pid = child.id().expect("a running hub has a pid");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("running kill -TERM");
        assert!(sent.success(), "kill -TERM {pid} failed");
        guard("the hub to shut down after SIGTERM", child.wait())
            .await
            .expect("waiting for the hub")
    }

    /// Starts the hub again on the same data directory (killing it first if it runs).
    /// The port changes; the office token must not.
    pub async fn restart(&mut self) {
        self.kill().await;
        let (child, addr) = spawn_serve(self.dir.path(), &self.logs).await;
        self.child = Some(child);
        self.addr = addr;
        let token = std::fs::read_to_string(self.dir.path().join("secretariat.token"))
            .expect("secretariat.token survives a restart");
        assert_eq!(
            token.trim(),
            self.office,
            "the office token changed on restart"
        );
    }

    /// Sends a request; panics if the hub cannot be reached at all.
    pub async fn request(&self, request: Request<'_>) -> Response {
        let what = format!("{} {}", request.method, request.path);
        guard(&what, request.send(self.addr))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:#}\nhub output:\n{}", self.logs()))
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Request::new("GET", path).bearer(token)).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &serde_json::Value) -> Response {
        self.request(Request::new("POST", path).bearer(token).json(body))
            .await
    }

    /// `GET /api/v1/meetings/{id}` as `token`: the seq and the view filtered for it.
    pub async fn meeting_state(
        &self,
        meeting: MeetingId,
        token: &str,
    ) -> (u64, protocol::MeetingView) {
        let r = self
            .get(&format!("/api/v1/meetings/{meeting}"), token)
            .await;
        assert_eq!(r.status, 200, "GET meeting: {}", r.text());
        let v = r.json();
        let seq = v["seq"].as_u64().expect("a seq");
        let view = serde_json::from_value(v["view"].clone())
            .unwrap_or_else(|e| panic!("the view does not parse ({e}): {}", v["view"]));
        (seq, view)
    }

    /// Opens a WebSocket and says hello; returns the tablet and the hub's first answer.
    pub async fn join(
        &self,
        token: &str,
        meeting: Option<MeetingId>,
    ) -> (Tablet, protocol::HubFrame) {
        Tablet::join(&self.ws_url(), token, None, meeting).await
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
        if std::thread::panicking() {
            eprintln!("---- hub output ({}) ----\n{}", self.addr, self.logs());
        }
    }
}

/// Runs `hub serve --data DIR --listen 127.0.0.1:0` and reads its address from stdout.
async fn spawn_serve(dir: &Path, logs: &Logs) -> (Child, SocketAddr) {
    let mut command = Command::new(hub_binary());
    command.arg("serve").arg("--data").arg(dir);
    // A test that needs other limits writes them here before the hub starts.
    let config = dir.join(TEST_CONFIG);
    if config.exists() {
        command.arg("--config").arg(&config);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0"])
        .env("NO_COLOR", "1")
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
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let addr = guard("the hub's `listening on` line", async {
        loop {
            match stdout.next_line().await {
                Ok(Some(line)) => {
                    if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                        return rest
                            .trim()
                            .parse::<SocketAddr>()
                            .with_context(|| format!("bad address in {line:?}"));
                    }
                    logs.lock().unwrap().push_back(format!("[stdout] {line}"));
                }
                Ok(None) | Err(_) => {
                    anyhow::bail!("the hub's stdout ended before it said where it listens")
                }
            }
        }
    })
    .await;
    let addr = match addr {
        Ok(addr) => addr,
        Err(e) => {
            let status = guard("the failed hub to exit", child.wait()).await;
            let logs: Vec<String> = logs.lock().unwrap().iter().cloned().collect();
            panic!("{e:#} (exit: {status:?})\nhub output:\n{}", logs.join("\n"));
        }
    };
    drain_into(logs.clone(), "stdout", stdout.into_inner());
    (child, addr)
}
