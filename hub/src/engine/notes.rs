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
use super::quotas::{check, Quotas, Tally};
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState, Viewer};
use protocol::notes::{DocumentComment, Note};
use protocol::{Command, DocumentCommentId, Event, EventKind, NoteId, ParticipantId};
use std::collections::{HashMap, HashSet};

/// The longest note, in characters: several pages of handwriting.
const MAX_NOTE_CHARS: usize = 20_000;

/// The comments sent in a meeting, in the order they came, and how much each author sent.
#[derive(Clone, Debug, Default)]
pub struct Comments {
    pub list: Vec<DocumentComment>,
    ids: HashSet<DocumentCommentId>,
    by_author: HashMap<ParticipantId, Tally>,
    total: Tally,
}

/// What a comment counts for against the quotas: its text and the document's name.
fn comment_bytes(comment: &DocumentComment) -> u64 {
    (comment.text.len() + comment.document.len()) as u64
}

impl Comments {
    pub(super) fn apply(&mut self, event: &Event) {
        if let EventKind::DocumentCommentSent { comment } = &event.event {
            let bytes = comment_bytes(comment);
            self.by_author
                .entry(comment.participant)
                .or_default()
                .add(bytes);
            self.total.add(bytes);
            self.ids.insert(comment.id);
            self.list.push(comment.clone());
        }
    }

    /// What `author` has sent, and what the meeting holds.
    pub fn tally(&self, author: ParticipantId) -> (Tally, Tally) {
        (
            self.by_author.get(&author).copied().unwrap_or_default(),
            self.total,
        )
    }

    /// Refuses `comment` if it would take its author or the meeting past a quota.
    fn admit(&self, comment: &DocumentComment, quotas: &Quotas) -> Result<(), EngineError> {
        let (mine, all) = self.tally(comment.participant);
        let bytes = comment_bytes(comment);
        check(
            "comments one participant sends in a meeting",
            mine.count.into(),
            u64::from(mine.count) + 1,
            quotas.comments_per_participant.into(),
            "comments_per_participant",
            false,
        )?;
        check(
            "bytes of comments one participant sends in a meeting",
            mine.bytes,
            mine.bytes + bytes,
            quotas.comment_bytes_per_participant,
            "comment_bytes_per_participant",
            true,
        )?;
        check(
            "bytes of all comments in this meeting",
            all.bytes,
            all.bytes + bytes,
            quotas.comment_bytes_per_meeting,
            "comment_bytes_per_meeting",
            true,
        )
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
            if state.comments.ids.contains(&id) {
                return Err(EngineError::Invalid("that comment id is taken".into()));
            }
            let comment = DocumentComment {
                id,
                participant,
                document: clean_text("document", document, 200, true)?,
                page: check_page(*page)?,
                text: clean_text("comment", text, 4000, true)?,
                sent_at: ctx.now,
            };
            state.comments.admit(&comment, &state.quotas)?;
            Ok(vec![EventKind::DocumentCommentSent { comment }])
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

/// What a note counts for against the quotas (and about what it takes on disk): its text
/// and the document's name.
pub fn note_bytes(note: &Note) -> u64 {
    (note.text.len() + note.document.len()) as u64
}

/// Which notes each author has and their sizes: restored from the store when the meeting
/// is loaded, kept current by the note effects. Ids and sizes only, never the text.
#[derive(Clone, Debug, Default)]
pub struct NoteIndex {
    by_owner: HashMap<ParticipantId, HashMap<NoteId, u64>>,
    owners: HashMap<ParticipantId, Tally>,
    total: Tally,
}

impl NoteIndex {
    /// Puts back the notes found in the store: (author, note, [`note_bytes`]).
    pub fn restore(&mut self, notes: impl IntoIterator<Item = (ParticipantId, NoteId, u64)>) {
        for (owner, id, bytes) in notes {
            self.put(owner, id, bytes);
        }
    }

    pub fn has(&self, owner: ParticipantId, id: NoteId) -> bool {
        self.size(owner, id).is_some()
    }

    fn size(&self, owner: ParticipantId, id: NoteId) -> Option<u64> {
        self.by_owner.get(&owner)?.get(&id).copied()
    }

    /// What `owner` keeps, and what the meeting keeps.
    pub fn tally(&self, owner: ParticipantId) -> (Tally, Tally) {
        (
            self.owners.get(&owner).copied().unwrap_or_default(),
            self.total,
        )
    }

    fn put(&mut self, owner: ParticipantId, id: NoteId, bytes: u64) {
        self.delete(owner, id);
        self.by_owner.entry(owner).or_default().insert(id, bytes);
        self.owners.entry(owner).or_default().add(bytes);
        self.total.add(bytes);
    }

    fn delete(&mut self, owner: ParticipantId, id: NoteId) {
        if let Some(old) = self.by_owner.get_mut(&owner).and_then(|n| n.remove(&id)) {
            self.owners.entry(owner).or_default().remove(old);
            self.total.remove(old);
        }
    }

    pub(super) fn apply(&mut self, change: &NoteChange) {
        match change {
            NoteChange::Put { owner, note } => self.put(*owner, note.id, note_bytes(note)),
            NoteChange::Delete { owner, note } => self.delete(*owner, *note),
        }
    }

    /// Refuses `note` of `owner` (new, or replacing one of the same id) if it would take the
    /// owner or the meeting past a quota. Shrinking a note is always allowed.
    fn admit(&self, owner: ParticipantId, note: &Note, quotas: &Quotas) -> Result<(), EngineError> {
        let (mine, all) = self.tally(owner);
        let old = self.size(owner, note.id);
        let bytes = note_bytes(note);
        let grow = |total: u64| total - old.unwrap_or(0) + bytes;
        if old.is_none() {
            check(
                "notes one participant keeps in a meeting",
                mine.count.into(),
                u64::from(mine.count) + 1,
                quotas.notes_per_participant.into(),
                "notes_per_participant",
                false,
            )?;
        }
        check(
            "bytes of notes one participant keeps in a meeting",
            mine.bytes,
            grow(mine.bytes),
            quotas.note_bytes_per_participant,
            "note_bytes_per_participant",
            true,
        )?;
        check(
            "bytes of all notes kept in this meeting",
            all.bytes,
            grow(all.bytes),
            quotas.note_bytes_per_meeting,
            "note_bytes_per_meeting",
            true,
        )
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
    quotas: &Quotas,
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
            let note = Note {
                id,
                document: clean_text("document", document, 200, true)?,
                page: check_page(*page)?,
                text: clean_text("note", text, MAX_NOTE_CHARS, false)?,
                updated_at: ctx.now,
            };
            notes.admit(owner, &note, quotas)?;
            Ok(NoteChange::Put { owner, note })
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
