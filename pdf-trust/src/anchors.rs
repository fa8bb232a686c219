//! The trust anchors the office configures: the certificates a signer's chain must end at.
//!
//! None is built in. The office supplies files (the national root CA, the CAs that issue
//! officials' certificates), each either PEM (one or more `CERTIFICATE` blocks) or a single
//! DER certificate. An anchor is trusted as configured: its own signature is not checked
//! (a root signs itself), but its validity period is, like every certificate of a chain.

use der::{Decode, Encode};
use std::path::Path;
use x509_cert::Certificate;

/// Most certificates one anchor file may hold, and most bytes it may have.
pub const MAX_ANCHOR_FILE_BYTES: usize = 4 * 1024 * 1024;
const MAX_CERTS_PER_FILE: usize = 256;

/// Why a trust anchor file was refused.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{what} is larger than {MAX_ANCHOR_FILE_BYTES} bytes")]
    TooLarge { what: String },
    #[error("{what} holds no certificate (PEM `CERTIFICATE` blocks or one DER certificate)")]
    Empty { what: String },
    #[error("{what} holds more than {MAX_CERTS_PER_FILE} certificates")]
    TooMany { what: String },
    #[error("{what}: not a certificate: {reason}")]
    NotACertificate { what: String, reason: String },
}

/// One configured anchor, kept with its DER bytes so that equality is byte equality.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub(crate) cert: Certificate,
    pub(crate) der: Vec<u8>,
}

/// The set of certificates a signature's chain must reach to be trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
}

impl TrustAnchors {
    /// An empty set: every signed document then verifies as untrusted at best.
    pub fn new() -> TrustAnchors {
        TrustAnchors::default()
    }

    /// Adds the certificates in `bytes` (PEM or DER); `what` names the source in errors.
    /// Returns how many were added. Nothing is added if any certificate is refused.
    pub fn add_pem_or_der(&mut self, bytes: &[u8], what: &str) -> Result<usize, AnchorError> {
        if bytes.len() > MAX_ANCHOR_FILE_BYTES {
            return Err(AnchorError::TooLarge { what: what.into() });
        }
        let not_cert = |e: der::Error| AnchorError::NotACertificate {
            what: what.into(),
            reason: e.to_string(),
        };
        let certs = if looks_like_pem(bytes) {
            let count = bytes
                .windows(b"-----BEGIN CERTIFICATE-----".len())
                .filter(|w| *w == b"-----BEGIN CERTIFICATE-----")
                .count();
            if count > MAX_CERTS_PER_FILE {
                return Err(AnchorError::TooMany { what: what.into() });
            }
            Certificate::load_pem_chain(bytes).map_err(not_cert)?
        } else if bytes.is_empty() {
            Vec::new()
        } else {
            vec![Certificate::from_der(bytes).map_err(not_cert)?]
        };
        if certs.is_empty() {
            return Err(AnchorError::Empty { what: what.into() });
        }
        let mut added = Vec::with_capacity(certs.len());
        for cert in certs {
            let der = cert.to_der().map_err(not_cert)?;
            added.push(Anchor { cert, der });
        }
        let n = added.len();
        for anchor in added {
            if !self.anchors.iter().any(|a| a.der == anchor.der) {
                self.anchors.push(anchor);
            }
        }
        Ok(n)
    }

    /// Reads one file of certificates (PEM or DER) and adds them.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, AnchorError> {
        let what = path.display().to_string();
        let read = |source| AnchorError::Read {
            path: what.clone(),
            source,
        };
        let len = std::fs::metadata(path).map_err(read)?.len();
        if len > MAX_ANCHOR_FILE_BYTES as u64 {
            return Err(AnchorError::TooLarge { what });
        }
        let bytes = std::fs::read(path).map_err(read)?;
        self.add_pem_or_der(&bytes, &what)
    }

    /// A set made from the given files, in order; the first refused file stops it.
    pub fn from_files<P: AsRef<Path>>(paths: &[P]) -> Result<TrustAnchors, AnchorError> {
        let mut anchors = TrustAnchors::new();
        for p in paths {
            anchors.add_file(p.as_ref())?;
        }
        Ok(anchors)
    }

    /// How many distinct anchors are configured.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The subjects of the anchors (common name, else the whole name), for the desk to show
    /// which authorities the office trusts.
    pub fn subjects(&self) -> Vec<String> {
        self.anchors
            .iter()
            .map(|a| crate::names::display_name(a.cert.tbs_certificate().subject()))
            .collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Anchor> {
        self.anchors.iter()
    }
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes
        .windows(b"-----BEGIN".len())
        .take(4096)
        .any(|w| w == b"-----BEGIN")
}
