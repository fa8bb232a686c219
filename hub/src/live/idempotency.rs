//! Remembered outcomes, so a command re-sent with the same id (after a dropped connection,
//! or a hub restart) is answered, not run twice.

use super::Outcome;
use crate::store::{Principal, Record};
use protocol::{CommandId, EventKind, MeetingId};
use std::collections::{HashMap, VecDeque};

pub(super) type Key = (Principal, CommandId);

/// Outcomes by (sender, command id), the oldest forgotten past `CAPACITY`. Accepted commands
/// are rebuilt from the log on start (each event records its origin); refusals are kept in
/// memory only, so after a restart a refused command sent again is decided again, which
/// changes nothing it should not.
#[derive(Debug, Default)]
pub(super) struct Cache {
    map: HashMap<Key, Outcome>,
    order: VecDeque<Key>,
}

/// Room for every delegate of the largest congress to send a few hundred commands.
const CAPACITY: usize = 500_000;

impl Cache {
    pub fn from_log(meeting: MeetingId, records: &[Record]) -> Self {
        let mut cache = Cache::default();
        for record in records {
            // A secret ballot keeps its command id in the event, not in an origin.
            if let EventKind::BallotCast {
                voter: Some(voter),
                command: Some(command),
                ..
            } = &record.event.event
            {
                let principal = Principal::Participant {
                    meeting,
                    participant: *voter,
                };
                cache.insert((principal, command.clone()), Ok(record.event.seq));
            }
            if let Some(origin) = &record.origin {
                cache.insert(
                    (origin.principal.clone(), origin.command.clone()),
                    Ok(record.event.seq),
                );
            }
        }
        cache
    }

    pub fn get(&self, key: &Key) -> Option<&Outcome> {
        self.map.get(key)
    }

    /// Records an outcome; a command of several events ends up with its last seq.
    pub fn insert(&mut self, key: Key, outcome: Outcome) {
        if self.map.insert(key.clone(), outcome).is_none() {
            self.order.push_back(key);
            if self.order.len() > CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }

    pub fn remove(&mut self, key: &Key) {
        if self.map.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }
}
