//! Documents: publishing, new versions, withdrawal and recall (thu hồi), delivery reports
//! (held, opened, deleted), and who may read what. The bytes are not the engine's business:
//! a command names a file the transport has already stored durably by its SHA-256 and
//! checked (signatures, watermark), and the engine keeps what it says.
//!
//! Reading rules, used for snapshots, events and downloads alike:
//! - the secretariat (and the office token) reads everything that is not recalled;
//! - public and internal documents: every participant of the meeting;
//! - confidential and personnel ones (tài liệu nhân sự): the named readers only.
//!
//! A withdrawn or recalled document can be downloaded by nobody.

use super::{clean_text, Actor, Decision, EngineError, MeetingState};
use protocol::{
    Classification, Command, Document, DocumentFile, DocumentId, DocumentStatus, DocumentVersion,
    EventKind, ParticipantId, Role, Timestamp,
};
use std::collections::{HashMap, HashSet};

/// A meeting holds at most this many documents, so a snapshot stays a reasonable size.
const MAX_DOCUMENTS: usize = 1000;
/// Versions of one document.
const MAX_VERSIONS: u32 = 1000;

/// The documents of a meeting and their delivery, folded from the log.
#[derive(Clone, Debug, Default)]
pub struct Documents {
    /// In the order they were first published.
    pub list: Vec<Document>,
    index: HashMap<DocumentId, usize>,
    /// (document, participant) → the latest version their tablet reported holding.
    held: HashMap<(DocumentId, ParticipantId), u32>,
    /// (document, participant) → when they first opened it.
    opened: HashMap<(DocumentId, ParticipantId), Timestamp>,
    /// (document, participant) → the SHA-256 of the watermarked copy their tablet holds.
    copies: HashMap<(DocumentId, ParticipantId), String>,
    /// (document, participant) → when their tablet confirmed it holds no copy.
    deleted: HashMap<(DocumentId, ParticipantId), Timestamp>,
    /// document → when it was withdrawn or recalled.
    gone_at: HashMap<DocumentId, Timestamp>,
}

/// Why a download is refused, each with its own HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No such document or version in this meeting (404).
    NotFound(String),
    /// The caller may not read it (403).
    Forbidden(String),
    /// Withdrawn or recalled: it existed and is gone for good (410).
    Gone(String),
}

impl Documents {
    pub fn get(&self, id: DocumentId) -> Option<&Document> {
        self.index.get(&id).map(|&i| &self.list[i])
    }

    /// Folds one document event.
    pub(super) fn apply(&mut self, at: Timestamp, event: &EventKind) {
        match event {
            EventKind::DocumentPublished { document }
            | EventKind::DocumentRevised { document }
            | EventKind::DocumentWithdrawn { document }
            | EventKind::DocumentRecalled { document } => {
                if document.status.is_gone() {
                    self.gone_at.entry(document.id).or_insert(at);
                }
                match self.index.get(&document.id) {
                    Some(&i) => self.list[i] = document.clone(),
                    None => {
                        self.index.insert(document.id, self.list.len());
                        self.list.push(document.clone());
                    }
                }
            }
            EventKind::DocumentHeld {
                document,
                version,
                participant,
                sha256,
            } => {
                self.held.insert((*document, *participant), *version);
                match sha256 {
                    Some(sha) => self.copies.insert((*document, *participant), sha.clone()),
                    None => self.copies.remove(&(*document, *participant)),
                };
            }
            EventKind::DocumentDeleted {
                document,
                participant,
                ..
            } => {
                self.deleted.entry((*document, *participant)).or_insert(at);
            }
            EventKind::DocumentOpened {
                document,
                participant,
            } => {
                self.opened.entry((*document, *participant)).or_insert(at);
            }
            _ => {}
        }
    }

    /// Whether `participant` has opened the document.
    pub fn has_opened(&self, document: DocumentId, participant: ParticipantId) -> bool {
        self.opened.contains_key(&(document, participant))
    }

    /// The version `participant`'s tablet last reported holding.
    pub fn held_version(&self, document: DocumentId, participant: ParticipantId) -> Option<u32> {
        self.held.get(&(document, participant)).copied()
    }

    /// The SHA-256 of the watermarked copy `participant`'s tablet reported holding.
    pub fn held_copy(&self, document: DocumentId, participant: ParticipantId) -> Option<&str> {
        self.copies
            .get(&(document, participant))
            .map(String::as_str)
    }

    /// Whether `participant`'s tablet confirmed it holds no copy of the document.
    pub fn has_deleted(&self, document: DocumentId, participant: ParticipantId) -> bool {
        self.deleted.contains_key(&(document, participant))
    }

