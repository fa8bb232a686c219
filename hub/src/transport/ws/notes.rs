//! Private notes on the socket: a participant's connections receive their own notes, and
//! nobody else's. Notes are not events (see `engine/notes.rs`), so they travel in `notes`
//! frames, apart from the sequence of events.

use super::outbox::Outbox;
use super::session::Ending;
use crate::transport::AppState;
use protocol::{ErrorCode, HubFrame, MeetingId, ParticipantId};

/// All of `me`'s notes, after the snapshot or resume: a resume alone would not bring the
/// changes made on another tablet. Nothing for the office token, which has no notes.
pub(super) async fn send_all(
    state: &AppState,
    out: &Outbox,
    meeting: MeetingId,
    me: Option<ParticipantId>,
) -> Result<(), Ending> {
    let Some(me) = me else {
        return Ok(());
    };
    let notes = state.store.notes(meeting, me).map_err(|e| {
        tracing::error!(error = %e, "reading notes failed");
        Ending::with(ErrorCode::Internal, "the hub could not read your notes")
    })?;
    out.send(&HubFrame::Notes {
        replace: true,
        notes,
        deleted: Vec::new(),
    })
    .await
}

#[cfg(test)]
mod tests {
    use crate::engine::NoteChange;
    use protocol::notes::Note;
    use protocol::{HubFrame, ParticipantId};
    use protocol::{NoteId, Timestamp};

    #[test]
    fn a_change_is_framed_for_its_author_only() {
        let (author, other) = (ParticipantId::new_random(), ParticipantId::new_random());
        let note = Note {
            id: NoteId::new_random(),
            document: "Dự thảo".into(),
            page: None,
            text: "riêng".into(),
            updated_at: Timestamp(1),
        };
        let put = NoteChange::Put {
            owner: author,
            note: note.clone(),
        };
        assert_eq!(put.owner(), author);
        assert_ne!(put.owner(), other);
        let frame = crate::live::note_frame(&put);
        assert_eq!(
            frame,
            HubFrame::Notes {
                replace: false,
                notes: vec![note],
                deleted: vec![]
            }
        );
    }
}
