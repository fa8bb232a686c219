//! A search: the index's best entries for a query, then only those the caller may see,
//! decided against each meeting's state at query time with the rules of downloads
//! (`engine::documents::may_read`) and of the record's views. An entry the caller may not
//! see gives no hit and no snippet: snippets are drawn after the check.

use super::index::Kind;
use super::{text, Archive, ArchiveError};
use crate::engine::documents::may_read;
use crate::engine::Viewer;
use crate::engine::{Actor, MeetingState};
use protocol::{DocumentStatus, MeetingId, PollStatus};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, TantivyDocument, Term};

/// The longest query taken, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Entries read from the index for one search, before access is checked.
pub const MAX_CANDIDATES: usize = 500;
/// A snippet's length, in characters.
const SNIPPET_CHARS: usize = 200;

/// One entry the index found, before access is checked.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub meeting: MeetingId,
    pub kind: Kind,
    pub target: Option<String>,
    pub version: u32,
    pub page: u32,
    pub title: String,
    body: String,
    pub score: f32,
}

/// A query run against one view of the index: its candidates, and snippets for those
/// the caller may see.
pub struct Search {
    searcher: Searcher,
    title: SnippetGenerator,
    body: SnippetGenerator,
    pub candidates: Vec<Candidate>,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Search({} candidates)", self.candidates.len())
    }
}

/// Why a query was refused.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("write what to search for")]
    Empty,
    #[error("a search is at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

impl Archive {
    /// The best entries for `q` (words without diacritics match words with them), within
    /// `scope` when given (the meetings a caller can open at all).
    pub fn search(&self, q: &str, scope: Option<&[MeetingId]>) -> Result<Search, QueryError> {
        let q = text::nfc(q.trim());
        if q.is_empty() {
            return Err(QueryError::Empty);
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        // A stray quote or colon is searched as words, not refused.
        let (query, _) = parser.parse_query_lenient(&q);
        let query: Box<dyn Query> = match scope {
            None => query,
            Some(meetings) => {
                let any: Vec<(Occur, Box<dyn Query>)> = meetings
                    .iter()
                    .map(|m| {
                        let term = Term::from_field_text(f.meeting, &m.to_string());
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                        (Occur::Should, q)
                    })
                    .collect();
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, query),
                    (Occur::Must, Box::new(BooleanQuery::new(any))),
                ]))
            }
        };
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(MAX_CANDIDATES).order_by_score(),
            )
            .map_err(ArchiveError::from)?;
        let mut candidates = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(ArchiveError::from)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let number = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default() as u32
            };
            let (Ok(meeting), Some(kind)) = (text(f.meeting).parse(), Kind::parse(&text(f.kind)))
            else {
                continue;
            };
            let target = Some(text(f.target)).filter(|t| !t.is_empty());
            candidates.push(Candidate {
                meeting,
                kind,
                target,
                version: number(f.version),
                page: number(f.page),
                title: text(f.title),
                body: text(f.body),
                score,
            });
        }
        let mut title =
            SnippetGenerator::create(&searcher, &*query, f.title).map_err(ArchiveError::from)?;
        let mut body =
            SnippetGenerator::create(&searcher, &*query, f.body).map_err(ArchiveError::from)?;
        title.set_max_num_chars(SNIPPET_CHARS);
        body.set_max_num_chars(SNIPPET_CHARS);
        Ok(Search {
            searcher,
            title,
            body,
            candidates,
        })
    }
}

impl Search {
    /// The snippet of a candidate the caller may see, as HTML: the text escaped, the
    /// words found in `<b>`. From the body, or the title when the body has none of them.
    pub fn snippet_html(&self, candidate: &Candidate) -> String {
        let _ = &self.searcher;
        let body = self.body.snippet(&candidate.body);
        if !body.highlighted().is_empty() {
            return body.to_html();
        }
        let title = self.title.snippet(&candidate.title);
        if !title.highlighted().is_empty() {
            return title.to_html();
        }
        body.to_html()
    }
}

/// Whether `actor`, who may open this meeting, may see `candidate` in it now.
pub fn visible(state: &MeetingState, actor: &Actor, candidate: &Candidate) -> bool {
    let full = Viewer::for_actor(actor) == Viewer::Full;
    let target = candidate.target.as_deref().unwrap_or_default();
    match candidate.kind {
        Kind::Meeting => state.meeting.is_some(),
        Kind::Agenda => state.agenda.iter().any(|i| i.id.to_string() == target),
        Kind::Page => target.parse().ok().is_some_and(|id| {
            state.documents.get(id).is_some_and(|doc| {
                doc.status == DocumentStatus::Published
                    && doc.versions.len() as u32 == candidate.version
                    && may_read(doc, actor)
            })
        }),
        Kind::Conclusion => full,
        Kind::Poll => target.parse().ok().is_some_and(|id| {
            state.polls.get(id).is_some_and(|p| match p.status {
                PollStatus::Published => true,
                PollStatus::Closed => full,
                _ => false,
            })
        }),
        Kind::Opinion => target.parse().ok().is_some_and(|id| {
            state.opinions.get(id).is_some_and(|r| {
                full || matches!(actor, Actor::Participant { id, .. } if r.request.recipients.contains(id))
            })
        }),
        Kind::News => state
            .info
            .announcements
            .iter()
            .any(|a| a.id.to_string() == target),
        Kind::Mark => false,
    }
}
