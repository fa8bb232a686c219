//! The index in `DATA/search/`: one tantivy document per thing a search can find (a
//! meeting's header, an agenda item, a page of a published document, an item's conclusion,
//! a poll's outcome, an opinion request), each naming its meeting and what it is, so that
//! the query can check access against the meeting's state at query time.
//!
//! A meeting is indexed whole: its entries are deleted by the meeting's term and written
//! again, with a *mark* that says up to which seq of its log the entries are. At start,
//! every meeting whose summary is past its mark (or has none: a new or rebuilt index) is
//! indexed again, so the index follows the log and the blobs even after a crash, a lost
//! directory or a damaged one.

use super::text::{self, VIETNAMESE};
use crate::engine::MeetingState;
use protocol::{DocumentStatus, MeetingId, PollStatus};
use std::path::Path;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, INDEXED, STORED, STRING,
};
use tantivy::{Index, TantivyDocument, Term};

/// What an entry is; the query decides who may see it from this and its meeting's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The meeting's title and venue: whoever may open the meeting.
    Meeting,
    /// An agenda item's title and description: likewise.
    Agenda,
    /// One page of a published document's current version: its readers only.
    Page,
    /// An agenda item's conclusion (kết luận): those who see the record.
    Conclusion,
    /// A poll's outcome: everyone once published, the record's readers once counted.
    Poll,
    /// An opinion request (xin ý kiến): its recipients and the record's readers.
    Opinion,
    /// An announcement (thông báo), a library shelf's news (tin tức): the meeting's all.
    News,
    /// Not a hit: how far the meeting is indexed.
    Mark,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Meeting => "meeting",
            Kind::Agenda => "agenda",
            Kind::Page => "page",
            Kind::Conclusion => "conclusion",
            Kind::Poll => "poll",
            Kind::Opinion => "opinion",
            Kind::News => "news",
            Kind::Mark => "mark",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Meeting,
            Kind::Agenda,
            Kind::Page,
            Kind::Conclusion,
            Kind::Poll,
            Kind::Opinion,
            Kind::News,
            Kind::Mark,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One entry before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub kind: Kind,
    /// The document, agenda item, poll or request it is about.
    pub target: Option<String>,
    /// For a page: the document's version and the page (1 is the first; 0 for a document
    /// whose text could not be read, found by its title only).
    pub version: u32,
    pub page: u32,
    pub title: String,
    pub body: String,
}

impl Unit {
    fn new(kind: Kind, target: Option<String>, title: &str, body: &str) -> Unit {
        Unit {
            kind,
            target,
            version: 0,
            page: 0,
            title: title.to_owned(),
            body: body.to_owned(),
        }
    }
}

/// A published document whose current version's text the indexer reads from its blob.
#[derive(Clone, Debug)]
pub struct ToRead {
    pub document: protocol::DocumentId,
    pub title: String,
    pub version: u32,
    pub sha256: String,
    pub content_type: String,
}

