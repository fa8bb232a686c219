//! End-to-end test support: a real hub on an ephemeral port ([`TestHub`]): the hub's own
//! `Server` inside the test's process, or the real `hub` program where only a process can
//! show it (kill -9, signals, the command line); its REST API through a tiny HTTP client
//! ([`http`]), and tablets on the real `tablet-client` library ([`tablet::Tablet`]).
//!
//! Nothing here sleeps to wait for something: every wait is for a line, a frame or an
//! exit, bounded by [`GUARD`] so a broken hub fails a test instead of hanging it.
#![forbid(unsafe_code)]

pub mod browser;
pub mod demo;
pub mod files;
pub mod fixture;
pub mod http;
pub mod native;
pub mod qr;
pub mod relay;
pub mod sealed;
pub mod standby;
pub mod tablet;
pub mod tools;

pub use fixture::{MeetingFixture, Member};
pub use tablet::{expect_error, expect_snapshot, Tablet};

use anyhow::Context;
use http::{Request, Response};
use hub::live::Clock;
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
type Logs = Arc<Mutex<Output>>;
const LOG_LINES: usize = 400;

/// What a hub program wrote: its last lines, for a failure's message, and all of it, for a
/// test that reads every byte the hub gave away.
#[derive(Debug, Default)]
struct Output {
    last: VecDeque<String>,
    whole: String,
}

impl Output {
    fn push(&mut self, tag: &str, line: &str) {
        if self.last.len() == LOG_LINES {
            self.last.pop_front();
        }
        self.last.push_back(format!("[{tag}] {line}"));
        self.whole.push_str(line);
        self.whole.push('\n');
    }
}

fn drain_into(logs: Logs, tag: &'static str, stream: impl AsyncRead + Unpin + Send + 'static) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            logs.lock().unwrap().push(tag, &line);
        }
    });
}

/// A config file a test may put in the data directory before [`TestHub::start_in`]; the
/// hub reads it as `hub serve --config` would.
pub const TEST_CONFIG: &str = "test-hub.toml";

/// A real hub serving a temporary data directory on 127.0.0.1:PORT. Dropping it stops the
/// hub and removes the directory.
#[derive(Debug)]
pub struct TestHub {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    office: String,
    running: Running,
}

#[derive(Debug)]
enum Running {
    /// The hub's `Server` in this process, on the test's runtime: stopped cleanly, its
    /// clock movable by the test.
    InProcess {
        /// The hub's own state, for a test that must reach under its routes. Weak: held
        /// here it would keep the data directory's lock after a stop.
        state: std::sync::Weak<hub::transport::AppState>,
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        served: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
        clock: Clock,
    },
    /// The real `hub` program, for what only a process can show.
    Process {
        child: Option<Child>,
        logs: Logs,
        /// Environment variables for the hub program (`RUST_LOG`, a test harness's
        /// switch), kept across restarts.
        env: Vec<(String, String)>,
    },
}

impl TestHub {
    /// Starts a hub in this process on a fresh data directory.
    pub async fn start() -> TestHub {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self::start_in(dir).await
    }

    /// Starts a hub in this process that serves HTTPS with its own CA, as a hall's hub does
    /// by default: its join links are `https://127.0.0.1:PORT/j/TOKEN?ca=…`. The tests' own
    /// HTTP client still speaks plain HTTP to it, which the hub answers on the loopback.
    pub async fn start_https() -> TestHub {
        Self::start_with_config("[tls]\nmode = \"self-signed\"\n").await
    }

