//! Private notes, in their own tree, keyed by meeting and author. Never part of a meeting's
//! event log: replay, resume and exports cannot reach them.

use super::{keys, Store, StoreError};
use crate::engine::NoteChange;
use protocol::notes::Note;
use protocol::{MeetingId, NoteId, ParticipantId};

impl Store {
    fn notes_tree(&self) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(keys::NOTES)?)
    }

    /// One of `author`'s notes.
    pub fn note(
        &self,
        meeting: MeetingId,
        author: ParticipantId,
        id: NoteId,
    ) -> Result<Option<Note>, StoreError> {
        let value = self.notes_tree()?.get(keys::note(meeting, author, id))?;
        Ok(value.map(|v| serde_json::from_slice(&v)).transpose()?)
    }

    /// All of `author`'s notes in `meeting`, in note id order.
    pub fn notes(
        &self,
        meeting: MeetingId,
        author: ParticipantId,
    ) -> Result<Vec<Note>, StoreError> {
        self.notes_tree()?
            .scan_prefix(keys::notes_of(meeting, author))
            .map(|kv| {
                let (_, v) = kv?;
                Ok(serde_json::from_slice(&v)?)
            })
            .collect()
    }

    /// Writes note changes in one batch. Not flushed: the caller flushes with the events.
    pub fn apply_notes(
        &self,
        meeting: MeetingId,
        changes: &[NoteChange],
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for change in changes {
            match change {
                NoteChange::Put { owner, note } => batch.insert(
                    &keys::note(meeting, *owner, note.id)[..],
                    serde_json::to_vec(note)?,
                ),
                NoteChange::Delete { owner, note } => {
                    batch.remove(&keys::note(meeting, *owner, *note)[..])
                }
            }
        }
        Ok(self.notes_tree()?.apply_batch(batch)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Timestamp;

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
            store
                .apply_notes(
                    meeting,
                    &[NoteChange::Put {
                        owner: a,
                        note: note.clone(),
                    }],
                )
                .unwrap();
            assert!(store.notes(meeting, b).unwrap().is_empty(), "not another's");
            assert_eq!(store.note(meeting, b, note.id).unwrap(), None);
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.notes(meeting, a).unwrap(), vec![note.clone()]);
        assert!(
            store.replay(meeting).unwrap().is_empty(),
            "no event was written"
        );
        store
            .apply_notes(
                meeting,
                &[NoteChange::Delete {
                    owner: a,
                    note: note.id,
                }],
            )
            .unwrap();
        assert!(store.notes(meeting, a).unwrap().is_empty());
    }
}
