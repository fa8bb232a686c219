//! Property tests of the package readers: `participants.csv` and `meeting.toml` as random
//! text and as text shaped like them. No panic; what is accepted is clean (no empty name,
//! lines in order, no control characters); what is refused says where.
//! `FUZZ_CASES=N` makes it a long run.

use super::{parse_meeting, parse_participants_csv};
use proptest::prelude::*;
use protocol::Fraction;
use std::path::Path;

fn cases() -> u32 {
    crate::engine::fuzz_cases(256)
}

const CELLS: &[&str] = &[
    "Họ và tên",
    "name",
    "Chức vụ",
    "Đơn vị",
    "Vai trò",
    "role",
    "Số ghế",
    "seat",
    "Nguyễn Văn An",
    "Bí thư",
    "Chủ tọa",
    "Thư ký",
    "đại biểu",
    "khách",
    "A-001",
    "",
    " ",
    "\"",
    "\"a,b\"",
    "x\ny",
    "\u{feff}",
    "\u{7}",
    "=1+1",
];
const SEPARATORS: &[&str] = &[",", ";", "\t", "\n", "\r\n", "\""];

fn csv_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(CELLS),
            prop::sample::select(SEPARATORS),
        ),
        0..60,
    )
    .prop_map(|parts| parts.into_iter().map(|(c, s)| format!("{c}{s}")).collect())
}

const TOML_LINES: &[&str] = &[
    "title = \"Đại hội\"",
    "title = \"\"",
    "venue = \"Hội trường\"",
    "quorum = \"2/3\"",
    "quorum = \"3/2\"",
    "quorum = 5",
    "starts_at = 2026-12-01T07:30:00+07:00",
    "starts_at = \"2026-12-01T07:30:00\"",
    "starts_at = \"hôm nay\"",
    "[[agenda]]",
    "description = \"Mô tả\"",
    "[[polls]]",
    "kind = \"motion\"",
    "kind = \"election\"",
    "kind = \"single_choice\"",
    "kind = \"multiple_choice\"",
    "options = [\"A\", \"B\"]",
    "candidates = [\"An\", \"Bình\"]",
    "seats = 3",
    "seats = 0",
    "max = 2",
    "secret = true",
    "agenda_item = 1",
    "agenda_item = 99",
    "preset = \"majority_of_valid\"",
    "threshold = \">=3/5\"",
    "base = \"present\"",
    "duration_secs = 60",
    "[[document]]",
    "file = \"../etc/passwd\"",
    "classification = \"mật\"",
    "readers = [\"A-001\"]",
    "unknown = 1",
    "= =",
    "[",
    "\"",
    "title = \"\u{7}\"",
];

fn toml_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOML_LINES), 0..40)
        .prop_map(|lines| lines.join("\n"))
}

fn csv(text: &str) -> Result<(), TestCaseError> {
    match parse_participants_csv(text) {
        Ok(rows) => {
            let mut last = 1;
            for row in &rows {
                prop_assert!(row.line > last, "rows in line order");
                last = row.line;
                prop_assert!(!row.name.trim().is_empty());
                prop_assert!(!row.name.chars().any(char::is_control));
                let _ = row.to_command();
            }
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            prop_assert!(errors.iter().all(|e| e.line >= 1 && !e.message.is_empty()));
        }
    }
    Ok(())
}

fn toml(text: &str) -> Result<(), TestCaseError> {
    let _ = parse_meeting(Path::new("meeting.toml"), text, Fraction::TWO_THIRDS);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_as_participants_csv_is_read_or_refused_by_line(text in ".{0,300}") {
        csv(&text)?;
    }

    #[test]
    fn csv_shaped_text_is_read_clean_or_refused_by_line(text in csv_like()) {
        csv(&text)?;
    }

    #[test]
    fn any_text_as_meeting_toml_is_read_or_refused(text in ".{0,300}") {
        toml(&text)?;
    }

    #[test]
    fn toml_shaped_text_is_read_or_refused(text in toml_like()) {
        toml(&text)?;
    }
}
