//! The dossier (hồ sơ cuộc họp): one zip archive per closed meeting holding its minutes
//! (PDF and DOCX), the counting reports, every published version of every document (the
//! original bytes), every signed result and opinion summary, and the full event log with
//! its hash chain, all listed with their SHA-256 and size in `manifest.json`, which the
//! hub signs (`manifest.json.sig`). `hub verify DOSSIER` checks it offline ([`super::verify`]).
//!
//! The archive is written to a file under `DATA/tmp` (swept at start), never whole in
//! memory: document bytes stream from the blob store into it, hashed on the way, so a
//! dossier of a large congress costs its size on disk, not in RAM. The work is blocking
//! and runs on tokio's blocking threads; [`Progress`] says how far it got.
//!
//! The archive has one canonical form: every entry stored (PDFs, the DOCX and the document
//! files are compressed already), written front to back with data descriptors (the zip
//! crate's stream writer, no seeking back), each stamped with the close time in Viet Nam.
//! The same entries always give the same bytes, which is how `hub verify` finds a byte
//! altered in the zip's own headers too: it writes the entries again ([`Canonical`]) and
//! compares.

use super::names::stem;
use super::{file_name, papers, sheets, Progress, Snapshot};
use crate::signing::Signer;
use crate::store::Blobs;
use protocol::{DocumentId, MeetingId, PollStatus, Timestamp};
use ring::digest;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::atomic::Ordering;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

/// The manifest's format name; `hub verify` refuses any other.
pub const FORMAT: &str = "meeting_dossier/v1";
/// The signed manifest, at the root of the archive.
pub const MANIFEST: &str = "manifest.json";
/// Its detached signature (128 hex digits and a newline).
pub const MANIFEST_SIG: &str = "manifest.json.sig";
/// The event log, one stored record a line.
pub const LOG: &str = "nhat-ky/nhat-ky-su-kien.jsonl";

/// What the dossier lists: every file with its hash and size, and where the log ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub meeting: MeetingId,
    pub title: String,
    pub closed_at: Option<Timestamp>,
    /// The last event of the log in the dossier, and its chain value (hex).
    pub last_seq: u64,
    pub last_chain: String,
    /// The hub's public key (hex) that signed the manifest and the signed files.
    pub key: String,
    pub files: Vec<Entry>,
}

/// One file of the dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The path of its detached signature by the hub, for signed files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// For a document version: which one, so it can be checked against the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentRef>,
}

/// What a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Readme,
    Key,
    Minutes,
    CountingReport,
    Result,
    Summary,
    Document,
    Log,
    Signature,
}

/// A document version named by a dossier file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub id: DocumentId,
    pub version: u32,
}

