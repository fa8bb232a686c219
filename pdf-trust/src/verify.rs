//! The entry point of signature verification.

use crate::anchors::TrustAnchors;
use crate::fields::find_signatures;
use crate::verdict::Verdict;
use time::OffsetDateTime;

/// Why a file could not be verified or watermarked.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a PDF file (no %PDF- header)")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Malformed(String),
    #[error("the PDF is encrypted and cannot be read without a password")]
    Encrypted,
    #[error("the PDF carries more than {0} signatures")]
    TooManySignatures(usize),
    #[error("cannot watermark: {0}")]
    Watermark(String),
}

/// Checks every signature of `pdf` against `anchors`. `now` is the time certificates are
/// checked at when a signature carries no signing time.
///
/// An unsigned document gives a verdict with no signatures; a file that is not a readable
/// PDF gives an error. The caller bounds `pdf`'s size (the upload limit); the work is
/// linear in it, plus at most [`crate::MAX_SIGNATURES`] CMS checks.
pub fn verify(
    pdf: &[u8],
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<Verdict, PdfError> {
    let doc = crate::verify::load(pdf)?;
    let found = find_signatures(&doc)?;
    let signatures = found
        .iter()
        .map(|sig| crate::signature::check(pdf, sig, anchors, now))
        .collect();
    Ok(Verdict { signatures })
}

/// Parses `pdf` with lopdf, turning a panic inside the parser into an error: the parser
/// is a dependency fed with untrusted bytes, and a bad upload must not take the hub down.
pub(crate) fn load(pdf: &[u8]) -> Result<lopdf::Document, PdfError> {
    let head = &pdf[..pdf.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let parsed = std::panic::catch_unwind(|| lopdf::Document::load_mem(pdf));
    match parsed {
        Ok(Ok(doc)) => {
            if doc.is_encrypted() {
                return Err(PdfError::Encrypted);
            }
            if doc.catalog().is_err() {
                return Err(PdfError::Malformed(
                    "the PDF has no readable catalog".into(),
                ));
            }
            Ok(doc)
        }
        Ok(Err(e)) => Err(PdfError::Malformed(e.to_string())),
        Err(_) => Err(PdfError::Malformed(
            "the PDF parser failed on this file".into(),
        )),
    }
}
