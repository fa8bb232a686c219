//! Signed PDFs made by the test (rcgen PKI, `openssl cms -sign`) get the verdict each
//! situation calls for.

mod common;

use common::{append_update, sign, signed_by, unsigned_pdf, Pki};
use pdf_trust::{verify, DocumentStatus, SignatureKind, SignatureStatus, TimeSource, TrustAnchors};
use std::sync::OnceLock;
use time::OffsetDateTime;

/// One PKI for the file: making RSA keys is the slow part.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(Pki::new)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn a_signature_by_a_trusted_signer_is_valid_with_name_organisation_and_time() {
    let pki = pki();
    let pdf = signed_by(pki, &pki.signer);
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::Valid, "{verdict:#?}");
    let sig = &verdict.signatures[0];
    assert_eq!(sig.status, SignatureStatus::Valid);
    let signer = sig.signer.as_ref().unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Nguyễn Thị Hường"));
    assert_eq!(signer.organisation.as_deref(), Some("UBND huyện Lạc Sơn"));
    assert_eq!(signer.issuer, "CA cấp cho cán bộ (thử)");
    assert_eq!(sig.time_source, TimeSource::SigningTimeAttribute);
    let signed_at = sig.signing_time.unwrap();
    assert!(
        (now() - signed_at).whole_minutes().abs() < 10,
        "openssl stamps the time of signing"
    );
    assert_eq!(
        sig.chain,
        vec![
            "Nguyễn Thị Hường",
            "CA cấp cho cán bộ (thử)",
            "Root CA thử nghiệm"
        ]
    );
    assert_eq!(sig.bytes_after, 0);
    assert_eq!(sig.sub_filter, "adbe.pkcs7.detached");
    assert!(
        sig.field.as_deref().unwrap().starts_with("Chu ky"),
        "{:?}",
        sig.field
    );
}

#[test]
fn rsa_pkcs1_rsa_pss_and_p384_signatures_verify() {
    let pki = pki();
    let base = unsigned_pdf(1, 0);
    let cases: [(&common::Party, &[&str], &str); 4] = [
        (&pki.rsa_signer, &[], "ETSI.CAdES.detached"),
        (
            &pki.rsa_signer,
            &["-keyopt", "rsa_padding_mode:pss", "-md", "sha384"],
            "ETSI.CAdES.detached",
        ),
        (&pki.rsa_signer, &["-md", "sha512"], "adbe.pkcs7.detached"),
        (&pki.p384_signer, &["-md", "sha384"], "adbe.pkcs7.detached"),
    ];
    for (who, extra, sub_filter) in cases {
        let pdf = sign(&base, who, &[&pki.intermediate], sub_filter, extra);
        let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
        assert_eq!(
            verdict.status(),
            DocumentStatus::Valid,
            "{extra:?}: {verdict:#?}"
        );
    }
}

#[test]
fn one_byte_changed_inside_the_signed_range_breaks_the_signature() {
    let pki = pki();
    let mut pdf = signed_by(pki, &pki.signer);
    let at = pdf.windows(5).position(|w| w == b"Hello").unwrap();
    pdf[at] = b'J';
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::Broken);
    let sig = &verdict.signatures[0];
    assert_eq!(sig.status, SignatureStatus::Broken);
    assert!(sig.reason.contains("altered"), "{}", sig.reason);
}

#[test]
fn a_changed_signature_value_breaks_the_signature() {
    let pki = pki();
    let mut pdf = signed_by(pki, &pki.signer);
    // The CMS ends with the signature value; change a hex digit of its last byte.
    let hole = pdf.windows(11).rposition(|w| w == b"/Contents <").unwrap() + 10;
    let end = hole + pdf[hole..].iter().position(|&b| b == b'>').unwrap();
    let last = (hole + 1..end).rev().find(|&i| pdf[i] != b'0').unwrap();
    pdf[last] = if pdf[last] == b'1' { b'2' } else { b'1' };
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    let sig = &verdict.signatures[0];
    assert_eq!(sig.status, SignatureStatus::Broken, "{verdict:#?}");
    assert!(sig.reason.contains("does not verify"), "{}", sig.reason);
}

#[test]
fn bytes_appended_after_signing_are_reported() {
    let pki = pki();
    let pdf = signed_by(pki, &pki.signer);
    let (edited, _) = append_update(&pdf, &["<< /Note (added after signing) >>".to_owned()]);
    let verdict = verify(&edited, &pki.anchors(), now()).unwrap();
    let sig = &verdict.signatures[0];
    assert_eq!(
        sig.status,
        SignatureStatus::Valid,
        "the signed revision is intact"
    );
    assert_eq!(sig.bytes_after as usize, edited.len() - pdf.len());
    assert!(!sig.covers_whole_file());
    assert_eq!(verdict.status(), DocumentStatus::ModifiedAfterSigning);
}

