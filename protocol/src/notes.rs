//! A delegate's private notes and the comments they send to the secretariat on documents.
//!
//! Notes are the author's alone: they are not events of the meeting's log, so no snapshot,
//! resume, export or other participant's connection can carry them. The hub keeps them
//! (so they survive a change of tablet) and sends them only to their author, in `notes`
//! frames. Comments are events of the log, seen only by their author, the secretariat and
//! the chair.

use crate::ids::{DocumentCommentId, NoteId, ParticipantId};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// A private note on a document, or on a page of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    /// The document it is about: its id or SHA-256 in the hub's document store, or its
    /// name; at most 200 characters.
    pub document: String,
    #[serde(default)]
    pub page: Option<u32>,
    pub text: String,
    pub updated_at: Timestamp,
}

/// A comment on a document sent to the secretariat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentComment {
    pub id: DocumentCommentId,
    pub participant: ParticipantId,
    /// As in [`Note::document`].
    pub document: String,
    #[serde(default)]
    pub page: Option<u32>,
    pub text: String,
    pub sent_at: Timestamp,
}