    /// When the document was withdrawn or recalled.
    pub fn gone_at(&self, document: DocumentId) -> Option<Timestamp> {
        self.gone_at.get(&document).copied()
    }
}

/// Whether `actor` may read `doc` at all (its status aside).
pub fn may_read(doc: &Document, actor: &Actor) -> bool {
    match actor {
        Actor::Office | Actor::System => true,
        Actor::Participant { role, .. } if *role == Role::Secretariat => true,
        Actor::Participant { id, .. } => reader_may_read(doc, *id),
    }
}

/// Whether a participant who is not the secretariat may read `doc`.
pub(super) fn reader_may_read(doc: &Document, participant: ParticipantId) -> bool {
    match doc.classification {
        Classification::Public | Classification::Internal => true,
        Classification::Confidential | Classification::Personnel => {
            doc.readers.contains(&participant)
        }
    }
}

/// The version `actor` asks to download (the current one when `version` is `None`), or
/// why not.
pub fn download<'a>(
    state: &'a MeetingState,
    actor: &Actor,
    document: DocumentId,
    version: Option<u32>,
) -> Result<&'a DocumentVersion, Denied> {
    let doc = state
        .documents
        .get(document)
        .ok_or_else(|| Denied::NotFound("no such document in this meeting".into()))?;
    if !may_read(doc, actor) {
        return Err(Denied::Forbidden(format!(
            "this document is {} and you are not named among its readers",
            match doc.classification {
                Classification::Personnel => "a personnel paper (tài liệu nhân sự)",
                _ => "confidential (mật)",
            }
        )));
    }
    file_of(doc, version)
}

/// The version anyone with the meeting's public link may download: public documents only.
pub fn public_download(
    state: &MeetingState,
    document: DocumentId,
    version: Option<u32>,
) -> Result<&DocumentVersion, Denied> {
    // A non-public document is "not found" here: the public link must not even confirm
    // that it exists.
    let doc = state
        .documents
        .get(document)
        .filter(|d| d.classification == Classification::Public)
        .ok_or_else(|| Denied::NotFound("no such public document in this meeting".into()))?;
    file_of(doc, version)
}

/// The published public documents, for the public page.
pub fn public_documents(state: &MeetingState) -> impl Iterator<Item = &Document> {
    state.documents.list.iter().filter(|d| {
        d.classification == Classification::Public && d.status == DocumentStatus::Published
    })
}

fn file_of(doc: &Document, version: Option<u32>) -> Result<&DocumentVersion, Denied> {
    match doc.status {
        DocumentStatus::Published => {}
        DocumentStatus::Withdrawn => {
            return Err(Denied::Gone(
                "this document was withdrawn by the secretariat".into(),
            ))
        }
        DocumentStatus::Recalled => {
            return Err(Denied::Gone(
                "this document was recalled (thu hồi); it can no longer be downloaded".into(),
            ))
        }
    }
    match version {
        None => doc.current(),
        Some(v) => doc.version(v),
    }
    .ok_or_else(|| {
        Denied::NotFound(format!(
            "this document has no version {}; the current one is {}",
            version.unwrap_or(0),
            doc.versions.len()
        ))
    })
}

