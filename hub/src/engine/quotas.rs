//! What one participant, and a whole meeting, may keep of private notes and comments.
//!
//! Notes and comments are the only things a delegate writes that grow without end: each
//! comment is an event every console's snapshot carries, each note a row on disk that
//! comes back whole on every connection. The engine counts them where the state is (the
//! [`Comments`](super::notes::Comments) tally, the [`NoteIndex`](super::NoteIndex) sizes),
//! so the rule holds whichever transport a command came by, and a refusal changes nothing.
//! The numbers come from the hub's config (`[limits]`), not from the log: lowering them
//! refuses new writes and keeps what is there.

use super::EngineError;

/// The limits; the defaults are those of `deploy/hub.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Private notes one participant may keep in a meeting.
    pub notes_per_participant: u32,
    /// Bytes of notes (text and document name) one participant may keep.
    pub note_bytes_per_participant: u64,
    /// Bytes of notes all participants of a meeting may keep together.
    pub note_bytes_per_meeting: u64,
    /// Comments on documents one participant may send in a meeting.
    pub comments_per_participant: u32,
    /// Bytes of comments one participant may send.
    pub comment_bytes_per_participant: u64,
    /// Bytes of comments a meeting holds (every console's snapshot carries them all).
    pub comment_bytes_per_meeting: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            notes_per_participant: 1000,
            note_bytes_per_participant: 2 * 1024 * 1024,
            note_bytes_per_meeting: 256 * 1024 * 1024,
            comments_per_participant: 500,
            comment_bytes_per_participant: 512 * 1024,
            comment_bytes_per_meeting: 16 * 1024 * 1024,
        }
    }
}

/// A count and a size, of one author's notes or comments, or of a meeting's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u32,
    pub bytes: u64,
}

impl Tally {
    pub(super) fn add(&mut self, bytes: u64) {
        self.count = self.count.saturating_add(1);
        self.bytes = self.bytes.saturating_add(bytes);
    }

    pub(super) fn remove(&mut self, bytes: u64) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}

/// Sizes in words a person reads: "2 MiB", "512 KiB", "900 bytes".
pub(crate) fn size_in_words(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Refuses when `after` (what there would be) passes `limit`, naming the limit in words
/// and its config key. A change that does not grow (`after <= before`) is always allowed,
/// so an author over a lowered limit may still shorten or delete.
pub(super) fn check(
    what: &str,
    before: u64,
    after: u64,
    limit: u64,
    key: &str,
    bytes: bool,
) -> Result<(), EngineError> {
    if after <= limit || after <= before {
        return Ok(());
    }
    let limit = if bytes {
        size_in_words(limit)
    } else {
        limit.to_string()
    };
    Err(EngineError::Quota(format!(
        "{what}: at most {limit} (limits.{key}); delete or shorten some first"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_names_its_limit_in_words_and_lets_a_shrink_pass() {
        assert_eq!(size_in_words(2 * 1024 * 1024), "2 MiB");
        assert_eq!(size_in_words(512 * 1024), "512 KiB");
        assert_eq!(size_in_words(1000), "1000 bytes");
        let e = check("your notes", 10, 3_000_000, 2 * 1024 * 1024, "k", true).unwrap_err();
        assert_eq!(e.code(), protocol::ErrorCode::Quota);
        assert!(
            e.to_string()
                .contains("your notes: at most 2 MiB (limits.k)"),
            "{e}"
        );
        assert!(check("your notes", 3_000_000, 2_999_000, 1024, "k", true).is_ok());
        assert!(check("n", 0, 5, 5, "k", false).is_ok());
        assert!(check("n", 5, 6, 5, "k", false).is_err());
    }
}
