//! Documents the office can trust: the digital signatures (chữ ký số) of every uploaded
//! file checked against the trust anchors the office configured, and each reader of a
//! confidential or personnel PDF served a copy with their name drawn across its pages.
//!
//! The checking and drawing are `pdf_trust`'s; this module runs them off the async
//! threads, a few at a time ([`DocumentTrust`] holds a semaphore: CPU and memory stay
//! bounded however many tablets ask at once), keeps the copies (`copies.rs`) and turns the
//! verdict into the wire's (`verdict.rs`).
//!
//! - **On upload** ([`DocumentTrust::check_upload`]): the stored blob is verified (a file
//!   that is not a PDF is "not a PDF: not checked"); a confidential or personnel PDF is
//!   also watermarked once as a trial, and refused if that fails, so the hub never
//!   accepts a restricted PDF it could only serve without the reader's name. What the
//!   bytes are decides (`%PDF-` in the first KiB), not the file's name: a restricted DOCX
//!   is served as it is, unwatermarked, and the desk shows so.
//! - **On download** ([`DocumentTrust::reader_copy`]): the reader's copy, drawn once per
//!   (version, reader) and kept, so its hash is stable.

mod copies;
mod verdict;

pub use copies::Copy;

use crate::config::DocumentSettings;
use copies::Copies;
use pdf_trust::{PdfError, TrustAnchors};
use protocol::{Classification, DocumentFile, Participant, SignatureVerdict, Timestamp};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// The trust anchors, the readers' copies and the bound on the work.
#[derive(Debug)]
pub struct DocumentTrust {
    anchors: Arc<TrustAnchors>,
    copies: Copies,
    work: Semaphore,
}

/// What the hub found in an uploaded file.
#[derive(Clone, Debug)]
pub struct FileCheck {
    pub signatures: SignatureVerdict,
    /// Readers get watermarked copies (a confidential or personnel PDF).
    pub watermarked: bool,
}

