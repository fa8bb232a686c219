//! The offline document cache: a verified copy of every document the delegate may read,
//! so the tablet still shows the materials when the hall's Wi-Fi fails.
//!
//! A copy is fetched over HTTP with the participant's token (docs/PROTOCOL.md §4.4),
//! written to a partial file named by the expected SHA-256, resumed with `Range` after a
//! drop, hashed, and only then renamed to its final name. A file under its final name is
//! therefore always a verified copy of that hash, whatever moment the program was killed
//! at. A new version has a new hash, so it never resumes from the old one's bytes.

use crate::http::{self, HttpClient, STALL};
use crate::JoinUrl;
use http_body_util::{BodyExt, Empty};
use hyper::header::{HeaderValue, AUTHORIZATION, RANGE};
use hyper::StatusCode;
use protocol::{Document, DocumentId, DocumentStatus, MeetingId};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

mod background;
pub use background::{documents_in, spawn_downloader, Fetched};

/// How often a download is resumed after a drop before it is given up (until the next sync).
const ATTEMPTS: u32 = 6;

/// Why a document could not be cached.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The hub no longer accepts this tablet's token: nothing more can be fetched.
    #[error("the hub refused the token (HTTP 401): this badge was revoked or replaced")]
    BadToken,
    /// The hub says this participant may not read it.
    #[error("the hub refused the download of {0} (HTTP 403)")]
    Forbidden(DocumentId),
    /// Withdrawn, recalled or unknown: the copy, if any, was deleted.
    #[error("document {0} is no longer available")]
    Gone(DocumentId),
    /// Twice the bytes did not hash to what the hub announced.
    #[error("document {0}: the download does not match its SHA-256, even fetched again")]
    Corrupt(DocumentId),
    #[error("cannot reach the hub for {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the hub answered HTTP {status} for {url}")]
    Status { url: String, status: u16 },
    #[error("the cache at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the native client fetches documents over http only, not {0}")]
    Scheme(String),
}

/// What the cache holds of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyState {
    /// The current version, verified by its SHA-256.
    Verified(PathBuf),
    /// Part of the current version, to be resumed.
    Partial {
        bytes: u64,
    },
    Missing,
}

/// A verified copy the cache has just made: report it to the hub with `report_held`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub document: DocumentId,
    pub version: u32,
    pub path: PathBuf,
}

/// The cache of one participant of one meeting, in its own directory.
#[derive(Clone, Debug)]
pub struct DocumentCache {
    dir: PathBuf,
    base: url::Url,
    meeting: MeetingId,
    /// `Bearer TOKEN`, marked sensitive so hyper never prints it.
    authorization: HeaderValue,
    http: HttpClient,
}

impl DocumentCache {
    /// Opens (creating) the cache in `dir` for the participant of `join` in `meeting`.
    pub fn open(dir: &Path, join: &JoinUrl, meeting: MeetingId) -> Result<Self, CacheError> {
        if join.base_url().scheme() != "http" {
            return Err(CacheError::Scheme(join.base_url().scheme().to_owned()));
        }
        std::fs::create_dir_all(dir).map_err(io_at(dir))?;
        Ok(DocumentCache {
            dir: dir.to_owned(),
            base: join.base_url().clone(),
            meeting,
            authorization: http::bearer(join),
            http: http::client(),
        })
    }

    /// The directory of the cache.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the cache holds of `document`'s current version.
    pub fn state(&self, document: &Document) -> CopyState {
        let Some(current) = document.current() else {
            return CopyState::Missing;
        };
        let fin = self.final_path(document);
        if fin.is_file() {
            return CopyState::Verified(fin);
        }
        match std::fs::metadata(self.partial_path(document.id, &current.file.sha256)) {
            Ok(m) => CopyState::Partial { bytes: m.len() },
            Err(_) => CopyState::Missing,
        }
    }

