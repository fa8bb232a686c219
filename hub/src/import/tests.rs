//! Tests of meeting packages and participant lists.

use super::*;
use protocol::Role;

const EXAMPLE_MEETING: &str = include_str!("../../../deploy/example-package/meeting.toml");
const EXAMPLE_PARTICIPANTS: &str = include_str!("../../../deploy/example-package/participants.csv");

/// A package directory holding the given files.
fn package(meeting: Option<&str>, participants: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = meeting {
        std::fs::write(dir.path().join(MEETING_FILE), text).unwrap();
    }
    if let Some(text) = participants {
        std::fs::write(dir.path().join(PARTICIPANTS_FILE), text).unwrap();
    }
    dir
}

fn lines(errors: &[RowError]) -> Vec<u64> {
    errors.iter().map(|e| e.line).collect()
}

#[test]
fn the_example_package_reads_with_its_diacritics_intact() {
    let dir = package(Some(EXAMPLE_MEETING), Some(EXAMPLE_PARTICIPANTS));
    let p = read_package(dir.path(), "1/2".parse().unwrap()).unwrap();
    let Command::CreateMeeting {
        title,
        venue,
        starts_at,
        quorum,
    } = &p.create
    else {
        panic!("not a create: {:?}", p.create)
    };
    assert_eq!(
        title,
        "Đại hội đại biểu Đảng bộ xã Tân Lập lần thứ XV, nhiệm kỳ 2025–2030"
    );
    assert_eq!(venue, "Hội trường UBND xã Tân Lập");
    // 2026-12-01T07:30:00+07:00 = 2026-12-01T00:30:00Z
    assert_eq!(*starts_at, Some(Timestamp(1_796_085_000_000)));
    assert_eq!(
        *quorum,
        Some(Fraction::TWO_THIRDS),
        "the file's quorum wins over the default"
    );
    assert_eq!(p.agenda.len(), 10);
    assert!(
        matches!(&p.agenda[0], Command::AddAgendaItem { title, .. } if title == "Khai mạc đại hội")
    );

    assert_eq!(p.participants.len(), 13);
    let chair = &p.participants[0];
    assert_eq!(chair.line, 2);
    assert_eq!(chair.name, "Nguyễn Văn Hùng");
    assert_eq!(
        chair.position, "Bí thư Đảng ủy, Chủ tịch HĐND xã",
        "a quoted comma stays"
    );
    assert_eq!(chair.role, Role::Chair);
    assert_eq!(chair.seat.as_deref(), Some("A-001"));
    let roles: Vec<Role> = p.participants.iter().map(|p| p.role).collect();
    assert_eq!(roles.iter().filter(|r| **r == Role::Secretariat).count(), 2);
    assert_eq!(roles.iter().filter(|r| **r == Role::Projector).count(), 1);
    assert_eq!(p.participants[3].seat, None);
    assert_eq!(
        p.participants[7].role,
        Role::Delegate,
        "an empty role is a delegate"
    );
    assert_eq!(p.commands().len(), 1 + 10 + 13);
    assert!(matches!(
        p.commands()[11],
        Command::AddParticipant {
            role: Role::Chair,
            ..
        }
    ));
}

#[test]
fn english_headers_in_any_order_and_case_are_accepted() {
    let text =
        "Seat,ROLE,Name,Unit,Position\nA-1,chair,Lê Văn Tám,Đảng bộ xã,Bí thư\n,,Phạm Thị Hoa,,\n";
    let rows = parse_participants_csv(text).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "Lê Văn Tám");
    assert_eq!(rows[0].position, "Bí thư");
    assert_eq!(rows[0].unit, "Đảng bộ xã");
    assert_eq!(rows[0].role, Role::Chair);
    assert_eq!(rows[1].seat, None);
    assert_eq!(rows[1].line, 3);
}

#[test]
fn vietnamese_headers_with_or_without_diacritics_are_accepted() {
    for header in [
        "STT,Họ tên,Chức vụ,Đơn vị,Vai trò,Ghế",
        "stt,HỌ VÀ TÊN,CHỨC VỤ,ĐƠN VỊ,VAI TRÒ,SỐ GHẾ",
        "stt,ho va ten,chuc vu,don vi,vai tro,so ghe",
        // Decomposed (NFD) letters, as some Mac tools save them.
        "stt,Ho\u{323} va\u{300} te\u{302}n,Chu\u{31b}\u{301}c vu\u{323},\u{110}o\u{31b}n vi\u{323},Vai tro\u{300},Ghe\u{302}\u{301}",
    ] {
        let text = format!("{header}\n1,Trần Văn Bình,Đảng viên,Chi bộ thôn 3,Đại biểu,B-12\n");
        let rows = parse_participants_csv(&text).unwrap_or_else(|e| panic!("{header}: {e:?}"));
        assert_eq!(rows[0].name, "Trần Văn Bình", "{header}");
        assert_eq!(rows[0].unit, "Chi bộ thôn 3", "{header}");
        assert_eq!(rows[0].seat.as_deref(), Some("B-12"), "{header}");
    }
}