#[test]
fn a_second_signature_over_the_first_covers_the_whole_file() {
    let pki = pki();
    let first = signed_by(pki, &pki.signer);
    let both = sign(
        &first,
        &pki.rsa_signer,
        &[&pki.intermediate],
        "ETSI.CAdES.detached",
        &[],
    );
    let verdict = verify(&both, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.signatures.len(), 2);
    assert!(verdict.signatures[0].bytes_after > 0);
    assert_eq!(verdict.signatures[1].bytes_after, 0);
    let names: Vec<_> = verdict
        .signatures
        .iter()
        .map(|s| s.signer.as_ref().unwrap().common_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["Nguyễn Thị Hường", "Trần Văn Đức"]);
    assert_eq!(verdict.status(), DocumentStatus::Valid);
}

#[test]
fn a_signer_from_an_unknown_ca_is_untrusted() {
    let pki = pki();
    let pdf = sign(
        &unsigned_pdf(1, 0),
        &pki.stranger_signer,
        &[],
        "adbe.pkcs7.detached",
        &[],
    );
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::UntrustedChain);
    let sig = &verdict.signatures[0];
    assert_eq!(
        sig.signer.as_ref().unwrap().common_name.as_deref(),
        Some("Người Lạ")
    );
    assert!(sig.reason.contains("CA lạ"), "{}", sig.reason);
    // The same file is valid for an office that trusts that CA.
    let mut theirs = TrustAnchors::new();
    theirs.add_file(&pki.stranger_root.cert_pem).unwrap();
    assert_eq!(
        verify(&pdf, &theirs, now()).unwrap().status(),
        DocumentStatus::Valid
    );
}

#[test]
fn with_no_anchors_configured_every_signature_is_untrusted() {
    let pki = pki();
    let pdf = signed_by(pki, &pki.signer);
    let verdict = verify(&pdf, &TrustAnchors::new(), now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::UntrustedChain);
}

#[test]
fn an_issuing_ca_configured_as_the_anchor_is_enough() {
    let pki = pki();
    let pdf = signed_by(pki, &pki.signer);
    let anchors = TrustAnchors::from_files(&[&pki.intermediate.cert_pem]).unwrap();
    let verdict = verify(&pdf, &anchors, now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::Valid);
    assert_eq!(verdict.signatures[0].chain.len(), 2);
}

#[test]
fn a_chain_missing_its_intermediate_is_untrusted() {
    let pki = pki();
    let pdf = sign(
        &unsigned_pdf(1, 0),
        &pki.signer,
        &[],
        "adbe.pkcs7.detached",
        &[],
    );
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(
        verdict.status(),
        DocumentStatus::UntrustedChain,
        "{verdict:#?}"
    );
}

#[test]
fn a_certificate_expired_at_signing_time_gives_expired() {
    let pki = pki();
    let pdf = signed_by(pki, &pki.expired_signer);
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.status(), DocumentStatus::Expired, "{verdict:#?}");
    let sig = &verdict.signatures[0];
    assert!(
        sig.reason.contains("Phạm Văn Cũ") && sig.reason.contains("expired"),
        "{}",
        sig.reason
    );
}

#[test]
fn a_file_with_no_signature_is_unsigned() {
    let pki = pki();
    let verdict = verify(&unsigned_pdf(3, 0), &pki.anchors(), now()).unwrap();
    assert!(verdict.is_unsigned());
    assert_eq!(verdict.status(), DocumentStatus::Unsigned);
}

#[test]
fn sha1_signatures_are_unsupported_not_valid() {
    let pki = pki();
    let pdf = sign(
        &unsigned_pdf(1, 0),
        &pki.signer,
        &[&pki.intermediate],
        "adbe.pkcs7.detached",
        &["-md", "sha1"],
    );
    let verdict = verify(&pdf, &pki.anchors(), now()).unwrap();
    assert_eq!(
        verdict.status(),
        DocumentStatus::Unsupported,
        "{verdict:#?}"
    );
    let pdf = sign(
        &unsigned_pdf(1, 0),
        &pki.signer,
        &[&pki.intermediate],
        "adbe.pkcs7.sha1",
        &[],
    );
    let sig = &verify(&pdf, &pki.anchors(), now()).unwrap().signatures[0];
    assert_eq!(sig.status, SignatureStatus::Unsupported);
    assert!(sig.reason.contains("adbe.pkcs7.sha1"));
}