/// Why a dossier could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    #[error("{0}")]
    Paper(#[from] papers::PaperError),
    #[error("the stored bytes of document version {0} are missing or do not match their SHA-256")]
    Blob(String),
    #[error("writing the dossier: {0}")]
    Io(#[from] io::Error),
    #[error("writing the dossier: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the dossier: {0}")]
    Json(#[from] serde_json::Error),
}

/// A dossier written.
#[derive(Debug)]
pub struct Built {
    pub manifest: Manifest,
    /// The archive's size in bytes.
    pub size: u64,
}

const README: &str = "\
HỒ SƠ CUỘC HỌP / MEETING DOSSIER

Hồ sơ này do hub phòng họp không giấy lập sau khi bế mạc cuộc họp. manifest.json liệt kê
mọi tệp với SHA-256 và kích thước, điểm cuối của nhật ký sự kiện (seq và chuỗi băm), và
được hub ký (manifest.json.sig, Ed25519; khóa công khai trong signing.pub).

Kiểm tra ngoại tuyến / check offline:
    hub verify ho-so.zip --key signing.pub

(signing.pub: lấy từ hub, GET /api/v1/signing-key, không lấy từ chính hồ sơ.)
hub verify kiểm tra chữ ký của manifest, SHA-256 của từng tệp, chữ ký của từng tệp đã ký
(biên bản, biên bản kiểm phiếu, kết quả, tổng hợp ý kiến) và chuỗi băm của nhật ký từ sự
kiện đầu tiên đến sự kiện cuối cùng; nó nêu tên tệp đầu tiên không khớp.
";

/// Writes the dossier of a closed meeting into `out`.
pub fn build(
    s: &Snapshot,
    blobs: &Blobs,
    signer: &Signer,
    out: &mut File,
    progress: &Progress,
) -> Result<Built, DossierError> {
    let meeting = s
        .state
        .meeting
        .as_ref()
        .ok_or_else(|| papers::PaperError::NotFound("no such meeting".into()))?;
    if !s.closed() {
        return Err(papers::PaperError::NotYet(
            "the meeting is not closed yet: its dossier is made after the close (the minutes \
             are a draft until then)"
                .into(),
        )
        .into());
    }
    let documents: u64 = s
        .state
        .documents
        .list
        .iter()
        .flat_map(|d| &d.versions)
        .map(|v| v.file.size)
        .sum();
    // The documents are most of the bytes; the papers and the log count for the rest.
    progress
        .total
        .store(documents + s.log.len() as u64 * 400 + 1, Ordering::Relaxed);

    let mut w = Writer {
        zip: Canonical::new(
            io::BufWriter::with_capacity(1 << 20, &mut *out),
            s.timeline.closed_at,
        ),
        entries: Vec::new(),
        progress,
    };
    w.bytes("README.txt", FileKind::Readme, README.as_bytes(), None)?;
    w.bytes(
        "signing.pub",
        FileKind::Key,
        format!("{}\n", signer.public_hex()).as_bytes(),
        None,
    )?;

    let minutes = papers::minutes(s)?;
    let title = &meeting.title;
    let pdf = minutes.to_pdf().map_err(papers::PaperError::from)?;
    w.signed(
        &format!("bien-ban/{}", file_name("Biên bản", title, "pdf")),
        FileKind::Minutes,
        &pdf,
        signer,
    )?;
    let docx = minutes.to_docx().map_err(papers::PaperError::from)?;
    w.bytes(
        &format!("bien-ban/{}", file_name("Biên bản", title, "docx")),
        FileKind::Minutes,
        &docx,
        None,
    )?;

    for (n, p) in s.state.polls.all().iter().enumerate() {
        let counted = matches!(p.status, PollStatus::Closed | PollStatus::Published);
        if !counted || p.result.is_none() {
            continue;
        }
        let label = format!("{:02}", n + 1);
        // A published secret poll's result carries its opened box, which the counting
        // report's fingerprint names.
        let json = s
            .result_json(p)
            .map_err(|e| papers::PaperError::NotYet(e.to_string()))?;
        if papers::has_counting_report(p) && p.status == PollStatus::Published {
            let report = papers::counting_report(s, p.poll.id)?;
            let pdf = report.to_pdf().map_err(papers::PaperError::from)?;
            let name = file_name(
                &format!("{label} Biên bản kiểm phiếu"),
                &p.poll.title,
                "pdf",
            );
            w.signed(
                &format!("kiem-phieu/{name}"),
                FileKind::CountingReport,
                &pdf,
                signer,
            )?;
        }
        let csv = sheets::result_csv(&s.state, p)?;
        let base = papers::result_stem(s, p);
        w.signed(
            &format!("ket-qua/{base}.json"),
            FileKind::Result,
            &json,
            signer,
        )?;
        w.signed(
            &format!("ket-qua/{base}.csv"),
            FileKind::Result,
            &csv,
            signer,
        )?;
    }

    for (n, r) in s.state.opinions.requests.iter().enumerate() {
        let Some(summary) = crate::engine::opinion_summary(&s.state, r.request.id) else {
            continue;
        };
        let json = serde_json::to_vec_pretty(&summary)?;
        let csv = sheets::opinion_summary_csv(&summary)?;
        let base = stem(&format!("{:02} Tổng hợp ý kiến", n + 1), &r.request.title);
        w.signed(
            &format!("y-kien/{base}.json"),
            FileKind::Summary,
            &json,
            signer,
        )?;
        w.signed(
            &format!("y-kien/{base}.csv"),
            FileKind::Summary,
            &csv,
            signer,
        )?;
    }

    for (n, d) in s.state.documents.list.iter().enumerate() {
        let folder = stem(&format!("{:02}", n + 1), &d.title);
        for v in &d.versions {
            let path = blobs
                .path(&v.file.sha256)
                .ok_or_else(|| DossierError::Blob(format!("{} of '{}'", v.version, d.title)))?;
            let name = super::names::clean(&v.file.file_name);
            let name = if name.is_empty() {
                "tai-lieu".to_owned()
            } else {
                name
            };
            let entry = format!("tai-lieu/{folder}/v{} - {name}", v.version);
            let (size, sha256) = w.stream(&entry, File::open(path)?, v.file.size)?;
            if sha256 != v.file.sha256 || size != v.file.size {
                return Err(DossierError::Blob(format!(
                    "{} of '{}'",
                    v.version, d.title
                )));
            }
            w.entries.push(Entry {
                path: entry,
                kind: FileKind::Document,
                size,
                sha256,
                signature: None,
                document: Some(DocumentRef {
                    id: d.id,
                    version: v.version,
                }),
            });
        }
    }

    let mut log = Vec::with_capacity(s.log.len() * 300);
    for record in &s.log {
        serde_json::to_writer(&mut log, record)?;
        log.push(b'\n');
    }
    w.bytes(LOG, FileKind::Log, &log, None)?;

    let last = s.log.last();
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        meeting: meeting.id,
        title: meeting.title.clone(),
        closed_at: s.timeline.closed_at,
        last_seq: last.map_or(0, |r| r.event.seq),
        last_chain: last.map_or_else(String::new, |r| r.chain.clone()),
        key: signer.public_hex(),
        files: w.entries.clone(),
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    let sig = format!("{}\n", signer.sign_hex(&bytes));
    w.put(MANIFEST, &bytes)?;
    w.put(MANIFEST_SIG, sig.as_bytes())?;
    let size = w.zip.finish()?;
    progress
        .done
        .store(progress.total.load(Ordering::Relaxed), Ordering::Relaxed);
    Ok(Built { manifest, size })
}

/// The one way the dossier's entries are written, by the build and by `hub verify` when it
/// checks that an archive is exactly what these entries give.
pub(crate) struct Canonical<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    stamp: zip::DateTime,
}

impl<W: Write> Canonical<W> {
    /// A writer whose entries are stamped with `closed_at` (Viet Nam time).
    pub(crate) fn new(out: W, closed_at: Option<Timestamp>) -> Self {
        Canonical {
            zip: ZipWriter::new_stream(out),
            stamp: zip_time(closed_at),
        }
    }

    /// Starts an entry of `size` bytes.
    pub(crate) fn start(&mut self, path: &str, size: u64) -> Result<(), zip::result::ZipError> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(self.stamp)
            .unix_permissions(0o644)
            .large_file(size >= u64::from(u32::MAX));
        self.zip.start_file(path, options)
    }

    /// Writes the central directory; the archive's size and the writer.
    pub(crate) fn finish_into(self) -> Result<(u64, W), DossierError> {
        let mut inner = self.zip.finish()?;
        inner.flush()?;
        let size = std::io::Seek::stream_position(&mut inner)?;
        Ok((size, inner.into_inner()))
    }

    /// Writes the central directory; the archive's size.
    pub(crate) fn finish(self) -> Result<u64, DossierError> {
        self.finish_into().map(|(size, _)| size)
    }
}

