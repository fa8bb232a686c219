//! Junk, truncated and mangled files give an error or a verdict, never a panic.

mod common;

use pdf_trust::{verify, PdfError, TrustAnchors};
use time::OffsetDateTime;

/// Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn files_that_are_not_pdfs_are_refused() {
    let anchors = TrustAnchors::new();
    for bytes in [&b""[..], b"hello", b"<html>%PDF", &noise(7, 5000)] {
        let err = verify(bytes, &anchors, OffsetDateTime::now_utc()).unwrap_err();
        assert!(matches!(err, PdfError::NotPdf), "{err}");
    }
}

#[test]
fn random_bytes_behind_a_pdf_header_give_an_error() {
    let anchors = TrustAnchors::new();
    for seed in 0..200 {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend(noise(seed, 64 + seed as usize * 37));
        assert!(verify(&bytes, &anchors, OffsetDateTime::now_utc()).is_err());
        assert!(pdf_trust::watermark(&bytes, &["x".to_owned()]).is_err());
    }
}

#[test]
fn a_signed_file_truncated_or_mangled_anywhere_never_panics() {
    let pki = common::Pki::new();
    let anchors = pki.anchors();
    let pdf = common::signed_by(&pki, &pki.signer);
    let now = OffsetDateTime::now_utc();
    let mut outcomes = std::collections::BTreeMap::new();
    for cut in (0..pdf.len()).step_by(97) {
        let label = match verify(&pdf[..cut], &anchors, now) {
            Ok(v) => format!("{:?}", v.status()),
            Err(_) => "error".to_owned(),
        };
        *outcomes.entry(label).or_insert(0) += 1;
    }
    for (i, seed) in (0..300u64).enumerate() {
        let mut mangled = pdf.clone();
        for (j, b) in noise(seed, 4).into_iter().enumerate() {
            let at = (seed as usize * 7919 + j * 104_729 + i) % mangled.len();
            mangled[at] = b;
        }
        let _ = verify(&mangled, &anchors, now);
        let _ = pdf_trust::watermark(&mangled, &["Nguyễn Thị Hường".to_owned()]);
    }
    assert!(outcomes.contains_key("error"), "{outcomes:?}");
}

#[test]
fn deep_nesting_and_page_tree_cycles_end_in_an_error_or_a_verdict() {
    let anchors = TrustAnchors::new();
    let now = OffsetDateTime::now_utc();
    let mut deep = b"%PDF-1.7\n1 0 obj\n".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 200_000));
    deep.extend(b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    assert!(verify(&deep, &anchors, now).is_err());
    assert!(pdf_trust::watermark(&deep, &["x".to_owned()]).is_err());

    // A page tree whose node is its own kid and its own parent.
    let cyclic = b"%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 /Parent 2 0 R >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj
4 0 obj << /Length 0 >> stream

endstream endobj
trailer << /Root 1 0 R /Size 5 >>
%%EOF
";
    let verdict = verify(cyclic, &anchors, now).unwrap();
    assert!(verdict.is_unsigned());
    // Either refused or marked; it must come back.
    let _ = pdf_trust::watermark(cyclic, &["Nguyễn".to_owned()]);
}
