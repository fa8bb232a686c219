//! Watermarked copies open in poppler, keep their pages, and give the reader's
//! Vietnamese name back to `pdftotext` on every page.

mod common;

use lopdf::{dictionary, Document, Object, Stream};
use pdf_trust::{watermark, PdfError};
use std::process::Command;

const READER: &str = "Nguyễn Thị Hường · ghế A-12 · 01/12/2026 14:03";

fn lines() -> Vec<String> {
    vec![READER.to_owned()]
}

fn poppler(tool: &str, pdf: &[u8], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut args: Vec<&str> = extra.to_vec();
    args.push(path.to_str().unwrap());
    if tool == "pdftotext" {
        args.push("-");
    }
    let out = Command::new(tool)
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", pdf, &[]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The text of each page, as `pdftotext` gives it (pages end with a form feed).
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let text = poppler("pdftotext", pdf, &["-enc", "UTF-8"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    pages.pop();
    pages
}

#[test]
fn the_copy_opens_keeps_its_pages_and_names_the_reader_on_every_page() {
    let original = common::unsigned_pdf(5, 0);
    let before = original.clone();
    let copy = watermark(&original, &lines()).unwrap();
    assert_eq!(original, before, "the original's bytes are unchanged");
    assert_ne!(copy, original);
    assert_eq!(page_count(&copy), 5);
    let pages = page_texts(&copy);
    assert_eq!(pages.len(), 5);
    for (i, text) in pages.iter().enumerate() {
        assert!(text.contains("Nguyễn Thị Hường"), "page {}: {text}", i + 1);
        assert!(text.contains("ghế A-12"), "page {}: {text}", i + 1);
        assert!(
            text.contains(&format!("Page {} of the resolution", i + 1)),
            "the content stays"
        );
    }
}

/// A PDF whose page tree passes MediaBox, Resources and Rotate down to its pages, with a
/// page of each rotation and one cropped; written by lopdf with object streams.
fn inherited_and_rotated() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for (i, rotate) in [0i64, 90, 180, 270, 0].into_iter().enumerate() {
        let content = format!("BT /F1 18 Tf 60 700 Td (Trang {}) Tj ET", i + 1);
        let content = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let mut page = dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        };
        if rotate != 0 {
            page.set("Rotate", rotate);
        }
        if i == 4 {
            page.set(
                "CropBox",
                vec![50.into(), 100.into(), 400.into(), 600.into()],
            );
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    doc.save_with_options(&mut out, options).unwrap();
    out
}

#[test]
fn rotated_pages_and_inherited_resources_keep_their_text_and_get_the_mark() {
    let original = inherited_and_rotated();
    let copy = watermark(&original, &lines()).unwrap();
    assert_eq!(page_count(&copy), 5);
    let pages = page_texts(&copy);
    for (i, text) in pages.iter().enumerate() {
        assert!(text.contains("Nguyễn Thị Hường"), "page {}: {text}", i + 1);
        assert!(
            text.contains(&format!("Trang {}", i + 1)),
            "page {}'s own text: {text}",
            i + 1
        );
    }
    // The displayed size of each page is what it was: rotation and crop box kept.
    let info = poppler("pdfinfo", &copy, &["-f", "1", "-l", "5"]);
    let rotations: Vec<&str> = info.lines().filter(|l| l.contains("rot:")).collect();
    assert_eq!(rotations.len(), 5, "{info}");
    for (line, rot) in rotations.iter().zip(["0", "90", "180", "270", "0"]) {
        assert_eq!(line.split_whitespace().last(), Some(rot), "{line}");
    }
    let sizes: Vec<&str> = info.lines().filter(|l| l.contains("size:")).collect();
    assert!(
        sizes[4].contains("350 x 500"),
        "the crop box is kept: {}",
        sizes[4]
    );
}

#[test]
fn a_malformed_pdf_gives_a_clear_error() {
    let original = common::unsigned_pdf(2, 0);
    let err = watermark(&original[..original.len() / 3], &lines()).unwrap_err();
    assert!(matches!(err, PdfError::Malformed(_)), "{err}");
    assert!(
        err.to_string().starts_with("the PDF cannot be read"),
        "{err}"
    );
    let err = watermark(b"GIF89a...", &lines()).unwrap_err();
    assert!(matches!(err, PdfError::NotPdf), "{err}");
}

#[test]
fn watermark_text_must_be_given_and_bounded() {
    let original = common::unsigned_pdf(1, 0);
    assert!(matches!(
        watermark(&original, &[]),
        Err(PdfError::Watermark(_))
    ));
    assert!(matches!(
        watermark(&original, &["  \n".to_owned()]),
        Err(PdfError::Watermark(_))
    ));
    let long = "x".repeat(pdf_trust::MAX_WATERMARK_LINE_CHARS + 1);
    assert!(matches!(
        watermark(&original, &[long]),
        Err(PdfError::Watermark(_))
    ));
}

#[test]
fn a_watermarked_copy_of_a_signed_pdf_no_longer_verifies_as_the_original() {
    let pki = common::Pki::new();
    let signed = common::signed_by(&pki, &pki.signer);
    let copy = watermark(&signed, &lines()).unwrap();
    let verdict =
        pdf_trust::verify(&copy, &pki.anchors(), time::OffsetDateTime::now_utc()).unwrap();
    assert_eq!(
        verdict.status(),
        pdf_trust::DocumentStatus::Broken,
        "{verdict:#?}"
    );
    assert!(page_texts(&copy)[0].contains("Nguyễn Thị Hường"));
}