/// Recalls every published confidential and personnel document: what closing the
/// meeting does.
pub(super) fn recall_all(state: &MeetingState) -> Vec<EventKind> {
    state
        .documents
        .list
        .iter()
        .filter(|d| d.classification.is_restricted() && d.status == DocumentStatus::Published)
        .map(|d| EventKind::DocumentRecalled {
            document: Document {
                status: DocumentStatus::Recalled,
                ..d.clone()
            },
        })
        .collect()
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &super::Ctx,
) -> Decision {
    let secretariat = || {
        super::lifecycle::require(
            actor.is_secretariat(),
            "only the secretariat may publish, withdraw or recall documents",
        )
    };
    match command {
        Command::PublishDocument {
            title,
            classification,
            item,
            readers,
            file,
        } => {
            secretariat()?;
            if state.documents.list.len() >= MAX_DOCUMENTS {
                return Err(EngineError::Invalid(format!(
                    "a meeting holds at most {MAX_DOCUMENTS} documents"
                )));
            }
            if let Some(item) = item {
                if state.item(*item).is_none() {
                    return Err(EngineError::NotFound("no such agenda item".into()));
                }
            }
            let readers = check_readers(state, *classification, readers)?;
            let file = check_file(file)?;
            check_watermark(*classification, &file)?;
            let document = Document {
                id: DocumentId(ctx.new_id),
                title: clean_text("title", title, 500, true)?,
                classification: *classification,
                item: *item,
                readers,
                status: DocumentStatus::Published,
                versions: vec![DocumentVersion {
                    version: 1,
                    file,
                    published_at: ctx.now,
                }],
                delivery: None,
            };
            Ok(vec![EventKind::DocumentPublished { document }])
        }
        Command::ReviseDocument { document, file } => {
            secretariat()?;
            let doc = published(state, *document)?;
            let file = check_file(file)?;
            check_watermark(doc.classification, &file)?;
            let current = doc.versions.len() as u32;
            if doc.current().is_some_and(|v| v.file.same_as(&file)) {
                return Ok(vec![]);
            }
            if current >= MAX_VERSIONS {
                return Err(EngineError::Invalid(
                    "too many versions of one document".into(),
                ));
            }
            let mut revised = doc.clone();
            revised.versions.push(DocumentVersion {
                version: current + 1,
                file,
                published_at: ctx.now,
            });
            Ok(vec![EventKind::DocumentRevised { document: revised }])
        }
        Command::WithdrawDocument { document } => {
            secretariat()?;
            let doc = find(state, *document)?;
            if doc.status != DocumentStatus::Published {
                return Ok(vec![]);
            }
            let document = Document {
                status: DocumentStatus::Withdrawn,
                ..doc.clone()
            };
            Ok(vec![EventKind::DocumentWithdrawn { document }])
        }
        Command::RecallDocuments { document: None } => {
            secretariat()?;
            Ok(recall_all(state))
        }
        Command::RecallDocuments {
            document: Some(document),
        } => {
            secretariat()?;
            let doc = find(state, *document)?;
            if !doc.classification.is_restricted() {
                return Err(EngineError::Invalid(
                    "only confidential and personnel documents are recalled; withdraw this one instead"
                        .into(),
                ));
            }
            if doc.status != DocumentStatus::Published {
                return Ok(vec![]);
            }
            let document = Document {
                status: DocumentStatus::Recalled,
                ..doc.clone()
            };
            Ok(vec![EventKind::DocumentRecalled { document }])
        }
        Command::ReportHeld { .. }
        | Command::ReportOpened { .. }
        | Command::ReportDeleted { .. } => super::delivery::decide_report(state, actor, command),
        _ => Err(EngineError::Invalid("not a document command".into())),
    }
}

pub(super) fn find(state: &MeetingState, id: DocumentId) -> Result<&Document, EngineError> {
    state
        .documents
        .get(id)
        .ok_or_else(|| EngineError::NotFound("no such document in this meeting".into()))
}

pub(super) fn published(state: &MeetingState, id: DocumentId) -> Result<&Document, EngineError> {
    let doc = find(state, id)?;
    if doc.status != DocumentStatus::Published {
        return Err(EngineError::InvalidState(
            "this document was withdrawn or recalled".into(),
        ));
    }
    Ok(doc)
}

pub(super) fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Only confidential and personnel documents are served as watermarked copies.
fn check_watermark(class: Classification, file: &DocumentFile) -> Result<(), EngineError> {
    if file.watermarked && !class.is_restricted() {
        return Err(EngineError::Invalid(
            "only confidential and personnel documents are watermarked".into(),
        ));
    }
    Ok(())
}

fn check_readers(
    state: &MeetingState,
    classification: Classification,
    readers: &[ParticipantId],
) -> Result<Vec<ParticipantId>, EngineError> {
    if !classification.is_restricted() {
        if !readers.is_empty() {
            return Err(EngineError::Invalid(
                "only confidential and personnel documents name their readers; the others reach every participant"
                    .into(),
            ));
        }
        return Ok(Vec::new());
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in readers {
        if state.participant(*r).is_none() {
            return Err(EngineError::NotFound(format!(
                "reader {r} is not a participant of this meeting"
            )));
        }
        if seen.insert(*r) {
            out.push(*r);
        }
    }
    Ok(out)
}

/// The transport cleans names and hashes the bytes; the engine still refuses what could
/// never have come from it, so a replayed or hand-made command cannot smuggle a path.
fn check_file(file: &DocumentFile) -> Result<DocumentFile, EngineError> {
    let bad = |m: &str| Err(EngineError::Invalid(m.into()));
    if !is_sha256(&file.sha256) {
        return bad("sha256 must be 64 lower-case hex digits");
    }
    let name = &file.file_name;
    if name.is_empty()
        || name.chars().count() > 255
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
        || name.starts_with('.')
    {
        return bad("the file name must be a plain name without a path");
    }
    let ct = &file.content_type;
    let shaped = ct.len() <= 127
        && ct.split_once('/').is_some_and(|(a, b)| {
            let token = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c))
            };
            token(a) && token(b)
        });
    if !shaped {
        return bad("the content type must look like type/subtype");
    }
    Ok(file.clone())
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
