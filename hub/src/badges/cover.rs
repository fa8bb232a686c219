//! The badge sheet's first page when the hub serves HTTPS with its own certificate
//! authority: the QR code of the page where a tablet installs the CA (`/ca`), the CA's
//! fingerprint to compare, and the steps for Android and iPadOS, in Vietnamese. The IT
//! staff set the tablets up from it the day before the meeting.

use super::pdf::{PdfDoc, PAGE_HEIGHT, PAGE_WIDTH};
use super::{qr_code, QrError};

/// Where tablets install the hub's CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaNotice {
    /// The CA page, over plain HTTP (a tablet cannot open HTTPS before it trusts the CA).
    pub url: String,
    /// SHA-256 of the CA certificate, `AB:CD:…`.
    pub fingerprint: String,
}

const MARGIN: f32 = 56.0;
const QR_SIZE: f32 = 200.0;

const STEPS: [(&str, &[&str]); 2] = [
    (
        "Android",
        &[
            "1. Quét mã QR, bấm «Tải chứng chỉ».",
            "2. Cài đặt → Bảo mật → Mã hóa và thông tin xác thực → Cài đặt chứng chỉ →",
            "    Chứng chỉ CA → chọn tệp phonghop-ca.crt.",
            "3. Quét lại mã QR trên thẻ đại biểu.",
        ],
    ),
    (
        "iPad (iPadOS)",
        &[
            "1. Quét mã QR bằng Camera, mở bằng Safari, bấm «Tải chứng chỉ», «Cho phép».",
            "2. Cài đặt → Đã tải về hồ sơ → Cài đặt.",
            "3. Cài đặt → Cài đặt chung → Giới thiệu → Cài đặt tin cậy chứng nhận →",
            "    bật «Phòng họp không giấy CA».",
            "4. Quét lại mã QR trên thẻ đại biểu.",
        ],
    ),
];

/// Draws the cover page on a new page of `doc`.
pub(super) fn draw(doc: &mut PdfDoc, meeting_title: &str, ca: &CaNotice) -> Result<(), QrError> {
    doc.new_page();
    let inner = PAGE_WIDTH - 2.0 * MARGIN;
    let mut y = PAGE_HEIGHT - MARGIN - 16.0;
    for line in doc.wrap(
        "CÀI CHỨNG CHỈ CỦA PHÒNG HỌP TRÊN MÁY TÍNH BẢNG",
        16.0,
        inner,
    ) {
        doc.text_centered(PAGE_WIDTH / 2.0, y, 16.0, &line);
        y -= 20.0;
    }
    for line in doc.wrap(meeting_title, 10.0, inner).into_iter().take(2) {
        doc.text_centered(PAGE_WIDTH / 2.0, y, 10.0, &line);
        y -= 13.0;
    }
    y -= 8.0;
    for line in doc.wrap(
        "Làm một lần trên mỗi máy tính bảng, trước khi quét mã QR trên thẻ đại biểu: máy \
         sẽ mở trang họp bằng kết nối bảo mật và đọc lại tài liệu khi mất mạng.",
        10.0,
        inner,
    ) {
        doc.text(MARGIN, y, 10.0, &line);
        y -= 13.0;
    }
    y -= 8.0;
    let qr = qr_code(&ca.url)?;
    doc.qr((PAGE_WIDTH - QR_SIZE) / 2.0, y - QR_SIZE, QR_SIZE, &qr);
    y -= QR_SIZE + 16.0;
    doc.text_centered(PAGE_WIDTH / 2.0, y, 11.0, &ca.url);
    y -= 22.0;
    doc.text(
        MARGIN,
        y,
        9.0,
        "Dấu vân tay SHA-256 (so với trang chứng chỉ trên máy):",
    );
    y -= 12.0;
    // 95 characters: two lines of 16 bytes each.
    let (first, second) = ca.fingerprint.split_at(ca.fingerprint.len().min(48));
    for part in [first.trim_end_matches(':'), second] {
        doc.text(MARGIN + 12.0, y, 9.0, part);
        y -= 12.0;
    }
    for (device, lines) in STEPS {
        y -= 10.0;
        doc.text(MARGIN, y, 12.0, device);
        y -= 15.0;
        for line in lines {
            doc.text(MARGIN + 6.0, y, 9.5, line);
            y -= 12.5;
        }
    }
    y -= 10.0;
    for line in doc.wrap(
        "Install the hall's certificate on each tablet once: scan the code, tap «Tải chứng \
         chỉ» (download) and install it as a CA certificate (Android), or install the \
         profile and turn on full trust for it (iPadOS). Compare the fingerprint.",
        8.5,
        inner,
    ) {
        doc.text(MARGIN, y, 8.5, &line);
        y -= 11.0;
    }
    Ok(())
}
