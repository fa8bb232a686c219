//! Durable storage: each meeting's event log, the token grants, ballots and notes, on one
//! of two engines: embedded, one redb database file `DATA/hub.redb` (the default, for one
//! machine); or PostgreSQL (`postgres`), shared by a hub and its standby (see `lease`).
//!
//! The rest of the hub sees only [`Store`] and the types here; which engine runs is an
//! implementation detail (tables and key layout in `keys`, rows in `rows`). A batch of a
//! meeting ([`Changes`]) is one write transaction: in redb committed with
//! [`redb::Durability::Immediate`], so when [`Store::commit`] returns the transaction is
//! fsynced; in PostgreSQL one transaction whose `COMMIT` has returned. One commit covers the
//! whole batch (group commit).
//! Each meeting's log is hash-chained so [`Store::replay`] can tell a log that was edited
//! behind the hub's back.

mod ballots;
mod blobs;
mod copy;
mod grants;
mod keys;
mod lease;
#[cfg(test)]
mod lease_tests;
mod links;
mod log;
mod notes;
mod office;
mod pg_blobs;
mod postgres;
pub mod power_loss;
mod records;
mod rows;
#[cfg(test)]
mod scratch_pg;
mod shelves;
mod summaries;
#[cfg(test)]
mod tests;

pub use blobs::{BlobError, Blobs, Stored};
pub use copy::{Copied, LogEnd};
pub use lease::{Contender, Lease, LEASE_POLL};
pub use links::TOKEN_KEY_FILE;
pub use office::{DeviceSecret, Enrolment, OfficeChanges};
pub use records::{next_chain, Origin, Principal, Record, GENESIS};
pub use summaries::Summary;

