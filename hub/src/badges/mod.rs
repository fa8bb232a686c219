//! What the secretariat prints: QR codes (PNG) for join links and the meeting's public
//! page, and the badge sheet (PDF, A4, eight badges a page), all made by the hub itself.
//! The same PDF machinery writes the demo's documents.

mod cover;
pub mod pdf;
mod sheet;

pub use cover::CaNotice;
pub use sheet::{badge_sheet, badge_sheet_with_ca, Badge, BADGES_PER_PAGE};

use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text does not fit in a QR code: {0}")]
    Code(#[from] qrcode::types::QrError),
    #[error("cannot encode the PNG: {0}")]
    Png(#[from] image::ImageError),
}

/// The QR code for `text`, at error correction level M (what survives a creased badge).
pub fn qr_code(text: &str) -> Result<QrCode, QrError> {
    Ok(QrCode::with_error_correction_level(text, EcLevel::M)?)
}

/// A PNG of the QR code for `text`: black modules of 8 × 8 pixels on white, with the
/// standard quiet zone, large enough to print or show on a screen.
pub fn qr_png(text: &str) -> Result<Vec<u8>, QrError> {
    let image = qr_code(text)?
        .render::<Luma<u8>>()
        .module_dimensions(8, 8)
        .build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)?;
    Ok(png)
}

/// Independent readers for what the hub prints, for tests.
#[cfg(test)]
pub(crate) mod testing {
    /// `pdfinfo` (poppler-utils, installed by .ci/run) reads the page count.
    pub(crate) fn pdfinfo_pages(pdf: &[u8]) -> usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .expect("pdfinfo runs (apt-get install poppler-utils)");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pdfinfo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no page count in: {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a QR code back with an independent decoder (rqrr), as a phone would.
    pub(crate) fn decode_png(png: &[u8]) -> String {
        let image = image::load_from_memory(png).unwrap().to_luma8();
        let (w, h) = image.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                image.get_pixel(x as u32, y as u32).0[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn a_join_url_png_decodes_back_to_exactly_the_url() {
        let url = "http://192.168.1.10:8080/j/bPW_KmGo4J3Sjp1z4p6E2gwX-tzBA_zCJ8WeBeCDeow";
        let png = qr_png(url).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(decode_png(&png), url);
    }
}
