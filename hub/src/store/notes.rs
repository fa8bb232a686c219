//! Private notes, in their own table, keyed by meeting and author. Never part of a meeting's
//! event log: replay, resume and exports cannot reach them.

use super::{keys, Store, StoreError};
use crate::engine::NoteChange;
use protocol::notes::Note;
use protocol::{MeetingId, NoteId, ParticipantId};

/// A key of `notes` and its new value; `None` deletes.
pub(super) type Row = (Vec<u8>, Option<Vec<u8>>);

/// Keys and values for `notes`.
pub(super) fn encode(meeting: MeetingId, changes: &[NoteChange]) -> Result<Vec<Row>, StoreError> {
    changes
        .iter()
        .map(|change| {
            Ok(match change {
                NoteChange::Put { owner, note } => (
                    keys::note(meeting, *owner, note.id).to_vec(),
                    Some(serde_json::to_vec(note)?),
                ),
                NoteChange::Delete { owner, note } => {
                    (keys::note(meeting, *owner, *note).to_vec(), None)
                }
            })
        })
        .collect()
}

impl Store {
    /// All of `author`'s notes in `meeting`, in note id order.
    pub fn notes(
        &self,
        meeting: MeetingId,
        author: ParticipantId,
    ) -> Result<Vec<Note>, StoreError> {
        let rows = self.read_rows(|r| r.prefixed(keys::NOTES, &keys::notes_of(meeting, author)))?;
        let mut out = Vec::new();
        for (_, v) in &rows {
            out.push(serde_json::from_slice(v)?);
        }
        Ok(out)
    }

    /// Which notes each author of `meeting` has: the engine's [`crate::engine::NoteIndex`].
    pub fn note_ids(&self, meeting: MeetingId) -> Result<Vec<(ParticipantId, NoteId)>, StoreError> {
        let rows = self.read_rows(|r| r.prefixed(keys::NOTES, &keys::meeting(meeting)))?;
        Ok(rows
            .iter()
            .filter_map(|(key, _)| keys::note_from(key))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Changes;
    use protocol::Timestamp;

    fn write(store: &Store, meeting: MeetingId, notes: Vec<NoteChange>) {
        let changes = Changes {
            notes,
            ..Changes::default()
        };
        store.write(meeting, &changes).unwrap();
    }

    #[test]
    fn notes_are_kept_per_author_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let (meeting, a, b) = (
            MeetingId::new_random(),
            ParticipantId::new_random(),
            ParticipantId::new_random(),
        );
        let note = Note {
            id: NoteId::new_random(),
            document: "Dự thảo Báo cáo chính trị".into(),
            page: Some(12),
            text: "Hỏi lại số liệu".into(),
            updated_at: Timestamp(1),
        };
        {
            let store = Store::open(dir.path()).unwrap();
            let put = NoteChange::Put {
                owner: a,
                note: note.clone(),
            };
            write(&store, meeting, vec![put]);
            assert!(store.notes(meeting, b).unwrap().is_empty(), "not another's");
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.notes(meeting, a).unwrap(), vec![note.clone()]);
        assert_eq!(store.note_ids(meeting).unwrap(), vec![(a, note.id)]);
        assert!(
            store.replay(meeting).unwrap().is_empty(),
            "no event was written"
        );
        let delete = NoteChange::Delete {
            owner: a,
            note: note.id,
        };
        write(&store, meeting, vec![delete]);
        assert!(store.notes(meeting, a).unwrap().is_empty());
        assert!(store.note_ids(meeting).unwrap().is_empty());
    }
}