#[test]
fn the_verdict_serialises_for_the_hub() {
    let pki = pki();
    let verdict = verify(&signed_by(pki, &pki.signer), &pki.anchors(), now()).unwrap();
    let json = serde_json::to_string(&verdict).unwrap();
    assert!(json.contains("\"status\":\"valid\""), "{json}");
    let back: pdf_trust::Verdict = serde_json::from_str(&json).unwrap();
    assert_eq!(back, verdict);
}

#[test]
fn anchor_files_in_pem_and_der_load_and_junk_is_refused() {
    let pki = pki();
    let mut anchors = TrustAnchors::new();
    let both = format!(
        "{}{}",
        std::fs::read_to_string(&pki.root.cert_pem).unwrap(),
        std::fs::read_to_string(&pki.intermediate.cert_pem).unwrap()
    );
    assert_eq!(
        anchors.add_pem_or_der(both.as_bytes(), "both.pem").unwrap(),
        2
    );
    assert_eq!(
        anchors.add_pem_or_der(&pki.root.der, "root.der").unwrap(),
        1
    );
    assert_eq!(anchors.len(), 2, "the same certificate twice counts once");
    assert_eq!(
        anchors.subjects(),
        ["Root CA thử nghiệm", "CA cấp cho cán bộ (thử)"]
    );
    assert!(anchors
        .add_pem_or_der(b"not a certificate", "junk")
        .is_err());
    assert!(anchors.add_pem_or_der(b"", "empty").is_err());
    assert!(TrustAnchors::from_files(&[pki.dir.path().join("missing.pem")]).is_err());
    assert_eq!(anchors.len(), 2);
}

#[test]
fn a_document_time_stamp_is_reported_without_spoiling_a_valid_signature() {
    let pki = pki();
    let signed = signed_by(pki, &pki.signer);
    // A time-stamp dictionary over the whole file (its token is not checked, so any CMS
    // serves to fill it).
    let stamped = sign(&signed, &pki.signer, &[], "ETSI.RFC3161", &[]);
    let verdict = verify(&stamped, &pki.anchors(), now()).unwrap();
    assert_eq!(verdict.signatures.len(), 2);
    let stamp = &verdict.signatures[1];
    assert_eq!(stamp.kind, SignatureKind::DocumentTimeStamp);
    assert_eq!(stamp.status, SignatureStatus::Unsupported);
    assert_eq!(stamp.bytes_after, 0);
    assert_eq!(verdict.signatures[0].status, SignatureStatus::Valid);
    assert_eq!(verdict.status(), DocumentStatus::Valid, "{verdict:#?}");
    assert!(!verdict.is_unsigned());
}

#[test]
fn issuers_must_be_cas_within_their_path_length() {
    use rcgen::{BasicConstraints, IsCa};
    let pki = pki();
    let d = pki.dir.path();
    let valid = (
        rcgen::date_time_ymd(2020, 1, 1),
        rcgen::date_time_ymd(2040, 1, 1),
    );
    let key = || common::ec_key(&rcgen::PKCS_ECDSA_P256_SHA256);
    // An issuer that is no CA: its signature is good, its standing is not.
    let not_ca = common::ca_with(
        d,
        "not-ca",
        "Không phải CA",
        Some(&pki.root),
        IsCa::ExplicitNoCa,
    );
    let under_not_ca = common::person(
        d,
        "under-not-ca",
        "Dưới người thường",
        key(),
        &not_ca,
        valid,
    );
    // A CA allowed no CA below it, with one below it all the same.
    let short = common::ca_with(
        d,
        "short",
        "CA ngắn",
        Some(&pki.root),
        IsCa::Ca(BasicConstraints::Constrained(0)),
    );
    let below_short = common::ca(d, "below-short", "CA dưới CA ngắn", Some(&short));
    let too_deep = common::person(d, "too-deep", "Quá sâu", key(), &below_short, valid);
    let direct = common::person(d, "direct", "Ngay dưới CA ngắn", key(), &short, valid);
    let base = unsigned_pdf(1, 0);
    let status = |who: &common::Party, chain: &[&common::Party]| {
        let pdf = sign(&base, who, chain, "adbe.pkcs7.detached", &[]);
        verify(&pdf, &pki.anchors(), now()).unwrap().status()
    };
    assert_eq!(
        status(&under_not_ca, &[&not_ca]),
        DocumentStatus::UntrustedChain
    );
    assert_eq!(
        status(&too_deep, &[&below_short, &short]),
        DocumentStatus::UntrustedChain
    );
    assert_eq!(status(&direct, &[&short]), DocumentStatus::Valid);
}
