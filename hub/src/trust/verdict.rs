//! From `pdf_trust`'s verdict to the wire's: what the hub keeps with a version and every
//! tablet shows beside its title.

use pdf_trust::{DocumentStatus, PdfError, SignatureKind, SignatureStatus, Verdict};
use protocol::{SignatureReport, SignatureVerdict, Timestamp, VerdictStatus};
use time::OffsetDateTime;

/// The wire verdict of a file `pdf_trust::verify` judged.
pub(crate) fn from_verdict(
    verdict: &Verdict,
    checked_at: Timestamp,
    anchors: u32,
) -> SignatureVerdict {
    let status = match verdict.status() {
        DocumentStatus::Unsigned => VerdictStatus::Unsigned,
        DocumentStatus::Valid => VerdictStatus::Valid,
        DocumentStatus::ModifiedAfterSigning => VerdictStatus::ModifiedAfterSigning,
        DocumentStatus::Broken => VerdictStatus::Broken,
        DocumentStatus::UntrustedChain => VerdictStatus::UntrustedChain,
        DocumentStatus::Expired => VerdictStatus::Expired,
        DocumentStatus::Unsupported => VerdictStatus::Unsupported,
    };
    let signatures = verdict
        .signatures
        .iter()
        .map(|r| SignatureReport {
            kind: match r.kind {
                SignatureKind::Signature => protocol::SignatureKind::Signature,
                SignatureKind::DocumentTimeStamp => protocol::SignatureKind::DocumentTimeStamp,
            },
            status: match r.status {
                SignatureStatus::Valid => protocol::SignatureStatus::Valid,
                SignatureStatus::Broken => protocol::SignatureStatus::Broken,
                SignatureStatus::UntrustedChain => protocol::SignatureStatus::UntrustedChain,
                SignatureStatus::Expired => protocol::SignatureStatus::Expired,
                SignatureStatus::Unsupported => protocol::SignatureStatus::Unsupported,
            },
            reason: r.reason.clone(),
            signer: r.signer.as_ref().and_then(|s| s.common_name.clone()),
            organisation: r.signer.as_ref().and_then(|s| s.organisation.clone()),
            issuer: r.signer.as_ref().map(|s| s.issuer.clone()),
            signed_at: r.signing_time.map(timestamp),
            chain: r.chain.clone(),
            covers_whole_file: r.covers_whole_file(),
        })
        .collect();
    SignatureVerdict {
        status,
        signatures,
        checked_at,
        anchors,
        note: None,
    }
}

/// The verdict on a file that was not checked: not a PDF, or a PDF the parser refused.
pub(crate) fn not_checked(
    error: &PdfError,
    checked_at: Timestamp,
    anchors: u32,
) -> SignatureVerdict {
    let (status, note) = match error {
        PdfError::NotPdf => (VerdictStatus::NotPdf, None),
        other => (VerdictStatus::Unreadable, Some(other.to_string())),
    };
    SignatureVerdict {
        status,
        signatures: Vec::new(),
        checked_at,
        anchors,
        note,
    }
}

fn timestamp(at: OffsetDateTime) -> Timestamp {
    Timestamp((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsigned_pdf_and_a_file_that_is_no_pdf_have_their_own_words() {
        let at = Timestamp(1);
        let unsigned = from_verdict(&Verdict { signatures: vec![] }, at, 2);
        assert_eq!(unsigned.status, VerdictStatus::Unsigned);
        assert_eq!(unsigned.anchors, 2);
        let docx = not_checked(&PdfError::NotPdf, at, 0);
        assert_eq!(docx.status, VerdictStatus::NotPdf);
        assert_eq!(docx.note, None);
        let locked = not_checked(&PdfError::Encrypted, at, 0);
        assert_eq!(locked.status, VerdictStatus::Unreadable);
        assert!(locked.note.unwrap().contains("encrypted"));
    }
}
