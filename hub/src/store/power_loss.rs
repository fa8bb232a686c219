//! **A test harness, never for a real hall**: a storage backend for redb that makes a
//! `kill -9` lose exactly what a power cut would lose.
//!
//! On a plain file a killed process loses nothing that it wrote: the kernel's page cache
//! survives it, so killing the hub proves nothing about fsync. With [`ENV`] set in the
//! hub's environment, [`super::Store::open`] puts the database on [`Backend`] instead:
//! every write redb makes is held in this process's memory until redb calls `sync_data`
//! (its fsync), and only then written to the file, followed by a real fsync. Killed at any
//! instant, the hub leaves the file as a power cut at that instant would leave the disk:
//! everything up to the last completed sync, nothing after it.
//!
//! A test can also cut the power in the middle of a sync: while a file named
//! [`CUT_SUFFIX`] after the database (`DATA/hub.redb.power-cut`) exists, the next sync is
//! *torn*: the harness removes that file, writes the sync's pages to the file in a random
//! order, and aborts the process after a random number of them (none to all but one), as
//! power failing in the middle of a flush may leave a disk. redb must then open the file at
//! its last complete commit.
//!
//! Only the database file is covered. Blobs, `token.key` and the other files are written
//! and fsynced by the hub directly, each before anything names it.

use super::StoreError;
use redb::{BackendError, StorageBackend};
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::ops::Bound;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The environment variable that turns the harness on (`1`).
pub const ENV: &str = "HUB_TEST_POWER_LOSS";

/// Appended to the database's path, the name of the file that tears the next sync.
pub const CUT_SUFFIX: &str = ".power-cut";

/// Writes are held by pages of this size (redb's own page size).
const PAGE: u64 = 4096;

/// The harness, when [`ENV`] turns it on.
#[derive(Clone, Copy, Debug)]
pub(super) struct Harness;

impl Harness {
    /// `None` unless [`ENV`] is `1`; an error for any other value, so a typo cannot run a
    /// test on the plain file while it believes it runs on the harness.
    pub(super) fn from_env() -> Result<Option<Harness>, StoreError> {
        match std::env::var_os(ENV) {
            None => Ok(None),
            Some(v) if v == "1" => Ok(Some(Harness)),
            Some(v) => Err(io::Error::other(format!("{ENV} must be 1, not {v:?}")).into()),
        }
    }

    /// Opens (creating) the database file on the harness.
    pub(super) fn backend(self, path: &Path) -> io::Result<Backend> {
        Backend::open(path)
    }
}

/// The database file, with every write since the last sync held in memory.
#[derive(Debug)]
pub struct Backend {
    /// redb's byte-range locks (how a second hub is told "in use"), on the same open file.
    locks: redb::backends::FileBackend,
    file: File,
    /// While this file exists, the next sync is torn.
    cut: PathBuf,
    pending: Mutex<Pending>,
    syncs: Arc<AtomicU64>,
}

/// What redb wrote since the last sync.
#[derive(Debug)]
struct Pending {
    /// The length redb sees.
    len: u64,
    /// Bytes from here on that no held page covers read as zero: the smallest length set
    /// since the last sync (at most the file's length).
    floor: u64,
    /// Whole pages, by index, as redb last wrote them.
    pages: BTreeMap<u64, Vec<u8>>,
}

impl Backend {
    pub(super) fn open(path: &Path) -> io::Result<Backend> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let len = file.metadata()?.len();
        let locks = redb::backends::FileBackend::new(file.try_clone()?)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut cut = path.as_os_str().to_owned();
        cut.push(CUT_SUFFIX);
        Ok(Backend {
            locks,
            file,
            cut: PathBuf::from(cut),
            pending: Mutex::new(Pending {
                len,
                floor: len,
                pages: BTreeMap::new(),
            }),
            syncs: Arc::default(),
        })
    }

    /// How many syncs reached the disk: shared, so it can be read after redb owns this.
    pub fn syncs(&self) -> Arc<AtomicU64> {
        self.syncs.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding it leaves a page half copied at worst: the next sync
        // writes what redb wrote, which is all the harness promises.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A page as the file holds it now: from disk below `floor`, zero past it.
    fn base(&self, floor: u64, index: u64) -> io::Result<Vec<u8>> {
        let start = index * PAGE;
        let mut page = vec![0; PAGE as usize];
        let from_disk = floor.saturating_sub(start).min(PAGE) as usize;
        self.file.read_exact_at(&mut page[..from_disk], start)?;
        Ok(page)
    }
}

