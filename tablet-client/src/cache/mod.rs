//! The offline document cache: a verified copy of every document the delegate may read,
//! so the tablet still shows the materials when the hall's Wi-Fi fails.
//!
//! A copy is fetched over HTTP(S) with the participant's token (docs/PROTOCOL.md §4.4),
//! written to a partial file named by the version's SHA-256, resumed with `Range` after a
//! drop, hashed, and only then renamed to its final name. A new version has a new hash, so
//! it never resumes from the old one's bytes.
//!
//! The hash a copy must have is the version's, or, for a confidential or personnel PDF
//! that the hub serves watermarked with this reader's name, the hash the download says it
//! sent (`X-Content-SHA256`, with `X-Original-SHA256` naming the version). The final name
//! says which: `<version sha256>.<ext>`, or `<version sha256>.<copy sha256>.<ext>`.
//!
//! A name is a claim, not a proof: a disk can rot and a person can edit a file. So
//! [`DocumentCache::check`] and [`DocumentCache::sync`] hash a kept copy again; one that
//! does not match its name is deleted (never reported held) and fetched again.

use crate::http::{self, HttpClient};
use crate::JoinUrl;
use hyper::header::HeaderValue;
use protocol::{Document, DocumentId, DocumentStatus, MeetingId};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod background;
mod download;
pub use background::{documents_in, spawn_downloader, Fetched};
use download::Fault;

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
    /// TLS refused the hub (see [`crate::ClientError::Untrusted`]): nothing is fetched.
    #[error("refusing the hub at {url}: {reason}")]
    Untrusted { url: String, reason: String },
}

/// What the cache holds of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyState {
    /// The current version, under its final name (verified when it was made; hashed
    /// again by [`DocumentCache::check`]).
    Verified(PathBuf),
    /// Part of the current version, to be resumed.
    Partial {
        bytes: u64,
    },
    /// A kept copy did not hash to its name when checked: it was deleted, to be fetched
    /// again.
    Damaged,
    Missing,
}

/// A verified copy the cache holds: report it to the hub with `report_held`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub document: DocumentId,
    pub version: u32,
    pub path: PathBuf,
    /// The SHA-256 of a watermarked copy (not the version's), to report with it.
    pub copy_sha256: Option<String>,
}

/// A copy under its final name: where, and the hash its bytes must have.
#[derive(Clone, Debug)]
struct Kept {
    path: PathBuf,
    sha256: String,
    copy: Option<String>,
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
        let http = crate::connector::http_client(join.trust()).map_err(|reason| {
            CacheError::Untrusted {
                url: join.base_url().to_string(),
                reason,
            }
        })?;
        std::fs::create_dir_all(dir).map_err(io_at(dir))?;
        Ok(DocumentCache {
            dir: dir.to_owned(),
            base: join.base_url().clone(),
            meeting,
            authorization: http::bearer(join),
            http,
        })
    }

    /// The directory of the cache.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the cache holds of `document`'s current version, by its files' names (see
    /// [`DocumentCache::check`] for a look at their bytes).
    pub fn state(&self, document: &Document) -> CopyState {
        let Some(current) = document.current() else {
            return CopyState::Missing;
        };
        if let Some(kept) = self.kept(document) {
            return CopyState::Verified(kept.path);
        }
        match std::fs::metadata(self.partial_path(document.id, &current.file.sha256)) {
            Ok(m) => CopyState::Partial { bytes: m.len() },
            Err(_) => CopyState::Missing,
        }
    }

    /// Like [`DocumentCache::state`], but a kept copy is hashed again first: one whose
    /// bytes no longer match its name is deleted and reported [`CopyState::Damaged`].
    pub async fn check(&self, document: &Document) -> Result<CopyState, CacheError> {
        if let Some(kept) = self.kept(document) {
            if !self.intact(&kept).await? {
                return Ok(CopyState::Damaged);
            }
        }
        Ok(self.state(document))
    }

    /// The verified copy of `document`'s current version this cache holds, to report
    /// (by name; [`DocumentCache::check`] or [`DocumentCache::sync`] hash it).
    pub fn held(&self, document: &Document) -> Option<Held> {
        let current = document.current()?;
        let kept = self.kept(document)?;
        Some(Held {
            document: document.id,
            version: current.version,
            path: kept.path,
            copy_sha256: kept.copy,
        })
    }

    /// Hashes a kept copy; deletes it if it does not match its name.
    async fn intact(&self, kept: &Kept) -> Result<bool, CacheError> {
        let actual = sha256_of(&kept.path).await.map_err(io_at(&kept.path))?;
        if actual == kept.sha256 {
            return Ok(true);
        }
        remove_file(&kept.path)?;
        Ok(false)
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
        if let Some(kept) = self.kept(document) {
            // Held already, if its bytes still match its name; else fetched again.
            if self.intact(&kept).await? {
                return Ok(None);
            }
        }
        let sha = &current.file.sha256;
        let partial = self.partial_path(document.id, sha);
        let mut mismatches = 0;
        let mut attempt = 0;
        let expected = loop {
            match self.download(document, &partial, progress).await {
                Ok(expected) => {
                    if sha256_of(&partial).await.map_err(io_at(&partial))? == expected.sha256 {
                        break expected;
                    }
                }
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
            // Bytes that do not hash right are never kept, not even to resume from.
            remove_file(&partial)?;
            mismatches += 1;
            if mismatches >= 2 {
                return Err(CacheError::Corrupt(document.id));
            }
        };
        let fin = self.final_path(document, expected.copy.as_deref());
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
            copy_sha256: expected.copy,
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

    /// `DIR/<document>/<sha256>.<ext>` (or `<sha256>.<copy sha256>.<ext>` for a
    /// watermarked copy): the extension so a viewer opens it, the hashes so a name can
    /// only ever hold the bytes it names.
    fn final_path(&self, document: &Document, copy: Option<&str>) -> PathBuf {
        let current = document.current().expect("every document has a version");
        let ext = extension(&current.file.file_name);
        let name = match copy {
            Some(copy) => format!("{}.{copy}{ext}", current.file.sha256),
            None => format!("{}{ext}", current.file.sha256),
        };
        self.doc_dir(document.id).join(name)
    }

    /// The copy of the current version under its final name, if any.
    fn kept(&self, document: &Document) -> Option<Kept> {
        let current = document.current()?;
        let plain = self.final_path(document, None);
        if plain.is_file() {
            return Some(Kept {
                path: plain,
                sha256: current.file.sha256.clone(),
                copy: None,
            });
        }
        let ext = extension(&current.file.file_name);
        let prefix = format!("{}.", current.file.sha256);
        let entries = std::fs::read_dir(self.doc_dir(document.id)).ok()?;
        entries.flatten().find_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let copy = name.strip_prefix(&prefix)?.strip_suffix(ext.as_str())?;
            let is_hash =
                copy.len() == 64 && copy.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            (is_hash && entry.path().is_file()).then(|| Kept {
                path: entry.path(),
                sha256: copy.to_owned(),
                copy: Some(copy.to_owned()),
            })
        })
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
    Ok(hex::encode(context.finish()))
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
