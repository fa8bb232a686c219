//! The files of a backup: copied with their SHA-256 computed on the way, fsynced, with
//! paths kept inside the backup and the data directory.

use super::{FileEntry, LAST_BACKUP_FILE};
use crate::store::DATABASE_FILE;
use anyhow::{bail, Context as _};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Component, Path, PathBuf};

/// Top-level entries of the data directory that are not copied as files: the database
/// (copied from a read transaction), uploads in progress, the readers' watermarked copies
/// (the hub draws them again when they are missing), the search index (rebuilt from the
/// log and the blobs when missing, and written to while the hub runs), the control socket,
/// and the note of the last backup (it describes the copy, not the hub).
fn skipped(relative: &str) -> bool {
    [
        DATABASE_FILE,
        "tmp",
        "copies",
        "search",
        super::control::SOCKET_FILE,
        LAST_BACKUP_FILE,
    ]
    .contains(&relative)
}

/// Creates `dir` (mode 0700) or accepts it if it exists and is empty.
pub(super) fn create_empty_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} is not empty; give a new directory", dir.display());
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Removes everything inside `dir`, keeping `dir` itself (a systemd StateDirectory).
pub(super) fn empty_dir(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Copies every regular file under `data` into `out` at the same relative path (but the
/// [`skipped`] ones), and lists them.
pub(super) fn copy_tree(data: &Path, out: &Path) -> anyhow::Result<Vec<FileEntry>> {
    let mut entries = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let here = data.join(&dir);
        let mut names: Vec<_> = std::fs::read_dir(&here)
            .with_context(|| format!("cannot read {}", here.display()))?
            .collect::<Result<_, _>>()?;
        names.sort_by_key(std::fs::DirEntry::file_name);
        for entry in names {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                tracing::warn!(path = ?entry.path(), "a file name that is not UTF-8 is not backed up");
                continue;
            };
            let relative = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            if skipped(&relative) {
                continue;
            }
            // Not followed: a link could lead out of the data directory.
            let kind = std::fs::symlink_metadata(entry.path())?.file_type();
            if kind.is_dir() {
                stack.push(relative);
            } else if kind.is_file() {
                let copied = copy_file(&entry.path(), &out.join(&relative))?;
                entries.push(FileEntry {
                    path: relative,
                    ..copied
                });
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// Copies one file (creating its directory, mode 0700; the file 0600), hashing it on the
/// way, and fsyncs it. The entry's path is left empty for the caller.
pub(super) fn copy_file(from: &Path, to: &Path) -> anyhow::Result<FileEntry> {
    if let Some(parent) = to.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent)?;
    }
    let mut source = File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut target = new_private_file(to)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        target.write_all(&buffer[..n])?;
        size += n as u64;
    }
    target.sync_all()?;
    Ok(FileEntry {
        path: String::new(),
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// The entry for `dir/relative` as it is on disk.
pub(super) fn hash_entry(dir: &Path, relative: &str) -> anyhow::Result<FileEntry> {
    let path = dir.join(relative);
    let mut file = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(FileEntry {
        path: relative.to_owned(),
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// A manifest's path as a relative path that stays inside the directory it is joined to.
pub(super) fn safe_relative(path: &str) -> anyhow::Result<String> {
    let inside = !path.is_empty()
        && path.len() <= 4096
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        bail!("the manifest names a file outside the backup: {path:?}");
    }
    Ok(path.to_owned())
}

/// Writes a new file (mode 0600) and fsyncs it.
pub(super) fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = new_private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Replaces a small file atomically: written beside it, then renamed over it.
pub(super) fn replace_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut temporary = PathBuf::from(path);
    temporary.set_extension("new");
    let _ = std::fs::remove_file(&temporary);
    write_durably(&temporary, bytes)?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

/// Fsyncs a directory, so the names of the files just written in it are durable too.
pub(super) fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn new_private_file(path: &Path) -> anyhow::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}