#[test]
fn a_byte_order_mark_and_semicolons_are_accepted() {
    let text =
        "\u{feff}họ và tên;chức vụ;vai trò\r\nĐỗ Thị Lan;Bí thư chi bộ, trưởng thôn;thư ký\r\n";
    let rows = parse_participants_csv(text).unwrap();
    assert_eq!(rows[0].name, "Đỗ Thị Lan");
    assert_eq!(rows[0].position, "Bí thư chi bộ, trưởng thôn");
    assert_eq!(rows[0].role, Role::Secretariat);
}

#[test]
fn every_bad_row_is_reported_with_its_line() {
    let long = "x".repeat(201);
    let text = format!(
        "name,role,seat\nAn,,A1\n,delegate,A2\nBình,,A3\n{long},,\nCường,guest,\n\nDũng,,\n"
    );
    let errors = parse_participants_csv(&text).unwrap_err();
    assert_eq!(lines(&errors), vec![3, 5, 6], "{errors:?}");
    assert!(
        errors[0].to_string().starts_with("line 3: name is empty"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].message.contains("201 characters"),
        "{}",
        errors[1]
    );
}

#[test]
fn blank_lines_and_a_header_lower_down_keep_every_line_number_true() {
    // Two blank lines before the header, one between rows, one made of delimiters only.
    let text = "\n\nname,role,seat\nAn,,A1\n\nBình,guest,A2\n,,\nCường,,A1\n";
    let errors = parse_participants_csv(text).unwrap_err();
    assert_eq!(lines(&errors), vec![6, 8], "{errors:?}");
    assert!(
        errors[1].message.contains("also given on line 4"),
        "{}",
        errors[1]
    );
    let fine = "name\n\nAn\n\n\nBình\n";
    let rows = parse_participants_csv(fine).unwrap();
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 6]);
}

#[test]
fn a_short_row_says_to_keep_its_empty_cells() {
    let errors = parse_participants_csv("name,position,unit\nAn,Bí thư\n").unwrap_err();
    assert_eq!(
        errors[0].message,
        "the row has 2 cells but the header has 3: leave empty cells between delimiters, \
         and close every double quote"
    );
}

#[test]
fn a_bad_role_says_which_roles_exist() {
    let errors = parse_participants_csv("name,role\nAn,khách mời\n").unwrap_err();
    let message = errors[0].to_string();
    assert!(
        message.starts_with("line 2: unknown role 'khách mời'"),
        "{message}"
    );
    assert!(
        message.contains("delegate") && message.contains("đại biểu"),
        "{message}"
    );
}

#[test]
fn duplicate_seats_name_both_lines() {
    let errors =
        parse_participants_csv("name,seat\nAn,A-001\nBình,A-002\nCường,a-001\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "line 4: seat a-001 is also given on line 2"
    );
}

#[test]
fn control_characters_and_stray_fields_are_refused() {
    let errors = parse_participants_csv("name,unit\n\"An\nBình\",x\nCường,Đảng bộ xã A, huyện B\n")
        .unwrap_err();
    assert_eq!(lines(&errors), vec![2, 4], "{errors:?}");
    assert!(
        errors[0].message.contains("control character"),
        "{}",
        errors[0]
    );
    assert!(errors[1].message.contains("double quotes"), "{}", errors[1]);
}

#[test]
fn short_rows_and_a_quote_left_open_at_the_end_are_refused() {
    let text = "name,position,unit,role,seat\n\
                Lê Văn E\n\
                Trần Thị F,Ủy viên,Xã A,đại biểu,A-002\n\
                \"Lê Văn D,x,y,đại biểu,Z-9\n";
    let errors = parse_participants_csv(text).unwrap_err();
    assert_eq!(lines(&errors), vec![2, 4], "{errors:?}");
    assert!(errors[1].message.contains("close every double quote"));
}

#[test]
fn header_problems_are_reported_on_the_header_line() {
    let errors = parse_participants_csv("tên đầy đủ,chức vụ\nAn,x\n").unwrap_err();
    assert_eq!(lines(&errors), vec![1]);
    assert!(
        errors[0].message.contains("unknown column 'tên đầy đủ'"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].message.contains("no name column"),
        "{}",
        errors[0]
    );
    assert_eq!(lines(&parse_participants_csv("").unwrap_err()), vec![1]);
}

#[test]
fn missing_files_say_what_they_should_contain() {
    let dir = package(None, Some(EXAMPLE_PARTICIPANTS));
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(matches!(&err, ImportError::MissingFile { path, .. } if path.ends_with(MEETING_FILE)));
    assert!(err.to_string().contains("[[agenda]]"), "{err}");

    let dir = package(Some(EXAMPLE_MEETING), None);
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(
        matches!(&err, ImportError::MissingFile { path, .. } if path.ends_with(PARTICIPANTS_FILE))
    );
    assert!(err.to_string().contains("họ và tên"), "{err}");

    let err = read_package(&dir.path().join("nope"), Fraction::TWO_THIRDS).unwrap_err();
    assert!(matches!(err, ImportError::NotADirectory { .. }));
}

