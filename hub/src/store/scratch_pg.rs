//! A throwaway PostgreSQL server for tests: `initdb` in a temporary directory, `postgres`
//! on a free port of 127.0.0.1, from Debian's `postgresql` package
//! (`/usr/lib/postgresql/<version>/bin`).
//!
//! Shared by the hub's store tests and the end-to-end tests (which include this file), so
//! it uses only std and tempfile. initdb refuses to run as root, so as root the server runs
//! as the `postgres` user (`setpriv`), with the directory handed to it. The server is
//! started with `--pdeathsig KILL` from a thread that never ends, so it dies with the test
//! process, however that ends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A running server, for the life of the process.
#[derive(Debug)]
pub struct ScratchPostgres {
    /// `host=127.0.0.1 port=N user=postgres`.
    pub base: String,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// Where Debian's PostgreSQL programs are: the newest version installed.
pub fn bin_dir() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| {
            format!(
                "{}: {e}; install Debian's postgresql package",
                root.display()
            )
        })?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no PostgreSQL under /usr/lib/postgresql".to_owned())
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `program args…`, as the `postgres` user when this process is root.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--pdeathsig",
            "KILL",
            "--",
        ]);
        c.arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl ScratchPostgres {
    /// Makes a cluster and starts its server; returns once it accepts connections.
    pub fn start() -> Result<ScratchPostgres, String> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new()
            .prefix("scratch-pg")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let data = dir.path().join("data");
        if is_root() {
            // The postgres user must reach and own its directory.
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
                .map_err(|e| e.to_string())?;
            let chown = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !chown.success() {
                return Err("chown postgres failed".into());
            }
        }
        let init = as_postgres(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .arg("-D")
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !init.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&init.stderr)
            ));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let mut server = as_postgres(&bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-k"])
            .arg(dir.path())
            // A test server: durability is PostgreSQL's own business, not the tests'.
            .args(["-c", "fsync=off", "-c", "max_connections=200"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let (started, spawned) = std::sync::mpsc::channel();
        // The parent of the server is this thread, which lives as long as the process:
        // --pdeathsig fires when the thread that spawned the server ends.
        std::thread::spawn(move || {
            let child = server.spawn();
            let ok = child.is_ok();
            let _ = started.send(child.map(|_| ()).map_err(|e| e.to_string()));
            if ok {
                loop {
                    std::thread::park();
                }
            }
        });
        spawned
            .recv()
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("postgres: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                break;
            }
            if Instant::now() > deadline {
                return Err("PostgreSQL did not start within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(ScratchPostgres {
            base: format!("host=127.0.0.1 port={port} user=postgres"),
            port,
            _dir: dir,
        })
    }

    /// A new, empty database; its connection string.
    pub fn database(&self) -> Result<String, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "hub_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let bin = bin_dir()?;
        let made = Command::new(bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U"])
            .args(["postgres", &name])
            .output()
            .map_err(|e| format!("createdb: {e}"))?;
        if !made.status.success() {
            return Err(format!(
                "createdb failed: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        Ok(format!("{} dbname={name}", self.base))
    }

    /// Runs `sql` with `psql` on the database `conninfo` (as [`ScratchPostgres::database`]
    /// gave it); returns what it printed (unaligned, tuples only).
    pub fn psql(&self, conninfo: &str, sql: &str) -> Result<String, String> {
        let ran = Command::new(bin_dir()?.join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
                conninfo,
            ])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if !ran.status.success() {
            return Err(format!("psql: {}", String::from_utf8_lossy(&ran.stderr)));
        }
        Ok(String::from_utf8_lossy(&ran.stdout).into_owned())
    }
}