    /// Makes the cache hold `document` as it now is: the current version verified if it is
    /// published, nothing if it was withdrawn or recalled. Returns the new copy, if one was
    /// made (`None` when it was there already or was deleted). `progress` is told of every
    /// chunk's length as it arrives: the bytes that crossed the network, so a resumed
    /// download adds up to what was missing, not to the whole file.
    pub async fn sync(
        &self,
        document: &Document,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Option<Held>, CacheError> {
        let Some(current) = document.current() else {
            return Ok(None);
        };
        if document.status != DocumentStatus::Published {
            self.remove(document.id)?;
            return Ok(None);
        }
        let fin = self.final_path(document);
        if fin.is_file() {
            return Ok(None);
        }
        let sha = &current.file.sha256;
        let partial = self.partial_path(document.id, sha);
        let mut mismatches = 0;
        let mut attempt = 0;
        loop {
            match self.download(document, &partial, progress).await {
                Ok(()) => {}
                Err(Fault::Retry(e)) => {
                    attempt += 1;
                    if attempt >= ATTEMPTS {
                        return Err(e);
                    }
                    // Capped backoff; the partial file keeps what arrived.
                    let wait = Duration::from_millis(200 << attempt.min(5));
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Err(Fault::Fatal(e)) => {
                    if matches!(e, CacheError::Gone(_)) {
                        self.remove(document.id)?;
                    }
                    return Err(e);
                }
            }
            if sha256_of(&partial).await.map_err(io_at(&partial))? == *sha {
                break;
            }
            // Bytes that do not hash right are never kept, not even to resume from.
            remove_file(&partial)?;
            mismatches += 1;
            if mismatches >= 2 {
                return Err(CacheError::Corrupt(document.id));
            }
        }
        tokio::fs::rename(&partial, &fin)
            .await
            .map_err(io_at(&fin))?;
        sync_dir(&self.doc_dir(document.id));
        // Older versions and partial files of them go once the new one is verified.
        self.remove_all_but(document.id, &fin)?;
        Ok(Some(Held {
            document: document.id,
            version: current.version,
            path: fin,
        }))
    }

    /// Deletes every copy of `document` (withdrawn, recalled, or no longer readable).
    pub fn remove(&self, document: DocumentId) -> Result<(), CacheError> {
        let dir = self.doc_dir(document);
        match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_at(&dir)(e)),
            _ => Ok(()),
        }
    }

