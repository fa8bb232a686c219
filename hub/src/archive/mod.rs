//! The archive: full-text search over the hub's meetings, open and closed (issue 18).
//!
//! The index (`index.rs`, in `DATA/search/`) is a cache of the log and the blobs: the
//! meetings' tasks only say which meeting changed ([`Archive::touched`], a set and a
//! wake-up, never a wait), and the indexer task ([`Archive::run`]) reads the meeting's
//! published state (a closed one's log, without loading it), the documents' text off the
//! async threads (`text.rs`) and writes.
//! Who may see a hit is decided at query time against the meeting's state with the
//! rules of downloads (`query.rs`), so the index holds no access rules that could go
//! stale.

pub mod index;
pub mod query;
pub mod text;

use index::{Fields, Kind, ToRead};
use protocol::{EventKind, MeetingId};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::Notify;

/// The indexer's writer's memory (tantivy's floor is 15 MB per thread).
const WRITER_HEAP: usize = 32 * 1024 * 1024;
/// The documents' page texts kept in memory between two indexings of a meeting.
const TEXT_CACHE: usize = 512;
/// How long the indexer lets changes gather before it indexes: a secretariat publishing
/// ten documents in a row costs one indexing of the meeting, not ten.
const SETTLE: Duration = Duration::from_millis(300);

/// Why the archive could not do something.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
    #[error("the search index task stopped")]
    Stopped,
}

/// The search index and the meetings waiting to be indexed.
pub struct Archive {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// `None` once the indexer stopped: the writer's lock is let go with it.
    writer: Mutex<Option<IndexWriter>>,
    /// Meetings changed since they were last indexed.
    pending: Mutex<BTreeSet<MeetingId>>,
    wake: Notify,
    /// Page texts by the blob's SHA-256 (`None`: no text to read).
    texts: Mutex<HashMap<String, Option<Arc<Vec<String>>>>>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").field("dir", &self.dir).finish()
    }
}

