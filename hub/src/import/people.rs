//! `people.csv`: the office's directory as it keeps it in Excel, one person a row.
//!
//! Columns, in any order, English or Vietnamese, with or without diacritics: `name`/`họ và
//! tên` (required), `position`/`chức vụ`, `unit`/`đơn vị`, `contact`/`liên hệ`/`điện
//! thoại`/`email`, and `bodies`/`ban`/`cơ quan`: the bodies the person is a member of,
//! separated by `;` or `|` inside the cell (`Ban Chấp hành; Ban Thường vụ`). A `stt` or
//! `ghi chú` column is ignored. The delimiter, blank rows and the errors (every bad row, by
//! the line a spreadsheet shows) are as in `participants.csv`.

use super::participants::{delimiter, fold, line_of};
use super::RowError;
use std::collections::HashMap;

const MAX_NAME_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 300;
const MAX_CONTACT_CHARS: usize = 200;
/// Bodies one row may name.
const MAX_BODIES: usize = 50;

/// One row of the directory, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPerson {
    /// Line of the row in the file (the header is line 1).
    pub line: u64,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub contact: String,
    /// Names of the bodies the person is a member of, trimmed, without repeats.
    pub bodies: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Position,
    Unit,
    Contact,
    Bodies,
    Ignored,
}

const ACCEPTED: &str =
    "name, position, unit, contact, bodies (or họ và tên, chức vụ, đơn vị, liên hệ, ban)";

fn column_for(header: &str) -> Option<Column> {
    Some(match fold(header).as_str() {
        "name" | "full name" | "ho va ten" | "ho ten" => Column::Name,
        "position" | "chuc vu" => Column::Position,
        "unit" | "don vi" => Column::Unit,
        "contact" | "lien he" | "dien thoai" | "so dien thoai" | "email" | "phone" => {
            Column::Contact
        }
        "bodies" | "body" | "ban" | "co quan" | "thuoc ban" | "to chuc" => Column::Bodies,
        "" | "stt" | "tt" | "so tt" | "no" | "#" | "ghi chu" | "note" | "notes" => Column::Ignored,
        _ => return None,
    })
}

/// Parses the directory's CSV. On failure returns every bad row, so all can be fixed at once.
pub fn parse_people_csv(text: &str) -> Result<Vec<NewPerson>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let one = |line, message| vec![RowError { line, message }];
    let header = match records.next() {
        None => {
            return Err(one(
                1,
                format!("the file is empty: the first line must be a header with {ACCEPTED}"),
            ))
        }
        Some(Err(e)) => return Err(one(line_of(&e), e.to_string())),
        Some(Ok(h)) => h,
    };
    let labels: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let mut columns: HashMap<Column, (usize, String)> = HashMap::new();
    let mut problems = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        match column_for(label) {
            None => problems.push(format!("unknown column '{label}': use {ACCEPTED}")),
            Some(Column::Ignored) => {}
            Some(c) => {
                if let Some((_, first)) = columns.insert(c, (i, label.clone())) {
                    problems.push(format!("columns '{first}' and '{label}' are the same"));
                }
            }
        }
    }
    if !columns.contains_key(&Column::Name) {
        problems.push(format!(
            "no name column (họ và tên): the header must have {ACCEPTED}"
        ));
    }
    if !problems.is_empty() {
        return Err(one(1, problems.join("; ")));
    }

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line: line_of(&e),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut problems = Vec::new();
        if record.len() != labels.len() {
            problems.push(format!(
                "the row has {} cells but the header has {}: put text containing the delimiter in double quotes",
                record.len(),
                labels.len()
            ));
        }
        let mut field = |column: Column, max: usize| -> String {
            let Some((index, label)) = columns.get(&column) else {
                return String::new();
            };
            let value = record.get(*index).unwrap_or("").trim();
            if let Some(c) = value.chars().find(|c| c.is_control()) {
                problems.push(format!(
                    "{label} contains a control character (U+{:04X}); a line break inside a cell, or an unmatched double quote",
                    c as u32
                ));
            }
            let chars = value.chars().count();
            if chars > max {
                problems.push(format!("{label} has {chars} characters, more than {max}"));
            }
            value.to_owned()
        };
        let name = field(Column::Name, MAX_NAME_CHARS);
        let position = field(Column::Position, MAX_TEXT_CHARS);
        let unit = field(Column::Unit, MAX_TEXT_CHARS);
        let contact = field(Column::Contact, MAX_CONTACT_CHARS);
        let listed = field(Column::Bodies, MAX_BODIES * MAX_NAME_CHARS);
        if name.is_empty() {
            problems.push(format!("{} is empty", columns[&Column::Name].1));
        }
        let mut bodies: Vec<String> = Vec::new();
        for body in listed
            .split([';', '|'])
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            if body.chars().count() > MAX_NAME_CHARS {
                problems.push(format!(
                    "the body name '{body}' is longer than {MAX_NAME_CHARS} characters"
                ));
            } else if !bodies.iter().any(|b| b == body) {
                bodies.push(body.to_owned());
            }
        }
        if bodies.len() > MAX_BODIES {
            problems.push(format!("a person is in at most {MAX_BODIES} bodies"));
        }
        if problems.is_empty() {
            rows.push(NewPerson {
                line,
                name,
                position,
                unit,
                contact,
                bodies,
            });
        } else {
            errors.push(RowError {
                line,
                message: problems.join("; "),
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_semicolons_and_bodies_in_one_cell_are_read() {
        let text = "\u{feff}STT;Họ và tên;Chức vụ;Đơn vị;Điện thoại;Ban\n\
                    1;Nguyễn Văn An;Bí thư;Tỉnh ủy;0912 000 111;\"Ban Chấp hành; Ban Thường vụ\"\n\
                    2;Trần Thị Bình;Ủy viên;Sở Tư pháp;;Ban Chấp hành\n";
        let rows = parse_people_csv(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].bodies, vec!["Ban Chấp hành", "Ban Thường vụ"]);
        assert_eq!(rows[0].contact, "0912 000 111");
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].bodies, vec!["Ban Chấp hành"]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = "name,unit\n,Tỉnh ủy\nLê Văn C,Sở\nPhạm D,\"x\ny\"\n";
        let errors = parse_people_csv(text).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("name is empty"));
        assert!(errors[1].message.contains("control character"));
        let unknown = parse_people_csv("tên lửa,unit\n").unwrap_err();
        assert!(unknown[0].message.contains("unknown column 'tên lửa'"));
        assert!(unknown[0].message.contains("no name column"));
    }
}
