//! Figures, not assertions: how long verification and watermarking take and how much a
//! watermark adds. Run with
//! `cargo test -p pdf-trust --release --test measure -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(times: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..times)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

#[test]
#[ignore = "a measurement; run it on purpose with --release"]
fn verify_a_10_mb_signed_pdf() {
    let pki = common::Pki::new();
    let base = common::unsigned_pdf(20, 10 * 1024 * 1024);
    let pdf = common::sign(
        &base,
        &pki.signer,
        &[&pki.intermediate],
        "ETSI.CAdES.detached",
        &[],
    );
    let rsa = common::sign(
        &base,
        &pki.rsa_signer,
        &[&pki.intermediate],
        "adbe.pkcs7.detached",
        &[],
    );
    let anchors = pki.anchors();
    let now = time::OffsetDateTime::now_utc();
    for (name, file) in [("P-256", &pdf), ("RSA-2048", &rsa)] {
        let verdict = pdf_trust::verify(file, &anchors, now).unwrap();
        assert_eq!(verdict.status(), pdf_trust::DocumentStatus::Valid);
        let took = time(7, || pdf_trust::verify(file, &anchors, now).unwrap());
        println!(
            "verify: {:.1} MB signed PDF ({name}), median of 7: {:?}",
            file.len() as f64 / 1e6,
            took
        );
    }
}

#[test]
#[ignore = "a measurement; run it on purpose with --release"]
fn watermark_100_300_and_1000_pages() {
    let lines = vec!["Nguyễn Thị Hường · ghế A-12 · 01/12/2026 14:03".to_owned()];
    for pages in [100, 300, 1000] {
        let pdf = common::unsigned_pdf(pages, 0);
        let copy = pdf_trust::watermark(&pdf, &lines).unwrap();
        let took = time(5, || pdf_trust::watermark(&pdf, &lines).unwrap());
        println!(
            "watermark: {pages} pages, {} → {} bytes (+{} bytes, +{:.1} KB/page amortised), median of 5: {:?}",
            pdf.len(),
            copy.len(),
            copy.len() - pdf.len(),
            (copy.len() - pdf.len()) as f64 / pages as f64 / 1024.0,
            took
        );
    }
    // A heavier file: 100 pages plus 10 MB of image-like data.
    let pdf = common::unsigned_pdf(100, 10 * 1024 * 1024);
    let copy = pdf_trust::watermark(&pdf, &lines).unwrap();
    let took = time(5, || pdf_trust::watermark(&pdf, &lines).unwrap());
    println!(
        "watermark: 100 pages + 10 MB stream, {} → {} bytes, median of 5: {:?}",
        pdf.len(),
        copy.len(),
        took
    );
}
