//! The ballot box: a secret poll's sealed ballots, kept apart from the log that says who
//! voted.
//!
//! A key is meeting ++ poll ++ the ballot's fingerprint, and the value is the encrypted
//! ballot as its voter's device sent it: no voter, no time, no sequence number. The table is
//! ordered by fingerprint, which is random, not by arrival. The ballots are encrypted to the
//! counting committee's key, so whoever holds the disk reads nothing in them either: the
//! box is opened only as a sum, by enough members of the committee.

use super::{keys, Store, StoreError};
use crate::engine::SealedBallot;
use protocol::{MeetingId, PollId, Sealed};
use uuid::Uuid;

/// A key and a value of the `ballots` table.
pub(super) type Row = (Vec<u8>, Vec<u8>);

/// Keys and values for `ballots`.
pub(super) fn encode(meeting: MeetingId, ballots: &[SealedBallot]) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::with_capacity(ballots.len());
    for ballot in ballots {
        let mut key = Vec::with_capacity(32 + ballot.fingerprint.len());
        key.extend_from_slice(meeting.as_bytes());
        key.extend_from_slice(ballot.poll.as_bytes());
        key.extend_from_slice(ballot.fingerprint.as_bytes());
        rows.push((key, serde_json::to_vec(&ballot.ballot)?));
    }
    Ok(rows)
}

impl Store {
    /// Every sealed ballot of a meeting, by poll then fingerprint.
    pub fn ballots(&self, meeting: MeetingId) -> Result<Vec<(PollId, Sealed)>, StoreError> {
        let rows = self.read_rows(|r| r.prefixed(keys::BALLOTS, &keys::meeting(meeting)))?;
        let mut out = Vec::new();
        for (key, value) in &rows {
            let corrupt = |reason: &str| StoreError::Corrupt {
                meeting,
                seq: 0,
                reason: format!("ballot box: {reason}"),
            };
            let poll = key
                .get(16..32)
                .and_then(|b| Uuid::from_slice(b).ok())
                .ok_or_else(|| corrupt("malformed key"))?;
            let ballot: Sealed =
                serde_json::from_slice(value).map_err(|_| corrupt("unreadable ballot"))?;
            out.push((PollId(poll), ballot));
        }
        Ok(out)
    }

    /// One poll's sealed ballots, by fingerprint: what the committee's devices check and the
    /// published result carries.
    pub fn poll_ballots(
        &self,
        meeting: MeetingId,
        poll: PollId,
    ) -> Result<Vec<Sealed>, StoreError> {
        Ok(self
            .ballots(meeting)?
            .into_iter()
            .filter(|(p, _)| *p == poll)
            .map(|(_, b)| b)
            .collect())
    }
}
