//! The badge sheet (thẻ đại biểu): A4 pages of eight badges (two columns, four rows),
//! each with the meeting's title, the person's name, position, unit and seat, and the QR
//! code of their join link. Cut along the borders.

use super::pdf::{PdfDoc, PAGE_HEIGHT, PAGE_WIDTH};
use super::{qr_code, QrError};
use protocol::Role;

/// Badges on one A4 page.
pub const BADGES_PER_PAGE: usize = 8;
const COLUMNS: usize = 2;
const ROWS: usize = 4;
const MARGIN: f32 = 24.0;
const PAD: f32 = 10.0;
const QR_SIZE: f32 = 112.0;

/// One person's badge.
#[derive(Clone, Debug)]
pub struct Badge {
    pub name: String,
    pub position: String,
    pub unit: String,
    pub seat: Option<String>,
    pub role: Role,
    /// The join URL, in the QR code.
    pub url: String,
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Chair => "CHỦ TỌA",
        Role::Secretariat => "THƯ KÝ",
        Role::Delegate => "ĐẠI BIỂU",
        Role::Projector => "MÀN HÌNH",
    }
}

/// The PDF of `badges`, [`BADGES_PER_PAGE`] a page, in the order given.
pub fn badge_sheet(meeting_title: &str, badges: &[Badge]) -> Result<Vec<u8>, QrError> {
    badge_sheet_with_ca(meeting_title, badges, None)
}

/// [`badge_sheet`], with first a page for installing the hub's own CA on the tablets
/// when there is one (`super::cover`).
pub fn badge_sheet_with_ca(
    meeting_title: &str,
    badges: &[Badge],
    ca: Option<&super::CaNotice>,
) -> Result<Vec<u8>, QrError> {
    let mut doc = PdfDoc::new();
    if let Some(ca) = ca {
        super::cover::draw(&mut doc, meeting_title, ca)?;
    }
    let w = (PAGE_WIDTH - 2.0 * MARGIN) / COLUMNS as f32;
    let h = (PAGE_HEIGHT - 2.0 * MARGIN) / ROWS as f32;
    for (n, badge) in badges.iter().enumerate() {
        let slot = n % BADGES_PER_PAGE;
        if slot == 0 {
            doc.new_page();
        }
        let (col, row) = (slot % COLUMNS, slot / COLUMNS);
        let x = MARGIN + col as f32 * w;
        let top = PAGE_HEIGHT - MARGIN - row as f32 * h;
        draw(&mut doc, meeting_title, badge, x, top - h, w, h)?;
    }
    Ok(doc.finish(&format!("Thẻ đại biểu – {meeting_title}")))
}

fn draw(
    doc: &mut PdfDoc,
    title: &str,
    badge: &Badge,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
) -> Result<(), QrError> {
    doc.stroke_rect(x + 2.0, y + 2.0, w - 4.0, h - 4.0, 0.6);
    let inner = w - 2.0 * PAD;
    let mut line_y = y + h - PAD - 9.0;
    for line in doc.wrap(title, 7.5, inner).into_iter().take(2) {
        doc.text_centered(x + w / 2.0, line_y, 7.5, &line);
        line_y -= 9.5;
    }
    // The role on a grey band, readable from across the hall.
    let band_y = line_y - 14.0;
    doc.fill_rect(x + PAD, band_y, inner, 16.0, 0.85);
    let label = role_label(badge.role);
    doc.text_centered(x + w / 2.0, band_y + 4.5, 10.0, label);

    let qr = qr_code(&badge.url)?;
    doc.qr(x + w - PAD - QR_SIZE, y + PAD, QR_SIZE, &qr);
    let text_w = inner - QR_SIZE - 6.0;
    let mut ty = band_y - 18.0;
    for line in doc.wrap(&badge.name, 13.0, text_w).into_iter().take(2) {
        doc.text(x + PAD, ty, 13.0, &line);
        ty -= 15.0;
    }
    ty -= 2.0;
    for (text, size, max) in [(&badge.position, 8.5, 3), (&badge.unit, 8.5, 3)] {
        for line in doc.wrap(text, size, text_w).into_iter().take(max) {
            doc.text(x + PAD, ty, size, &line);
            ty -= 10.5;
        }
        ty -= 2.0;
    }
    if let Some(seat) = &badge.seat {
        doc.text(x + PAD, y + PAD + 4.0, 11.0, &format!("Ghế: {seat}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn badges(n: usize) -> Vec<Badge> {
        (0..n)
            .map(|i| Badge {
                name: format!("Nguyễn Thị Phượng {i}"),
                position: "Phó Bí thư Thường trực Đảng ủy, Chủ tịch Hội đồng nhân dân xã".into(),
                unit: "Đảng bộ xã Hòa Bình".into(),
                seat: Some(format!("B-{i:03}")),
                role: Role::Delegate,
                url: format!("http://10.0.0.5:8080/j/{}", "A".repeat(43)),
            })
            .collect()
    }

    #[test]
    fn with_the_hubs_own_ca_the_first_page_is_for_installing_it() {
        let ca = crate::badges::CaNotice {
            url: "http://192.168.1.10/ca".into(),
            fingerprint: ["AB"; 32].join(":"),
        };
        let pdf = badge_sheet_with_ca("Đại hội", &badges(9), Some(&ca)).unwrap();
        assert_eq!(crate::badges::testing::pdfinfo_pages(&pdf), 3);
    }

    #[test]
    fn the_sheet_has_one_page_per_eight_badges_and_pdfinfo_reads_it() {
        for (n, pages) in [(1, 1), (8, 1), (9, 2), (17, 3)] {
            let pdf = badge_sheet("Đại hội đại biểu Đảng bộ huyện", &badges(n)).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            assert_eq!(
                crate::badges::testing::pdfinfo_pages(&pdf),
                pages,
                "{n} badges"
            );
        }
    }
}
