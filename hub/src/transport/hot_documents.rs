//! The documents a hall downloads at the same moment, held in memory once.
//!
//! When the chair publishes a paper, every tablet fetches it within seconds: a thousand
//! reads of the same file, each copied through a fresh buffer. Stored blobs never change
//! (they are named by their SHA-256), so the hub keeps the bytes of the ones in demand in
//! memory, one copy shared by every response (a `Bytes` handed to the socket as it is, or
//! a slice of it for a range). The first request reads the file; the others that arrive
//! meanwhile wait for that one read rather than each reading it. Past the memory budget
//! the least recently served leave; files larger than a quarter of it are streamed from
//! disk as before.

use bytes::Bytes;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Blobs held in memory, by SHA-256, within a budget of bytes.
pub(crate) struct HotDocuments {
    budget: u64,
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    by_hash: HashMap<String, Entry>,
    /// The sizes of every entry, loaded or being loaded.
    bytes: u64,
    /// Counts uses, to find the least recently served.
    clock: u64,
}

struct Entry {
    size: u64,
    last_served: u64,
    bytes: Arc<OnceCell<Bytes>>,
}

impl std::fmt::Debug for HotDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("HotDocuments")
            .field("budget", &self.budget)
            .field("documents", &held.by_hash.len())
            .field("bytes", &held.bytes)
            .finish()
    }
}

impl HotDocuments {
    /// Holds at most `budget` bytes; `0` holds nothing and every download streams.
    pub(crate) fn new(budget: u64) -> HotDocuments {
        HotDocuments {
            budget,
            held: Mutex::new(Held::default()),
        }
    }

    /// The bytes of the blob at `path` (`size` bytes, named `sha256`): from memory, read
    /// once, or `None` when it is too large to hold (the caller streams it from disk).
    pub(crate) async fn get(
        &self,
        path: &Path,
        sha256: &str,
        size: u64,
    ) -> std::io::Result<Option<Bytes>> {
        if size == 0 || size > self.budget / 4 {
            return Ok(None);
        }
        let cell = self.cell(sha256, size);
        let bytes = cell
            .get_or_try_init(|| async {
                let bytes = tokio::fs::read(path).await?;
                if bytes.len() as u64 != size {
                    return Err(std::io::Error::other(format!(
                        "blob {sha256} holds {} bytes, the record says {size}",
                        bytes.len()
                    )));
                }
                Ok::<_, std::io::Error>(Bytes::from(bytes))
            })
            .await;
        match bytes {
            Ok(bytes) => Ok(Some(bytes.clone())),
            Err(e) => {
                // Nothing half-read stays: the next request tries the disk again.
                self.forget(sha256, &cell);
                Err(e)
            }
        }
    }

    /// The entry for `sha256`, made room for if new.
    fn cell(&self, sha256: &str, size: u64) -> Arc<OnceCell<Bytes>> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.clock += 1;
        let now = held.clock;
        if let Some(entry) = held.by_hash.get_mut(sha256) {
            entry.last_served = now;
            return entry.bytes.clone();
        }
        while held.bytes + size > self.budget {
            let Some(oldest) = held
                .by_hash
                .iter()
                .min_by_key(|(_, e)| e.last_served)
                .map(|(hash, _)| hash.clone())
            else {
                break;
            };
            // Responses under way keep their `Bytes`; the memory goes when they end.
            if let Some(gone) = held.by_hash.remove(&oldest) {
                held.bytes -= gone.size;
            }
        }
        let bytes = Arc::new(OnceCell::new());
        held.bytes += size;
        held.by_hash.insert(
            sha256.to_owned(),
            Entry {
                size,
                last_served: now,
                bytes: bytes.clone(),
            },
        );
        bytes
    }

    fn forget(&self, sha256: &str, cell: &Arc<OnceCell<Bytes>>) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held
            .by_hash
            .get(sha256)
            .is_some_and(|e| Arc::ptr_eq(&e.bytes, cell))
        {
            if let Some(gone) = held.by_hash.remove(sha256) {
                held.bytes -= gone.size;
            }
        }
    }

    /// Bytes held or being read, for the tests.
    #[cfg(test)]
    fn held_bytes(&self) -> u64 {
        self.held.lock().unwrap().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(dir: &Path, name: &str, size: usize) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![name.as_bytes()[0]; size]).unwrap();
        path
    }

    #[tokio::test]
    async fn one_read_serves_every_request_and_the_oldest_leave_past_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let hot = HotDocuments::new(4000);
        let a = blob(dir.path(), "a", 1000);
        let first = hot.get(&a, "a", 1000).await.unwrap().unwrap();
        std::fs::remove_file(&a).unwrap();
        let again = hot.get(&a, "a", 1000).await.unwrap().unwrap();
        assert_eq!(first.as_ptr(), again.as_ptr(), "one copy, shared");
        for name in ["b", "c", "d"] {
            let path = blob(dir.path(), name, 1000);
            hot.get(&path, name, 1000).await.unwrap().unwrap();
        }
        assert_eq!(hot.held_bytes(), 4000);
        let e = blob(dir.path(), "e", 1000);
        hot.get(&e, "e", 1000).await.unwrap().unwrap();
        assert_eq!(hot.held_bytes(), 4000);
        assert!(
            hot.get(&a, "a", 1000).await.is_err(),
            "the least recently served left memory, and its file is gone"
        );
        // It made room for itself (b left), then held nothing when the read failed.
        assert_eq!(hot.held_bytes(), 3000, "a failed read holds nothing");
    }

    #[tokio::test]
    async fn a_file_too_large_to_hold_or_not_the_size_recorded_is_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let hot = HotDocuments::new(4000);
        let big = blob(dir.path(), "big", 1001);
        assert!(hot.get(&big, "big", 1001).await.unwrap().is_none());
        let short = blob(dir.path(), "short", 10);
        let err = hot.get(&short, "short", 20).await.unwrap_err();
        assert!(err.to_string().contains("holds 10 bytes"), "{err}");
        assert_eq!(hot.held_bytes(), 0);
        assert!(HotDocuments::new(0)
            .get(&short, "short", 10)
            .await
            .unwrap()
            .is_none());
    }
}