/// Why an upload is refused, or a copy cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A confidential or personnel PDF that cannot carry the reader's name.
    #[error(
        "this {class} PDF cannot be watermarked with each reader's name ({reason}); \
         the hub does not hand it out without one: save it again as a plain PDF \
         (no password) and upload that"
    )]
    NotWatermarkable { class: &'static str, reason: String },
    #[error("reading or writing a document: {0}")]
    Io(#[from] std::io::Error),
    #[error("the document check stopped: {0}")]
    Stopped(String),
}

/// Why the trust anchors named in the config cannot be used: the hub does not start.
#[derive(Debug, thiserror::Error)]
pub enum AnchorsError {
    #[error("documents.trust_anchors: cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("documents.trust_anchors: {0}")]
    Refused(#[from] pdf_trust::AnchorError),
    #[error("documents.trust_anchors: {path} holds no .pem, .crt, .cer or .der file")]
    EmptyDirectory { path: PathBuf },
}

impl DocumentTrust {
    /// Loads the configured anchors (each path a certificate file, or a directory whose
    /// `.pem`, `.crt`, `.cer` and `.der` files are read in name order) and opens the
    /// copies' directory under `data`.
    pub fn open(data: &Path, settings: &DocumentSettings) -> anyhow::Result<DocumentTrust> {
        let anchors = load_anchors(&settings.trust_anchors)?;
        if anchors.is_empty() {
            tracing::warn!(
                "no trust anchors configured ([documents] trust_anchors): every signed PDF \
                 will be judged an untrusted chain at best"
            );
        } else {
            tracing::info!(anchors = ?anchors.subjects(), "trust anchors for signed PDFs");
        }
        let workers = std::thread::available_parallelism()
            .map(|n| n.get().div_ceil(2))
            .unwrap_or(1)
            .clamp(1, 4);
        Ok(DocumentTrust {
            anchors: Arc::new(anchors),
            copies: Copies::open(data)?,
            work: Semaphore::new(workers),
        })
    }

    /// The names of the configured anchors, for the desk.
    pub fn anchor_names(&self) -> Vec<String> {
        self.anchors.subjects()
    }

    /// Checks the stored file at `blob`, uploaded as `file` for a document of `class`.
    pub async fn check_upload(
        &self,
        blob: &Path,
        file: &DocumentFile,
        class: Classification,
        now: Timestamp,
    ) -> Result<FileCheck, TrustError> {
        let _permit = self.permit().await?;
        let anchors = self.anchors.clone();
        let blob = blob.to_owned();
        let size = file.size;
        let run = move || -> Result<FileCheck, TrustError> {
            let anchor_count = anchors.len() as u32;
            // A file that is no PDF is not read whole: its first KiB says so.
            if !starts_like_pdf(&blob)? {
                return Ok(FileCheck {
                    signatures: verdict::not_checked(&PdfError::NotPdf, now, anchor_count),
                    watermarked: false,
                });
            }
            let bytes = std::fs::read(&blob)?;
            let started = Instant::now();
            let signatures = match pdf_trust::verify(&bytes, &anchors, time_of(now)) {
                Ok(v) => verdict::from_verdict(&v, now, anchor_count),
                Err(e) => verdict::not_checked(&e, now, anchor_count),
            };
            let verify_ms = started.elapsed().as_millis() as u64;
            // What the bytes are decides, not the name: a restricted file that is no PDF
            // (a DOCX…) is served as it is, and the desk shows it is not watermarked.
            let is_pdf = signatures.status != protocol::VerdictStatus::NotPdf;
            let mut watermarked = false;
            if class.is_restricted() && is_pdf {
                let name = class_words(class);
                let started = Instant::now();
                let trial = watermark_lines("Nguyễn Thị Thu Hương", Some("A-001"), class, now);
                pdf_trust::watermark(&bytes, &trial).map_err(|e| TrustError::NotWatermarkable {
                    class: name,
                    reason: reason(&e),
                })?;
                watermarked = true;
                tracing::info!(
                    size,
                    ms = started.elapsed().as_millis() as u64,
                    "trial watermark of an uploaded document"
                );
            }
            tracing::info!(
                size,
                ms = verify_ms,
                verdict = signatures.status.as_str(),
                "checked the signatures of an uploaded document"
            );
            Ok(FileCheck {
                signatures,
                watermarked,
            })
        };
        tokio::task::spawn_blocking(run)
            .await
            .map_err(|e| TrustError::Stopped(e.to_string()))?
    }

    /// `file`, stored in `blobs`, with what the hub found in it filled in: the verdict on
    /// its signatures and whether readers get watermarked copies. The one way every path
    /// that publishes a file (upload, new version, import, demo) checks it.
    pub async fn check_stored(
        &self,
        blobs: &crate::store::Blobs,
        mut file: DocumentFile,
        class: Classification,
    ) -> Result<DocumentFile, TrustError> {
        let blob = blobs.path(&file.sha256).ok_or_else(|| {
            TrustError::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("blob {} is missing", file.sha256),
            ))
        })?;
        let check = self.check_upload(&blob, &file, class, wall_clock()).await?;
        file.signatures = Some(check.signatures);
        file.watermarked = check.watermarked;
        Ok(file)
    }

    /// `reader`'s copy of the version stored at `blob` (SHA-256 `original`): drawn now
    /// with their name, seat and the time, or the one drawn for them before.
    pub async fn reader_copy(
        &self,
        blob: &Path,
        original: &str,
        reader: &Participant,
        class: Classification,
        now: Timestamp,
    ) -> Result<Copy, TrustError> {
        let key = format!("{}|{}", reader.name, reader.seat.as_deref().unwrap_or(""));
        let path = self.copies.path_of(original, &reader.id.to_string(), &key);
        let lines = watermark_lines(&reader.name, reader.seat.as_deref(), class, now);
        let blob = blob.to_owned();
        let target = path.clone();
        self.copies
            .get_or_make(path, || async move {
                let _permit = self.permit().await?;
                let draw = move || -> Result<Copy, TrustError> {
                    let bytes = std::fs::read(&blob)?;
                    let started = Instant::now();
                    let copy = pdf_trust::watermark(&bytes, &lines).map_err(|e| {
                        TrustError::NotWatermarkable {
                            class: class_words(class),
                            reason: reason(&e),
                        }
                    })?;
                    let drawn_ms = started.elapsed().as_millis() as u64;
                    let copy = copies::write_copy(&target, &copy)?;
                    tracing::info!(
                        size = copy.size,
                        ms = drawn_ms,
                        "drew a reader's watermarked copy"
                    );
                    Ok(copy)
                };
                tokio::task::spawn_blocking(draw)
                    .await
                    .map_err(|e| TrustError::Stopped(e.to_string()))?
            })
            .await
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, TrustError> {
        self.work
            .acquire()
            .await
            .map_err(|e| TrustError::Stopped(e.to_string()))
    }
}

/// The lines drawn across a reader's copy: who it is for, and what and when.
pub fn watermark_lines(
    name: &str,
    seat: Option<&str>,
    class: Classification,
    at: Timestamp,
) -> Vec<String> {
    let who = match seat.filter(|s| !s.is_empty()) {
        Some(seat) => format!("Bản của {name} · ghế {seat}"),
        None => format!("Bản của {name}"),
    };
    let what = match class {
        Classification::Personnel => "Tài liệu nhân sự",
        _ => "Tài liệu mật",
    };
    let when = time_of(at).to_offset(crate::engine::VIETNAM_OFFSET);
    let format = time::macros::format_description!("[hour]:[minute] ngày [day]/[month]/[year]");
    let when = when.format(&format).unwrap_or_default();
    [who, format!("{what} · nhận lúc {when}")]
        .into_iter()
        .map(|line| {
            line.chars()
                .take(pdf_trust::MAX_WATERMARK_LINE_CHARS)
                .collect()
        })
        .collect()
}

/// The time signatures are checked at and copies are drawn with: the machine's, not a
/// meeting's clock (which tests move).
pub fn wall_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(ms)
}

