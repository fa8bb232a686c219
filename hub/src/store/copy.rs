//! A consistent copy of the database while the hub runs, for backups.
//!
//! One redb read transaction sees the database as of the last commit and does not stop
//! the writer: every table is copied from it, row by row, into a new database file in one
//! write transaction. The copy is as of one instant, with every meeting's log ending at a
//! batch boundary, and it is fsynced before [`Store::copy_to`] returns. The write path is
//! untouched: a batch committed during the copy is simply not in it.

use super::log::tail_of;
use super::{keys, Engine, Store, StoreError};
use protocol::MeetingId;
use redb::{Database, TableDefinition, TableHandle as _};
use std::path::Path;

/// Where each meeting's log ends in a copy: to compare with the hub that opens it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogEnd {
    pub meeting: MeetingId,
    pub last_seq: u64,
    /// The hash chain's last link, 64 hex digits.
    pub last_chain: String,
}

/// What a copy holds.
#[derive(Clone, Debug)]
pub struct Copied {
    /// Rows copied, over all tables.
    pub rows: u64,
    pub logs: Vec<LogEnd>,
}

impl Store {
    /// Writes a consistent copy of the whole database to `path` (a new file: an existing
    /// one is refused), without stopping the hub's writes. Blocks: run it on a blocking
    /// thread.
    pub fn copy_to(&self, path: &Path) -> Result<Copied, StoreError> {
        if path.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", path.display()),
            )));
        }
        let Engine::Embedded(db) = &self.engine else {
            return Err(StoreError::Unsupported(
                "a hub on PostgreSQL is backed up with PostgreSQL's own tools (pg_dump, \
                 pg_basebackup), not with `hub backup`",
            ));
        };
        let snapshot = redb::ReadableDatabase::begin_read(&**db)?;
        let copy = Database::builder()
            .create(path)
            .map_err(|e| StoreError::Database(e.into()))?;
        let mut rows = 0u64;
        let mut txn = copy.begin_write()?;
        txn.set_durability(redb::Durability::Immediate)?;
        for handle in snapshot.list_tables()? {
            let name = handle.name().to_owned();
            let definition = TableDefinition::<&[u8], &[u8]>::new(&name);
            let from = snapshot.open_table(definition)?;
            let mut to = txn.open_table(definition)?;
            for row in from.range::<&[u8]>(..)? {
                let (key, value) = row?;
                to.insert(key.value(), value.value())?;
                rows += 1;
            }
        }
        txn.commit()?;
        let mut rows_of = super::rows::EmbeddedRead(snapshot);
        let meetings = super::rows::Rows::range(&mut rows_of, keys::MEETINGS, &[], None)?;
        let mut logs = Vec::new();
        for (key, _) in &meetings {
            let Some(meeting) = keys::meeting_from(key) else {
                continue;
            };
            let (last_seq, chain) = tail_of(&mut rows_of, meeting)?;
            logs.push(LogEnd {
                meeting,
                last_seq,
                last_chain: hex::encode(chain),
            });
        }
        Ok(Copied { rows, logs })
    }

    /// Where each meeting's log ends now, after checking every link of every log's hash
    /// chain (what a restored hub is checked with).
    pub fn verified_log_ends(&self) -> Result<Vec<LogEnd>, StoreError> {
        let mut out = Vec::new();
        for meeting in self.meetings()? {
            let records = self.replay(meeting)?;
            let (last_seq, last_chain) = records
                .last()
                .map_or((0, hex::encode(super::GENESIS)), |r| {
                    (r.event.seq, r.chain.clone())
                });
            out.push(LogEnd {
                meeting,
                last_seq,
                last_chain,
            });
        }
        Ok(out)
    }
}
