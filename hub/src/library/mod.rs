//! The library (thư viện: văn kiện, nghị quyết, chỉ thị) and the news (tin tức) the office
//! publishes between meetings.
//!
//! A shelf of the library is a standing meeting of the hub, never held: its documents are
//! published, revised, withdrawn and recalled with the meetings' own commands and routes,
//! stored as blobs, checked and watermarked the same way, downloaded through the same
//! code, found by the same search; its announcements are the news. So nothing of the
//! documents' path is forked. What the library adds is only which meetings are shelves
//! and whom each reaches ([`Audience`]), kept in `DATA/library.json`, and the readers'
//! routes (`transport/library.rs`), which let a reader who is not summoned to the shelf
//! read what its audience may: the engine's own rules decide (`engine::documents`), with
//! the reader as a participant the shelf does not name, so a confidential or personnel
//! paper stays with its named readers.

use protocol::MeetingId;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// The file that lists the shelves, in the data directory.
pub const LIBRARY_FILE: &str = "library.json";
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

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    shelves: Vec<Shelf>,
}

/// The library's shelves.
#[derive(Debug)]
pub struct Library {
    path: PathBuf,
    shelves: RwLock<Vec<Shelf>>,
}

/// Why the library's list could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{LIBRARY_FILE}: {0}")]
    Io(#[from] std::io::Error),
    #[error("{LIBRARY_FILE} is not readable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("the library has {MAX_SHELVES} shelves already")]
    Full,
}

impl Library {
    /// Reads `DATA/library.json` (none yet: an empty library).
    pub fn open(data: &Path) -> Result<Library, LibraryError> {
        let path = data.join(LIBRARY_FILE);
        let stored: Stored = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Stored::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Library {
            path,
            shelves: RwLock::new(stored.shelves),
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

    /// Adds a shelf and makes the list durable before it returns.
    pub fn add(&self, shelf: Shelf) -> Result<(), LibraryError> {
        let mut shelves = self.shelves.write().unwrap_or_else(|p| p.into_inner());
        if shelves.len() >= MAX_SHELVES {
            return Err(LibraryError::Full);
        }
        let mut next = shelves.clone();
        next.push(shelf);
        let bytes = serde_json::to_vec_pretty(&Stored {
            shelves: next.clone(),
        })?;
        write_durably(&self.path, &bytes)?;
        *shelves = next;
        Ok(())
    }
}

/// Writes `bytes` to a temporary file, fsyncs it, renames it over `path` and fsyncs the
/// directory: the list is either the old one or the new one after a crash.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("json.tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shelves_survive_a_reopen_and_a_damaged_list_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        assert!(library.shelves().is_empty());
        let shelf = Shelf {
            meeting: MeetingId::new_random(),
            audience: Audience::Everyone,
        };
        library.add(shelf.clone()).unwrap();
        let again = Library::open(dir.path()).unwrap();
        assert_eq!(again.shelves(), vec![shelf.clone()]);
        assert_eq!(again.shelf(shelf.meeting), Some(shelf));
        assert_eq!(again.shelf(MeetingId::new_random()), None);
        std::fs::write(dir.path().join(LIBRARY_FILE), b"{").unwrap();
        assert!(matches!(
            Library::open(dir.path()),
            Err(LibraryError::Corrupt(_))
        ));
    }
}
