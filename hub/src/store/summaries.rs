//! A small summary of each meeting beside its log: what the meeting list, the work
//! calendar and the health count need, so that a start reads these rows and not every log.
//!
//! A batch that continues a meeting's log writes the meeting's summary in the same
//! transaction ([`Changes::summary`](super::Changes)), so a summary always says the seq of
//! the last event of its log. A data directory from before summaries (or one a hub without
//! them wrote to since) has a summary missing or behind its log: [`Store::stale_summaries`]
//! names those meetings, and the live layer replays them once and writes theirs.

use super::{keys, Store, StoreError};
use crate::engine::MeetingState;
use protocol::info::CalendarEvent;
use protocol::{Meeting, MeetingId, MeetingStatus};
use serde::{Deserialize, Serialize};

/// What the hub lists about a meeting without loading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The meeting's header: title, venue, start, status, quorum.
    pub meeting: Meeting,
    /// The seq of the meeting's last event.
    pub seq: u64,
    /// The body's work calendar as this meeting holds it.
    #[serde(default)]
    pub calendar: Vec<CalendarEvent>,
}

impl Summary {
    /// The summary of a meeting's state; `None` before it is created.
    pub fn of(state: &MeetingState) -> Option<Summary> {
        Some(Summary {
            meeting: state.meeting.clone()?,
            seq: state.seq,
            calendar: state.info.calendar.clone(),
        })
    }

    /// A closed meeting takes only the minutes' records and recall confirmations: it is
    /// loaded when someone asks for it, not at start.
    pub fn is_closed(&self) -> bool {
        self.meeting.status == MeetingStatus::Closed
    }
}

/// A summary's row in the `summaries` table.
pub(super) fn encode(summary: &Summary) -> Result<Vec<u8>, StoreError> {
    Ok(serde_json::to_vec(summary)?)
}

fn decode(meeting: MeetingId, value: &[u8]) -> Result<Summary, StoreError> {
    serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
        meeting,
        seq: 0,
        reason: format!("unreadable summary: {e}"),
    })
}

impl Store {
    /// Every meeting's stored summary, in id order: meetings without one (a data
    /// directory not yet migrated) are left out.
    pub fn summaries(&self) -> Result<Vec<(MeetingId, Summary)>, StoreError> {
        let rows = self.read_rows(|r| r.range(keys::SUMMARIES, &[], None))?;
        let mut out = Vec::new();
        for (key, value) in &rows {
            if let Some(id) = keys::meeting_from(key) {
                out.push((id, decode(id, value)?));
            }
        }
        Ok(out)
    }

    /// One meeting's stored summary.
    pub fn summary(&self, meeting: MeetingId) -> Result<Option<Summary>, StoreError> {
        let value = self.read_rows(|r| r.get(keys::SUMMARIES, &keys::meeting(meeting)))?;
        value.map(|v| decode(meeting, &v)).transpose()
    }

    /// The meetings whose summary is missing or does not end where their log ends: written
    /// by a hub from before summaries. Each is replayed once and its summary written.
    pub fn stale_summaries(&self) -> Result<Vec<MeetingId>, StoreError> {
        let stored: std::collections::HashMap<MeetingId, u64> = self
            .summaries()?
            .into_iter()
            .map(|(id, s)| (id, s.seq))
            .collect();
        let mut stale = Vec::new();
        for id in self.meetings()? {
            if stored.get(&id) != Some(&self.last_seq(id)?) {
                stale.push(id);
            }
        }
        Ok(stale)
    }

    /// Writes summaries made by replaying their logs, in one durable transaction, each only
    /// if its log still ends at its seq (nothing was appended since the replay).
    pub fn put_summaries(&self, summaries: &[(MeetingId, Summary)]) -> Result<(), StoreError> {
        let rows = summaries
            .iter()
            .map(|(id, s)| Ok((*id, s.seq, encode(s)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write_rows(|w| {
            for (id, seq, value) in &rows {
                if super::log::tail_seq(w, *id)? == *seq {
                    w.insert(keys::SUMMARIES, &keys::meeting(*id), value)?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
impl Store {
    /// Deletes every summary: the data directory of a hub from before summaries.
    pub(crate) fn forget_summaries(&self) -> Result<(), StoreError> {
        self.write_rows(|w| {
            for (key, _) in w.range(keys::SUMMARIES, &[], None)? {
                w.remove(keys::SUMMARIES, &key)?;
            }
            Ok(())
        })
    }
}