    /// Starts a hub in this process with `toml` as its [`TEST_CONFIG`].
    pub async fn start_with_config(toml: &str) -> TestHub {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join(TEST_CONFIG), toml).expect("writing the test's config");
        Self::start_in(dir).await
    }

    /// Starts a hub in this process on `dir`, which may already hold data (e.g. from
    /// `hub import`) and a [`TEST_CONFIG`].
    pub async fn start_in(dir: tempfile::TempDir) -> TestHub {
        let clock = Clock::following_tokio();
        let (addr, running) = serve_in_process(dir.path(), clock).await;
        Self::started(dir, addr, running).await
    }

    /// Starts the real `hub` program on a fresh data directory: for kill -9 and signals.
    pub async fn start_process() -> TestHub {
        Self::start_process_with_env(&[]).await
    }

    /// Starts the real `hub` program with `RUST_LOG` set to `filter` (kept across a
    /// restart), so that a test can read all it logs with [`TestHub::whole_log`].
    pub async fn start_process_logging(filter: Option<&str>) -> TestHub {
        match filter {
            Some(filter) => Self::start_process_with_env(&[("RUST_LOG", filter)]).await,
            None => Self::start_process().await,
        }
    }

    /// [`TestHub::start_process`] with these environment variables set for the hub, at
    /// this start and every restart (e.g. `RUST_LOG`, the store's power-loss harness).
    pub async fn start_process_with_env(env: &[(&str, &str)]) -> TestHub {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self::start_process_in(dir, env).await
    }

    /// [`TestHub::start_process_with_env`] on `dir`, which may hold a [`TEST_CONFIG`].
    pub async fn start_process_in(dir: tempfile::TempDir, env: &[(&str, &str)]) -> TestHub {
        let logs = Logs::default();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (child, addr) = spawn_serve(dir.path(), &logs, &env).await;
        let running = Running::Process {
            child: Some(child),
            logs,
            env,
        };
        Self::started(dir, addr, running).await
    }

    /// Whether the hub program has exited by itself (without being killed), and how.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        match &mut self.running {
            Running::Process {
                child: Some(child), ..
            } => child.try_wait().expect("asking whether the hub exited"),
            _ => None,
        }
    }

    async fn started(dir: tempfile::TempDir, addr: SocketAddr, running: Running) -> TestHub {
        let token_path = dir.path().join("secretariat.token");
        let office = std::fs::read_to_string(&token_path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", token_path.display()))
            .trim()
            .to_owned();
        assert!(!office.is_empty(), "secretariat.token is empty");
        let hub = TestHub {
            dir,
            addr,
            office,
            running,
        };
        let health = hub.request(Request::new("GET", "/healthz")).await;
        assert_eq!(health.status, 200, "GET /healthz: {}", health.text());
        hub
    }

    /// Moves the in-process hub's clock ahead: a countdown or a deadline comes at once.
    pub fn advance_clock(&self, by: Duration) {
        match &self.running {
            Running::InProcess { clock, .. } => clock.advance(by),
            Running::Process { .. } => panic!("only a hub in this process has a movable clock"),
        }
    }

    /// An in-process hub's own state: for the rare test that must put the hub in a state
    /// no route makes (e.g. the first of two writes done, the second lost to a crash).
    pub fn app_state(&self) -> std::sync::Arc<hub::transport::AppState> {
        match &self.running {
            Running::InProcess { state, .. } => state.upgrade().expect("the hub is running"),
            Running::Process { .. } => panic!("a hub program's state is in its own process"),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The hub's resident memory (VmRSS) in bytes: of this process for a hub in process
    /// (the test's own share included), of the child for a hub program.
    pub fn rss_bytes(&self) -> u64 {
        let status = match &self.running {
            Running::InProcess { .. } => "/proc/self/status".to_owned(),
            Running::Process { child, .. } => {
                let pid = child
                    .as_ref()
                    .and_then(Child::id)
                    .expect("the hub is running");
                format!("/proc/{pid}/status")
            }
        };
        let text = std::fs::read_to_string(&status).unwrap_or_else(|e| panic!("{status}: {e}"));
        let kib: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmRSS in {status}"));
        kib * 1024
    }

    /// Bytes the hub keeps in its data directory (its database, blobs and secrets; the
    /// test's own files left out).
    pub fn data_bytes(&self) -> u64 {
        fn size(path: &Path) -> u64 {
            let Ok(meta) = std::fs::symlink_metadata(path) else {
                return 0;
            };
            if !meta.is_dir() {
                return meta.len();
            }
            std::fs::read_dir(path)
                .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
                .unwrap_or(0)
        }
        let dir = self.dir.path();
        size(dir) - size(&dir.join(TEST_CONFIG))
    }

    /// The hub-wide secretariat ("office") token.
    pub fn office_token(&self) -> &str {
        &self.office
    }

    /// `ws://127.0.0.1:PORT/api/v1/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/api/v1/ws", self.addr)
    }

    /// The last lines the hub wrote to stdout and stderr (a hub process only: a hub in
    /// this process logs into the test's own output).
    pub fn logs(&self) -> String {
        match &self.running {
            Running::Process { logs, .. } => {
                let logs = logs.lock().unwrap();
                logs.last.iter().cloned().collect::<Vec<_>>().join("\n")
            }
            Running::InProcess { .. } => {
                "(the hub runs in this process: see the test's output)".into()
            }
        }
    }

    /// Every line the hub program wrote to stdout and stderr since it first started,
    /// across restarts, untagged.
    pub fn whole_log(&self) -> String {
        match &self.running {
            Running::Process { logs, .. } => logs.lock().unwrap().whole.clone(),
            Running::InProcess { .. } => panic!("only a hub program's whole log is kept"),
        }
    }

    /// SIGKILL: a crash. Returns once the process is gone.
    pub async fn kill(&mut self) {
        let Running::Process { child, .. } = &mut self.running else {
            panic!("kill -9 needs the hub program: start it with TestHub::start_process")
        };
        if let Some(mut child) = child.take() {
            // A hub that already exited by itself (an abort) has nothing left to kill.
            if child
                .try_wait()
                .expect("asking whether the hub exited")
                .is_none()
            {
                child.start_kill().expect("killing the hub");
            }
            guard("the killed hub to exit", child.wait())
                .await
                .expect("waiting for the hub");
        }
    }

    /// SIGTERM to the hub program: a clean shutdown. Returns the exit status.
    pub async fn terminate(&mut self) -> ExitStatus {
        let Running::Process { child, .. } = &mut self.running else {
            panic!("SIGTERM needs the hub program: start it with TestHub::start_process")
        };
        let mut child = child.take().expect("the hub is running");
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

    /// Stops a hub in this process cleanly: every connection told, every meeting's task
    /// done, its data directory let go. Panics if the hub failed.
    pub async fn stop(&mut self) {
        match &mut self.running {
            Running::InProcess { stop, served, .. } => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
                if let Some(served) = served.take() {
                    guard("the hub to stop", served)
                        .await
                        .expect("the hub's task")
                        .expect("the hub stopped cleanly");
                }
            }
            Running::Process { .. } => {
                let status = self.terminate().await;
                assert!(status.success(), "the hub exited with {status:?}");
            }
        }
    }

    /// Starts the hub again on the same data directory: a hub program is killed first (a
    /// crash), a hub in this process is stopped cleanly. The port changes; the office token
    /// must not.
    pub async fn restart(&mut self) {
        match &mut self.running {
            Running::Process { logs, env, .. } => {
                let (logs, env) = (logs.clone(), env.clone());
                self.kill().await;
                let (child, addr) = spawn_serve(self.dir.path(), &logs, &env).await;
                self.running = Running::Process {
                    child: Some(child),
                    logs,
                    env,
                };
                self.addr = addr;
            }
            Running::InProcess { clock, .. } => {
                let clock = clock.clone();
                self.stop().await;
                let (addr, running) = serve_in_process(self.dir.path(), clock).await;
                self.running = running;
                self.addr = addr;
            }
        }
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
        match &mut self.running {
            Running::Process { child, .. } => {
                if let Some(child) = child {
                    let _ = child.start_kill();
                }
            }
            Running::InProcess { stop, .. } => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
            }
        }
        if std::thread::panicking() {
            eprintln!("---- hub output ({}) ----\n{}", self.addr, self.logs());
        }
    }
}

