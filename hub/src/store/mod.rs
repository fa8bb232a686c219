//! Durable storage: each meeting's event log and the token grants, in sled.
//!
//! The rest of the hub sees only [`Store`] and the types here; sled is an implementation
//! detail (key layout in `keys`). Appends are atomic across trees but do not wait for the
//! disk: the caller batches appends and then awaits one [`Store::flush`] before telling
//! anyone (group commit). Each meeting's log is hash-chained so [`Store::replay`] can tell
//! a log that was edited behind the hub's back.

mod ballots;
mod blobs;
mod grants;
mod keys;
mod links;
mod notes;
mod records;
#[cfg(test)]
mod tests;

pub use blobs::{BlobError, Blobs, Stored};
pub use links::TOKEN_KEY_FILE;
pub use records::{next_chain, Origin, Principal, Record, GENESIS};

use crate::engine::{NoteChange, SealedBallot};
use crate::tokens::TokenHash;
use grants::{encode_grants, write_grant};
use protocol::{Event, MeetingId, ParticipantId};
use records::MeetingEntry;
use sled::transaction::TransactionError;
use sled::Transactional as _;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (a hub already running) holds the database lock.
    #[error(
        "the data directory {} is in use by a running hub; stop that hub or choose another data directory",
        .0.display()
    )]
    InUse(PathBuf),
    /// The data directory could not be created.
    #[error("cannot create the data directory: {0}")]
    Io(#[from] std::io::Error),
    /// The database itself failed (disk full, IO error, damaged files).
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
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
    /// A value could not be encoded, or a stored grant could not be decoded.
    #[error("cannot encode or decode a stored value: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<TransactionError<StoreError>> for StoreError {
    fn from(e: TransactionError<StoreError>) -> Self {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        }
    }
}

/// Where a meeting's log ends: the next event must have `seq + 1` and chains from `chain`.
#[derive(Clone, Copy, Debug)]
struct Tail {
    seq: u64,
    chain: [u8; 32],
}

const EMPTY: Tail = Tail {
    seq: 0,
    chain: GENESIS,
};

