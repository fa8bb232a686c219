use super::*;
use crate::sample;
use crate::sheets::xlsx;
use crate::testing::parts;
use protocol::opinions::{Choice, OpinionSummary, Person, QuestionSummary, SummaryComment};
use protocol::{MeetingId, OpinionRequestId, ParticipantId, Timestamp};

fn csv_lines(t: &Table) -> Vec<String> {
    let bytes = t.to_csv().unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    String::from_utf8(bytes[3..].to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn attendance_has_numbers_times_and_words() {
    let t = attendance(&sample::attendees(60)).unwrap();
    assert_eq!(t.len(), 60);
    let absent = &t.rows[7];
    assert_eq!(absent[0], Cell::Int(8));
    assert!(
        matches!(&absent[6], Cell::Word { wire, words } if wire == "absent" && words == "Vắng mặt")
    );
    assert_eq!(absent[7], Cell::Time(None));
    assert!(matches!(t.rows[0][7], Cell::Time(Some(_))));
    let lines = csv_lines(&t);
    assert_eq!(
        lines[0],
        "STT,Họ và tên,Chức vụ,Đơn vị,Ghế,Vai trò,Điểm danh,Giờ điểm danh,Lý do vắng mặt"
    );
    assert!(lines[1].starts_with("1,Nguyễn Thị Hường,"), "{}", lines[1]);
    assert!(
        lines[1].contains(",chair,present,2026-12-01T07:30:00+07:00,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[8].ends_with(",delegate,absent,,\"ốm, điều trị tại bệnh viện\""),
        "{}",
        lines[8]
    );
    assert!(!lines
        .iter()
        .any(|l| l.contains("Present") || l.contains("Delegate")));
}

#[test]
fn the_xlsx_holds_real_numbers_and_dates() {
    let bytes = xlsx(&[attendance(&sample::attendees(30)).unwrap()]).unwrap();
    let sheet = parts(&bytes, "xl/worksheets/sheet1");
    // STT of row 2 is a number, not a shared string; the check-in time is a serial date.
    assert!(
        sheet.contains(r#"<c r="A2"><v>1</v></c>"#),
        "{}",
        &sheet[..600.min(sheet.len())]
    );
    assert!(
        sheet.contains(r#"<pane ySplit="1""#),
        "the header row is frozen"
    );
    let workbook = parts(&bytes, "xl/workbook");
    assert!(workbook.contains("Điểm danh"));
    let styles = parts(&bytes, "xl/styles");
    assert!(styles.contains("dd/mm/yyyy hh:mm:ss"));
}

#[test]
fn a_poll_result_has_its_counts_and_percentages() {
    let (vote, ballots) = sample::ballots(180);
    let tables = poll_result(&vote).unwrap();
    let summary = csv_lines(&tables[0]);
    assert!(
        summary.contains(&"Tỷ lệ tính trên,summoned".to_owned()),
        "{summary:?}"
    );
    assert!(
        summary.contains(&"Điều kiện,more_than_half".to_owned()),
        "{summary:?}"
    );
    assert!(
        summary.contains(&"Trạng thái,published".to_owned()),
        "{summary:?}"
    );
    assert!(summary.contains(&"Số có mặt,175".to_owned()), "{summary:?}");
    let tallies = csv_lines(&tables[1]);
    assert_eq!(tallies[1], "1,Tán thành,170,94.44,elected");
    assert_eq!(tallies[2], "2,Không tán thành,4,2.22,");
    let named = poll_ballots(&vote, &ballots).unwrap();
    assert_eq!(named.len(), 175);
    let lines = csv_lines(&named);
    assert!(lines[1].starts_with("1,Nguyễn Thị Hường,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",Tán thành,false"), "{}", lines[1]);
    assert!(
        lines.iter().any(|l| l.ends_with(",true")),
        "a proxy ballot is marked"
    );
}

#[test]
fn a_secret_poll_never_lists_names() {
    let vote = sample::election(60);
    let (_, ballots) = sample::ballots(60);
    let e = poll_ballots(&vote, &ballots).unwrap_err();
    assert!(e.to_string().contains("is secret"), "{e}");
    let tables = poll_result(&vote).unwrap();
    let tallies = csv_lines(&tables[1]);
    assert!(tallies.iter().any(|l| l.ends_with(",tied")), "{tallies:?}");
}

#[test]
fn an_opinion_summary_counts_and_quotes() {
    let hường = ParticipantId::new_random();
    let s = OpinionSummary {
        meeting: MeetingId::new_random(),
        request: OpinionRequestId::new_random(),
        title: "Xin ý kiến dự thảo Quy chế làm việc".to_owned(),
        deadline: Timestamp(1_796_087_100_000),
        closed_at: None,
        seq: 9,
        recipients: 3,
        answered: 2,
        not_answered: vec![Person {
            participant: ParticipantId::new_random(),
            name: "Trần Đức Lượng".to_owned(),
        }],
        questions: vec![QuestionSummary {
            question: 1,
            text: "Đồng ý với dự thảo?".to_owned(),
            agree: 1,
            disagree: 0,
            other: 1,
            comments: vec![SummaryComment {
                participant: hường,
                name: "Nguyễn Thị Hường".to_owned(),
                choice: Choice::Other,
                comment: "-Đề nghị sửa Điều 3".to_owned(),
            }],
        }],
    };
    let tables = opinions(&s).unwrap();
    let q = csv_lines(&tables[0]);
    assert_eq!(
        q[1],
        ",Xin ý kiến dự thảo Quy chế làm việc,3,2,,,,2026-12-01T08:05:00+07:00"
    );
    assert_eq!(q[2], "1,Đồng ý với dự thảo?,3,2,1,0,1,");
    let c = csv_lines(&tables[1]);
    assert_eq!(c[1], "1,Nguyễn Thị Hường,other,'-Đề nghị sửa Điều 3");
    assert_eq!(csv_lines(&tables[2])[1], "1,Trần Đức Lượng");
    xlsx(&tables).unwrap();
}

#[test]
fn speakers_and_delivery_list_every_line() {
    let m = sample::congress(60, 6);
    let t = speakers(&m.items).unwrap();
    assert_eq!(
        t.len(),
        m.items.iter().map(|i| i.speeches.len()).sum::<usize>()
    );
    let lines = csv_lines(&t);
    assert!(
        lines[1].contains(",380,420,"),
        "six minutes twenty, limit seven: {}",
        lines[1]
    );
    let d = delivery(&sample::delivery(60)).unwrap();
    assert_eq!(d.len(), 3 * 60);
    let lines = csv_lines(&d);
    assert!(lines[1].contains(",internal,2,"), "{}", lines[1]);
    assert!(
        lines[2].contains(",1,false,"),
        "holds an older version: {}",
        lines[2]
    );
    assert!(
        lines[3].contains(",2,true,"),
        "holds the current one: {}",
        lines[3]
    );
}