use crate::engine::{NoteChange, SealedBallot};
use crate::tokens::Token;
use protocol::{Event, MeetingId, ParticipantId};
use redb::{Database, Durability, ReadableDatabase};
use rows::{Rows, WriteRows};
use std::fmt;
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
    /// PostgreSQL refused or failed a statement, or could not be reached.
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// A connection to PostgreSQL is gone.
    #[error("the connection to PostgreSQL is gone")]
    Disconnected,
    /// This hub's lease on the hall is gone: it writes nothing more.
    #[error("this hub no longer holds the hall (its lease on PostgreSQL is gone)")]
    LeaseLost,
    /// Another hub took the hall over since this one took its lease: nothing was written.
    #[error(
        "another hub took the hall over (epoch {current}, this hub's {held}); nothing was written"
    )]
    Fenced { held: i64, current: i64 },
    /// The operation exists for one engine only.
    #[error("{0}")]
    Unsupported(&'static str),
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

/// Where the rows are.
#[derive(Clone)]
enum Engine {
    /// `DATA/hub.redb`.
    Embedded(Arc<Database>),
    /// A PostgreSQL database, written under a lease.
    Postgres(postgres::Pg),
}

/// The hub's durable storage. Cheap to clone: every clone shares one database.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    engine: Engine,
    token_key: Arc<ring::aead::LessSafeKey>,
    /// Document bytes by SHA-256.
    blobs: Blobs,
    /// Batches committed since open: with group commit, far fewer than commands.
    commits: Arc<AtomicU64>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = match self.engine {
            Engine::Embedded(_) => "embedded",
            Engine::Postgres(_) => "postgres",
        };
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("engine", &engine)
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
            txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(table))?;
        }
        txn.commit()?;
        Ok(Store {
            dir: dir.to_owned(),
            engine: Engine::Embedded(Arc::new(db)),
            token_key: Arc::new(links::open_key(dir)?),
            blobs: Blobs::open(dir)?,
            commits: Arc::default(),
        })
    }

    /// Opens the store on the PostgreSQL database the lease was taken on: every write is
    /// fenced by it. `dir` keeps what is per machine (a cache of the document bytes, which
    /// are all in PostgreSQL too, and the hub's own keys and certificates). Blocks: call it
    /// on a blocking thread.
    pub fn open_postgres(dir: &Path, lease: &Lease) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let pg = postgres::Pg::connect(lease.url(), lease.fence())?;
        let mut fresh = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut fresh)
            .map_err(|_| std::io::Error::other("the system random source failed"))?;
        let token_key = links::key_from(&pg.token_key(fresh)?)?;
        Ok(Store {
            dir: dir.to_owned(),
            blobs: Blobs::open_mirrored(dir, Some(pg.clone()))?,
            engine: Engine::Postgres(pg),
            token_key: Arc::new(token_key),
            commits: Arc::default(),
        })
    }

    /// Which engine holds the rows: `embedded` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Embedded(_) => "embedded",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// Runs `f` on a consistent view (redb) or on committed rows (PostgreSQL).
    fn read_rows<R>(
        &self,
        f: impl FnOnce(&mut dyn Rows) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        match &self.engine {
            Engine::Embedded(db) => f(&mut rows::EmbeddedRead(db.begin_read()?)),
            Engine::Postgres(pg) => pg.read(f),
        }
    }

    /// Runs `f` in one write transaction and commits it durably if `f` succeeds; if it
    /// fails, nothing of it is written. In redb, Immediate durability is the default; it
    /// is set all the same because every ack of the hub depends on it.
    fn write_rows<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteRows) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        match &self.engine {
            Engine::Embedded(db) => {
                let mut txn = db.begin_write()?;
                txn.set_durability(Durability::Immediate)?;
                let mut rows = rows::EmbeddedWrite(txn);
                // An error drops the transaction, which aborts it.
                let value = f(&mut rows)?;
                rows.0.commit()?;
                Ok(value)
            }
            Engine::Postgres(pg) => pg.write(f),
        }
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

        self.write_rows(|rows| {
            for (key, value) in log::chain(rows, meeting, &changes.records)? {
                rows.insert(keys::EVENTS, &key, &value)?;
            }
            if let Some(entry) = log::meeting_entry(&changes.records)? {
                rows.insert(keys::MEETINGS, &keys::meeting(meeting), &entry)?;
            }
            if let Some(summary) = &summary {
                rows.insert(keys::SUMMARIES, &keys::meeting(meeting), summary)?;
            }
            for (key, value) in &ballots {
                rows.insert(keys::BALLOTS, key, value)?;
            }
            for participant in &changes.revoke {
                grants::revoke_participant(rows, meeting, *participant)?;
                rows.remove(keys::KEPT_TOKENS, &keys::participant(meeting, *participant))?;
            }
            for grant in &grants {
                grants::write(rows, &grant.hash, grant.principal, &grant.json)?;
                if let Some((key, sealed)) = &grant.kept {
                    rows.insert(keys::KEPT_TOKENS, key, sealed)?;
                }
            }
            for (key, value) in &notes {
                match value {
                    Some(value) => rows.insert(keys::NOTES, key, value)?,
                    None => rows.remove(keys::NOTES, key)?,
                };
            }
            Ok(())
        })?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(())
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
        let rows = self.read_rows(|r| r.range(keys::MEETINGS, &[], None))?;
        // Only `write` writes this table, always with 16-byte keys; anything else was not
        // put there by the hub and names no meeting.
        Ok(rows
            .iter()
            .filter_map(|(key, _)| keys::meeting_from(key))
            .collect())
    }

    /// Every record of every table as raw bytes (table name, key, value): what whoever
    /// holds the disk (or the database) can read. For audits, and for the tests that show
    /// no record links a secret ballot to its voter and that a refused request writes
    /// nothing.
    pub fn dump(&self) -> Result<Vec<RawRecord>, StoreError> {
        let db = match &self.engine {
            Engine::Embedded(db) => db,
            Engine::Postgres(pg) => return pg.dump(),
        };
        let txn = db.begin_read()?;
        let mut out = Vec::new();
        for handle in txn.list_tables()? {
            let name = redb::TableHandle::name(&handle).to_owned();
            let table = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(&name))?;
            for row in redb::ReadableTable::range::<&[u8]>(&table, ..)? {
                let (k, v) = row?;
                out.push((name.clone(), k.value().to_vec(), v.value().to_vec()));
            }
        }
        Ok(out)
    }
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