impl StorageBackend for Backend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.lock().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let pending = self.lock();
        if offset + out.len() as u64 > pending.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the database",
            ));
        }
        let mut done = 0;
        while done < out.len() {
            let at = offset + done as u64;
            let within = (at % PAGE) as usize;
            let n = (PAGE as usize - within).min(out.len() - done);
            let chunk = &mut out[done..done + n];
            match pending.pages.get(&(at / PAGE)) {
                Some(page) => chunk.copy_from_slice(&page[within..within + n]),
                None => {
                    let from_disk = pending.floor.saturating_sub(at).min(n as u64) as usize;
                    self.file.read_exact_at(&mut chunk[..from_disk], at)?;
                    chunk[from_disk..].fill(0);
                }
            }
            done += n;
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut pending = self.lock();
        if len < pending.len {
            pending.floor = pending.floor.min(len);
            // Pages past the end are gone; the one holding the end is zero past it, so
            // growing again reads zeros, as redb requires.
            let _ = pending.pages.split_off(&len.div_ceil(PAGE));
            if let Some(page) = pending.pages.get_mut(&(len / PAGE)) {
                page[(len % PAGE) as usize..].fill(0);
            }
        }
        pending.len = len;
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut pending = self.lock();
        let end = offset + data.len() as u64;
        // Like a file, a write past the end makes it longer.
        pending.len = pending.len.max(end);
        let mut done = 0;
        while done < data.len() {
            let at = offset + done as u64;
            let (index, within) = (at / PAGE, (at % PAGE) as usize);
            let n = (PAGE as usize - within).min(data.len() - done);
            if !pending.pages.contains_key(&index) {
                let base = self.base(pending.floor, index)?;
                pending.pages.insert(index, base);
            }
            if let Some(page) = pending.pages.get_mut(&index) {
                page[within..within + n].copy_from_slice(&data[done..done + n]);
            }
            done += n;
        }
        Ok(())
    }

    /// Writes what was held, then fsyncs: only now does any of it reach the file.
    fn sync_data(&self) -> io::Result<()> {
        let mut pending = self.lock();
        let disk = self.file.metadata()?.len();
        if pending.floor < disk {
            self.file.set_len(pending.floor)?;
        }
        if pending.len != pending.floor.min(disk) {
            self.file.set_len(pending.len)?;
        }
        let mut pages: Vec<(u64, Vec<u8>)> =
            std::mem::take(&mut pending.pages).into_iter().collect();
        // Removed first, so that the restart finds it gone.
        let cut = if !pages.is_empty() && std::fs::remove_file(&self.cut).is_ok() {
            shuffle(&mut pages);
            Some(below(pages.len() as u64) as usize)
        } else {
            None
        };
        for (written, (index, page)) in pages.iter().enumerate() {
            if cut == Some(written) {
                eprintln!(
                    "{ENV}: power cut in the middle of a sync: {written} of {} pages written",
                    pages.len()
                );
                std::process::abort();
            }
            let start = index * PAGE;
            let n = (pending.len - start).min(PAGE) as usize;
            self.file.write_all_at(&page[..n], start)?;
        }
        self.file.sync_data()?;
        pending.floor = pending.len;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// What was not synced is dropped, as a power cut right after the close would.
    fn close(&self) -> io::Result<()> {
        self.locks.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.locks.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.locks.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.locks.query_lock_range(start, end)
    }
}

/// A number in `[0, n)`; `n` is small, so the modulo's bias does not matter here.
fn below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    // Without the system's random source every lot is 0: still a torn sync (nothing of it
    // written), and a harness must not bring the test down by itself.
    let _ = SystemRandom::new().fill(&mut bytes);
    u64::from_le_bytes(bytes) % n
}

fn shuffle<T>(items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, below(i as u64 + 1) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_disk(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }

    #[test]
    fn nothing_reaches_the_file_before_a_sync_and_everything_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let backend = Backend::open(&path).unwrap();
        backend.set_len(3 * PAGE).unwrap();
        backend.write(PAGE - 2, b"abcd").unwrap();
        let mut back = [0u8; 6];
        backend.read(PAGE - 3, &mut back).unwrap();
        assert_eq!(&back, b"\0abcd\0", "redb reads what it wrote");
        assert_eq!(backend.len().unwrap(), 3 * PAGE);
        assert!(on_disk(&path).is_empty(), "held in memory until the sync");

        backend.sync_data().unwrap();
        let disk = on_disk(&path);
        assert_eq!(disk.len() as u64, 3 * PAGE);
        assert_eq!(&disk[(PAGE - 2) as usize..(PAGE + 2) as usize], b"abcd");
        assert_eq!(backend.syncs().load(Ordering::Relaxed), 1);

        // A write after the sync is lost with the process: a new backend on the same file
        // (what a restart sees) reads the synced bytes.
        backend.write(PAGE, b"XY").unwrap();
        drop(backend);
        let again = Backend::open(&path).unwrap();
        let mut back = [0u8; 2];
        again.read(PAGE, &mut back).unwrap();
        assert_eq!(&back, b"cd");
    }

    #[test]
    fn shrinking_then_growing_reads_zeros_as_a_file_would() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        std::fs::write(&path, vec![7u8; 2 * PAGE as usize]).unwrap();
        let backend = Backend::open(&path).unwrap();
        backend.write(10, b"kept").unwrap();
        backend.set_len(12).unwrap();
        backend.set_len(2 * PAGE).unwrap();
        let mut back = vec![0u8; 2 * PAGE as usize];
        backend.read(0, &mut back).unwrap();
        assert_eq!(&back[..10], &[7u8; 10]);
        assert_eq!(&back[10..12], b"ke");
        assert!(back[12..].iter().all(|b| *b == 0), "zeros past the old end");
        assert!(backend.read(2 * PAGE - 1, &mut [0u8; 2]).is_err());
        assert_eq!(on_disk(&path), vec![7u8; 2 * PAGE as usize], "not yet");
        backend.sync_data().unwrap();
        assert_eq!(on_disk(&path), back);
    }
}
