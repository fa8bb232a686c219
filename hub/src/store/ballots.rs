//! The ballot box: a secret poll's ballots, kept apart from the log that says who voted.
//!
//! A key is meeting ++ poll ++ the ballot's random receipt, and the value is only the
//! choices: no voter, no time, no sequence number. redb orders the table by key, so the
//! order of the ballots is the order of their random receipts, not of their arrival. The
//! ballots of one group-commit batch are also inserted in a shuffled order, so even the
//! order in which the pages of one transaction were filled says nothing finer than "this
//! batch".

use super::{keys, scan, Store, StoreError};
use crate::engine::SealedBallot;
use protocol::{MeetingId, PollId, ReceiptLine};
use ring::rand::{SecureRandom, SystemRandom};
use uuid::Uuid;

/// A key and a value of the `ballots` table.
pub(super) type Row = (Vec<u8>, Vec<u8>);

/// Keys and values for `ballots`, in a random order.
pub(super) fn encode(meeting: MeetingId, ballots: &[SealedBallot]) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::with_capacity(ballots.len());
    for SealedBallot { poll, line } in ballots {
        let mut key = Vec::with_capacity(32 + line.receipt.len());
        key.extend_from_slice(meeting.as_bytes());
        key.extend_from_slice(poll.as_bytes());
        key.extend_from_slice(line.receipt.as_bytes());
        rows.push((key, serde_json::to_vec(&line.choices)?));
    }
    shuffle(&mut rows);
    Ok(rows)
}

/// Fisher–Yates with the OS random source.
fn shuffle<T>(items: &mut [T]) {
    let rng = SystemRandom::new();
    for i in (1..items.len()).rev() {
        let mut b = [0u8; 8];
        if rng.fill(&mut b).is_err() {
            return;
        }
        let j = (u64::from_le_bytes(b) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

impl Store {
    /// Every secret ballot of a meeting, by poll then receipt.
    pub fn ballots(&self, meeting: MeetingId) -> Result<Vec<SealedBallot>, StoreError> {
        let txn = self.reader()?;
        let table = txn.open_table(keys::BALLOTS)?;
        let mut out = Vec::new();
        for row in scan(&table, &keys::meeting(meeting))? {
            let (key, value) = row?;
            let (key, value) = (key.value(), value.value());
            let corrupt = |reason: &str| StoreError::Corrupt {
                meeting,
                seq: 0,
                reason: format!("ballot box: {reason}"),
            };
            let poll = key
                .get(16..32)
                .and_then(|b| Uuid::from_slice(b).ok())
                .ok_or_else(|| corrupt("malformed key"))?;
            let receipt = std::str::from_utf8(&key[32..])
                .map_err(|_| corrupt("receipt is not text"))?
                .to_owned();
            let choices: Vec<u32> =
                serde_json::from_slice(value).map_err(|_| corrupt("unreadable ballot"))?;
            out.push(SealedBallot {
                poll: PollId(poll),
                line: ReceiptLine { receipt, choices },
            });
        }
        Ok(out)
    }
}
