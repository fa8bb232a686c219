use super::*;
use crate::paper::HeaderKind;
use crate::sample;
use crate::testing::parts;
use crate::text::{TextError, MAX_FREE_TEXT};

#[test]
fn the_minutes_of_a_congress_say_what_happened() {
    let m = sample::congress(180, 6);
    let text = m.paper().unwrap().all_text();
    for expected in [
        "BIÊN BẢN",
        "Đại hội đại biểu Đảng bộ huyện Gia Bình lần thứ XXV, nhiệm kỳ 2025 - 2030",
        "Thời gian: bắt đầu lúc 08 giờ 00 phút, ngày 01 tháng 12 năm 2026.",
        "Chủ trì: đồng chí Nguyễn Thị Hường, Phó Bí thư Thường trực Huyện ủy; đồng chí Phạm Quang Vĩnh",
        "Thư ký: đồng chí Trần Đức Lượng, Chánh Văn phòng Huyện ủy.",
        "tổng số đại biểu được triệu tập 180; có mặt 175 (97,22\u{a0}%); vắng mặt 5.",
        "đạt từ 2/3 tổng số được triệu tập: đại hội đủ điều kiện tiến hành.",
        "Đại biểu vắng mặt (5 đồng chí):",
        "(lý do: đi công tác nước ngoài).",
        "(chưa báo lý do).",
        "1. Khai mạc Đại hội; thông qua Chương trình và Quy chế làm việc",
        "Danh sách nhân sự Ban Chấp hành khóa XXV (Mật, phiên bản 1",
        "Ý kiến phát biểu (1 lượt):",
        "Ý kiến phát biểu: không có đại biểu phát biểu.",
        "Tán thành 170 (94,44\u{a0}%); Không tán thành 4 (2,22\u{a0}%); Không biểu quyết 1 (0,56\u{a0}%).",
        "quá 1/2 tổng số đại biểu được triệu tập (180), tức ít nhất 91 phiếu",
        "Nội dung được thông qua.",
        "Trúng cử: Nguyễn Thị Hường, Trần Đức Lượng,",
        "phải bầu lại giữa những người này.",
        "Chi tiết tại biên bản kiểm phiếu.",
        "Kết luận:",
        "III. CÁC NỘI DUNG KHÁC",
        "Đại hội kết thúc vào hồi 17 giờ 30 phút cùng ngày./.",
        "THƯ KÝ Trần Đức Lượng",
        "T/M ĐOÀN CHỦ TỊCH Nguyễn Thị Hường",
        "Nơi nhận:",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Item 2 has no conclusion yet: dotted lines to fill by hand.
    let item2 = &text[text.find("2. Báo cáo chính trị").unwrap()..];
    let item3 = item2.find("3. Thảo luận").unwrap();
    assert!(
        item2[..item3].contains(&"…".repeat(33)),
        "{}",
        &item2[..item3]
    );
}

#[test]
fn both_forms_carry_the_header_and_the_names() {
    let m = sample::congress(60, 3);
    let xml = parts(&m.to_docx().unwrap(), "word/document");
    for expected in [
        "HUYỆN ỦY GIA BÌNH",
        "ĐẢNG BỘ TỈNH BẮC NINH",
        "Số 15-BB/HU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Gia Bình, ngày 01 tháng 12 năm 2026",
        "Nguyễn Thị Hường",
        "Trần Đức Lượng",
    ] {
        assert!(xml.contains(expected), "the DOCX lacks {expected:?}");
    }
    let docx = m.to_docx().unwrap();
    assert!(parts(&docx, "word/styles").contains("Times New Roman"));
    let pdf = m.to_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.len() < 200_000,
        "{} bytes: is the font subset?",
        pdf.len()
    );
}