/// Everything of a meeting's state the index holds, but the documents' pages: those are
/// read from the blobs off the meeting's task ([`pages`]).
pub fn units(state: &MeetingState) -> (Vec<Unit>, Vec<ToRead>) {
    let mut units = Vec::new();
    let Some(meeting) = &state.meeting else {
        return (units, Vec::new());
    };
    units.push(Unit::new(
        Kind::Meeting,
        None,
        &meeting.title,
        &meeting.venue,
    ));
    for item in &state.agenda {
        let target = Some(item.id.to_string());
        units.push(Unit::new(
            Kind::Agenda,
            target.clone(),
            &item.title,
            &item.description,
        ));
        if let Some(text) = state
            .minutes
            .conclusions
            .get(&item.id)
            .filter(|t| !t.is_empty())
        {
            units.push(Unit::new(Kind::Conclusion, target, &item.title, text));
        }
    }
    for poll in state.polls.all() {
        let Some(result) = &poll.result else { continue };
        if !matches!(poll.status, PollStatus::Closed | PollStatus::Published) {
            continue;
        }
        let options = poll.poll.kind.options();
        let mut body = String::from(if result.passed {
            "Thông qua"
        } else {
            "Không thông qua"
        });
        for &i in &result.elected {
            if let Some(name) = options.get(i as usize) {
                body.push_str(", trúng cử: ");
                body.push_str(name);
            }
        }
        units.push(Unit::new(
            Kind::Poll,
            Some(poll.poll.id.to_string()),
            &poll.poll.title,
            &body,
        ));
    }
    for request in &state.opinions.requests {
        let r = &request.request;
        let body = std::iter::once(r.description.as_str())
            .chain(r.questions.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n");
        units.push(Unit::new(
            Kind::Opinion,
            Some(r.id.to_string()),
            &r.title,
            &body,
        ));
    }
    for news in &state.info.announcements {
        let target = Some(news.id.to_string());
        units.push(Unit::new(Kind::News, target, &news.title, &news.text));
    }
    let to_read = state
        .documents
        .list
        .iter()
        .filter(|d| d.status == DocumentStatus::Published)
        .filter_map(|d| {
            let v = d.current()?;
            Some(ToRead {
                document: d.id,
                title: d.title.clone(),
                version: v.version,
                sha256: v.file.sha256.clone(),
                content_type: v.file.content_type.clone(),
            })
        })
        .collect();
    (units, to_read)
}

/// The entries of one document: a page each, or one entry with its title alone when its
/// text cannot be read (not a PDF, or a damaged one).
pub fn pages(doc: &ToRead, pages: Option<&[String]>) -> Vec<Unit> {
    let one = |page: u32, body: &str| Unit {
        kind: Kind::Page,
        target: Some(doc.document.to_string()),
        version: doc.version,
        page,
        title: doc.title.clone(),
        body: body.to_owned(),
    };
    match pages {
        Some(pages) if !pages.is_empty() => pages
            .iter()
            .enumerate()
            .map(|(i, text)| one(i as u32 + 1, text))
            .collect(),
        _ => vec![one(0, "")],
    }
}

/// The index's fields.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub meeting: Field,
    pub kind: Field,
    pub target: Field,
    pub version: Field,
    pub page: Field,
    pub title: Field,
    pub body: Field,
    /// For a mark: the seq its meeting is indexed to.
    pub seq: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VIETNAMESE)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        meeting: b.add_text_field("meeting", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        target: b.add_text_field("target", STRING | STORED),
        version: b.add_u64_field("version", STORED),
        page: b.add_u64_field("page", STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        seq: b.add_u64_field("seq", STORED | INDEXED),
    };
    (b.build(), fields)
}

/// Opens the index in `dir`, or makes a new empty one if it is missing, damaged or of
/// another schema. The second value says whether it was made anew.
pub fn open_or_create(dir: &Path) -> tantivy::Result<(Index, Fields, bool)> {
    let (schema, fields) = schema();
    let opened = Index::open_in_dir(dir)
        .ok()
        .filter(|index| index.schema() == schema)
        .filter(|index| index.searchable_segment_metas().is_ok());
    let (index, fresh) = match opened {
        Some(index) => (index, false),
        None => {
            if dir.exists() {
                tracing::warn!(dir = %dir.display(), "the search index is damaged or of another version: rebuilding it from the log and the blobs");
                std::fs::remove_dir_all(dir)?;
            }
            std::fs::create_dir_all(dir)?;
            (Index::create_in_dir(dir, schema)?, true)
        }
    };
    index.tokenizers().register(VIETNAMESE, text::analyzer());
    Ok((index, fields, fresh))
}

/// The tantivy document of `unit` in `meeting`, its text in NFC.
pub fn document(fields: &Fields, meeting: MeetingId, unit: &Unit) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.meeting, meeting.to_string());
    doc.add_text(fields.kind, unit.kind.as_str());
    if let Some(target) = &unit.target {
        doc.add_text(fields.target, target);
    }
    doc.add_u64(fields.version, unit.version.into());
    doc.add_u64(fields.page, unit.page.into());
    doc.add_text(fields.title, text::nfc(&unit.title));
    doc.add_text(fields.body, text::nfc(&unit.body));
    doc
}

/// The mark saying `meeting` is indexed up to `seq`.
pub fn mark(fields: &Fields, meeting: MeetingId, seq: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.meeting, meeting.to_string());
    doc.add_text(fields.kind, Kind::Mark.as_str());
    doc.add_u64(fields.seq, seq);
    doc
}

/// The term that names every entry of `meeting`, to delete them before writing anew.
pub fn meeting_term(fields: &Fields, meeting: MeetingId) -> Term {
    Term::from_field_text(fields.meeting, &meeting.to_string())
}
