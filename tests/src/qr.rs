//! QR codes read back as a phone's camera would (rqrr): from a PNG the hub served, a
//! screenshot, or a rendered page.

/// Every QR code in a greyscale image, decoded.
pub fn decode_all(image: &image::GrayImage) -> Vec<String> {
    let (w, h) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    prepared
        .detect_grids()
        .iter()
        .map(|g| g.decode().expect("a readable QR code").1)
        .collect()
}

/// The text of the one QR code in a PNG.
pub fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut codes = decode_all(&image);
    assert_eq!(codes.len(), 1, "one QR code in the PNG: {codes:?}");
    codes.remove(0)
}
