use super::*;
use crate::sample;
use crate::testing::parts;

#[test]
fn the_report_names_the_elected_in_order_and_the_tie() {
    let report = sample::counting_report(180);
    let text = report.paper().unwrap().all_text();
    for expected in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Bầu Ban Chấp hành Đảng bộ huyện khóa XXV, nhiệm kỳ 2025 - 2030",
        "Hôm nay, vào hồi 11 giờ 10 phút, ngày 01 tháng 12 năm 2026, tại Hội trường",
        "1. Đồng chí Lê Thị Ánh Tuyết – trưởng ban;",
        "bỏ phiếu kín; số lượng cần bầu: 11",
        "- Số phiếu phát ra: 175.",
        "- Số phiếu thu vào: 175.",
        "- Số phiếu hợp lệ: 172.",
        "- Số phiếu không hợp lệ: 3.",
        "quá 1/2 tổng số phiếu hợp lệ (172), tức ít nhất 87 phiếu",
        "Tỷ lệ so với phiếu hợp lệ",
        "1 | Nguyễn Thị Hường | 159 | 92,44\u{a0}% | Trúng cử",
        "2 | Trần Đức Lượng | 154 | 89,53\u{a0}% | Trúng cử",
        "| 112 | 65,12\u{a0}% | Bằng phiếu, bầu lại",
        "| 69 | 40,12\u{a0}% | Không trúng cử",
        "Số người trúng cử: 10 trên 11 người cần bầu",
        "có số phiếu bằng nhau (112 phiếu) ở vị trí trúng cử cuối cùng",
        "9f86 d081 884c 7d65 9a2f eaa0 c55a d015",
        "a3bf 4f1b 2b0b 822c d15d 6c15 b0f0 0a08",
        "hub verify ket-qua-bau-bch.json --key signing.pub",
        "TRƯỞNG BAN Lê Thị Ánh Tuyết",
        "PHÓ TRƯỞNG BAN Đỗ Mạnh Hùng",
        "ỦY VIÊN Dương Văn Khải",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Most votes first: the 13 rows of the table are in falling order.
    let votes: Vec<u32> = text
        .lines()
        .filter_map(|l| l.split(" | ").nth(2)?.parse().ok())
        .collect();
    assert_eq!(votes.len(), 13, "{text}");
    assert!(votes.windows(2).all(|w| w[0] >= w[1]), "{votes:?}");
}

#[test]
fn every_member_of_the_committee_signs_the_docx() {
    let xml = parts(
        &sample::counting_report(60).to_docx().unwrap(),
        "word/document",
    );
    for name in [
        "Lê Thị Ánh Tuyết",
        "Đỗ Mạnh Hùng",
        "Hồ Sỹ Quý",
        "Ngô Thị Thu Hằng",
        "Dương Văn Khải",
    ] {
        assert!(xml.contains(name), "{name}");
    }
    assert!(xml.contains("BIÊN BẢN KIỂM PHIẾU"));
}

#[test]
fn there_is_no_report_before_the_result_is_published() {
    let mut report = sample::counting_report(60);
    report.vote.status = PollStatus::Closed;
    let e = report.to_pdf().unwrap_err();
    assert!(
        e.to_string()
            .contains("is closed: a counting report is made of a published result"),
        "{e}"
    );
}

#[test]
fn a_motion_reports_whether_it_passed_and_needs_no_seal() {
    let (mut vote, _) = sample::ballots(60);
    vote.poll.secret = true;
    let report = CountingReport {
        vote,
        sealed_box: None,
        ..sample::counting_report(60)
    };
    let text = report.paper().unwrap().all_text();
    assert!(text.contains("II. KẾT QUẢ BIỂU QUYẾT"), "{text}");
    assert!(text.contains("1 | Tán thành | 57 | 95,00\u{a0}%"), "{text}");
    assert!(text.contains("Nội dung được thông qua."), "{text}");
    assert!(!text.contains("HÒM PHIẾU"), "{text}");
}

#[test]
fn a_fingerprint_must_be_a_sha256() {
    let mut report = sample::counting_report(60);
    if let Some(s) = &mut report.sealed_box {
        s.fingerprint = "abc".to_owned();
    }
    assert!(report
        .to_pdf()
        .unwrap_err()
        .to_string()
        .contains("64 hex digits"));
}