/// Whether `%PDF-` is in the file's first KiB, where `pdf_trust` looks for it too.
fn starts_like_pdf(path: &Path) -> std::io::Result<bool> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(head.windows(5).any(|w| w == b"%PDF-"))
}

fn class_words(class: Classification) -> &'static str {
    match class {
        Classification::Personnel => "personnel (tài liệu nhân sự)",
        _ => "confidential (mật)",
    }
}

fn reason(e: &PdfError) -> String {
    e.to_string()
}

fn time_of(at: Timestamp) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Reads every configured anchor file; a directory contributes its certificate files.
fn load_anchors(paths: &[PathBuf]) -> Result<TrustAnchors, AnchorsError> {
    let mut anchors = TrustAnchors::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| AnchorsError::Read {
            path: path.clone(),
            source,
        })?;
        if !meta.is_dir() {
            anchors.add_file(path)?;
            continue;
        }
        let read = |source| AnchorsError::Read {
            path: path.clone(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(read)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(
                            e.to_ascii_lowercase().as_str(),
                            "pem" | "crt" | "cer" | "der"
                        )
                    })
            })
            .collect();
        if files.is_empty() {
            return Err(AnchorsError::EmptyDirectory { path: path.clone() });
        }
        files.sort();
        for file in files {
            anchors.add_file(&file)?;
        }
    }
    Ok(anchors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watermark_names_the_reader_their_seat_and_viet_nam_time() {
        // 2026-01-01 00:30 UTC is 07:30 in Viet Nam.
        let at = Timestamp(1_767_227_400_000);
        let lines = watermark_lines("Trần Thị Bình", Some("B-07"), Classification::Personnel, at);
        assert_eq!(lines[0], "Bản của Trần Thị Bình · ghế B-07");
        assert_eq!(
            lines[1],
            "Tài liệu nhân sự · nhận lúc 07:30 ngày 01/01/2026"
        );
        let long = "Ð".repeat(300);
        let lines = watermark_lines(&long, None, Classification::Confidential, at);
        assert_eq!(
            lines[0].chars().count(),
            pdf_trust::MAX_WATERMARK_LINE_CHARS
        );
    }

    #[test]
    fn anchors_come_from_files_and_directories_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let err = load_anchors(std::slice::from_ref(&empty))
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty"), "{err}");
        let junk = dir.path().join("junk.pem");
        std::fs::write(
            &junk,
            "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = load_anchors(&[junk]).unwrap_err().to_string();
        assert!(err.contains("junk.pem"), "{err}");
        let missing = load_anchors(&[dir.path().join("nowhere.pem")]).unwrap_err();
        assert!(missing.to_string().contains("nowhere.pem"), "{missing}");
        assert!(load_anchors(&[]).unwrap().is_empty());
    }
}
