//! Keeping the cache in line while the tablet follows the meeting: which documents a frame
//! names, and a downloader task that fetches them one at a time.

use super::{CacheError, DocumentCache, Held};
use protocol::{Document, DocumentId, EventKind, HubFrame};

/// The documents a frame says something about, as they now are: a snapshot's list, or
/// the document of a published / revised / withdrawn / recalled event.
pub fn documents_in(frame: &HubFrame) -> Vec<Document> {
    match frame {
        HubFrame::Snapshot { view, .. } => view.documents.clone(),
        HubFrame::Event(e) => match &e.event {
            EventKind::DocumentPublished { document }
            | EventKind::DocumentRevised { document }
            | EventKind::DocumentWithdrawn { document }
            | EventKind::DocumentRecalled { document } => vec![document.clone()],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// What the background downloader reports: a new verified copy, or why one failed.
pub type Fetched = Result<Held, (DocumentId, CacheError)>;

/// Starts the background downloader: send it every document a frame names (see
/// [`documents_in`]); it brings the cache in line, one document at a time so that a hall
/// of tablets does not all pull at full width, and reports each outcome. It stops when the
/// sender is dropped.
pub fn spawn_downloader(
    cache: DocumentCache,
) -> (
    tokio::sync::mpsc::UnboundedSender<Document>,
    tokio::sync::mpsc::UnboundedReceiver<Fetched>,
) {
    let (todo, mut queue) = tokio::sync::mpsc::unbounded_channel::<Document>();
    let (done, outcomes) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(document) = queue.recv().await {
            let outcome = match cache.sync(&document, &|_| {}).await {
                Ok(Some(held)) => Ok(held),
                Ok(None) => continue,
                Err(e) => Err((document.id, e)),
            };
            if done.send(outcome).is_err() {
                break;
            }
        }
    });
    (todo, outcomes)
}
