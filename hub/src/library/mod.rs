//! The library (thư viện: văn kiện, nghị quyết, chỉ thị) and the news (tin tức) the office
//! publishes between meetings.
//!
//! A shelf of the library is a standing meeting of the hub, never held: its documents are
//! published, revised, withdrawn and recalled with the meetings' own commands and routes,
//! stored as blobs, checked and watermarked the same way, downloaded through the same
//! code, found by the same search; its announcements are the news. So nothing of the
//! documents' path is forked. What the library adds is only which meetings are shelves
//! and whom each reaches ([`Audience`]), kept in the store (a hub before this kept them
//! in `DATA/library.json`: read once into the store), and the readers'
//! routes (`transport/library.rs`), which let a reader who is not summoned to the shelf
//! read what its audience may: the engine's own rules decide (`engine::documents`), with
//! the reader as a participant the shelf does not name, so a confidential or personnel
//! paper stays with its named readers.

use crate::store::{Store, StoreError};
use protocol::MeetingId;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::RwLock;

/// The file an earlier hub listed the shelves in, in the data directory; renamed to
/// [`IMPORTED_FILE`] once its shelves are in the store.
pub const LIBRARY_FILE: &str = "library.json";
pub const IMPORTED_FILE: &str = "library.json.imported";
/// Shelves a hub keeps at most.
pub const MAX_SHELVES: usize = 200;

/// Whom a shelf reaches (besides the office, which reaches every shelf, and the people a
/// shelf summons, who read it as its participants: confidential papers named to them too).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Audience {
    /// Everyone with a token of this hub: every person's tablet and every meeting's badge.
    Everyone,
    /// The members of one body of the office's directory, on their enrolled tablets.
    Body { body: protocol::BodyId },
}

/// One shelf: the meeting that holds its documents and news, and whom it reaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shelf {
    pub meeting: MeetingId,
    pub audience: Audience,
}

/// What `library.json` held.
#[derive(Debug, Default, Deserialize)]
struct Stored {
    shelves: Vec<Shelf>,
}

/// The library's shelves: the store's rows, and a copy in memory for the readers' routes
/// (a standby hub opens its `Library` when it takes the lease, so the copy is current).
#[derive(Debug)]
pub struct Library {
    store: Store,
    shelves: RwLock<Vec<Shelf>>,
}

/// Why the library's list could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{LIBRARY_FILE}: {0}")]
    Io(#[from] std::io::Error),
    #[error("{LIBRARY_FILE} is not readable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("the library's shelves in the store: {0}")]
    Store(#[from] StoreError),
    #[error("the library has {MAX_SHELVES} shelves already")]
    Full,
}

impl Library {
    /// Reads the shelves from the store, after moving those of an earlier hub's
    /// `DATA/library.json` into it (once: the file is renamed after).
    pub fn open(store: Store, data: &Path) -> Result<Library, LibraryError> {
        let legacy = data.join(LIBRARY_FILE);
        match std::fs::read(&legacy) {
            Ok(bytes) => {
                let stored: Stored = serde_json::from_slice(&bytes)?;
                let known = store.shelves()?;
                let new: Vec<Shelf> = stored
                    .shelves
                    .into_iter()
                    .filter(|s| !known.iter().any(|k| k.meeting == s.meeting))
                    .collect();
                store.add_shelves(&new)?;
                std::fs::rename(&legacy, data.join(IMPORTED_FILE))?;
                tracing::info!(
                    shelves = new.len(),
                    "moved the library's shelves from {LIBRARY_FILE} into the store"
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let shelves = store.shelves()?;
        Ok(Library {
            store,
            shelves: RwLock::new(shelves),
        })
    }

    pub fn shelves(&self) -> Vec<Shelf> {
        self.shelves
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The shelf that `meeting` is, if it is one.
    pub fn shelf(&self, meeting: MeetingId) -> Option<Shelf> {
        self.shelves
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|s| s.meeting == meeting)
            .cloned()
    }

    /// Adds a shelf and makes it durable before it returns.
    pub fn add(&self, shelf: Shelf) -> Result<(), LibraryError> {
        let mut shelves = self.shelves.write().unwrap_or_else(|p| p.into_inner());
        if shelves.len() >= MAX_SHELVES {
            return Err(LibraryError::Full);
        }
        self.store.add_shelves(std::slice::from_ref(&shelf))?;
        shelves.push(shelf);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shelf() -> Shelf {
        Shelf {
            meeting: MeetingId::new_random(),
            audience: Audience::Everyone,
        }
    }

    #[test]
    fn shelves_are_kept_in_the_store_in_the_order_they_were_made() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(Store::open(dir.path()).unwrap(), dir.path()).unwrap();
        assert!(library.shelves().is_empty());
        let (a, b) = (shelf(), shelf());
        library.add(a.clone()).unwrap();
        library.add(b.clone()).unwrap();
        drop(library);
        let again = Library::open(Store::open(dir.path()).unwrap(), dir.path()).unwrap();
        assert_eq!(again.shelves(), vec![a.clone(), b]);
        assert_eq!(again.shelf(a.meeting), Some(a));
        assert_eq!(again.shelf(MeetingId::new_random()), None);
        assert!(
            !dir.path().join(LIBRARY_FILE).exists(),
            "no file is written"
        );
    }

    #[test]
    fn an_earlier_hubs_library_json_moves_into_the_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (shelf(), shelf());
        let file = serde_json::json!({ "shelves": [a, b] });
        std::fs::write(dir.path().join(LIBRARY_FILE), file.to_string()).unwrap();
        let library = Library::open(Store::open(dir.path()).unwrap(), dir.path()).unwrap();
        assert_eq!(library.shelves(), vec![a.clone(), b.clone()]);
        drop(library);
        assert!(!dir.path().join(LIBRARY_FILE).exists());
        assert!(dir.path().join(IMPORTED_FILE).exists());
        // The same file again (restored by hand): nothing is listed twice.
        std::fs::write(dir.path().join(LIBRARY_FILE), file.to_string()).unwrap();
        let again = Library::open(Store::open(dir.path()).unwrap(), dir.path()).unwrap();
        assert_eq!(again.shelves(), vec![a, b]);
    }

    #[test]
    fn a_damaged_library_json_is_an_error_and_moves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LIBRARY_FILE), b"{").unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(matches!(
            Library::open(store.clone(), dir.path()),
            Err(LibraryError::Corrupt(_))
        ));
        assert!(store.shelves().unwrap().is_empty());
        assert!(dir.path().join(LIBRARY_FILE).exists());
    }
}
