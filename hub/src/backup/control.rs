//! The running hub's control socket, `DATA/control.sock`: how `hub backup` asks a running
//! hub for a backup, since only the hub may open its database. A Unix socket in the data
//! directory (mode 0700), so only the hub's own user reaches it; one JSON line asked, one
//! answered; one backup at a time.

use super::Made;
use crate::store::Store;
use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

/// The socket, in the data directory.
pub const SOCKET_FILE: &str = "control.sock";
/// A request is one short line.
const MAX_REQUEST_BYTES: u64 = 8 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Ask {
    /// A backup into `out` (an absolute path the hub's user can write).
    Backup { out: PathBuf },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Ok(Made),
    Error(String),
}

/// Answers on `DATA/control.sock` until `stop` turns true. A socket that cannot be made
/// (a path too long for one) is logged: the hub serves on, and a backup waits for a stop.
#[cfg(unix)]
pub async fn serve(store: Store, data: PathBuf, mut stop: tokio::sync::watch::Receiver<bool>) {
    let path = data.join(SOCKET_FILE);
    // Left by a hub that was killed; the store's lock says no other hub runs here.
    let _ = std::fs::remove_file(&path);
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "no control socket: `hub backup` cannot reach this hub while it runs");
            return;
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    let one_at_a_time = Arc::new(tokio::sync::Mutex::new(()));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "control socket");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = async { drop(stop.wait_for(|s| *s).await) } => break,
        };
        let (store, data, lock) = (store.clone(), data.clone(), one_at_a_time.clone());
        tokio::spawn(async move {
            if let Err(e) = answer(stream, store, data, lock).await {
                tracing::debug!(error = %e, "control request failed");
            }
        });
    }
    let _ = std::fs::remove_file(&path);
}

#[cfg(unix)]
async fn answer(
    stream: tokio::net::UnixStream,
    store: Store,
    data: PathBuf,
    lock: Arc<tokio::sync::Mutex<()>>,
) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = BufReader::new(read.take(MAX_REQUEST_BYTES));
    tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line))
        .await
        .context("no request")??;
    let answer = match serde_json::from_str::<Ask>(&line) {
        Ok(Ask::Backup { out }) if out.is_absolute() => {
            let _one = lock.lock().await;
            tracing::info!(out = %out.display(), "backup asked on the control socket");
            let made =
                tokio::task::spawn_blocking(move || super::make(&store, &data, &out)).await?;
            match made {
                Ok(made) => {
                    tracing::info!(
                        files = made.files,
                        bytes = made.bytes,
                        ms = made.millis,
                        "backup made"
                    );
                    Answer::Ok(made)
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "backup failed");
                    Answer::Error(format!("{e:#}"))
                }
            }
        }
        Ok(Ask::Backup { .. }) => Answer::Error("the backup directory must be absolute".into()),
        Err(e) => Answer::Error(format!("not a request: {e}")),
    };
    let mut text = serde_json::to_string(&answer)?;
    text.push('\n');
    write.write_all(text.as_bytes()).await?;
    write.shutdown().await?;
    Ok(())
}

/// Asks the hub running on `data` for a backup into `out`. `Ok(None)` when no hub answers
/// there (none runs): the caller may then copy the stopped hub's directory itself.
#[cfg(unix)]
pub async fn ask_backup(data: &Path, out: &Path) -> anyhow::Result<Option<Made>> {
    let path = data.join(SOCKET_FILE);
    let stream = match tokio::net::UnixStream::connect(&path).await {
        Ok(stream) => stream,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e).with_context(|| format!("cannot reach {}", path.display())),
    };
    let (read, mut write) = stream.into_split();
    let mut ask = serde_json::to_string(&Ask::Backup {
        out: out.to_owned(),
    })?;
    ask.push('\n');
    write.write_all(ask.as_bytes()).await?;
    let mut line = String::new();
    BufReader::new(read).read_line(&mut line).await?;
    match serde_json::from_str::<Answer>(&line)
        .with_context(|| format!("the hub answered {line:?}"))?
    {
        Answer::Ok(made) => Ok(Some(made)),
        Answer::Error(why) => bail!("the hub could not make the backup: {why}"),
    }
}

/// Without Unix sockets, a backup is made of a stopped hub only.
#[cfg(not(unix))]
pub async fn ask_backup(_data: &Path, _out: &Path) -> anyhow::Result<Option<Made>> {
    Ok(None)
}