#[test]
fn a_state_body_gets_the_national_motto() {
    let mut m = sample::congress(30, 1);
    m.header.kind = HeaderKind::State;
    m.header.number = "12/BB-UBND".to_owned();
    let xml = parts(&m.to_docx().unwrap(), "word/document");
    assert!(xml.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(xml.contains("Độc lập - Tự do - Hạnh phúc"));
    assert!(xml.contains("Số: 12/BB-UBND"));
    assert!(!xml.contains("ĐẢNG CỘNG SẢN"));
    m.to_pdf().unwrap();
}

#[test]
fn a_draft_says_so_in_the_header_of_every_page() {
    let mut m = sample::congress(40, 2);
    let headers = |m: &Minutes| parts(&m.to_docx().unwrap(), "word/header");
    assert!(!headers(&m).contains("DỰ THẢO"));
    m.draft = true;
    let h = headers(&m);
    // The first page's header and the other pages' header both carry it.
    assert_eq!(h.matches("DỰ THẢO").count(), 2, "{h}");
}

#[test]
fn free_text_cannot_break_the_documents() {
    let mut m = sample::congress(30, 2);
    let nasty = "</w:t></w:r><w:p>&amp; <![CDATA[x]]> \u{0}\u{1}\u{1b}[31m\u{202e}gnp.exe\u{feff} "
        .to_owned()
        + &"Lượng".repeat(400);
    m.items[0].conclusion = nasty.clone();
    m.items[1].speeches[0].summary = nasty.clone();
    m.notes = format!("{nasty}\n\n\r\n{nasty}");
    m.attendees[7].absence_reason = "ốm\u{7}".to_owned();
    let xml = parts(&m.to_docx().unwrap(), "word/document");
    assert!(
        xml.contains("&lt;/w:t&gt;&lt;/w:r&gt;&lt;w:p&gt;&amp;amp;"),
        "escaped"
    );
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1b}') && !xml.contains('\u{202e}'));
    assert!(
        xml.contains("gnp.exe"),
        "the text around a control character stays"
    );
    let pdf = m.to_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn text_over_its_limit_is_refused_with_the_field_named() {
    let mut m = sample::congress(30, 1);
    m.items[0].conclusion = "a".repeat(MAX_FREE_TEXT + 1);
    let e = m.to_pdf().unwrap_err();
    assert!(
        matches!(&e, RecordError::Input(TextError::TooLong { field, .. }) if field == "item.conclusion"),
        "{e}"
    );
    let mut m = sample::congress(30, 1);
    m.subject = "Đ".repeat(501);
    assert!(m.to_docx().unwrap_err().to_string().starts_with("subject:"));
}

#[test]
fn an_empty_minutes_leaves_blanks_to_fill() {
    let m = Minutes {
        header: Header::default(),
        subject: String::new(),
        draft: true,
        venue: String::new(),
        started_at: None,
        ended_at: None,
        chairs: Vec::new(),
        secretaries: Vec::new(),
        attendees: Vec::new(),
        quorum: Fraction::TWO_THIRDS,
        items: vec![ItemRecord::default()],
        notes: String::new(),
        recipients: Vec::new(),
    };
    let paper = m.paper().unwrap();
    assert_eq!(paper.header.number, "Số ……-BB/……");
    assert_eq!(paper.header.date, "Ngày …… tháng …… năm ……");
    let text = paper.all_text();
    assert!(text.contains("bắt đầu lúc …… giờ …… phút"), "{text}");
    assert!(text.contains("chưa đạt 2/3"), "{text}");
    assert!(text.contains("Cuộc họp kết thúc vào hồi …… giờ"), "{text}");
    m.to_pdf().unwrap();
    m.to_docx().unwrap();
}

#[test]
fn an_unfinished_vote_is_said_to_be_unfinished() {
    let mut m = sample::congress(30, 1);
    m.items[0].votes[0].status = protocol::PollStatus::Open;
    m.items[0].votes[0].result = None;
    let text = m.paper().unwrap().all_text();
    assert!(text.contains("Chưa có kết quả: phiên biểu quyết chưa kết thúc."));
    // A result that does not fit its poll is refused, not printed.
    let mut m = sample::congress(30, 1);
    if let Some(r) = &mut m.items[0].votes[0].result {
        r.tallies.pop();
    }
    let e = m.to_pdf().unwrap_err();
    assert!(e.to_string().contains("the number of tallies"), "{e}");
}
