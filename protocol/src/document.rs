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
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "public",
            Classification::Internal => "internal",
            Classification::Confidential => "confidential",
        }
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
            _ => {
                return Err(format!(
                    "unknown classification '{}': use public, internal or confidential",
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
    /// Thu hồi: a confidential document taken back (at the close, or on demand);
    /// downloads stop for everyone and tablets delete their copy.
    Recalled,
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
    /// Lower-case hex SHA-256 of the bytes: the download's `ETag`, and what a tablet checks.
    pub sha256: String,
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
    /// For confidential documents, who may read it. A delegate sees only themselves here.
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
        assert!("secret".parse::<Classification>().is_err());
    }
}
