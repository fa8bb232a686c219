//! Each meeting's event log: appending inside a batch's transaction (continuing the hash
//! chain from the stored tail), reading what a resuming client missed, and replaying a
//! whole log with every link of its chain checked.

use super::records::{self, next_chain, MeetingEntry, GENESIS};
use super::rows::Rows;
use super::{keys, Origin, Record, Store, StoreError};
use protocol::{Event, MeetingId};

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

/// An event's key (meeting ++ seq) and its stored bytes.
pub(super) type EventRow = ([u8; 24], Vec<u8>);

/// The rows that append `records` to the meeting's log, read from `events` inside the
/// batch's own write transaction: each engine has one writer at a time (redb's, the
/// store's one writing PostgreSQL connection), so the tail read here is the tail the rows
/// continue; and were another writer to slip in, the events' primary key would refuse the
/// second row with the same seq. [`StoreError::OutOfOrder`] if the
/// records do not continue it exactly.
pub(super) fn chain(
    events: &mut dyn Rows,
    meeting: MeetingId,
    records: &[(Event, Option<Origin>)],
) -> Result<Vec<EventRow>, StoreError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let mut tail = tail(events, meeting)?;
    let mut rows = Vec::with_capacity(records.len());
    for (event, origin) in records {
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
    Ok(rows)
}

/// The `meetings` entry to write when these records start a log.
pub(super) fn meeting_entry(
    records: &[(Event, Option<Origin>)],
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(match records.first() {
        Some((first, _)) if first.seq == 1 => Some(serde_json::to_vec(&MeetingEntry {
            created_at: first.at,
        })?),
        _ => None,
    })
}

/// The meeting's tail, from its last stored record.
fn tail(events: &mut dyn Rows, meeting: MeetingId) -> Result<Tail, StoreError> {
    let Some((key, value)) = events.last(keys::EVENTS, &keys::meeting(meeting))? else {
        return Ok(EMPTY);
    };
    let (seq, record) = decode(meeting, &key, &value)?;
    let chain = records::chain_from_hex(&record.chain).ok_or_else(|| StoreError::Corrupt {
        meeting,
        seq,
        reason: "the chain is not 64 hex digits".into(),
    })?;
    Ok(Tail { seq, chain })
}

/// The meeting's last seq and chain link, as read in `events` (a copy's snapshot).
pub(super) fn tail_of(
    events: &mut dyn Rows,
    meeting: MeetingId,
) -> Result<(u64, [u8; 32]), StoreError> {
    tail(events, meeting).map(|t| (t.seq, t.chain))
}

/// The seq of the meeting's last event in `events` (a write transaction's too).
pub(super) fn tail_seq(events: &mut dyn Rows, meeting: MeetingId) -> Result<u64, StoreError> {
    Ok(tail(events, meeting)?.seq)
}

impl Store {
    /// The seq of a meeting's last event; 0 if it has none.
    pub fn last_seq(&self, meeting: MeetingId) -> Result<u64, StoreError> {
        self.read_rows(|rows| tail_seq(rows, meeting))
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
        let from = keys::event(meeting, after + 1);
        // Every key up to and including `upto`'s: those before `upto`'s key ++ 0.
        let mut to = keys::event(meeting, upto).to_vec();
        to.push(0);
        let rows = self.read_rows(|r| r.range(keys::EVENTS, &from, Some(&to)))?;
        rows.iter()
            .map(|(key, value)| Ok(decode(meeting, key, value)?.1.event))
            .collect()
    }

    /// A meeting's whole log, in order, after checking that seqs run 1, 2, 3… without a
    /// gap and that every record's chain is what its predecessors and content imply.
    pub fn replay(&self, meeting: MeetingId) -> Result<Vec<Record>, StoreError> {
        let rows = self.read_rows(|r| r.prefixed(keys::EVENTS, &keys::meeting(meeting)))?;
        let mut out = Vec::new();
        let mut prev = GENESIS;
        for (key, value) in &rows {
            let (seq, record) = decode(meeting, key, value)?;
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
