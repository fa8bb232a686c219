//! Checking one signature: its byte range, its CMS SignedData, its signer's certificate
//! and chain, in that order; the first failing step decides the status.

use crate::algorithms::{oid_name, verify_signature, Hash, SigProblem};
use crate::anchors::TrustAnchors;
use crate::chain::{check_chain, may_sign_documents, ChainOutcome};
use crate::fields::{signed_spans, FoundSignature};
use crate::names::{common_name, display_name, organisation};
use crate::verdict::{SignatureKind, SignatureReport, SignatureStatus, Signer, TimeSource};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::rfc5911;
use der::asn1::OctetString;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;
use x509_cert::Certificate;

/// Most certificates a CMS may carry for chain building.
const MAX_CMS_CERTS: usize = 64;

/// The sub-filters whose CMS is a detached signature over the byte range.
const DETACHED: [&str; 2] = ["adbe.pkcs7.detached", "ETSI.CAdES.detached"];

/// Checks `sig` of `file` against `anchors`; `now` stands in for a missing signing time.
pub(crate) fn check(
    file: &[u8],
    sig: &FoundSignature,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> SignatureReport {
    let mut report = SignatureReport {
        field: sig.field.clone(),
        kind: if sig.time_stamp {
            SignatureKind::DocumentTimeStamp
        } else {
            SignatureKind::Signature
        },
        sub_filter: sig.sub_filter.clone(),
        status: SignatureStatus::Unsupported,
        reason: String::new(),
        signer: None,
        signing_time: None,
        checked_at: now,
        time_source: TimeSource::VerificationTime,
        chain: Vec::new(),
        signed_bytes: 0,
        bytes_after: 0,
    };
    let (status, reason) = match run(file, sig, anchors, &mut report) {
        Ok(reason) => (SignatureStatus::Valid, reason),
        Err(outcome) => outcome,
    };
    report.status = status;
    report.reason = reason;
    report
}

type Outcome = (SignatureStatus, String);

fn broken(reason: impl Into<String>) -> Outcome {
    (SignatureStatus::Broken, reason.into())
}

fn unsupported(reason: impl Into<String>) -> Outcome {
    (SignatureStatus::Unsupported, reason.into())
}

fn run(
    file: &[u8],
    sig: &FoundSignature,
    anchors: &TrustAnchors,
    report: &mut SignatureReport,
) -> Result<String, Outcome> {
    // The range is read for every kind, so that even an unsupported signature says what
    // it covers.
    let spans = signed_spans(file, sig).map_err(broken)?;
    report.signed_bytes = (spans.first.len() + spans.second.len()) as u64;
    report.bytes_after = spans.bytes_after as u64;
    if sig.time_stamp {
        return Err(unsupported(
            "document time-stamps are reported, their time-stamp token is not checked",
        ));
    }
    if !DETACHED.contains(&sig.sub_filter.as_str()) {
        return Err(unsupported(match sig.sub_filter.as_str() {
            "adbe.pkcs7.sha1" => "adbe.pkcs7.sha1 signatures (SHA-1) are not checked".to_owned(),
            "" => "the signature has no /SubFilter".to_owned(),
            other => format!("signatures of kind {other} are not checked"),
        }));
    }
    let signed = parse_signed_data(&spans.cms)?;
    let signer_info = match signed.signer_infos.0.as_slice() {
        [one] => one,
        [] => return Err(broken("the CMS has no signer")),
        _ => return Err(unsupported("a CMS with several signers is not checked")),
    };
    let certs = certificates(&signed)?;
    let signer_cert = find_signer(signer_info, &certs)
        .ok_or_else(|| unsupported("the signer's certificate is not included in the signature"))?;
    let subject = signer_cert.tbs_certificate().subject();
    report.signer = Some(Signer {
        common_name: common_name(subject),
        organisation: organisation(subject),
        issuer: display_name(signer_cert.tbs_certificate().issuer()),
        serial: signer_cert.tbs_certificate().serial_number().to_string(),
    });

    let hash = Hash::from_oid(&signer_info.digest_alg.oid).ok_or_else(|| {
        unsupported(format!(
            "digest algorithm {} is not accepted",
            oid_name(&signer_info.digest_alg.oid)
        ))
    })?;
    let data: [&[u8]; 2] = [&file[spans.first.clone()], &file[spans.second.clone()]];
    // With signed attributes (always, in PAdES) the signature covers their DER encoding
    // and they carry the data's digest; without, it covers the data itself.
    let signed_attrs_der;
    let message: Vec<&[u8]> = match &signer_info.signed_attrs {
        Some(attrs) => {
            let digest = message_digest(attrs)?;
            if digest != hash.digest_parts(&data) {
                return Err(broken(
                    "the document's signed bytes were altered: their digest is not the one signed",
                ));
            }
            if let Some(t) = signing_time(attrs)? {
                report.signing_time = Some(t);
                report.checked_at = t;
                report.time_source = TimeSource::SigningTimeAttribute;
            }
            signed_attrs_der = attrs
                .to_der()
                .map_err(|e| broken(format!("the signed attributes do not encode: {e}")))?;
            vec![&signed_attrs_der]
        }
        None => data.to_vec(),
    };
    match verify_signature(
        signer_cert.tbs_certificate().subject_public_key_info(),
        &signer_info.signature_algorithm,
        Some(hash),
        &message,
        signer_info.signature.as_bytes(),
    ) {
        Ok(()) => {}
        Err(SigProblem::Invalid(why)) => return Err(broken(why)),
        Err(SigProblem::Unsupported(what)) => {
            return Err(unsupported(format!("{what} is not checked")))
        }
    }
    if !may_sign_documents(signer_cert) {
        return Err((
            SignatureStatus::UntrustedChain,
            "the signer's certificate is not for signing (key usage)".into(),
        ));
    }
    match check_chain(
        signer_cert,
        &certs,
        anchors,
        report.checked_at.unix_timestamp(),
    ) {
        ChainOutcome::Trusted(chain) => {
            let reason = format!(
                "signed by {} and trusted through {}",
                chain[0],
                chain.join(" → ")
            );
            report.chain = chain;
            Ok(reason)
        }
        ChainOutcome::NotValidAt { chain, reason } => {
            report.chain = chain;
            Err((
                SignatureStatus::Expired,
                format!("{reason} at the signing time"),
            ))
        }
        ChainOutcome::Untrusted(reason) => Err((SignatureStatus::UntrustedChain, reason)),
    }
}

/// The SignedData in the hole's bytes; trailing zero padding after the DER is ignored.
fn parse_signed_data(cms: &[u8]) -> Result<SignedData, Outcome> {
    let der_len = der_prefix_len(cms)
        .ok_or_else(|| unsupported("the CMS is not DER (indefinite-length BER is not read)"))?;
    let info = ContentInfo::from_der(&cms[..der_len])
        .map_err(|e| broken(format!("the signature is not a CMS ContentInfo: {e}")))?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(broken("the CMS is not SignedData"));
    }
    info.content
        .decode_as::<SignedData>()
        .map_err(|e| broken(format!("the CMS SignedData does not decode: {e}")))
}

