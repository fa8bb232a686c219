//! Comments on documents, and the rules for private notes.
//!
//! A comment goes to the secretariat: it is an event of the meeting's log, seen by its
//! author, the secretariat and the chair (see `view.rs`).
//!
//! A private note is its author's alone. It is deliberately **not** an event: the log is
//! replayed, resumed, exported and hash-chained for audit, and everything that reads it
//! would have to remember to leave notes out. Notes live in their own store tree, keyed
//! by their author; the state keeps only a [`NoteIndex`] (which notes each author has), so
//! a note command is decided without reading the store, and its outcome is an effect.
//! Because the key is the author, there is no way to name another's note at all; reading
//! another's notes is refused by [`may_read_notes`].

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState, Viewer};
use protocol::notes::{DocumentComment, Note};
use protocol::{Command, DocumentCommentId, Event, EventKind, NoteId, ParticipantId};
use std::collections::{HashMap, HashSet};

/// The longest note, in characters: several pages of handwriting.
const MAX_NOTE_CHARS: usize = 20_000;

/// The comments sent in a meeting, in the order they came.
#[derive(Clone, Debug, Default)]
pub struct Comments {
    pub list: Vec<DocumentComment>,
}

impl Comments {
    pub(super) fn apply(&mut self, event: &Event) {
        if let EventKind::DocumentCommentSent { comment } = &event.event {
            self.list.push(comment.clone());
        }
    }

    /// Gathered by document (then in the order sent) for the secretariat and the chair;
    /// one's own for anyone else.
    pub fn view(&self, viewer: Viewer) -> Vec<DocumentComment> {
        let mut list: Vec<DocumentComment> = match viewer {
            Viewer::Full => self.list.clone(),
            Viewer::Hall { me, .. } => self
                .list
                .iter()
                .filter(|c| Some(c.participant) == me)
                .cloned()
                .collect(),
        };
        list.sort_by(|a, b| a.document.cmp(&b.document));
        list
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::SendDocumentComment {
            document,
            page,
            text,
        } => {
            let participant = match actor {
                Actor::Participant { id, role } if role.is_member() => *id,
                _ => {
                    return Err(EngineError::Forbidden(
                        "only members send comments on documents".into(),
                    ))
                }
            };
            let id = DocumentCommentId(ctx.new_id);
            if state.comments.list.iter().any(|c| c.id == id) {
                return Err(EngineError::Invalid("that comment id is taken".into()));
            }
            Ok(vec![EventKind::DocumentCommentSent {
                comment: DocumentComment {
                    id,
                    participant,
                    document: clean_text("document", document, 200, true)?,
                    page: check_page(*page)?,
                    text: clean_text("comment", text, 4000, true)?,
                    sent_at: ctx.now,
                },
            }])
        }
        _ => Err(EngineError::Invalid(
            "private notes are kept apart from the meeting's log".into(),
        )),
    }
}

/// What a note command does to its author's notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteChange {
    Put { owner: ParticipantId, note: Note },
    Delete { owner: ParticipantId, note: NoteId },
}

impl NoteChange {
    pub fn owner(&self) -> ParticipantId {
        match self {
            NoteChange::Put { owner, .. } | NoteChange::Delete { owner, .. } => *owner,
        }
    }
}

/// Which notes each author has: restored from the store when the meeting is loaded, kept
/// current by the note effects. Ids only, never the text.
#[derive(Clone, Debug, Default)]
pub struct NoteIndex {
    by_owner: HashMap<ParticipantId, HashSet<NoteId>>,
}

impl NoteIndex {
    /// Puts back the notes found in the store.
    pub fn restore(&mut self, notes: impl IntoIterator<Item = (ParticipantId, NoteId)>) {
        for (owner, id) in notes {
            self.by_owner.entry(owner).or_default().insert(id);
        }
    }

    pub fn has(&self, owner: ParticipantId, id: NoteId) -> bool {
        self.by_owner.get(&owner).is_some_and(|n| n.contains(&id))
    }

    pub(super) fn apply(&mut self, change: &NoteChange) {
        match change {
            NoteChange::Put { owner, note } => {
                self.by_owner.entry(*owner).or_default().insert(note.id);
            }
            NoteChange::Delete { owner, note } => {
                if let Some(notes) = self.by_owner.get_mut(owner) {
                    notes.remove(note);
                }
            }
        }
    }
}

/// The author a note command acts for: only a participant keeps notes.
fn note_owner(actor: &Actor) -> Result<ParticipantId, EngineError> {
    match actor {
        Actor::Participant { id, .. } => Ok(*id),
        _ => Err(EngineError::Forbidden(
            "notes belong to a participant; this token has none".into(),
        )),
    }
}

/// Decides a `save_note` or `delete_note` of `actor` against the notes it has.
pub(super) fn decide_note(
    actor: &Actor,
    notes: &NoteIndex,
    command: &Command,
    ctx: &Ctx,
) -> Result<NoteChange, EngineError> {
    let owner = note_owner(actor)?;
    let missing = |id: &NoteId| EngineError::NotFound(format!("you have no note {id}"));
    match command {
        Command::SaveNote {
            note,
            document,
            page,
            text,
        } => {
            let id = match note {
                None => NoteId(ctx.new_id),
                Some(id) if notes.has(owner, *id) => *id,
                Some(id) => return Err(missing(id)),
            };
            Ok(NoteChange::Put {
                owner,
                note: Note {
                    id,
                    document: clean_text("document", document, 200, true)?,
                    page: check_page(*page)?,
                    text: clean_text("note", text, MAX_NOTE_CHARS, false)?,
                    updated_at: ctx.now,
                },
            })
        }
        Command::DeleteNote { note } if notes.has(owner, *note) => {
            Ok(NoteChange::Delete { owner, note: *note })
        }
        Command::DeleteNote { note } => Err(missing(note)),
        _ => Err(EngineError::Invalid("not a note command".into())),
    }
}

/// Whether `actor` may read `owner`'s notes: only `owner` may, not the chair, not the
/// secretariat, not the hub's office token.
pub fn may_read_notes(actor: &Actor, owner: ParticipantId) -> Result<(), EngineError> {
    require(
        matches!(actor, Actor::Participant { id, .. } if *id == owner),
        "private notes are readable by their author only",
    )
}

fn check_page(page: Option<u32>) -> Result<Option<u32>, EngineError> {
    match page {
        Some(0) => Err(EngineError::Invalid("pages are numbered from 1".into())),
        p => Ok(p),
    }
}

#[cfg(test)]
#[path = "notes_tests.rs"]
mod tests;