/// Everything one batch of a meeting writes, in one atomic, durable step.
#[derive(Debug, Default)]
pub struct Changes {
    /// Events continuing the log, each with the command that caused it.
    pub records: Vec<(Event, Option<Origin>)>,
    pub grants: Vec<(TokenHash, Principal)>,
    /// Participants whose token is deleted (before the grants).
    pub revoke: Vec<ParticipantId>,
    /// Secret ballots, for the ballot box.
    pub ballots: Vec<SealedBallot>,
    /// Private notes.
    pub notes: Vec<NoteChange>,
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
    db: sled::Db,
    events: sled::Tree,
    meetings: sled::Tree,
    grants: sled::Tree,
    participant_grants: sled::Tree,
    /// Public links of meetings (see `links`).
    links: sled::Tree,
    /// Participants' tokens, sealed, for printing badges again (see `links`).
    kept_tokens: sled::Tree,
    token_key: Arc<ring::aead::LessSafeKey>,
    /// Document bytes by SHA-256.
    blobs: Blobs,
    /// Secret ballots, by meeting, poll and receipt: no voter, no time (see `ballots.rs`).
    ballots: sled::Tree,
    /// Private notes, by meeting and author (see `notes.rs`).
    notes: sled::Tree,
    /// Each meeting's tail, read from disk on first use. Guarding appends with this lock
    /// also serializes the check-then-write of sequence numbers.
    tails: Arc<Mutex<HashMap<MeetingId, Tail>>>,
    /// Flushes done since open: with group commit, far fewer than commands.
    flushes: Arc<AtomicU64>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`; the database lives in `dir/db`.
    /// Fails with [`StoreError::InUse`] if another hub has it open.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let db = sled::Config::new()
            .path(dir.join("db"))
            .open()
            .map_err(|e| match e {
                sled::Error::Io(io) if is_lock_error(&io) => StoreError::InUse(dir.to_owned()),
                e => StoreError::Sled(e),
            })?;
        Ok(Store {
            dir: dir.to_owned(),
            events: db.open_tree(keys::EVENTS)?,
            meetings: db.open_tree(keys::MEETINGS)?,
            grants: db.open_tree(keys::GRANTS)?,
            participant_grants: db.open_tree(keys::PARTICIPANT_GRANTS)?,
            links: db.open_tree(keys::LINKS)?,
            kept_tokens: db.open_tree(keys::KEPT_TOKENS)?,
            token_key: Arc::new(links::open_key(dir)?),
            blobs: Blobs::open(dir)?,
            ballots: db.open_tree(keys::BALLOTS)?,
            notes: db.open_tree(keys::NOTES)?,
            db,
            tails: Arc::default(),
            flushes: Arc::default(),
        })
    }

    /// Writes one batch, all or nothing, and waits until it is on disk: the events that
    /// continue the meeting's log, token grants and revocations, secret ballots and
    /// private notes. Nothing of a batch is told to anyone before this returns.
    pub async fn commit(&self, meeting: MeetingId, changes: &Changes) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(meeting, changes)?;
        self.flush().await
    }

    /// [`Store::commit`] without waiting for the disk.
    ///
    /// The events must continue the log exactly (the first event of a meeting has seq 1);
    /// otherwise [`StoreError::OutOfOrder`] and nothing is written. Revocations come before
    /// grants, so a participant revoked and re-issued ends with the new token; a grant to a
    /// participant replaces (and revokes) their previous token.
    pub fn write(&self, meeting: MeetingId, changes: &Changes) -> Result<(), StoreError> {
        let mut tails = self.lock_tails();
        let start = self.tail(&mut tails, meeting)?;

        // Everything is checked and encoded before the transaction, whose closure sled may
        // run more than once.
        let mut tail = start;
        let mut rows = Vec::with_capacity(changes.records.len());
        for (event, origin) in &changes.records {
            let expected = tail.seq + 1;
            if event.seq != expected {
                return Err(StoreError::OutOfOrder {
                    meeting,
                    expected,
                    got: event.seq,
                });
            }
            let chain = next_chain(&tail.chain, event, origin)?;
            let record = Record {
                event: event.clone(),
                origin: origin.clone(),
                chain: hex::encode(chain),
            };
            rows.push((
                keys::event(meeting, event.seq),
                serde_json::to_vec(&record)?,
            ));
            tail = Tail {
                seq: event.seq,
                chain,
            };
        }
        let entry = match changes.records.first() {
            Some((first, _)) if first.seq == 1 => Some(serde_json::to_vec(&MeetingEntry {
                created_at: first.at,
            })?),
            _ => None,
        };
        let grants = encode_grants(&changes.grants)?;
        let ballots = ballots::encode(meeting, &changes.ballots)?;
        let notes = notes::encode(meeting, &changes.notes)?;

        (
            &self.events,
            &self.meetings,
            &self.grants,
            &self.participant_grants,
            &self.ballots,
            &self.notes,
        )
            .transaction(|(ev, mt, gr, pg, bb, nt)| {
                for (key, value) in &ballots {
                    bb.insert(&key[..], &value[..])?;
                }
                for (key, value) in &rows {
                    ev.insert(&key[..], &value[..])?;
                }
                if let Some(entry) = &entry {
                    mt.insert(&keys::meeting(meeting)[..], &entry[..])?;
                }
                for participant in &changes.revoke {
                    if let Some(hash) = pg.remove(&keys::participant(meeting, *participant)[..])? {
                        gr.remove(hash)?;
                    }
                }
                for (hash, principal, json) in &grants {
                    write_grant(gr, pg, hash, principal, json)?;
                }
                for (key, value) in &notes {
                    match value {
                        Some(value) => nt.insert(&key[..], &value[..])?,
                        None => nt.remove(&key[..])?,
                    };
                }
                Ok(())
            })?;

        // Only now: a failed write must leave the next append expecting the same seq.
        if !changes.records.is_empty() {
            tails.insert(meeting, tail);
        }
        Ok(())
    }

    /// The document bytes.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Waits until everything appended so far is on disk.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// How many flushes this store has done since it was opened.
    pub fn flush_count(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }

    /// Every meeting with at least one event, in id order.
    pub fn meetings(&self) -> Result<Vec<MeetingId>, StoreError> {
        let mut out = Vec::new();
        for key in self.meetings.iter().keys() {
            // Only `append` writes this tree, always with 16-byte keys; anything else was
            // not put there by the hub and names no meeting.
            if let Some(id) = keys::meeting_from(&key?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The seq of a meeting's last event; 0 if it has none.
    pub fn last_seq(&self, meeting: MeetingId) -> Result<u64, StoreError> {
        let mut tails = self.lock_tails();
        Ok(self.tail(&mut tails, meeting)?.seq)
    }

    /// The events with `after < seq <= upto`, in order: what a resuming client missed.
    /// Not verified against the chain (that is [`Store::replay`]'s job, at start-up).
    pub fn read(
        &self,
        meeting: MeetingId,
        after: u64,
        upto: u64,
    ) -> Result<Vec<Event>, StoreError> {
        if after >= upto {
            return Ok(Vec::new());
        }
        let range = keys::event(meeting, after + 1)..=keys::event(meeting, upto);
        let mut out = Vec::new();
        for kv in self.events.range(range) {
            let (key, value) = kv?;
            out.push(decode(meeting, &key, &value)?.1.event);
        }
        Ok(out)
    }

    /// A meeting's whole log, in order, after checking that seqs run 1, 2, 3… without a
    /// gap and that every record's chain is what its predecessors and content imply.
    pub fn replay(&self, meeting: MeetingId) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        let mut prev = GENESIS;
        for kv in self.events.scan_prefix(keys::meeting(meeting)) {
            let (key, value) = kv?;
            let (seq, record) = decode(meeting, &key, &value)?;
            let expected = out.len() as u64 + 1;
            let corrupt = |reason: String| StoreError::Corrupt {
                meeting,
                seq,
                reason,
            };
            if seq != expected {
                return Err(corrupt(format!(
                    "expected seq {expected}: events are missing"
                )));
            }
            let chain = next_chain(&prev, &record.event, &record.origin)?;
            if hex::encode(chain) != record.chain {
                return Err(corrupt(
                    "hash chain mismatch: the record was altered".into(),
                ));
            }
            prev = chain;
            out.push(record);
        }
        Ok(out)
    }

    fn lock_tails(&self) -> MutexGuard<'_, HashMap<MeetingId, Tail>> {
        // The map is only changed by whole-value inserts after a successful write, so a
        // panic while it was held cannot have left it half-updated.
        self.tails.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The meeting's tail, from memory or else from its last stored record.
    fn tail(
        &self,
        tails: &mut HashMap<MeetingId, Tail>,
        meeting: MeetingId,
    ) -> Result<Tail, StoreError> {
        if let Some(tail) = tails.get(&meeting) {
            return Ok(*tail);
        }
        let Some(kv) = self.events.scan_prefix(keys::meeting(meeting)).next_back() else {
            // Not cached: asking about unknown ids must not grow the map.
            return Ok(EMPTY);
        };
        let (key, value) = kv?;
        let (seq, record) = decode(meeting, &key, &value)?;
        let chain = records::chain_from_hex(&record.chain).ok_or_else(|| StoreError::Corrupt {
            meeting,
            seq,
            reason: "the chain is not 64 hex digits".into(),
        })?;
        let tail = Tail { seq, chain };
        tails.insert(meeting, tail);
        Ok(tail)
    }
}

/// Reads one stored event; any damage is reported as [`StoreError::Corrupt`] at its seq.
fn decode(meeting: MeetingId, key: &[u8], value: &[u8]) -> Result<(u64, Record), StoreError> {
    let corrupt = |seq, reason| StoreError::Corrupt {
        meeting,
        seq,
        reason,
    };
    let seq = keys::event_seq(key).ok_or_else(|| corrupt(0, "malformed key".into()))?;
    let record: Record = serde_json::from_slice(value)
        .map_err(|e| corrupt(seq, format!("unreadable record: {e}")))?;
    if record.event.seq != seq {
        return Err(corrupt(
            seq,
            format!("record says seq {}", record.event.seq),
        ));
    }
    Ok((seq, record))
}

/// sled reports a held lock as an `Other` IO error with this text (fs2's `WouldBlock`
/// folded into the message), so both are checked.
fn is_lock_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("could not acquire lock")
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
