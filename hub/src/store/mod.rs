//! Durable storage: each meeting's event log, the token grants, ballots and notes, in one
//! redb database file, `DATA/hub.redb`.
//!
//! The rest of the hub sees only [`Store`] and the types here; redb is an implementation
//! detail (tables and key layout in `keys`). A batch of a meeting ([`Changes`]) is one write
//! transaction committed with [`redb::Durability::Immediate`]: when [`Store::commit`]
//! returns, the transaction is fsynced, and one fsync covers the whole batch (group commit).
//! Each meeting's log is hash-chained so [`Store::replay`] can tell a log that was edited
//! behind the hub's back.

mod ballots;
mod blobs;
mod copy;
mod grants;
mod keys;
mod links;
mod log;
mod notes;
mod office;
pub mod power_loss;
mod records;
mod summaries;
#[cfg(test)]
mod tests;

pub use blobs::{BlobError, Blobs, Stored};
pub use copy::{Copied, LogEnd};
pub use links::TOKEN_KEY_FILE;
pub use office::{DeviceSecret, Enrolment, OfficeChanges};
pub use records::{next_chain, Origin, Principal, Record, GENESIS};
pub use summaries::Summary;

use crate::engine::{NoteChange, SealedBallot};
use crate::tokens::Token;
use protocol::{Event, MeetingId, ParticipantId};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, WriteTransaction};
use std::fmt;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The database file in the data directory.
pub const DATABASE_FILE: &str = "hub.redb";

/// Memory redb may use to cache pages. Its default (1 GiB) is more than a hub on a small
/// machine should give; a meeting's working set (its log tail, grants, ballot box) is
/// far smaller, and a start's replay reads each log once.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (a hub already running) holds the database lock.
    #[error(
        "the data directory {} is in use by a running hub; stop that hub or choose another data directory",
        .0.display()
    )]
    InUse(PathBuf),
    /// The data directory could not be created, or a file in it read or written.
    #[error("cannot create the data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The database itself failed (disk full, IO error, damaged file).
    #[error("database error: {0}")]
    Database(#[from] redb::Error),
    /// A stored log does not verify: unreadable record, gap, or broken hash chain.
    #[error("the log of meeting {meeting} is corrupt at seq {seq}: {reason}")]
    Corrupt {
        meeting: MeetingId,
        seq: u64,
        reason: String,
    },
    /// An append did not continue the meeting's log exactly; nothing was written.
    #[error("event out of order in meeting {meeting}: expected seq {expected}, got {got}")]
    OutOfOrder {
        meeting: MeetingId,
        expected: u64,
        got: u64,
    },
    /// The office's log does not verify, or a batch did not continue it; nothing written.
    #[error("the office's log is corrupt or out of order at seq {seq}: {reason}")]
    OfficeCorrupt { seq: u64, reason: String },
    /// A value could not be encoded, or a stored grant could not be decoded.
    #[error("cannot encode or decode a stored value: {0}")]
    Json(#[from] serde_json::Error),
}

/// redb has an error type per operation; all of them are "the database failed" here.
macro_rules! database_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Database(e.into())
            }
        }
    )*};
}
database_errors!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

/// Everything one batch of a meeting writes, in one atomic, durable step.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// Events continuing the log, each with the command that caused it.
    pub records: Vec<(Event, Option<Origin>)>,
    /// Tokens to grant. A participant's token is also kept, sealed, for printing their
    /// badge again (see `links`): in the same transaction, so a refused or failed batch
    /// keeps nothing.
    pub grants: Vec<(Token, Principal)>,
    /// Participants whose token is deleted (before the grants).
    pub revoke: Vec<ParticipantId>,
    /// Secret ballots, for the ballot box.
    pub ballots: Vec<SealedBallot>,
    /// Private notes.
    pub notes: Vec<NoteChange>,
    /// The meeting's summary after the batch, written with its events (see `summaries`).
    pub summary: Option<Summary>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
            && self.grants.is_empty()
            && self.revoke.is_empty()
            && self.ballots.is_empty()
            && self.notes.is_empty()
    }
}