#[test]
fn a_legacy_encoded_list_is_refused_with_advice() {
    let dir = package(Some(EXAMPLE_MEETING), None);
    // "Lê" in Windows-1258 is 'L', 0xCA: not UTF-8.
    std::fs::write(dir.path().join(PARTICIPANTS_FILE), b"name\nAn\nL\xca Hoa\n").unwrap();
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(
        matches!(err, ImportError::NotUtf8 { line: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("save it as UTF-8"), "{err}");
}

#[test]
fn bad_rows_fail_the_whole_package_listing_each_line() {
    let dir = package(
        Some(EXAMPLE_MEETING),
        Some("name,role\nAn,x\nBình,\n,\u{7}\n"),
    );
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("2 bad row(s)"), "{message}");
    assert!(
        message.contains("\n  line 2: ") && message.contains("\n  line 4: "),
        "{message}"
    );
}

#[test]
fn a_list_without_people_is_refused() {
    let dir = package(Some(EXAMPLE_MEETING), Some("name,role\n,\n"));
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(matches!(err, ImportError::NoParticipants { .. }), "{err:?}");
}

#[test]
fn meeting_file_problems_name_the_line() {
    let rows = Some("name\nAn\n");
    let toml_error = package(Some("title = \"Hội nghị\"\nstart_at = 1\n"), rows);
    let message = read_package(toml_error.path(), Fraction::TWO_THIRDS)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("start_at") && message.contains("line 2"),
        "{message}"
    );

    let empty_item = package(
        Some("title = \"Hội nghị\"\n[[agenda]]\ntitle = \"A\"\n[[agenda]]\ntitle = \" \"\n"),
        rows,
    );
    let err = read_package(empty_item.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::EmptyAgendaTitle {
                line: 5,
                item: 2,
                ..
            }
        ),
        "{err:?}"
    );

    let bad_time = package(Some("title = \"Hội nghị\"\n\nstarts_at = \"mai\"\n"), rows);
    let err = read_package(bad_time.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(
        matches!(&err, ImportError::Invalid { line: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn the_default_quorum_applies_when_the_file_has_none() {
    let dir = package(
        Some("\u{feff}title = \"Hội nghị Ban Chấp hành\"\n"),
        Some("name\nAn\n"),
    );
    let half: Fraction = "1/2".parse().unwrap();
    let p = read_package(dir.path(), half).unwrap();
    assert!(
        matches!(p.create, Command::CreateMeeting { quorum: Some(q), starts_at: None, .. } if q == half)
    );
    assert!(p.agenda.is_empty());
}

#[test]
fn start_times_without_an_offset_are_viet_nam_time() {
    let utc = Timestamp(1_796_085_000_000); // 2026-12-01T00:30:00Z
    for text in [
        "2026-12-01T07:30:00+07:00",
        "2026-12-01T00:30:00Z",
        "2026-12-01T07:30:00",
        "2026-12-01 07:30",
        "2026-12-01T07:30+07:00",
        "2026-11-30T19:30:00.000-05:00",
    ] {
        assert_eq!(parse_timestamp(text), Ok(utc), "{text}");
    }
    assert!(parse_timestamp("2026-12-01").is_err());
    assert!(parse_timestamp("01/12/2026 07:30").is_err());
    // A TOML local date-time (no quotes, no offset) goes the same way.
    let dir = package(
        Some("title = \"X\"\nstarts_at = 2026-12-01T07:30:00\n"),
        Some("name\nAn\n"),
    );
    let p = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap();
    assert!(matches!(p.create, Command::CreateMeeting { starts_at: Some(t), .. } if t == utc));
}

#[test]
fn polls_prepared_in_meeting_toml_are_read_with_their_agenda_item() {
    let dir = package(Some(EXAMPLE_MEETING), Some(EXAMPLE_PARTICIPANTS));
    let p = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap();
    assert_eq!(p.polls.len(), 2);
    assert_eq!(p.polls[0].agenda_item, Some(2));
    assert!(matches!(
        p.polls[1].spec.kind,
        protocol::PollKind::Election { seats: 9, .. }
    ));
    assert!(p.polls[1].spec.secret);

    let bad = "title = \"Hội nghị\"\n[[agenda]]\ntitle = \"A\"\n\n[[polls]]\ntitle = \"X\"\nkind = \"lottery\"\n";
    let dir = package(Some(bad), Some(EXAMPLE_PARTICIPANTS));
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(
        err.to_string().contains("line 5") && err.to_string().contains("lottery"),
        "{err}"
    );
    let bad = "title = \"Hội nghị\"\n[[agenda]]\ntitle = \"A\"\n\n[[polls]]\ntitle = \"X\"\nkind = \"motion\"\nagenda_item = 3\n";
    let dir = package(Some(bad), Some(EXAMPLE_PARTICIPANTS));
    let err = read_package(dir.path(), Fraction::TWO_THIRDS).unwrap_err();
    assert!(err.to_string().contains("agenda_item 3"), "{err}");
}
