//! Every table and every key the store writes, encoded in one place.
//!
//! Every table maps bytes to bytes, and keys are fixed-width where they can be, so that
//! redb's byte order is the order we want: all of a meeting's events sit together, by
//! sequence number (big-endian, so 2 sorts before 10).
//!
//! | table                | key                                  | value            |
//! |----------------------|--------------------------------------|------------------|
//! | `events`             | meeting id (16) ++ seq (u64 BE)      | JSON `Record`    |
//! | `meetings`           | meeting id (16)                      | JSON `MeetingEntry` |
//! | `summaries`          | meeting id (16)                      | JSON `Summary`   |
//! | `grants`             | token hash (32)                      | JSON `Principal` |
//! | `participant_grants` | meeting id (16) ++ participant id (16) | token hash (32) |
//! | `links`              | `m` ++ meeting id (16) / `l` ++ link text | link text / meeting id |
//! | `kept_tokens`        | meeting id (16) ++ participant id (16) | nonce (12) ++ sealed token |
//! | `notes`              | meeting id (16) ++ author id (16) ++ note id (16) | JSON `Note` |
//! | `ballots`            | meeting id (16) ++ poll id (16) ++ receipt | JSON choices |
//! | `office_log`         | seq (u64 BE)                         | JSON event + chain |
//! | `devices`            | device id (16)                       | JSON `DeviceSecret` |
//! | `enrolments`         | code hash (32)                       | JSON `Enrolment` |
//! | `library_shelves`    | seq (u64 BE)                         | JSON `Shelf`     |

use crate::tokens::TokenHash;
use protocol::{MeetingId, ParticipantId};
use uuid::Uuid;

/// A table of the database, by name: raw bytes to raw bytes (the layouts are this module's).
/// In redb each is a table; in PostgreSQL each is the `tbl` column of `hub_rows`.
pub(super) type Table = &'static str;

/// Table names. Renaming one orphans existing data, so they are fixed here.
pub(super) const EVENTS: Table = "events";
pub(super) const MEETINGS: Table = "meetings";
/// Each meeting's header, status and last seq, written with the batch that changes it.
pub(super) const SUMMARIES: Table = "summaries";
pub(super) const GRANTS: Table = "grants";
pub(super) const PARTICIPANT_GRANTS: Table = "participant_grants";
pub(super) const LINKS: Table = "links";
pub(super) const KEPT_TOKENS: Table = "kept_tokens";
/// Private notes: kept apart from the event log, so nothing that reads the log sees them.
pub(super) const NOTES: Table = "notes";
/// Secret ballots: no voter, no time (see `ballots`).
pub(super) const BALLOTS: Table = "ballots";
/// The office's hash-chained log of its directory (see `office`).
pub(super) const OFFICE_LOG: Table = "office_log";
/// Enrolled devices' token hashes, PIN hashes and wrong-PIN counts.
pub(super) const DEVICES: Table = "devices";
/// Enrolment codes not yet used, by their hash.
pub(super) const ENROLMENTS: Table = "enrolments";
/// The library's shelves, in the order they were made (see `shelves`).
pub(super) const SHELVES: Table = "library_shelves";

/// Every table, created when the database is.
pub(super) const ALL: [Table; 13] = [
    EVENTS,
    MEETINGS,
    SUMMARIES,
    GRANTS,
    PARTICIPANT_GRANTS,
    LINKS,
    KEPT_TOKENS,
    NOTES,
    BALLOTS,
    OFFICE_LOG,
    DEVICES,
    ENROLMENTS,
    SHELVES,
];

/// The seq of an `office_log` or `library_shelves` key; `None` if the key is not 8 bytes.
pub(super) fn seq_of(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

/// Prefix of one author's notes in one meeting.
pub(super) fn notes_of(meeting: MeetingId, author: ParticipantId) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(meeting.as_bytes());
    key[16..].copy_from_slice(author.as_bytes());
    key
}

/// Key of one note.
pub(super) fn note(meeting: MeetingId, author: ParticipantId, note: protocol::NoteId) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(&notes_of(meeting, author));
    key[32..].copy_from_slice(note.as_bytes());
    key
}

/// The author and the note of a `notes` key; `None` if it is not 48 bytes.
pub(super) fn note_from(key: &[u8]) -> Option<(ParticipantId, protocol::NoteId)> {
    let author = Uuid::from_slice(key.get(16..32)?).ok()?;
    let note = Uuid::from_slice(key.get(32..48)?).ok()?;
    (key.len() == 48).then_some((ParticipantId(author), protocol::NoteId(note)))
}

/// Prefix shared by all of a meeting's events: scanning it yields the log in order.
pub(super) fn meeting(meeting: MeetingId) -> [u8; 16] {
    *meeting.as_bytes()
}

/// The first key past every key that starts with `prefix` (redb has ranges, not prefix
/// scans); `None` if no key is past them (a prefix of only 0xff bytes).
pub(super) fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Reads a `meetings` key back; `None` if it is not 16 bytes.
pub(super) fn meeting_from(key: &[u8]) -> Option<MeetingId> {
    Uuid::from_slice(key).ok().map(MeetingId)
}

/// Key of one event in the `events` table.
pub(super) fn event(meeting: MeetingId, seq: u64) -> [u8; 24] {
    let mut key = [0u8; 24];
    key[..16].copy_from_slice(meeting.as_bytes());
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// The sequence number in an `events` key; `None` if the key is not 24 bytes.
pub(super) fn event_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(16..)?.try_into().ok()?;
    (key.len() == 24).then(|| u64::from_be_bytes(tail))
}

/// Key of a grant: the token hash itself.
pub(super) fn grant(hash: &TokenHash) -> [u8; 32] {
    hash.0
}

/// Reads a token hash back from a `participant_grants` value.
pub(super) fn hash_from(bytes: &[u8]) -> Option<TokenHash> {
    bytes.try_into().ok().map(TokenHash)
}

/// Key of a participant's current token in `participant_grants`.
pub(super) fn participant(meeting: MeetingId, participant: ParticipantId) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(meeting.as_bytes());
    key[16..].copy_from_slice(participant.as_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_meeting_then_seq() {
        let m = MeetingId::new_random();
        assert!(event(m, 2) < event(m, 10));
        assert!(event(m, 255) < event(m, 256));
        assert!(event(m, 1).starts_with(&meeting(m)));
        assert_eq!(event_seq(&event(m, 300)), Some(300));
        assert_eq!(event_seq(&event(m, 300)[..20]), None);
        assert_eq!(meeting_from(&meeting(m)), Some(m));
    }

    #[test]
    fn the_end_of_a_prefix_is_past_every_key_with_it() {
        assert_eq!(after_prefix(&[1, 2, 3]), Some(vec![1, 2, 4]));
        assert_eq!(after_prefix(&[1, 0xff, 0xff]), Some(vec![2]));
        assert_eq!(after_prefix(&[0xff, 0xff]), None);
        let m = MeetingId::new_random();
        let end = after_prefix(&meeting(m)).unwrap();
        assert!(event(m, u64::MAX).as_slice() < end.as_slice());
    }
}
