//! Digital signatures (chữ ký số): what the hub found when it checked an uploaded file's
//! signatures against the trust anchors the office configured, as every tablet and the
//! desk see it beside the document's title.
//!
//! The hub checks a version once, when it is uploaded, and keeps the verdict with the
//! version (in the `document_published` / `document_revised` event, so in the log and every
//! snapshot). docs/PROTOCOL.md §4.1 says what is checked and what each word means.

use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// One word for a version, for the badge beside its title. Worst first among the signed
/// verdicts: broken, untrusted chain, expired, unsupported, then modified after signing,
/// then valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Not a PDF (a DOCX, a spreadsheet…): signatures were not looked for.
    NotPdf,
    /// A PDF the hub could not read (damaged, or encrypted with a password): not checked.
    Unreadable,
    /// A PDF with no signature.
    Unsigned,
    /// Every signature verifies, chains to a trust anchor with every certificate valid at
    /// the signing time, and the last one covers the whole file.
    Valid,
    /// Every signature is valid, but bytes were added after the last one: the file was
    /// changed (an incremental update) after it was signed.
    ModifiedAfterSigning,
    /// A signature does not match the bytes it signs, or its structure is unsound.
    Broken,
    /// A signature verifies, but its certificate does not chain to a configured anchor.
    UntrustedChain,
    /// A certificate of the chain was not valid (expired or not yet valid) at signing time.
    Expired,
    /// A signature uses a format or algorithm the hub does not check (SHA-1…).
    Unsupported,
}

impl VerdictStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictStatus::NotPdf => "not_pdf",
            VerdictStatus::Unreadable => "unreadable",
            VerdictStatus::Unsigned => "unsigned",
            VerdictStatus::Valid => "valid",
            VerdictStatus::ModifiedAfterSigning => "modified_after_signing",
            VerdictStatus::Broken => "broken",
            VerdictStatus::UntrustedChain => "untrusted_chain",
            VerdictStatus::Expired => "expired",
            VerdictStatus::Unsupported => "unsupported",
        }
    }
}

/// The verdict on one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    Valid,
    Broken,
    UntrustedChain,
    Expired,
    Unsupported,
}

/// A person's or body's signature, or a document time-stamp (reported, not checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    Signature,
    DocumentTimeStamp,
}

/// One signature of the file, in the order they were made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    pub kind: SignatureKind,
    pub status: SignatureStatus,
    /// Why, in one English sentence (the hub's words, shown apart from the page's).
    pub reason: String,
    /// The signer's name (the certificate subject's CN), when the certificate was found.
    #[serde(default)]
    pub signer: Option<String>,
    /// The signer's organisation (O).
    #[serde(default)]
    pub organisation: Option<String>,
    /// The CA that issued the signer's certificate.
    #[serde(default)]
    pub issuer: Option<String>,
    /// When it was signed, as the signature itself claims (`signingTime`); `null` if it
    /// does not say.
    #[serde(default)]
    pub signed_at: Option<Timestamp>,
    /// The chain found, from the signer up to the trust anchor (names); empty when none.
    #[serde(default)]
    pub chain: Vec<String>,
    /// False when bytes were added to the file after this signature.
    pub covers_whole_file: bool,
}

/// What the hub found in one version's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureVerdict {
    pub status: VerdictStatus,
    /// Every signature found (none when unsigned, not a PDF, unreadable).
    #[serde(default)]
    pub signatures: Vec<SignatureReport>,
    /// When the hub checked it (the upload).
    pub checked_at: Timestamp,
    /// How many trust anchors were configured then: with none, a signature is at best an
    /// untrusted chain.
    pub anchors: u32,
    /// For `unreadable`: why, in the hub's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl SignatureVerdict {
    /// The signature whose signer a badge names: the last person's signature.
    pub fn last_signature(&self) -> Option<&SignatureReport> {
        self.signatures
            .iter()
            .rev()
            .find(|s| s.kind == SignatureKind::Signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_round_trips_in_snake_case() {
        let verdict = SignatureVerdict {
            status: VerdictStatus::ModifiedAfterSigning,
            signatures: vec![SignatureReport {
                kind: SignatureKind::Signature,
                status: SignatureStatus::Valid,
                reason: "the signature is valid".into(),
                signer: Some("Nguyễn Thị Hường".into()),
                organisation: Some("UBND huyện Lạc Sơn".into()),
                issuer: Some("CA cấp cho cán bộ".into()),
                signed_at: Some(Timestamp(1_767_268_800_000)),
                chain: vec!["Nguyễn Thị Hường".into(), "Root CA".into()],
                covers_whole_file: false,
            }],
            checked_at: Timestamp(1_767_270_000_000),
            anchors: 1,
            note: None,
        };
        let json = serde_json::to_string(&verdict).unwrap();
        assert!(
            json.contains(r#""status":"modified_after_signing""#),
            "{json}"
        );
        assert!(!json.contains("note"), "{json}");
        assert_eq!(
            serde_json::from_str::<SignatureVerdict>(&json).unwrap(),
            verdict
        );
        assert_eq!(
            verdict.last_signature().unwrap().signer.as_deref(),
            Some("Nguyễn Thị Hường")
        );
    }
}
