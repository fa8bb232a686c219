//! Text for the index: Vietnamese folded so that "nghi quyet" finds "nghị quyết", and the
//! text of a stored PDF page by page.
//!
//! Every string goes in and every query comes in as NFC, so a letter with its tone is one
//! character (a decomposed "ệ" would otherwise split a word at its combining marks); the
//! index's analyzer then lower-cases and folds each token to ASCII (tantivy's
//! `AsciiFoldingFilter`, Lucene's table, which covers Latin Extended Additional where the
//! Vietnamese vowels with tones live, and `đ` → `d`).

use std::path::Path;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use unicode_normalization::UnicodeNormalization;

/// The name the index's text fields give their analyzer.
pub const VIETNAMESE: &str = "vi_folded";

/// A PDF's text is read from at most this many pages; a page's decompressed content from
/// at most [`PAGE_CONTENT_LIMIT`] bytes.
pub const MAX_PAGES: u32 = 2_000;
const PAGE_CONTENT_LIMIT: usize = 16 * 1024 * 1024;
/// A page's text kept for the index (its snippets come from it).
const PAGE_TEXT_LIMIT: usize = 64 * 1024;

/// The analyzer of every text field and of every query: words, lower case, ASCII folded.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// `text` in NFC, as the index keeps it and the analyzer expects it.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// The folded tokens of `text`, as the index sees them (for tests and the query's terms).
pub fn tokens(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let nfc = nfc(text);
    let mut stream = analyzer.token_stream(&nfc);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Why a PDF's text could not be read. The document stays findable by its title.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("reading the stored file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a PDF this hub can read: {0}")]
    Pdf(#[from] lopdf::Error),
}

/// The text of each page of the PDF at `path`, first page first (pages without text are
/// empty strings, so a hit's page number is the viewer's). Off the async threads: the
/// caller runs it on the blocking pool.
pub fn pdf_pages(path: &Path) -> Result<Vec<String>, TextError> {
    let bytes = std::fs::read(path)?;
    pdf_pages_of(&bytes)
}

/// [`pdf_pages`] over bytes in memory.
pub fn pdf_pages_of(bytes: &[u8]) -> Result<Vec<String>, TextError> {
    let doc = lopdf::Document::load_mem(bytes)?;
    let count = (doc.get_pages().len() as u32).min(MAX_PAGES);
    let mut pages = Vec::with_capacity(count as usize);
    for page in 1..=count {
        // A page whose text cannot be read is an empty page, not a lost document.
        let text = doc
            .extract_text_with_limit(&[page], PAGE_CONTENT_LIMIT)
            .unwrap_or_default();
        let mut text = nfc(&text);
        if text.len() > PAGE_TEXT_LIMIT {
            let mut cut = PAGE_TEXT_LIMIT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        pages.push(text);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Vietnamese vowel with every tone, in both cases, with its base letter.
    const VOWELS: [(&str, char); 12] = [
        ("aàáảãạ", 'a'),
        ("ăằắẳẵặ", 'a'),
        ("âầấẩẫậ", 'a'),
        ("eèéẻẽẹ", 'e'),
        ("êềếểễệ", 'e'),
        ("iìíỉĩị", 'i'),
        ("oòóỏõọ", 'o'),
        ("ôồốổỗộ", 'o'),
        ("ơờớởỡợ", 'o'),
        ("uùúủũụ", 'u'),
        ("ưừứửữự", 'u'),
        ("yỳýỷỹỵ", 'y'),
    ];

    #[test]
    fn every_vietnamese_letter_folds_to_its_ascii_base() {
        for (letters, base) in VOWELS {
            for letter in letters.chars() {
                for c in [letter.to_string(), letter.to_uppercase().to_string()] {
                    assert_eq!(
                        tokens(&c),
                        vec![base.to_string()],
                        "{c} should fold to {base}"
                    );
                }
            }
        }
        assert_eq!(tokens("đ Đ"), vec!["d", "d"]);
        // The consonants and the rest of the alphabet stay themselves, lower-cased.
        for c in "bcdghklmnpqrstvx".chars() {
            assert_eq!(tokens(&c.to_uppercase().to_string()), vec![c.to_string()]);
        }
    }

    #[test]
    fn decomposed_text_folds_like_composed_text() {
        let composed = "Nghị quyết Đại hội";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(tokens(&decomposed), tokens(composed));
        assert_eq!(tokens(composed), vec!["nghi", "quyet", "dai", "hoi"]);
    }

    #[test]
    fn a_demo_pdf_gives_its_vietnamese_text_by_page() {
        let mut doc = crate::badges::pdf::PdfDoc::new();
        doc.new_page();
        doc.text(50.0, 700.0, 12.0, "Nghị quyết về công tác xây dựng Đảng");
        doc.new_page();
        doc.text(50.0, 700.0, 12.0, "Chương trình hành động năm 2027");
        let pdf = doc.finish("Nghị quyết");
        let pages = pdf_pages_of(&pdf).expect("readable");
        assert_eq!(pages.len(), 2);
        assert!(
            tokens(&pages[0]).windows(2).any(|w| w == ["nghi", "quyet"]),
            "{:?}",
            pages[0]
        );
        assert!(
            tokens(&pages[1]).contains(&"chuong".to_string()),
            "{:?}",
            pages[1]
        );
    }

    #[test]
    fn bytes_that_are_not_a_pdf_are_an_error() {
        assert!(pdf_pages_of(b"not a pdf at all").is_err());
    }
}