/// Opens the hub's `Server` on `dir` (with its [`TEST_CONFIG`], if any) and serves it on a
/// port of 127.0.0.1 in a task of the test's runtime.
async fn serve_in_process(dir: &Path, clock: Clock) -> (SocketAddr, Running) {
    log_to_test_output();
    let config_file = dir.join(TEST_CONFIG);
    let mut config = if config_file.exists() {
        hub::config::Config::from_file(&config_file).expect("the test's config")
    } else {
        hub::config::Config::default()
    };
    // Plain HTTP and no mDNS unless the test's config asks for them: the tests' own HTTP
    // client and tablets speak plain HTTP, and parallel hubs must not all announce a name.
    let asked = std::fs::read_to_string(&config_file).unwrap_or_default();
    if !asked.contains("[tls]") {
        config.tls.mode = hub::config::TlsMode::Off;
    }
    if !asked.contains("[name]") {
        config.name.announce = false;
    }
    config.data = dir.to_owned();
    config.listen = "127.0.0.1:0".parse().expect("an address");
    config.normalise();
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .expect("a port on 127.0.0.1");
    let addr = listener.local_addr().expect("the bound address");
    let server = hub::server::Server::open_with_clock(config, addr, clock.clone())
        .await
        .expect("the hub opens its data directory");
    let state = std::sync::Arc::downgrade(server.state());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    let running = Running::InProcess {
        state,
        stop: Some(stop),
        served: Some(served),
        clock,
    };
    (addr, running)
}

/// The hub's log goes into the test's captured output (`RUST_LOG` chooses how much).
fn log_to_test_output() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// Runs `hub serve --data DIR --listen 127.0.0.1:0` and reads its address from stdout.
async fn spawn_serve(dir: &Path, logs: &Logs, env: &[(String, String)]) -> (Child, SocketAddr) {
    let mut command = Command::new(hub_binary());
    // Plain HTTP and no mDNS, unless the test's environment says otherwise.
    command.env("HUB_TLS", "off").env("HUB_ANNOUNCE", "false");
    command.envs(env.iter().map(|(k, v)| (k, v)));
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
                    logs.lock().unwrap().push("stdout", &line);
                    let line = line.trim();
                    let rest = line
                        .strip_prefix("listening on http://")
                        .or_else(|| line.strip_prefix("listening on https://"));
                    if let Some(rest) = rest {
                        return rest
                            .trim()
                            .parse::<SocketAddr>()
                            .with_context(|| format!("bad address in {line:?}"));
                    }
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
            let logs: Vec<String> = logs.lock().unwrap().last.iter().cloned().collect();
            panic!("{e:#} (exit: {status:?})\nhub output:\n{}", logs.join("\n"));
        }
    };
    drain_into(logs.clone(), "stdout", stdout.into_inner());
    (child, addr)
}
