//! Watermarked copies: the reader's name, seat and the time drawn across every page, on
//! top of the content, so that a photo of the screen names its source.
//!
//! The copy is a new file: the original's objects are read with lopdf and written out
//! again (one revision, so the clean original is not left inside the copy as an earlier
//! revision for anyone to cut back to), with each page's content wrapped in `q … Q` and
//! followed by the watermark. Each page gets the text repeated diagonally in light grey,
//! translucent, and once along its bottom edge (horizontal text, which every text
//! extractor reads). Pages' inherited `/MediaBox`, `/CropBox`, `/Rotate` and
//! `/Resources` are honoured: the watermark is laid out in the page's displayed
//! orientation. A signature in the original no longer verifies in the copy (its bytes
//! changed, by design); the verdict belongs to the original, which the hub keeps.

mod font;
mod page;

use crate::verify::{load, PdfError};
use font::WatermarkFont;
use lopdf::dictionary;

/// Most lines of watermark text, and most characters in one line.
pub const MAX_WATERMARK_LINES: usize = 6;
pub const MAX_WATERMARK_LINE_CHARS: usize = 200;
/// Most pages a document may have to be watermarked.
pub const MAX_WATERMARK_PAGES: usize = 5000;

/// Returns a copy of `pdf` with `lines` (e.g. `["Nguyễn Thị Hường · ghế A-12 ·
/// 01/12/2026 14:03"]`) drawn across each page. `pdf` itself is only read.
///
/// Errors: not a PDF, unreadable, encrypted, no pages, too many pages, or no text.
pub fn watermark(pdf: &[u8], lines: &[String]) -> Result<Vec<u8>, PdfError> {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| l.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(PdfError::Watermark("no watermark text".into()));
    }
    if lines.len() > MAX_WATERMARK_LINES
        || lines
            .iter()
            .any(|l| l.chars().count() > MAX_WATERMARK_LINE_CHARS)
    {
        return Err(PdfError::Watermark(format!(
            "watermark text over {MAX_WATERMARK_LINES} lines of {MAX_WATERMARK_LINE_CHARS} characters"
        )));
    }
    let mut doc = load(pdf)?;
    let numbered = doc.get_pages();
    for (&number, &page_id) in &numbered {
        page::check_page(&doc, number, page_id)?;
    }
    let pages: Vec<lopdf::ObjectId> = numbered.into_values().collect();
    if pages.is_empty() {
        return Err(PdfError::Malformed("the PDF has no pages".into()));
    }
    // A damaged file that the parser patched up may have lost pages: a reader must not
    // be served a shorter document without anyone noticing.
    let counted = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").and_then(lopdf::Object::as_reference).ok())
        .and_then(|id| doc.get_dictionary(id).ok())
        .and_then(|tree| tree.get(b"Count").and_then(lopdf::Object::as_i64).ok());
    if counted.is_some_and(|n| n != pages.len() as i64) {
        return Err(PdfError::Malformed(format!(
            "the page tree counts {} pages but {} could be read",
            counted.unwrap_or_default(),
            pages.len()
        )));
    }
    if pages.len() > MAX_WATERMARK_PAGES {
        return Err(PdfError::Watermark(format!(
            "more than {MAX_WATERMARK_PAGES} pages"
        )));
    }

    doc.max_id = page::highest_reference(&doc);

    let mut font = WatermarkFont::new();
    let text = page::Text::new(&mut font, &lines);
    let font_id = font.embed(&mut doc).map_err(PdfError::Watermark)?;
    let state_id = doc.add_object(dictionary! {
        "Type" => "ExtGState",
        "ca" => 0.3,
        "CA" => 0.3,
    });
    let footer_state_id = doc.add_object(dictionary! {
        "Type" => "ExtGState",
        "ca" => 0.7,
        "CA" => 0.7,
    });
    let names = page::ResourceNames::new(font_id, state_id, footer_state_id);
    let open = doc.add_object(lopdf::Stream::new(dictionary! {}, b"q\n".to_vec()));
    let mut drawn = std::collections::HashMap::new();
    for page_id in pages {
        page::mark_page(&mut doc, page_id, &text, &names, open, &mut drawn)?;
    }
    let mut out = Vec::with_capacity(pdf.len() + 64 * 1024);
    let saved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if matches!(
            doc.reference_table.cross_reference_type,
            lopdf::xref::XrefType::CrossReferenceStream
        ) {
            // The original packed its objects in object streams; keep the copy as compact.
            let options = lopdf::SaveOptions::builder()
                .use_object_streams(true)
                .use_xref_streams(true)
                .build();
            doc.save_with_options(&mut out, options)
        } else {
            doc.save_to(&mut out)
        }
    }));
    match saved {
        Ok(Ok(())) => Ok(out),
        Ok(Err(e)) => Err(PdfError::Malformed(format!(
            "the copy cannot be written: {e}"
        ))),
        Err(_) => Err(PdfError::Malformed(
            "the PDF writer failed on this file".into(),
        )),
    }
}