    /// Deletes the copies of every document not in `readable`: what the hub no longer
    /// lists for this participant (recalled while the tablet was off, say).
    pub fn keep_only(&self, readable: &[Document]) -> Result<Vec<DocumentId>, CacheError> {
        let mut removed = Vec::new();
        let entries = std::fs::read_dir(&self.dir).map_err(io_at(&self.dir))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Ok(id) = name.to_string_lossy().parse::<DocumentId>() else {
                continue;
            };
            let published = readable
                .iter()
                .any(|d| d.id == id && d.status == DocumentStatus::Published);
            if !published {
                self.remove(id)?;
                removed.push(id);
            }
        }
        Ok(removed)
    }

    /// One try: fetch what the partial file lacks, appending; the caller verifies.
    async fn download(
        &self,
        document: &Document,
        partial: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), Fault> {
        let current = document.current().expect("checked by the caller");
        tokio::fs::create_dir_all(self.doc_dir(document.id))
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        let have = tokio::fs::metadata(partial).await.map_or(0, |m| m.len());
        if have >= current.file.size && current.file.size > 0 {
            return Ok(());
        }
        // By version number: a version never changes, so a newer one published meanwhile
        // is never appended to this one's bytes.
        let url = self.version_url(document.id, current.version);
        let mut request =
            hyper::Request::get(url.as_str()).header(AUTHORIZATION, self.authorization.clone());
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        let request = request
            .body(Empty::new())
            .expect("a GET with valid headers builds");
        let unreachable = |reason: String| {
            Fault::Retry(CacheError::Unreachable {
                url: url.to_string(),
                reason,
            })
        };
        let response = tokio::time::timeout(STALL, self.http.request(request))
            .await
            .map_err(|_| unreachable("no answer".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let append = match response.status() {
            StatusCode::PARTIAL_CONTENT => true,
            StatusCode::OK => false,
            StatusCode::RANGE_NOT_SATISFIABLE => {
                remove_file(partial).map_err(Fault::Fatal)?;
                return Err(unreachable(
                    "the partial copy was longer than the file".into(),
                ));
            }
            StatusCode::UNAUTHORIZED => return Err(Fault::Fatal(CacheError::BadToken)),
            StatusCode::FORBIDDEN => return Err(Fault::Fatal(CacheError::Forbidden(document.id))),
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                return Err(Fault::Fatal(CacheError::Gone(document.id)))
            }
            status if status.is_server_error() => {
                return Err(Fault::Retry(CacheError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                }))
            }
            status => {
                return Err(Fault::Fatal(CacheError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                }))
            }
        };
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(partial)
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        let mut body = response.into_body();
        loop {
            let frame = match tokio::time::timeout(STALL, body.frame()).await {
                Err(_) => return Err(unreachable("the download stalled".into())),
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    // Keep what arrived: the next try resumes after it.
                    let _ = file.flush().await;
                    return Err(unreachable(e.to_string()));
                }
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(chunk) = frame.into_data() {
                file.write_all(&chunk)
                    .await
                    .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
                progress(chunk.len() as u64);
            }
        }
        file.sync_all()
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        Ok(())
    }

    fn version_url(&self, document: DocumentId, version: u32) -> url::Url {
        self.base
            .join(&format!(
                "api/v1/meetings/{}/documents/{document}/versions/{version}",
                self.meeting
            ))
            .expect("ids make a valid path")
    }

    fn doc_dir(&self, document: DocumentId) -> PathBuf {
        self.dir.join(document.to_string())
    }

    /// `DIR/<document>/<sha256>.<ext>`: the extension so a viewer opens it, the hash so a
    /// name can only ever hold the bytes it names.
    fn final_path(&self, document: &Document) -> PathBuf {
        let current = document.current().expect("every document has a version");
        let ext = extension(&current.file.file_name);
        self.doc_dir(document.id)
            .join(format!("{}{ext}", current.file.sha256))
    }

    fn partial_path(&self, document: DocumentId, sha256: &str) -> PathBuf {
        self.doc_dir(document).join(format!(".{sha256}.part"))
    }

    fn remove_all_but(&self, document: DocumentId, keep: &Path) -> Result<(), CacheError> {
        let dir = self.doc_dir(document);
        for entry in std::fs::read_dir(&dir).map_err(io_at(&dir))?.flatten() {
            if entry.path() != keep {
                remove_file(&entry.path())?;
            }
        }
        Ok(())
    }
}

enum Fault {
    /// The network: try again, resuming.
    Retry(CacheError),
    /// Retrying cannot help.
    Fatal(CacheError),
}

/// `.pdf` from `Dự thảo.pdf`: short, ASCII letters and digits only, else nothing.
fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((_, ext))
            if !ext.is_empty()
                && ext.len() <= 8
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            format!(".{}", ext.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

/// Lower-case hex SHA-256 of a file, read in chunks.
pub async fn sha256_of(path: &Path) -> std::io::Result<String> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        context.update(&buf[..n]);
    }
    Ok(context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_owned(),
        source,
    }
}

fn remove_file(path: &Path) -> Result<(), CacheError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}

/// Makes a rename durable (Unix); elsewhere the rename alone is what we have.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_kept_only_when_plain() {
        assert_eq!(extension("Dự thảo Nghị quyết.PDF"), ".pdf");
        assert_eq!(extension("bang-tinh.xlsx"), ".xlsx");
        assert_eq!(extension("no extension"), "");
        assert_eq!(extension("weird.p/df"), "");
        assert_eq!(extension("tên.tài liệu"), "");
    }

    #[tokio::test]
    async fn a_file_hashes_to_its_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_of(&path).await.unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
