//! Delivery: the reports of the tablets (held, opened, deleted), and who sees which
//! document: the secretariat and the chair see every
//! document with the list of who holds its current version and who does not yet (and, once
//! it is withdrawn or recalled, whose tablet confirmed deleting it); anyone else sees only
//! the published documents they may read, with the reader list cut down to themselves,
//! the gone ones whose deletion they still owe, and only their own delivery reports.

use super::documents::{find, is_sha256, may_read, published, reader_may_read};
use super::{Actor, Decision, EngineError, MeetingState};
use protocol::{
    Command, CopyToDelete, Document, DocumentId, DocumentStatus, EventKind, HeldCopy, ParticipantId,
};

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

/// The withdrawn and recalled documents `me` could read whose deletion their tablet has
/// not confirmed: it confirms each (`report_deleted`) once it holds no copy.
pub(super) fn to_delete(state: &MeetingState, me: Option<ParticipantId>) -> Vec<CopyToDelete> {
    let Some(me) = me else {
        return Vec::new();
    };
    state
        .documents
        .list
        .iter()
        .filter(|d| d.status.is_gone() && reader_may_read(d, me))
        .filter(|d| !state.documents.has_deleted(d.id, me))
        .map(|d| CopyToDelete {
            document: d.id,
            version: d.versions.len() as u32,
            status: d.status,
        })
        .collect()
}

/// Who should hold the document: the named readers of a confidential or personnel one,
/// else every member (chairs and delegates).
fn recipients(state: &MeetingState, doc: &Document) -> Vec<ParticipantId> {
    if doc.classification.is_restricted() {
        return doc.readers.clone();
    }
    state
        .participants
        .iter()
        .filter(|p| p.role.is_member())
        .map(|p| p.id)
        .collect()
}

pub(super) fn delivery(state: &MeetingState, doc: &Document) -> protocol::Delivery {
    let docs = &state.documents;
    let version = doc.versions.len() as u32;
    let (mut held, mut missing) = (Vec::new(), Vec::new());
    let (mut opened, mut copies) = (Vec::new(), Vec::new());
    let (mut deleted, mut unconfirmed) = (Vec::new(), Vec::new());
    let gone = doc.status.is_gone();
    for p in recipients(state, doc) {
        if docs.held_version(doc.id, p) == Some(version) {
            held.push(p);
            if let Some(sha) = docs.held_copy(doc.id, p) {
                copies.push(HeldCopy {
                    participant: p,
                    sha256: sha.to_owned(),
                });
            }
        } else {
            missing.push(p);
        }
        if docs.has_opened(doc.id, p) {
            opened.push(p);
        }
        if gone {
            if docs.has_deleted(doc.id, p) {
                deleted.push(p);
            } else {
                unconfirmed.push(p);
            }
        }
    }
    protocol::Delivery {
        version,
        held,
        missing,
        opened,
        copies,
        gone_at: gone.then(|| docs.gone_at(doc.id)).flatten(),
        deleted,
        unconfirmed,
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
        | EventKind::DocumentOpened { participant, .. }
        | EventKind::DocumentDeleted { participant, .. } => {
            (me == Some(*participant)).then(|| event.clone())
        }
        other => Some(other.clone()),
    }
}

/// The delivery reports of a participant's tablet: it holds the current version
/// (`report_held`, with the hash of a watermarked copy), the delegate opened it
/// (`report_opened`), or it holds no copy of a withdrawn or recalled one
/// (`report_deleted`). Each is recorded once.
pub(super) fn decide_report(state: &MeetingState, actor: &Actor, command: &Command) -> Decision {
    match command {
        Command::ReportHeld {
            document,
            version,
            sha256,
        } => {
            let (participant, doc) = reporter(state, actor, *document)?;
            let current = doc.versions.len() as u32;
            if *version != current {
                return Err(EngineError::InvalidState(format!(
                    "version {version} is not the current one; fetch version {current}"
                )));
            }
            let copy = held_copy(doc, sha256.as_deref())?;
            if state.documents.held_version(doc.id, participant) == Some(current)
                && state.documents.held_copy(doc.id, participant) == copy.as_deref()
            {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::DocumentHeld {
                document: doc.id,
                version: current,
                participant,
                sha256: copy,
            }])
        }
        Command::ReportDeleted { document, version } => {
            let Actor::Participant {
                id: participant, ..
            } = actor
            else {
                return Err(EngineError::Forbidden(
                    "deletion is reported by a participant's tablet".into(),
                ));
            };
            let doc = find(state, *document)?;
            if !may_read(doc, actor) {
                return Err(EngineError::NotFound(
                    "no such document in this meeting".into(),
                ));
            }
            if !doc.status.is_gone() {
                return Err(EngineError::InvalidState(
                    "this document is still published: keep it".into(),
                ));
            }
            if *version == 0 || *version as usize > doc.versions.len() {
                return Err(EngineError::Invalid(format!(
                    "this document has no version {version}"
                )));
            }
            if state.documents.has_deleted(doc.id, *participant) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::DocumentDeleted {
                document: doc.id,
                version: *version,
                participant: *participant,
            }])
        }
        Command::ReportOpened { document } => {
            let (participant, doc) = reporter(state, actor, *document)?;
            if state.documents.has_opened(doc.id, participant) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::DocumentOpened {
                document: doc.id,
                participant,
            }])
        }
        _ => Err(EngineError::Invalid("not a delivery report".into())),
    }
}

/// A delivery report comes from a participant's tablet, about a document they may read.
fn reporter<'a>(
    state: &'a MeetingState,
    actor: &Actor,
    id: DocumentId,
) -> Result<(ParticipantId, &'a Document), EngineError> {
    let Actor::Participant {
        id: participant, ..
    } = actor
    else {
        return Err(EngineError::Forbidden(
            "delivery is reported by a participant's tablet".into(),
        ));
    };
    let doc = find(state, id)?;
    // Someone who may not read it learns nothing more than "not found".
    if !may_read(doc, actor) {
        return Err(EngineError::NotFound(
            "no such document in this meeting".into(),
        ));
    }
    let doc = published(state, id)?;
    Ok((*participant, doc))
}

/// The copy hash to record with a delivery report: `None` for the original's bytes.
fn held_copy(doc: &Document, sha256: Option<&str>) -> Result<Option<String>, EngineError> {
    let Some(sha) = sha256 else {
        return Ok(None);
    };
    let version = doc.current().expect("every document has a version");
    if !is_sha256(sha) {
        return Err(EngineError::Invalid(
            "sha256 must be 64 lower-case hex digits".into(),
        ));
    }
    if sha == version.file.sha256 {
        return Ok(None);
    }
    if !version.file.watermarked {
        return Err(EngineError::Invalid(
            "this copy does not match the version's SHA-256: fetch it again".into(),
        ));
    }
    Ok(Some(sha.to_owned()))
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
