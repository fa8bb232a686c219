//! `hub verify DOSSIER`: checks a meeting's dossier offline and names the first thing that
//! does not hold, in this order:
//!
//! 1. the manifest's signature, by the key given (`--key signing.pub`) or else the one the
//!    dossier names (which proves only that the dossier is whole, not who made it);
//! 2. each file the manifest lists: present, of its size and SHA-256; a signed file's
//!    detached signature; a secret poll's signed result, the opened sealed box it carries,
//!    checked as `hub verify result.json` checks it (`export::check_sealed`); and nothing
//!    in the archive that the manifest does not list;
//! 3. the event log: seqs 1, 2, 3… with none missing, each record's chain recomputed with
//!    the store's own [`next_chain`] from the first event to the last, and the last seq
//!    and chain equal to the manifest's;
//! 4. the documents: every version the log published is in the dossier, with the bytes
//!    (SHA-256) the log names;
//! 5. the archive itself: its entries written again the one way the hub writes them
//!    ([`Canonical`]) give the very bytes of the file, so a byte altered in the zip's own
//!    headers, which no file's hash covers, is found too.

use super::dossier::{Canonical, Entry, FileKind, Manifest, FORMAT, LOG, MANIFEST, MANIFEST_SIG};
use crate::store::{next_chain, Record, GENESIS};
use protocol::{DocumentId, EventKind};
use ring::digest;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::rc::Rc;

/// The largest manifest, signature or signed file read whole into memory.
const MAX_WHOLE: u64 = 512 * 1024 * 1024;
/// The longest line of the log.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// A dossier that holds.
#[derive(Debug)]
pub struct Verified {
    pub manifest: Manifest,
    /// The key came from the dossier itself, not from the caller.
    pub own_key: bool,
}

/// The first thing that does not hold: which file, and what.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {what}")]
pub struct Failure {
    pub path: String,
    pub what: String,
}

fn fail(path: &str, what: impl Into<String>) -> Failure {
    Failure {
        path: path.to_owned(),
        what: what.into(),
    }
}

type Archive = zip::ZipArchive<File>;

fn read_whole(zip: &mut Archive, path: &str) -> Result<Vec<u8>, Failure> {
    let mut file = zip
        .by_name(path)
        .map_err(|_| fail(path, "missing from the dossier"))?;
    if file.size() > MAX_WHOLE {
        return Err(fail(path, "too large to be what the hub wrote"));
    }
    let mut bytes = Vec::with_capacity(file.size() as usize);
    file.read_to_end(&mut bytes)
        .map_err(|e| fail(path, format!("unreadable: {e}")))?;
    Ok(bytes)
}

/// Checks the dossier at `path`; `key` is the hub's public key in hex, if the caller has it.
pub fn verify(path: &Path, key: Option<&str>) -> Result<Verified, Failure> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| fail(&shown, format!("cannot be opened: {e}")))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| fail(&shown, format!("is not a readable zip archive: {e}")))?;

    // 1. The manifest and its signature.
    let bytes = read_whole(&mut zip, MANIFEST)?;
    let sig = read_whole(&mut zip, MANIFEST_SIG)?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| fail(MANIFEST, format!("is not a dossier manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(fail(
            MANIFEST,
            format!("format {:?}, this hub reads {FORMAT:?}", manifest.format),
        ));
    }
    let own_key = key.is_none();
    let key = key.unwrap_or(&manifest.key).trim().to_owned();
    let signed = |bytes: &[u8], sig: &[u8]| {
        crate::signing::verify(&key, bytes, &String::from_utf8_lossy(sig))
    };
    match signed(&bytes, &sig) {
        Ok(true) => {}
        Ok(false) => {
            return Err(fail(
                MANIFEST,
                format!(
                    "the hub's signature ({MANIFEST_SIG}) does not match: the manifest was \
                     changed after the hub signed it, or another key signed it (key {key})"
                ),
            ))
        }
        Err(why) => return Err(fail(MANIFEST_SIG, format!("cannot be checked: {why}"))),
    }

    // 2. Every listed file, and nothing else.
    let listed: HashSet<&str> = manifest.files.iter().map(|e| e.path.as_str()).collect();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    for name in &names {
        if name != MANIFEST && name != MANIFEST_SIG && !listed.contains(name.as_str()) {
            return Err(fail(name, "is not listed in the signed manifest"));
        }
    }
    let by_path: HashMap<&str, &Entry> = manifest
        .files
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    let mut sigs: HashMap<String, Vec<u8>> = HashMap::new();
    for e in manifest
        .files
        .iter()
        .filter(|e| e.kind == FileKind::Signature)
    {
        sigs.insert(e.path.clone(), Vec::new());
    }
    for entry in &manifest.files {
        let keep = entry.signature.is_some() || entry.kind == FileKind::Signature;
        let (size, sha256, bytes) = if entry.kind == FileKind::Log {
            check_log(&mut zip, &manifest)?
        } else {
            hash(&mut zip, &entry.path, keep)?
        };
        if size != entry.size || sha256 != entry.sha256 {
            return Err(fail(
                &entry.path,
                format!(
                    "its SHA-256 is {sha256} ({size} bytes), the manifest says {} ({} bytes): \
                     the file was altered",
                    entry.sha256, entry.size
                ),
            ));
        }
        if entry.kind == FileKind::Signature {
            sigs.insert(entry.path.clone(), bytes);
        }
    }
    for entry in manifest.files.iter() {
        let Some(sig_path) = &entry.signature else {
            continue;
        };
        let sig = sigs
            .get(sig_path)
            .filter(|_| by_path.contains_key(sig_path.as_str()))
            .ok_or_else(|| {
                fail(
                    &entry.path,
                    format!("its signature {sig_path} is not listed"),
                )
            })?;
        let bytes = read_whole(&mut zip, &entry.path)?;
        match signed(&bytes, sig) {
            Ok(true) => {}
            Ok(false) => {
                return Err(fail(
                    &entry.path,
                    format!("the hub's signature ({sig_path}) does not match this file"),
                ))
            }
            Err(why) => return Err(fail(sig_path, format!("cannot be checked: {why}"))),
        }
        // A secret poll's result carries its opened box: the ballots' proofs, the sum, the
        // committee's shares and the counts must hold, and make the published tallies.
        if entry.kind == FileKind::Result {
            crate::export::check_sealed(&bytes)
                .map_err(|why| fail(&entry.path, format!("its sealed ballot box: {why}")))?;
        }
    }

    // 4. The documents against the log (3, the log itself, was checked with its hash).
    check_documents(&mut zip, &manifest)?;
    // 5. The archive's own bytes.
    check_canonical(&mut zip, path, &shown, &manifest)?;
    Ok(Verified { manifest, own_key })
}