/// The hub's durable storage. Cheap to clone: every clone shares one database.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    db: Arc<Database>,
    token_key: Arc<ring::aead::LessSafeKey>,
    /// Document bytes by SHA-256.
    blobs: Blobs,
    /// Batches committed since open: with group commit, far fewer than commands.
    commits: Arc<AtomicU64>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// One stored record as raw bytes: table name, key, value.
pub type RawRecord = (String, Vec<u8>, Vec<u8>);

impl Store {
    /// Opens (creating if needed) the store in `dir`; the database is `dir/hub.redb`.
    /// Fails with [`StoreError::InUse`] if another hub has it open. After a crash, redb
    /// repairs the file here (back to the last fsynced commit) before anything is read.
    ///
    /// With `HUB_TEST_POWER_LOSS` set, the database runs on the power-loss harness (see
    /// [`power_loss`]): for tests only.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let path = dir.join(DATABASE_FILE);
        let mut builder = Database::builder();
        builder.set_cache_size(CACHE_BYTES);
        let opened = match power_loss::Harness::from_env()? {
            Some(harness) => {
                tracing::warn!(
                    "{}: unsynced writes are kept in memory only (a test harness)",
                    power_loss::ENV
                );
                builder.create_with_backend(harness.backend(&path)?)
            }
            None => builder.create(&path),
        };
        let db = opened.map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(dir.to_owned()),
            e => StoreError::Database(e.into()),
        })?;
        Self::with_database(dir, db)
    }

    /// Opens the store with the database on `backend` (the power-loss harness, in tests).
    #[cfg(test)]
    fn open_on(dir: &Path, backend: impl redb::StorageBackend) -> Result<Store, StoreError> {
        let mut builder = Database::builder();
        builder.set_cache_size(CACHE_BYTES);
        let db = builder
            .create_with_backend(backend)
            .map_err(|e| StoreError::Database(e.into()))?;
        Self::with_database(dir, db)
    }

    fn with_database(dir: &Path, db: Database) -> Result<Store, StoreError> {
        // Every table exists from the start, so readers never meet a missing one.
        let txn = db.begin_write()?;
        for table in keys::ALL {
            txn.open_table(table)?;
        }
        txn.commit()?;
        Ok(Store {
            dir: dir.to_owned(),
            db: Arc::new(db),
            token_key: Arc::new(links::open_key(dir)?),
            blobs: Blobs::open(dir)?,
            commits: Arc::default(),
        })
    }

    /// Writes one batch, all or nothing, and returns once its transaction is fsynced: the
    /// events that continue the meeting's log, token grants (with their sealed tokens) and
    /// revocations, secret ballots and private notes. Nothing of a batch is told to anyone
    /// before this returns. The write and its fsync run on a blocking thread, never on the
    /// async workers.
    pub async fn commit(&self, meeting: MeetingId, changes: &Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let store = self.clone();
        let changes = changes.clone();
        tokio::task::spawn_blocking(move || store.write(meeting, &changes))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// [`Store::commit`] on the calling thread, which it blocks until the fsync is done.
    ///
    /// The events must continue the log exactly (the first event of a meeting has seq 1);
    /// otherwise [`StoreError::OutOfOrder`] and nothing is written. Revocations come before
    /// grants, so a participant revoked and re-issued ends with the new token; a grant to a
    /// participant replaces (and revokes) their previous token.
    pub fn write(&self, meeting: MeetingId, changes: &Changes) -> Result<(), StoreError> {
        // Everything that can be encoded (and sealed) without the log's tail is, before
        // the one writer's lock is taken.
        let grants = grants::encode(self, &changes.grants)?;
        let ballots = ballots::encode(meeting, &changes.ballots)?;
        let notes = notes::encode(meeting, &changes.notes)?;
        let summary = changes
            .summary
            .as_ref()
            .map(summaries::encode)
            .transpose()?;

        let txn = self.begin()?;
        {
            let mut events = txn.open_table(keys::EVENTS)?;
            let rows = log::chain(&events, meeting, &changes.records)?;
            for (key, value) in &rows {
                events.insert(&key[..], &value[..])?;
            }
            if let Some(entry) = log::meeting_entry(&changes.records)? {
                txn.open_table(keys::MEETINGS)?
                    .insert(&keys::meeting(meeting)[..], &entry[..])?;
            }
            if let Some(summary) = &summary {
                txn.open_table(keys::SUMMARIES)?
                    .insert(&keys::meeting(meeting)[..], &summary[..])?;
            }
            let mut bb = txn.open_table(keys::BALLOTS)?;
            for (key, value) in &ballots {
                bb.insert(&key[..], &value[..])?;
            }
            let mut gr = txn.open_table(keys::GRANTS)?;
            let mut pg = txn.open_table(keys::PARTICIPANT_GRANTS)?;
            let mut kept = txn.open_table(keys::KEPT_TOKENS)?;
            for participant in &changes.revoke {
                grants::revoke_participant(&mut gr, &mut pg, meeting, *participant)?;
                kept.remove(&keys::participant(meeting, *participant)[..])?;
            }
            for grant in &grants {
                grants::write(&mut gr, &mut pg, &grant.hash, grant.principal, &grant.json)?;
                if let Some((key, sealed)) = &grant.kept {
                    kept.insert(&key[..], &sealed[..])?;
                }
            }
            let mut nt = txn.open_table(keys::NOTES)?;
            for (key, value) in &notes {
                match value {
                    Some(value) => nt.insert(&key[..], &value[..])?,
                    None => nt.remove(&key[..])?,
                };
            }
        }
        // An error above drops `txn`, which aborts it: nothing of the batch is written.
        txn.commit()?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A write transaction that is fsynced when it commits. Immediate is redb's default;
    /// it is set here all the same because every ack of the hub depends on it.
    fn begin(&self) -> Result<WriteTransaction, StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        Ok(txn)
    }

    /// A consistent view of the whole database as of the last commit; writers go on.
    fn reader(&self) -> Result<redb::ReadTransaction, StoreError> {
        Ok(self.db.begin_read()?)
    }

    /// The document bytes.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Every write of this store is durable when it returns, so there is nothing left to
    /// wait for; kept so that code which wrote outside [`Store::commit`] can say where it
    /// relies on durability.
    pub async fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// How many batches this store has committed (each one fsync) since it was opened.
    pub fn flush_count(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Every meeting with at least one event, in id order.
    pub fn meetings(&self) -> Result<Vec<MeetingId>, StoreError> {
        let txn = self.reader()?;
        let table = txn.open_table(keys::MEETINGS)?;
        let mut out = Vec::new();
        for row in table.range::<&[u8]>(..)? {
            let (key, _) = row?;
            // Only `write` writes this table, always with 16-byte keys; anything else was
            // not put there by the hub and names no meeting.
            if let Some(id) = keys::meeting_from(key.value()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Every record of every table as raw bytes (table name, key, value): what whoever
    /// holds the disk can read. For audits, and for the tests that show no record links a
    /// secret ballot to its voter and that a refused request writes nothing.
    pub fn dump(&self) -> Result<Vec<RawRecord>, StoreError> {
        let txn = self.reader()?;
        let mut out = Vec::new();
        for handle in txn.list_tables()? {
            let name = redb::TableHandle::name(&handle).to_owned();
            let table = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(&name))?;
            for row in table.range::<&[u8]>(..)? {
                let (k, v) = row?;
                out.push((name.clone(), k.value().to_vec(), v.value().to_vec()));
            }
        }
        Ok(out)
    }
}

/// The rows of `table` whose key starts with `prefix`, in key order.
fn scan<'t, T>(
    table: &'t T,
    prefix: &[u8],
) -> Result<redb::Range<'t, &'static [u8], &'static [u8]>, StoreError>
where
    T: ReadableTable<&'static [u8], &'static [u8]>,
{
    let end = keys::after_prefix(prefix);
    let upper = match &end {
        Some(end) => Bound::Excluded(end.as_slice()),
        None => Bound::Unbounded,
    };
    Ok(table.range::<&[u8]>((Bound::Included(prefix), upper))?)
}

/// Creates the data directory readable by the hub's user only: it holds every token grant.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
