//! What the verification says about a document and each of its signatures.
//!
//! The types serialise with serde (snake_case tags, RFC 3339 times) so that the hub can
//! keep a verdict with each document version and send it to the desk and the tablets.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The verdict on one signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// The signed bytes are unaltered, the CMS signature verifies with the signer's
    /// certificate, and that certificate chains to a configured trust anchor with every
    /// certificate of the chain valid at the signing time.
    Valid,
    /// The signed bytes were altered, the signature does not verify, or the signature's
    /// structure (byte range, CMS) is unsound.
    Broken,
    /// The signature verifies but its certificate does not chain to a configured anchor
    /// (unknown CA), or a certificate of the chain may not sign what it signs.
    UntrustedChain,
    /// The signature verifies and chains to an anchor, but a certificate of the chain was
    /// not valid (expired or not yet valid) at the signing time.
    Expired,
    /// The signature uses a format or algorithm this crate does not check (SHA-1,
    /// `adbe.pkcs7.sha1`, document time-stamps, BER-encoded CMS, other curves…).
    Unsupported,
}

/// What a signature dictionary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// A signature made by a person or body with their certificate.
    Signature,
    /// A document time-stamp (`/DocTimeStamp`, `ETSI.RFC3161`) added for long-term
    /// validation: reported with its byte range, its token not checked.
    DocumentTimeStamp,
}

/// Who signed, as their certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// The certificate subject's common name (CN), e.g. the official's name.
    pub common_name: Option<String>,
    /// The subject's organisation (O), e.g. the body they sign for.
    pub organisation: Option<String>,
    /// The issuing CA's common name (or whole name).
    pub issuer: String,
    /// The certificate's serial number in hex.
    pub serial: String,
}

/// Where the time the certificates were checked at came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The `signingTime` signed attribute: the signer's own claim, covered by the
    /// signature but not attested by a time-stamp authority.
    SigningTimeAttribute,
    /// No signing time in the signature: the verification time (`now`) was used.
    VerificationTime,
}

/// The report on one signature of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The signature field's name, if a field names this signature.
    pub field: Option<String>,
    pub kind: SignatureKind,
    /// The dictionary's `/SubFilter`, e.g. `adbe.pkcs7.detached` or `ETSI.CAdES.detached`.
    pub sub_filter: String,
    pub status: SignatureStatus,
    /// Why the status is what it is, in one English sentence for the log and the desk.
    pub reason: String,
    /// The signer, when the signer's certificate could be found in the signature.
    pub signer: Option<Signer>,
    /// The `signingTime` attribute, if the signature has one.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    /// The time at which the chain's validity periods were checked.
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub time_source: TimeSource,
    /// The chain found, from the signer up to the anchor (common names); empty when no
    /// chain to an anchor was found.
    pub chain: Vec<String>,
    /// Bytes signed (both spans of `/ByteRange`), 0 when the range is unsound.
    pub signed_bytes: u64,
    /// Bytes in the file after this signature's range: an incremental update made after
    /// signing (by a later signature, or by an edit). 0 means it covers the whole file.
    pub bytes_after: u64,
}

impl SignatureReport {
    /// True when the signature's range reaches the end of the file.
    pub fn covers_whole_file(&self) -> bool {
        self.bytes_after == 0
    }
}

/// The verdict on one document: each of its signatures, in the order they were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub signatures: Vec<SignatureReport>,
}

/// One word for a whole document, for a badge beside its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// No signature (a document time-stamp alone does not sign it).
    Unsigned,
    /// Every signature is valid and the last one covers the whole file.
    Valid,
    /// Every signature is valid, but bytes were added after the last signature or
    /// time-stamp: the file was changed (an incremental update) after it was signed.
    /// What changed is not analysed (it may be validation data, a form fill or an edit).
    ModifiedAfterSigning,
    /// At least one signature (or a document time-stamp's byte range) is broken.
    Broken,
    /// None broken, at least one untrusted.
    UntrustedChain,
    /// None broken or untrusted, at least one expired at its signing time.
    Expired,
    /// None of the above, at least one signature could not be checked (document
    /// time-stamps, never checked, do not count here).
    Unsupported,
}

impl Verdict {
    /// The document's status: the worst of its signatures' (broken, then untrusted, then
    /// expired, then unsupported), or whether it was changed after its last signature.
    pub fn status(&self) -> DocumentStatus {
        let signatures = || {
            self.signatures
                .iter()
                .filter(|r| r.kind == SignatureKind::Signature)
        };
        let any = |s: SignatureStatus| signatures().any(|r| r.status == s);
        if signatures().next().is_none() {
            DocumentStatus::Unsigned
        } else if self
            .signatures
            .iter()
            .any(|r| r.status == SignatureStatus::Broken)
        {
            DocumentStatus::Broken
        } else if any(SignatureStatus::UntrustedChain) {
            DocumentStatus::UntrustedChain
        } else if any(SignatureStatus::Expired) {
            DocumentStatus::Expired
        } else if any(SignatureStatus::Unsupported) {
            DocumentStatus::Unsupported
        } else if self.signatures.iter().all(|r| r.bytes_after > 0) {
            DocumentStatus::ModifiedAfterSigning
        } else {
            DocumentStatus::Valid
        }
    }

    /// True when the document carries no signature (document time-stamps aside).
    pub fn is_unsigned(&self) -> bool {
        self.signatures
            .iter()
            .all(|r| r.kind != SignatureKind::Signature)
    }
}