impl Archive {
    /// Opens `DATA/search/`, or makes it anew if it is missing or damaged; [`Archive::run`]
    /// then indexes whatever it lacks.
    pub fn open(data: &Path) -> Result<Archive, ArchiveError> {
        let dir = data.join("search");
        let (index, fields, _) = index::open_or_create(&dir)?;
        let writer = index.writer_with_num_threads(1, WRITER_HEAP)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Archive {
            dir,
            index,
            reader,
            fields,
            writer: Mutex::new(Some(writer)),
            pending: Mutex::default(),
            wake: Notify::new(),
            texts: Mutex::default(),
        })
    }

    /// A meeting's task committed `events`: if any changes what the index holds, the
    /// meeting is queued for the indexer. Never waits.
    pub fn touched(&self, meeting: MeetingId, events: &[protocol::Event]) {
        if events.iter().any(|e| changes_index(&e.event)) {
            self.queue(meeting);
        }
    }

    /// Queues `meeting` to be indexed again.
    pub fn queue(&self, meeting: MeetingId) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(meeting);
        self.wake.notify_one();
    }

    /// Whether meetings are waiting to be indexed (a search may miss their latest changes).
    pub fn is_behind(&self) -> bool {
        !self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    /// The seq each meeting is indexed to.
    pub fn marks(&self) -> Result<HashMap<MeetingId, u64>, ArchiveError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.kind, Kind::Mark.as_str()),
            IndexRecordOption::Basic,
        );
        let mut marks = HashMap::new();
        for address in searcher.search(&query, &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(address)?;
            let meeting = doc
                .get_first(self.fields.meeting)
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok());
            let seq = doc.get_first(self.fields.seq).and_then(|v| v.as_u64());
            if let (Some(meeting), Some(seq)) = (meeting, seq) {
                marks.insert(meeting, seq);
            }
        }
        Ok(marks)
    }

    /// The indexer: first every meeting the index is behind on (all of them for a new
    /// index), then each meeting as its task says it changed, until the hub shuts down.
    pub async fn run(self: Arc<Self>, app: Arc<crate::transport::AppState>) {
        self.follow(&app).await;
        // The writer's lock goes with it, so the data directory can be opened again at once.
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = writer {
            let _ = tokio::task::spawn_blocking(move || writer.wait_merging_threads()).await;
        }
    }

    async fn follow(self: &Arc<Self>, app: &Arc<crate::transport::AppState>) {
        let mut shutdown = app.shutdown.clone();
        match (self.marks(), app.meetings.summaries()) {
            (Ok(marks), Ok(summaries)) => {
                let behind: Vec<MeetingId> = summaries
                    .iter()
                    .filter(|(id, s)| marks.get(id).is_none_or(|&seq| seq < s.seq))
                    .map(|(id, _)| *id)
                    .collect();
                if !behind.is_empty() {
                    tracing::info!(meetings = behind.len(), "indexing meetings for search");
                }
                for id in behind {
                    self.queue(id);
                }
            }
            (Err(e), _) => tracing::error!(error = %e, "reading the search index's marks"),
            (_, Err(e)) => tracing::error!(error = %e, "listing meetings to index"),
        }
        loop {
            if !self.is_behind() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = shutdown.changed() => return,
                }
                tokio::select! {
                    _ = tokio::time::sleep(SETTLE) => {}
                    _ = shutdown.changed() => return,
                }
            }
            if *shutdown.borrow() {
                return;
            }
            // A few meetings per commit, so a rebuild becomes searchable as it goes.
            let batch: Vec<MeetingId> = {
                let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
                let batch: Vec<MeetingId> = pending.iter().take(8).copied().collect();
                for id in &batch {
                    pending.remove(id);
                }
                batch
            };
            for &id in &batch {
                if let Err(e) = self.index_meeting(app, id).await {
                    tracing::error!(meeting = %id, error = %e, "indexing a meeting for search");
                }
            }
            if let Err(e) = self.commit().await {
                tracing::error!(error = %e, "committing the search index");
            }
        }
    }

    /// Writes `meeting`'s entries anew (not yet committed).
    async fn index_meeting(
        self: &Arc<Self>,
        app: &crate::transport::AppState,
        meeting: MeetingId,
    ) -> Result<(), ArchiveError> {
        let store_error = |e: crate::store::StoreError| std::io::Error::other(e.to_string());
        let closed = app
            .store
            .summary(meeting)
            .map_err(store_error)?
            .is_some_and(|s| s.is_closed());
        let (seq, (units, to_read)) = if closed {
            // A closed meeting is read from its log, not loaded: the index must not keep
            // a year of meetings in memory, nor start their tasks (`live::on_demand`).
            let store = app.store.clone();
            tokio::task::spawn_blocking(move || {
                let records = store.replay(meeting).map_err(store_error)?;
                let state =
                    crate::engine::MeetingState::replay(meeting, records.iter().map(|r| &r.event));
                Ok::<_, ArchiveError>((state.seq, index::units(&state)))
            })
            .await
            .map_err(|_| ArchiveError::Stopped)??
        } else {
            let handle = app.meetings.get(meeting).await.map_err(store_error)?;
            let Some(handle) = handle else {
                return Ok(());
            };
            handle.read(|s| (s.seq, index::units(s)))
        };
        let blobs: Vec<Option<PathBuf>> = to_read
            .iter()
            .map(|d| app.store.blobs().path(&d.sha256))
            .collect();
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut docs: Vec<TantivyDocument> = units
                .iter()
                .map(|u| index::document(&this.fields, meeting, u))
                .collect();
            for (doc, blob) in to_read.iter().zip(blobs) {
                let pages = this.pages_of(doc, blob.as_deref());
                for unit in index::pages(doc, pages.as_deref().map(|p| p.as_slice())) {
                    docs.push(index::document(&this.fields, meeting, &unit));
                }
            }
            docs.push(index::mark(&this.fields, meeting, seq));
            let writer = this.writer.lock().unwrap_or_else(|p| p.into_inner());
            let writer = writer.as_ref().ok_or(ArchiveError::Stopped)?;
            writer.delete_term(index::meeting_term(&this.fields, meeting));
            for doc in docs {
                writer.add_document(doc)?;
            }
            Ok::<_, ArchiveError>(())
        })
        .await
        .map_err(|_| ArchiveError::Stopped)?
    }

    /// The page texts of a document's blob, from the cache or read now.
    fn pages_of(&self, doc: &ToRead, blob: Option<&Path>) -> Option<Arc<Vec<String>>> {
        let mut cache = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = cache.get(&doc.sha256) {
            return found.clone();
        }
        drop(cache);
        let pages = match blob {
            Some(path) if doc.content_type == "application/pdf" => match text::pdf_pages(path) {
                Ok(pages) => Some(Arc::new(pages)),
                Err(e) => {
                    tracing::warn!(document = %doc.document, error = %e, "a document's text could not be read; it is found by its title");
                    None
                }
            },
            _ => None,
        };
        cache = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= TEXT_CACHE {
            cache.clear();
        }
        cache.insert(doc.sha256.clone(), pages.clone());
        pages
    }

    /// Makes what was written searchable.
    async fn commit(self: &Arc<Self>) -> Result<(), ArchiveError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut writer = this.writer.lock().unwrap_or_else(|p| p.into_inner());
            writer.as_mut().ok_or(ArchiveError::Stopped)?.commit()?;
            drop(writer);
            this.reader.reload()?;
            Ok::<_, ArchiveError>(())
        })
        .await
        .map_err(|_| ArchiveError::Stopped)?
    }
}

/// Whether an event changes what the index holds of its meeting.
fn changes_index(event: &EventKind) -> bool {
    use EventKind as E;
    matches!(
        event,
        E::MeetingCreated { .. }
            | E::MeetingUpdated { .. }
            | E::MeetingStatusChanged { .. }
            | E::AgendaItemAdded { .. }
            | E::AgendaItemUpdated { .. }
            | E::AgendaItemRemoved { .. }
            | E::DocumentPublished { .. }
            | E::DocumentRevised { .. }
            | E::DocumentWithdrawn { .. }
            | E::DocumentRecalled { .. }
            | E::OpinionRequestCreated { .. }
            | E::OpinionRequestClosed { .. }
            | E::PollClosed { .. }
            | E::PollCounted { .. }
            | E::PollPublished { .. }
            | E::PollCancelled { .. }
            | E::ConclusionSet { .. }
            | E::AnnouncementPosted { .. }
    )
}
