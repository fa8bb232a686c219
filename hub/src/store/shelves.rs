//! The library's shelves (see `crate::library`): which meetings are shelves and whom each
//! reaches, one row per shelf in the order they were made. In the store, not in a file of
//! the data directory, so that a standby hub on the same PostgreSQL has them too.

use super::{keys, Store, StoreError};
use crate::library::Shelf;

impl Store {
    /// Every shelf, oldest first.
    pub fn shelves(&self) -> Result<Vec<Shelf>, StoreError> {
        let rows = self.read_rows(|rows| rows.range(keys::SHELVES, &[], None))?;
        rows.iter()
            .map(|(_, value)| Ok(serde_json::from_slice(value)?))
            .collect()
    }

    /// Appends shelves, all or none, durable when it returns.
    pub fn add_shelves(&self, shelves: &[Shelf]) -> Result<(), StoreError> {
        self.write_rows(|rows| {
            let first = match rows.last(keys::SHELVES, &[])? {
                Some((key, _)) => keys::seq_of(&key).unwrap_or(0) + 1,
                None => 1,
            };
            for (seq, shelf) in (first..).zip(shelves) {
                rows.insert(
                    keys::SHELVES,
                    &seq.to_be_bytes(),
                    &serde_json::to_vec(shelf)?,
                )?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::Fixture;
    use crate::library::{Audience, Shelf};
    use protocol::{BodyId, MeetingId};

    /// On both engines: shelves come back in the order they were made, after a reopen (a
    /// standby's open, on PostgreSQL).
    fn shelves_read_back_in_order_after_a_reopen(fixture: &Fixture) {
        let store = fixture.open();
        assert!(store.shelves().unwrap().is_empty());
        let shelf = |audience| Shelf {
            meeting: MeetingId::new_random(),
            audience,
        };
        let a = shelf(Audience::Everyone);
        let b = shelf(Audience::Body {
            body: BodyId::new_random(),
        });
        store.add_shelves(std::slice::from_ref(&a)).unwrap();
        store.add_shelves(std::slice::from_ref(&b)).unwrap();
        drop(store);
        assert_eq!(fixture.open().shelves().unwrap(), vec![a, b]);
    }

    #[test]
    fn embedded() {
        shelves_read_back_in_order_after_a_reopen(&Fixture::embedded());
    }

    #[test]
    fn postgres() {
        shelves_read_back_in_order_after_a_reopen(&Fixture::postgres());
    }
}