/// Size and SHA-256 of a file, and its bytes when `keep`.
fn hash(zip: &mut Archive, path: &str, keep: bool) -> Result<(u64, String, Vec<u8>), Failure> {
    let mut file = zip
        .by_name(path)
        .map_err(|_| fail(path, "listed in the manifest but missing from the dossier"))?;
    if keep && file.size() > MAX_WHOLE {
        return Err(fail(path, "too large to be what the hub signed"));
    }
    let mut ctx = digest::Context::new(&digest::SHA256);
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| fail(path, format!("unreadable: {e}")))?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
        if keep {
            kept.extend_from_slice(&buf[..n]);
        }
        size += n as u64;
    }
    Ok((size, hex::encode(ctx.finish().as_ref()), kept))
}

/// Hashes the log while it checks the chain, so an altered event is named by its seq.
struct Hashing<R> {
    inner: R,
    ctx: digest::Context,
    size: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.ctx.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

fn check_log(zip: &mut Archive, manifest: &Manifest) -> Result<(u64, String, Vec<u8>), Failure> {
    let file = zip
        .by_name(LOG)
        .map_err(|_| fail(LOG, "listed in the manifest but missing from the dossier"))?;
    let mut reader = BufReader::new(Hashing {
        inner: file,
        ctx: digest::Context::new(&digest::SHA256),
        size: 0,
    });
    let mut prev = GENESIS;
    let mut seq = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| fail(LOG, format!("unreadable: {e}")))?;
        if n == 0 {
            break;
        }
        if line.len() > MAX_LINE {
            return Err(fail(LOG, format!("a line after seq {seq} is far too long")));
        }
        let record: Record = serde_json::from_slice(&line).map_err(|e| {
            fail(
                LOG,
                format!("the line after seq {seq} is not a record of the log: {e}"),
            )
        })?;
        let at = record.event.seq;
        if at != seq + 1 {
            return Err(fail(
                LOG,
                if at > seq + 1 {
                    format!("seq {at} follows seq {seq}: events were removed")
                } else {
                    format!("seq {at} follows seq {seq}: events are out of order")
                },
            ));
        }
        let chain = next_chain(&prev, &record.event, &record.origin)
            .map_err(|e| fail(LOG, format!("seq {at}: {e}")))?;
        if hex::encode(chain) != record.chain {
            return Err(fail(
                LOG,
                format!(
                    "the event at seq {at} does not match its hash chain: the event or the \
                     chain was altered"
                ),
            ));
        }
        prev = chain;
        seq = at;
    }
    if seq != manifest.last_seq || (seq > 0 && hex::encode(prev) != manifest.last_chain) {
        return Err(fail(
            LOG,
            format!(
                "the log ends at seq {seq}, the signed manifest at seq {} (chain {}): events \
                 were removed or added",
                manifest.last_seq, manifest.last_chain
            ),
        ));
    }
    let hashing = reader.into_inner();
    Ok((
        hashing.size,
        hex::encode(hashing.ctx.finish().as_ref()),
        Vec::new(),
    ))
}