/// The length of the DER value at the start of `bytes`, from its header.
fn der_prefix_len(bytes: &[u8]) -> Option<usize> {
    let mut reader = der::SliceReader::new(bytes).ok()?;
    let header = der::Header::decode(&mut reader).ok()?;
    let total = (header.encoded_len().ok()? + header.length()).ok()?;
    usize::try_from(total).ok().filter(|&n| n <= bytes.len())
}

fn certificates(signed: &SignedData) -> Result<Vec<Certificate>, Outcome> {
    let set = match &signed.certificates {
        Some(set) => set.0.as_slice(),
        None => &[],
    };
    if set.len() > MAX_CMS_CERTS {
        return Err(unsupported(format!(
            "the CMS carries over {MAX_CMS_CERTS} certificates"
        )));
    }
    Ok(set
        .iter()
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            _ => None,
        })
        .collect())
}

fn find_signer<'a>(info: &SignerInfo, certs: &'a [Certificate]) -> Option<&'a Certificate> {
    certs.iter().find(|c| {
        let tbs = c.tbs_certificate();
        match &info.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if &own == ski)
            }
        }
    })
}

/// The value of the single-valued signed attribute `oid`, if present.
fn attribute(
    attrs: &cms::signed_data::SignedAttributes,
    oid: der::asn1::ObjectIdentifier,
) -> Result<Option<&der::Any>, Outcome> {
    let Some(attr) = attrs.iter().find(|a| a.oid == oid) else {
        return Ok(None);
    };
    match attr.values.as_slice() {
        [one] => Ok(Some(one)),
        _ => Err(broken(format!(
            "the signed attribute {oid} must have one value"
        ))),
    }
}

fn message_digest(attrs: &cms::signed_data::SignedAttributes) -> Result<Vec<u8>, Outcome> {
    let value = attribute(attrs, rfc5911::ID_MESSAGE_DIGEST)?
        .ok_or_else(|| broken("the signed attributes have no message digest"))?;
    value
        .decode_as::<OctetString>()
        .map(|o| o.as_bytes().to_vec())
        .map_err(|e| broken(format!("the message digest attribute does not decode: {e}")))
}

fn signing_time(
    attrs: &cms::signed_data::SignedAttributes,
) -> Result<Option<OffsetDateTime>, Outcome> {
    let Some(value) = attribute(attrs, rfc5911::ID_SIGNING_TIME)? else {
        return Ok(None);
    };
    let t = value
        .decode_as::<Time>()
        .map_err(|e| broken(format!("the signing time attribute does not decode: {e}")))?;
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs)
        .map(Some)
        .map_err(|_| broken("the signing time is out of range"))
}
