//! Documents (tài liệu): what the secretariat publishes for a meeting, as tablets see it.
//!
//! The bytes travel over HTTP (see docs/PROTOCOL.md §4); the socket carries only these
//! descriptions, so a tablet knows at once what to fetch, how big it is and which SHA-256
//! the copy it fetched must have.

use crate::ids::{AgendaItemId, DocumentId, ParticipantId};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who may read a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Công khai: every participant, and anyone with the meeting's public QR code.
    Public,
    /// Nội bộ: the participants of the meeting.
    Internal,
    /// Mật: the named readers (and the secretariat) only; recalled when the meeting closes.
    Confidential,
    /// Tài liệu nhân sự (công tác cán bộ): personnel papers. Like confidential ones, the
    /// named readers (and the secretariat) only, recalled when the meeting closes; a class
    /// of its own so that the record and every screen say what they are.
    Personnel,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
            Classification::Personnel => "personnel",
        }
    }

    /// Confidential and personnel documents: named readers only, watermarked copies,
    /// recalled at the close, never public.
    pub fn is_restricted(self) -> bool {
        matches!(
            self,
            Classification::Confidential | Classification::Personnel
        )
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Classification {
    type Err = String;
    /// Accepts the English names and the Vietnamese words a secretariat writes.
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_lowercase().as_str() {
            "public" | "công khai" | "cong khai" => Classification::Public,
            "internal" | "nội bộ" | "noi bo" => Classification::Internal,
            "confidential" | "mật" | "mat" => Classification::Confidential,
            "personnel" | "nhân sự" | "nhan su" | "tài liệu nhân sự" | "tai lieu nhan su" => {
                Classification::Personnel
            }
            _ => {
                return Err(format!(
                    "unknown classification '{}': use public, internal, confidential or personnel",
                    s.trim()
                ))
            }
        })
    }
}

/// Where a document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Readable by those it is meant for.
    Published,
    /// Taken back by the secretariat; tablets delete their copy.
    Withdrawn,
    /// Thu hồi: a confidential or personnel document taken back (at the close, or on
    /// demand); downloads stop for everyone and tablets delete their copy.
    Recalled,
}

impl DocumentStatus {
    /// Withdrawn or recalled: tablets delete their copy and confirm it (`report_deleted`).
    pub fn is_gone(self) -> bool {
        self != DocumentStatus::Published
    }
}

/// The file of one version, as the hub stored it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFile {
    /// The uploaded name, cleaned: no path, no control characters.
    pub file_name: String,
    /// e.g. `application/pdf`.
    pub content_type: String,
    /// In bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes: the download's `ETag`, and what a tablet checks
    /// (except for a watermarked copy, whose own hash the download says).
    pub sha256: String,
    /// What the hub found when it checked the file's digital signatures on upload.
    /// Absent for files that are not documents (attachments) or were stored before the
    /// hub checked signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<crate::signatures::SignatureVerdict>,
    /// Each reader is served a copy with their name, seat and the time drawn across every
    /// page (confidential and personnel PDFs); the original stays on the hub for the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub watermarked: bool,
}

impl DocumentFile {
    /// The same stored file under the same name: what makes a new version a no-op. The
    /// verdict does not count (it says when it was checked).
    pub fn same_as(&self, other: &DocumentFile) -> bool {
        self.sha256 == other.sha256
            && self.file_name == other.file_name
            && self.content_type == other.content_type
            && self.size == other.size
    }
}

/// One version of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersion {
    /// 1, 2, 3 …
    pub version: u32,
    #[serde(flatten)]
    pub file: DocumentFile,
    pub published_at: Timestamp,
}

/// Who holds the current version of a document, for the secretariat and the chair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The version the lists are about: the current one.
    pub version: u32,
    /// Recipients whose tablet reported holding `version`.
    pub held: Vec<ParticipantId>,
    /// Recipients whose tablet has not (yet).
    pub missing: Vec<ParticipantId>,
    /// Recipients who have opened the document at least once (any version).
    pub opened: Vec<ParticipantId>,
    /// Watermarked documents: the SHA-256 of the copy each recipient's tablet holds (each
    /// reader's copy differs; the original's is the version's `sha256`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<HeldCopy>,
    /// Withdrawn or recalled documents: when that happened…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone_at: Option<Timestamp>,
    /// …the recipients whose tablet confirmed it holds no copy (`report_deleted`)…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<ParticipantId>,
    /// …and those whose tablet has not: a tablet confirms as soon as it is online, so these
    /// have not been online since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<ParticipantId>,
}

/// The copy a recipient's tablet reported holding, when it is not the original's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCopy {
    pub participant: ParticipantId,
    /// The copy's SHA-256, as the tablet verified it against the download's.
    pub sha256: String,
}

/// A withdrawn or recalled document this tablet should confirm it holds no copy of
/// (`report_deleted`), in a reader's snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyToDelete {
    pub document: DocumentId,
    /// The document's last version: the one to name in `report_deleted`.
    pub version: u32,
    pub status: DocumentStatus,
}

/// A document of the meeting as a viewer may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: DocumentId,
    pub title: String,
    pub classification: Classification,
    /// The agenda item it belongs to; `null` for the meeting as a whole.
    #[serde(default)]
    pub item: Option<AgendaItemId>,
    /// For confidential and personnel documents, who may read it. A delegate sees only
    /// themselves here.
    #[serde(default)]
    pub readers: Vec<ParticipantId>,
    pub status: DocumentStatus,
    /// Every version, oldest first; the last is the current one.
    pub versions: Vec<DocumentVersion>,
    /// Given to the secretariat and the chair only, in snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

impl Document {
    /// The current version (the last one). Every document has at least one.
    pub fn current(&self) -> Option<&DocumentVersion> {
        self.versions.last()
    }

    /// The version numbered `version`, if it exists.
    pub fn version(&self, version: u32) -> Option<&DocumentVersion> {
        self.versions.iter().find(|v| v.version == version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_round_trips_with_its_version_flattened() {
        let doc = Document {
            id: DocumentId::new_random(),
            title: "Dự thảo Nghị quyết".into(),
            classification: Classification::Confidential,
            item: None,
            readers: vec![ParticipantId::new_random()],
            status: DocumentStatus::Published,
            versions: vec![DocumentVersion {
                version: 1,
                file: DocumentFile {
                    file_name: "nghi-quyet.pdf".into(),
                    content_type: "application/pdf".into(),
                    size: 10,
                    sha256: "ab".repeat(32),
                    signatures: None,
                    watermarked: false,
                },
                published_at: Timestamp(1),
            }],
            delivery: None,
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert!(
            json.contains(r#""classification":"confidential""#),
            "{json}"
        );
        assert!(
            json.contains(r#""version":1,"file_name":"nghi-quyet.pdf""#),
            "{json}"
        );
        assert!(!json.contains("delivery"), "{json}");
        assert!(!json.contains("watermarked"), "{json}");
        assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), doc);
    }

    #[test]
    fn classifications_parse_from_vietnamese_words() {
        assert_eq!(
            "Mật".parse::<Classification>().unwrap(),
            Classification::Confidential
        );
        assert_eq!(
            "công khai".parse::<Classification>().unwrap(),
            Classification::Public
        );
        assert_eq!(
            "internal".parse::<Classification>().unwrap(),
            Classification::Internal
        );
        assert_eq!(
            "Tài liệu nhân sự".parse::<Classification>().unwrap(),
            Classification::Personnel
        );
        assert_eq!(
            "personnel".parse::<Classification>().unwrap(),
            Classification::Personnel
        );
        assert!("secret".parse::<Classification>().is_err());
    }
}