/// Every document version the log published is in the dossier with the log's SHA-256.
fn check_documents(zip: &mut Archive, manifest: &Manifest) -> Result<(), Failure> {
    let mut published: HashMap<(DocumentId, u32), (String, String)> = HashMap::new();
    let file = zip
        .by_name(LOG)
        .map_err(|_| fail(LOG, "missing from the dossier"))?;
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| fail(LOG, format!("unreadable: {e}")))?;
        let record: Record =
            serde_json::from_slice(&line).map_err(|e| fail(LOG, format!("unreadable: {e}")))?;
        if let EventKind::DocumentPublished { document } | EventKind::DocumentRevised { document } =
            &record.event.event
        {
            for v in &document.versions {
                published.insert(
                    (document.id, v.version),
                    (v.file.sha256.clone(), document.title.clone()),
                );
            }
        }
    }
    let mut held = HashSet::new();
    for e in manifest
        .files
        .iter()
        .filter(|e| e.kind == FileKind::Document)
    {
        let Some(d) = &e.document else {
            return Err(fail(&e.path, "a document without its id and version"));
        };
        match published.get(&(d.id, d.version)) {
            Some((sha256, _)) if *sha256 == e.sha256 => {
                held.insert((d.id, d.version));
            }
            Some((sha256, title)) => {
                return Err(fail(
                    &e.path,
                    format!(
                        "the log published version {} of '{title}' with SHA-256 {sha256}, \
                         not these bytes",
                        d.version
                    ),
                ))
            }
            None => {
                return Err(fail(
                    &e.path,
                    "the log never published this document version",
                ))
            }
        }
    }
    let mut missing: Vec<_> = published
        .iter()
        .filter(|(k, _)| !held.contains(*k))
        .collect();
    missing.sort_by_key(|((_, v), (_, title))| (title.clone(), *v));
    if let Some(((_, version), (_, title))) = missing.first() {
        return Err(fail(
            MANIFEST,
            format!("version {version} of '{title}', published in the log, is not in the dossier"),
        ));
    }
    Ok(())
}

/// A sink that compares what is written with the file, byte for byte, front to back.
struct Comparing {
    original: BufReader<File>,
    at: Rc<Cell<u64>>,
    differs: Option<u64>,
}

impl Write for Comparing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.differs.is_none() {
            let mut theirs = vec![0u8; buf.len()];
            let mut got = 0;
            while got < buf.len() {
                let n = self.original.read(&mut theirs[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            let first = buf
                .iter()
                .zip(&theirs[..got])
                .position(|(a, b)| a != b)
                .or((got < buf.len()).then_some(got));
            if let Some(i) = first {
                self.differs = Some(self.at.get() + i as u64);
            }
        }
        self.at.set(self.at.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the archive's entries again the hub's one way and compares with the file.
fn check_canonical(
    zip: &mut Archive,
    path: &Path,
    shown: &str,
    manifest: &Manifest,
) -> Result<(), Failure> {
    let unreadable = |e: std::io::Error| fail(shown, format!("unreadable: {e}"));
    let original = File::open(path).map_err(unreadable)?;
    let len = original.metadata().map_err(unreadable)?.len();
    let at = Rc::new(Cell::new(0u64));
    let sink = Comparing {
        original: BufReader::with_capacity(1 << 20, original),
        at: at.clone(),
        differs: None,
    };
    let mut again = Canonical::new(sink, manifest.closed_at);
    let mut starts: Vec<(u64, String)> = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| fail(shown, format!("entry {i} is unreadable: {e}")))?;
        let name = file.name().to_owned();
        starts.push((at.get(), name.clone()));
        again
            .start(&name, file.size())
            .map_err(|e| fail(&name, format!("cannot be written again: {e}")))?;
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| fail(&name, format!("unreadable: {e}")))?;
            if n == 0 {
                break;
            }
            again.write_all(&buf[..n]).map_err(unreadable)?;
        }
    }
    let central = at.get();
    let (size, sink) = again
        .finish_into()
        .map_err(|e| fail(shown, format!("cannot be written again: {e}")))?;
    let differs = sink.differs.or((size != len).then_some(size.min(len)));
    if let Some(off) = differs {
        let place = if off >= central {
            "the zip's central directory".to_owned()
        } else {
            let (_, name) = starts
                .iter()
                .rev()
                .find(|(start, _)| *start <= off)
                .expect("the first entry starts at 0");
            format!("the entry {name}")
        };
        return Err(fail(
            shown,
            format!(
                "byte {off} ({place}) differs from the archive the hub writes for these \
                 files: the archive was altered outside its files"
            ),
        ));
    }
    Ok(())
}