impl<W: Write> Write for Canonical<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.zip.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.zip.flush()
    }
}

/// Zip times have no zone: the close in Viet Nam time, so every build of the same log
/// gives the same bytes.
fn zip_time(at: Option<Timestamp>) -> zip::DateTime {
    let local = at.and_then(|at| {
        time::OffsetDateTime::from_unix_timestamp(at.0.div_euclid(1000))
            .ok()
            .map(|t| t.to_offset(crate::engine::VIETNAM_OFFSET))
    });
    local
        .and_then(|t| {
            zip::DateTime::from_date_and_time(
                u16::try_from(t.year()).ok()?,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, bytes).as_ref())
}

struct Writer<'a, W: Write> {
    zip: Canonical<W>,
    entries: Vec<Entry>,
    progress: &'a Progress,
}

impl<W: Write> Writer<'_, W> {
    /// Writes a file that the manifest does not list (the manifest and its signature).
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DossierError> {
        self.zip.start(path, bytes.len() as u64)?;
        self.zip.write_all(bytes)?;
        Ok(())
    }

    /// Writes a file and lists it.
    fn bytes(
        &mut self,
        path: &str,
        kind: FileKind,
        bytes: &[u8],
        signature: Option<String>,
    ) -> Result<(), DossierError> {
        self.zip.start(path, bytes.len() as u64)?;
        self.zip.write_all(bytes)?;
        self.progress
            .done
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.entries.push(Entry {
            path: path.to_owned(),
            kind,
            size: bytes.len() as u64,
            sha256: sha256_hex(bytes),
            signature,
            document: None,
        });
        Ok(())
    }

    /// Writes a file signed by the hub, and its detached signature beside it.
    fn signed(
        &mut self,
        path: &str,
        kind: FileKind,
        bytes: &[u8],
        signer: &Signer,
    ) -> Result<(), DossierError> {
        let sig_path = format!("{path}.sig");
        self.bytes(path, kind, bytes, Some(sig_path.clone()))?;
        let sig = format!("{}\n", signer.sign_hex(bytes));
        self.bytes(&sig_path, FileKind::Signature, sig.as_bytes(), None)
    }

    /// Streams a file into the archive as it is (stored), hashing it on the way; the
    /// caller lists it.
    fn stream(
        &mut self,
        path: &str,
        mut from: impl Read,
        size: u64,
    ) -> Result<(u64, String), DossierError> {
        self.zip.start(path, size)?;
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = from.read(&mut buf)?;
            if n == 0 {
                break;
            }
            ctx.update(&buf[..n]);
            self.zip.write_all(&buf[..n])?;
            total += n as u64;
            self.progress.done.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok((total, hex::encode(ctx.finish().as_ref())))
    }
}
