//! Readers' watermarked copies, kept on disk: `DATA/copies/<ab>/<original sha256>/
//! <participant>-<key>.pdf`, where `key` hashes the reader's name and seat.
//!
//! A copy is made once per (version, reader) and then served as it is: its bytes, so its
//! SHA-256 and `ETag`, stay the same across requests and restarts, so a tablet can resume
//! a download with `Range` and check what it got. The time drawn on it is when it was made.
//! A reader renamed or moved to another seat gets a new copy. The copies are derived data:
//! the original stays in the blob store, and deleting `copies/` only makes the next
//! download draw a new one.

use ring::digest;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A copy ready to serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the copy's bytes: its `ETag`.
    pub sha256: String,
    pub size: u64,
}

/// Where copies live, and those already made or being made, so that two requests for
/// the same copy wait for one drawing instead of racing two different files.
#[derive(Debug)]
pub(super) struct Copies {
    dir: PathBuf,
    made: Mutex<HashMap<PathBuf, Arc<OnceCell<Copy>>>>,
}

impl Copies {
    pub(super) fn open(data: &Path) -> std::io::Result<Copies> {
        let dir = data.join("copies");
        std::fs::create_dir_all(&dir)?;
        Ok(Copies {
            dir,
            made: Mutex::new(HashMap::new()),
        })
    }

    /// The file of `reader`'s copy of the blob `original`; `key` names what is drawn that
    /// must not change (name and seat).
    pub(super) fn path_of(&self, original: &str, reader: &str, key: &str) -> PathBuf {
        let short = hex::encode(&digest::digest(&digest::SHA256, key.as_bytes()).as_ref()[..8]);
        self.dir
            .join(&original[..2])
            .join(original)
            .join(format!("{reader}-{short}.pdf"))
    }

    /// The copy at `path`: the one made already (on disk from an earlier run, or in this
    /// one), or one `make` draws now. Concurrent callers for one path share one drawing;
    /// a failed drawing is not remembered, so the next request tries again.
    pub(super) async fn get_or_make<F, Fut, E>(&self, path: PathBuf, make: F) -> Result<Copy, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Copy, E>>,
    {
        let cell = {
            let mut made = self
                .made
                .lock()
                .expect("the copies' lock is never poisoned");
            made.entry(path.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| async move {
            if path.is_file() {
                // Made by an earlier run: hash it once, off the async threads.
                let at = path.clone();
                if let Ok(Ok(copy)) = tokio::task::spawn_blocking(move || hash_file(&at)).await {
                    return Ok(copy);
                }
            }
            make().await
        })
        .await
        .cloned()
    }
}

/// Writes `bytes` as the copy at `path`: to a temporary file beside it, synced, then
/// renamed, so a path only ever holds a whole copy.
pub(super) fn write_copy(path: &Path, bytes: &[u8]) -> std::io::Result<Copy> {
    let dir = path.parent().expect("a copy's path has a directory");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    Ok(Copy {
        path: path.to_owned(),
        sha256: hex::encode(digest::digest(&digest::SHA256, bytes).as_ref()),
        size: bytes.len() as u64,
    })
}

fn hash_file(path: &Path) -> std::io::Result<Copy> {
    let bytes = std::fs::read(path)?;
    Ok(Copy {
        path: path.to_owned(),
        sha256: hex::encode(digest::digest(&digest::SHA256, &bytes).as_ref()),
        size: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_copy_is_drawn_once_and_found_again_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let original = "ab".repeat(32);
        let copies = Copies::open(dir.path()).unwrap();
        let path = copies.path_of(&original, "reader-1", "Nguyễn Văn A|A-01");
        assert_ne!(
            path,
            copies.path_of(&original, "reader-1", "Nguyễn Văn A|A-02")
        );
        let draws = std::sync::atomic::AtomicUsize::new(0);
        let make = || async {
            draws.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            write_copy(&path, b"%PDF-1.7 copy")
        };
        let first = copies.get_or_make(path.clone(), make).await.unwrap();
        let again = copies
            .get_or_make(path.clone(), || async { write_copy(&path, b"other") })
            .await
            .unwrap();
        assert_eq!(first, again, "the same copy, not a second drawing");
        assert_eq!(draws.load(std::sync::atomic::Ordering::SeqCst), 1);

        let restarted = Copies::open(dir.path()).unwrap();
        let found = restarted
            .get_or_make(path.clone(), || async {
                Err::<Copy, std::io::Error>(std::io::Error::other("must not draw again"))
            })
            .await
            .unwrap();
        assert_eq!(found, first);
    }
}
