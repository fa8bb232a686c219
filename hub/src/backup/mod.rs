//! Backups of a running hub (`hub backup`) and their restore (`hub restore`).
//!
//! A backup is a directory: `hub.redb`, a consistent copy of the database made from one
//! read transaction while the hub goes on writing ([`crate::store::Store::copy_to`]); every
//! other file of the data directory (document blobs, the token-sealing key, the signing
//! key, the office token, the TLS CA and its key; not `copies/`, which the hub redraws);
//! and `MANIFEST.json`, listing each file with its size and SHA-256 and where each
//! meeting's log ends. Blobs are immutable and written before the events that name them,
//! so copying them after the database leaves none out. A backup holds every token and key: it is as secret as the data directory.
//!
//! The hub keeps its database locked, so a running hub makes the copy itself when asked
//! on its control socket (`control`); a stopped hub's directory is copied by `hub backup`
//! directly.

pub mod control;
mod files;

use crate::store::{LogEnd, Store, DATABASE_FILE};
use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The manifest, in the backup directory.
pub const MANIFEST_FILE: &str = "MANIFEST.json";
/// When the last backup was made, in the data directory (for the desk).
pub const LAST_BACKUP_FILE: &str = "last-backup.json";
/// The manifest's format.
const FORMAT: &str = "phonghop-backup/1";
/// A manifest larger than this is not one the hub wrote.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// One file of a backup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup (and to the data directory), `/`-separated.
    pub path: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// When the database was copied, in ms since 1970 (UTC).
    pub made_at_ms: i64,
    /// The hub version that made it.
    pub hub_version: String,
    pub files: Vec<FileEntry>,
    /// Where each meeting's log ends in the copy.
    pub logs: Vec<LogEnd>,
}

/// What a backup made: for the command's output and the desk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    pub out: PathBuf,
    pub made_at_ms: i64,
    pub files: usize,
    pub bytes: u64,
    /// How long the whole backup took.
    pub millis: u64,
    pub meetings: usize,
}

/// The last backup, as the desk shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastBackup {
    pub made_at_ms: i64,
    pub bytes: u64,
    pub millis: u64,
}

/// Makes a backup of the hub whose store is `store` and data directory `data` into `out`,
/// which must not exist or be empty. Blocks for the whole copy: run it on a blocking thread.
pub fn make(store: &Store, data: &Path, out: &Path) -> anyhow::Result<Made> {
    let started = Instant::now();
    files::create_empty_dir(out)?;
    let made = (|| {
        let made_at_ms = now_ms();
        let copied = store
            .copy_to(&out.join(DATABASE_FILE))
            .context("copying the database")?;
        let mut entries = vec![files::hash_entry(out, DATABASE_FILE)?];
        entries.extend(files::copy_tree(data, out)?);
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            made_at_ms,
            hub_version: env!("CARGO_PKG_VERSION").to_owned(),
            files: entries,
            logs: copied.logs,
        };
        files::write_durably(
            &out.join(MANIFEST_FILE),
            &serde_json::to_vec_pretty(&manifest)?,
        )?;
        files::sync_dir(out)?;
        Ok::<_, anyhow::Error>(Made {
            out: out.to_owned(),
            made_at_ms,
            files: manifest.files.len(),
            bytes: manifest.files.iter().map(|f| f.size).sum(),
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            meetings: manifest.logs.len(),
        })
    })();
    let made = match made {
        Ok(made) => made,
        Err(e) => {
            // Half a backup must never pass for one.
            let _ = std::fs::remove_dir_all(out);
            return Err(e);
        }
    };
    let last = LastBackup {
        made_at_ms: made.made_at_ms,
        bytes: made.bytes,
        millis: made.millis,
    };
    if let Err(e) = files::replace_file(&data.join(LAST_BACKUP_FILE), &serde_json::to_vec(&last)?) {
        tracing::warn!(error = %e, "the backup is made, but the desk will not show it");
    }
    Ok(made)
}

/// The last backup made of the hub in `data`, if any.
pub fn last(data: &Path) -> Option<LastBackup> {
    let bytes = std::fs::read(data.join(LAST_BACKUP_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads a backup's manifest and checks every file it lists against its size and SHA-256,
/// and that no file is missing. Returns the manifest.
pub fn check(backup: &Path) -> anyhow::Result<Manifest> {
    let path = backup.join(MANIFEST_FILE);
    let size = std::fs::metadata(&path)
        .with_context(|| format!("{} is not a backup: no {MANIFEST_FILE}", backup.display()))?
        .len();
    if size > MAX_MANIFEST_BYTES {
        bail!("{} is too large to be a manifest", path.display());
    }
    let manifest: Manifest = serde_json::from_slice(&std::fs::read(&path)?)
        .with_context(|| format!("{} cannot be read", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{} is a backup of format {:?}; this hub reads {FORMAT:?}",
            backup.display(),
            manifest.format
        );
    }
    if !manifest.files.iter().any(|f| f.path == DATABASE_FILE) {
        bail!("the manifest lists no {DATABASE_FILE}");
    }
    for entry in &manifest.files {
        let relative = files::safe_relative(&entry.path)?;
        let found = files::hash_entry(backup, &relative)
            .with_context(|| format!("the backup is incomplete: {}", entry.path))?;
        if found.size != entry.size || found.sha256 != entry.sha256 {
            bail!(
                "{} does not match the manifest (size {} for {}, SHA-256 {} for {}): the \
                 backup was altered or damaged",
                entry.path,
                found.size,
                entry.size,
                found.sha256,
                entry.sha256
            );
        }
    }
    Ok(manifest)
}

/// What a restore found.
#[derive(Clone, Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Each meeting's log in the restored hub, every hash chain checked.
    pub logs: Vec<LogEnd>,
}

/// Checks `backup` and restores it into `data`, which must not exist or be empty; then
/// opens the restored store, checks every meeting's hash chain and that each log ends
/// where the manifest says. On any failure `data` is left empty.
pub fn restore(backup: &Path, data: &Path) -> anyhow::Result<Restored> {
    let manifest = check(backup)?;
    files::create_empty_dir(data)?;
    let restored = (|| {
        for entry in &manifest.files {
            let relative = files::safe_relative(&entry.path)?;
            let copied = files::copy_file(&backup.join(&relative), &data.join(&relative))?;
            if copied.sha256 != entry.sha256 {
                bail!("{} changed while it was restored", entry.path);
            }
        }
        files::sync_dir(data)?;
        let store = Store::open(data).context("opening the restored database")?;
        let logs = store
            .verified_log_ends()
            .context("checking the restored logs' hash chains")?;
        let mut expected = manifest.logs.clone();
        let mut found = logs.clone();
        expected.sort_by_key(|l| l.meeting);
        found.sort_by_key(|l| l.meeting);
        if expected != found {
            bail!("the restored logs do not end where the manifest says: the backup is damaged");
        }
        Ok(logs)
    })();
    match restored {
        Ok(logs) => Ok(Restored { manifest, logs }),
        Err(e) => {
            files::empty_dir(data);
            Err(e)
        }
    }
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
