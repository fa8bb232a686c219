//! The `[[document]]` entries of `meeting.toml`: the meeting's materials, imported with it.
//!
//! ```toml
//! [[document]]
//! title = "Dự thảo Báo cáo chính trị"
//! file = "tai-lieu/bao-cao-chinh-tri.pdf"   # inside the package directory
//! classification = "internal"                # public, internal, confidential, personnel
//!                                            # (công khai, nội bộ, mật, nhân sự)
//! item = 3                                   # optional: the agenda item's number, from 1
//! readers = ["A-001", "Lê Minh Tuấn"]        # confidential and personnel only: seats or names
//! ```
//!
//! Personnel papers (tài liệu nhân sự) are, like confidential ones, read by the named
//! readers only, never on the public page, recalled at the close, and served to each
//! reader watermarked with their name; a personnel or confidential PDF that cannot be
//! watermarked stops the import.
//!
//! Everything is checked before the import writes anything: the file must exist inside the
//! package (no absolute paths, no `..`), the item must exist, and every reader must be one
//! participant of `participants.csv`.

use super::{ImportError, NewParticipant};
use protocol::Classification;
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

/// A document of the package, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageDocument {
    pub title: String,
    pub classification: Classification,
    /// The file, inside the package directory.
    pub path: PathBuf,
    /// Its name as it will be shown and downloaded.
    pub file_name: String,
    /// Index into the package's agenda.
    pub item: Option<usize>,
    /// Indexes into the package's participants.
    pub readers: Vec<usize>,
}

#[derive(Deserialize)]
struct DocumentsOnly {
    #[serde(default)]
    document: Vec<DocumentEntry>,
}

/// One `[[document]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentEntry {
    title: toml::Spanned<String>,
    file: toml::Spanned<String>,
    classification: toml::Spanned<String>,
    #[serde(default)]
    item: Option<toml::Spanned<i64>>,
    #[serde(default)]
    readers: Option<toml::Spanned<Vec<String>>>,
}

/// Reads and checks the documents of `meeting.toml` (at `path`, text `text`) in `dir`.
pub(super) fn parse_documents(
    path: &Path,
    text: &str,
    dir: &Path,
    agenda_len: usize,
    participants: &[NewParticipant],
) -> Result<Vec<PackageDocument>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: DocumentsOnly = toml::from_str(text).map_err(|e| ImportError::Toml {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    let invalid = |span: std::ops::Range<usize>, message: String| ImportError::Invalid {
        path: path.to_owned(),
        line: super::line_at(text, span.start),
        message,
    };
    let mut out = Vec::with_capacity(file.document.len());
    for entry in &file.document {
        let title = super::clean("document title", entry.title.get_ref(), 500, false)
            .map_err(|m| invalid(entry.title.span(), m))?;
        if title.is_empty() {
            return Err(invalid(
                entry.title.span(),
                "a document's title is empty".into(),
            ));
        }
        let classification: Classification = entry
            .classification
            .get_ref()
            .parse()
            .map_err(|m| invalid(entry.classification.span(), m))?;
        let rel = entry.file.get_ref();
        let inside = !rel.is_empty()
            && Path::new(rel)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            let m = format!("file '{rel}' must be a path inside the package, without '..'");
            return Err(invalid(entry.file.span(), m));
        }
        let full = dir.join(rel);
        if !full.is_file() {
            let m = format!("file '{rel}' is not in the package ({})", full.display());
            return Err(invalid(entry.file.span(), m));
        }
        let item = match &entry.item {
            None => None,
            Some(n) => {
                let k = *n.get_ref();
                if k < 1 || k as usize > agenda_len {
                    let m = format!("item {k} is not an agenda item (1 to {agenda_len})");
                    return Err(invalid(n.span(), m));
                }
                Some(k as usize - 1)
            }
        };
        let mut readers = Vec::new();
        if let Some(list) = &entry.readers {
            if !classification.is_restricted() {
                let m = "only confidential and personnel documents name their readers".to_owned();
                return Err(invalid(list.span(), m));
            }
            for who in list.get_ref() {
                readers.push(find(participants, who).map_err(|m| invalid(list.span(), m))?);
            }
        }
        let file_name = Path::new(rel)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(PackageDocument {
            title,
            classification,
            path: full,
            file_name,
            item,
            readers,
        });
    }
    Ok(out)
}

/// The one participant with this seat, or else this name.
fn find(participants: &[NewParticipant], who: &str) -> Result<usize, String> {
    let who = who.trim();
    if let Some(i) = participants
        .iter()
        .position(|p| p.seat.as_deref() == Some(who))
    {
        return Ok(i);
    }
    let named: Vec<usize> = (0..participants.len())
        .filter(|&i| participants[i].name == who)
        .collect();
    match named.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "reader '{who}' is no seat or name in participants.csv"
        )),
        _ => Err(format!(
            "reader '{who}' names several participants: use the seat"
        )),
    }
}
