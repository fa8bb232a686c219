//! Remembered answers, so a command re-sent with the same id (after a dropped connection,
//! or a hub restart) is answered, not run twice.

use super::{Accepted, Answer};
use crate::store::{Principal, Record};
use protocol::{CommandId, PollId};
use std::collections::{HashMap, VecDeque};

pub(super) type Key = (Principal, CommandId);

/// Answers by (sender, command id), the oldest forgotten past `CAPACITY`. Accepted commands
/// are rebuilt from the log on start (each event records its origin); refusals are kept in
/// memory only, so after a restart a refused command sent again is decided again, which
/// changes nothing it should not.
///
/// A secret ballot's answer holds its receipt while the poll is open, so a voter whose ack
/// was lost gets it again; it is the one place that pairs a voter with a receipt, so it is
/// forgotten when the poll ends, and never written (the log rebuilds answers without it).
#[derive(Debug, Default)]
pub(super) struct Cache {
    map: HashMap<Key, Answer>,
    order: VecDeque<Key>,
    receipts: HashMap<PollId, Vec<Key>>,
}

/// Room for every delegate of the largest congress to send a few hundred commands.
const CAPACITY: usize = 500_000;

impl Cache {
    pub fn from_log(records: &[Record]) -> Self {
        let mut cache = Cache::default();
        for record in records {
            if let Some(origin) = &record.origin {
                let accepted = Accepted {
                    seq: record.event.seq,
                    receipt: None,
                };
                cache.insert(
                    (origin.principal.clone(), origin.command.clone()),
                    Ok(accepted),
                    None,
                );
            }
        }
        cache
    }

    pub fn get(&self, key: &Key) -> Option<&Answer> {
        self.map.get(key)
    }

    /// Records an answer; a command of several events ends up with its last seq. `poll`
    /// names the poll whose receipt the answer holds.
    pub fn insert(&mut self, key: Key, answer: Answer, poll: Option<PollId>) {
        if let Some(poll) = poll {
            self.receipts.entry(poll).or_default().push(key.clone());
        }
        if self.map.insert(key.clone(), answer).is_none() {
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

    /// The poll ended: its voters' answers keep their seq and lose their receipt.
    pub fn forget_receipts(&mut self, poll: PollId) {
        for key in self.receipts.remove(&poll).unwrap_or_default() {
            if let Some(Ok(accepted)) = self.map.get_mut(&key) {
                accepted.receipt = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_is_forgotten_when_its_poll_ends() {
        let mut cache = Cache::default();
        let key = (Principal::Office, CommandId::try_from("b-1").unwrap());
        let poll = PollId::new_random();
        let answer = Ok(Accepted {
            seq: 7,
            receipt: Some("7K2M9Q4XZD".into()),
        });
        cache.insert(key.clone(), answer.clone(), Some(poll));
        assert_eq!(cache.get(&key), Some(&answer));
        cache.forget_receipts(poll);
        let after = Ok(Accepted {
            seq: 7,
            receipt: None,
        });
        assert_eq!(
            cache.get(&key),
            Some(&after),
            "the seq stays, the receipt goes"
        );
    }
}
