//! Who sees which document, and delivery: the secretariat and the chair see every
//! document with the list of who holds its current version and who does not yet; anyone
//! else sees only the published documents they may read, with the reader list cut down to
//! themselves, and only their own delivery reports.

use super::documents::reader_may_read;
use super::MeetingState;
use protocol::{Classification, Document, DocumentStatus, EventKind, ParticipantId};

/// The documents `viewer` sees in a snapshot: everything with delivery lists for the
/// secretariat and the chair; for anyone else the published documents they may read.
pub(super) fn view(state: &MeetingState, me: Option<Option<ParticipantId>>) -> Vec<Document> {
    let docs = &state.documents;
    match me {
        None => docs
            .list
            .iter()
            .map(|d| Document {
                delivery: Some(delivery(state, d)),
                ..d.clone()
            })
            .collect(),
        Some(me) => docs
            .list
            .iter()
            .filter(|d| d.status == DocumentStatus::Published)
            .filter_map(|d| for_reader(d, me))
            .collect(),
    }
}

/// The document as a participant other than the secretariat and the chair sees it:
/// `None` if they may not read it, else with the reader list cut down to themselves.
pub(super) fn for_reader(doc: &Document, me: Option<ParticipantId>) -> Option<Document> {
    let me = me?;
    if !reader_may_read(doc, me) {
        return None;
    }
    let mut doc = doc.clone();
    doc.readers.retain(|r| *r == me);
    doc.delivery = None;
    Some(doc)
}

/// Who should hold the document: the named readers of a confidential one, else every
/// member (chairs and delegates).
fn recipients(state: &MeetingState, doc: &Document) -> Vec<ParticipantId> {
    match doc.classification {
        Classification::Confidential => doc.readers.clone(),
        _ => state
            .participants
            .iter()
            .filter(|p| p.role.is_member())
            .map(|p| p.id)
            .collect(),
    }
}

fn delivery(state: &MeetingState, doc: &Document) -> protocol::Delivery {
    let version = doc.versions.len() as u32;
    let (mut held, mut missing) = (Vec::new(), Vec::new());
    let mut opened = Vec::new();
    for p in recipients(state, doc) {
        if state.documents.held_version(doc.id, p) == Some(version) {
            held.push(p);
        } else {
            missing.push(p);
        }
        if state.documents.has_opened(doc.id, p) {
            opened.push(p);
        }
    }
    protocol::Delivery {
        version,
        held,
        missing,
        opened,
    }
}

/// A document event as a participant other than the secretariat and the chair sees it:
/// `None` to withhold it. Delivery reports reach only the participant they are about.
pub(super) fn redact_for_reader(event: &EventKind, me: Option<ParticipantId>) -> Option<EventKind> {
    let doc = |d: &Document, f: fn(Document) -> EventKind| for_reader(d, me).map(f);
    match event {
        EventKind::DocumentPublished { document } => doc(document, |document| {
            EventKind::DocumentPublished { document }
        }),
        EventKind::DocumentRevised { document } => {
            doc(document, |document| EventKind::DocumentRevised { document })
        }
        EventKind::DocumentWithdrawn { document } => doc(document, |document| {
            EventKind::DocumentWithdrawn { document }
        }),
        EventKind::DocumentRecalled { document } => doc(document, |document| {
            EventKind::DocumentRecalled { document }
        }),
        EventKind::DocumentHeld { participant, .. }
        | EventKind::DocumentOpened { participant, .. } => {
            (me == Some(*participant)).then(|| event.clone())
        }
        other => Some(other.clone()),
    }
}
