//! `people.csv`: the office's directory as it keeps it in Excel, one person a row.
//!
//! Columns, in any order, English or Vietnamese, with or without diacritics: `name`/`họ và
//! tên` (required), `position`/`chức vụ`, `unit`/`đơn vị`, `contact`/`liên hệ`/`điện
//! thoại`/`email`, and `bodies`/`ban`/`cơ quan`: the bodies the person is a member of,
//! separated by `;` or `|` inside the cell (`Ban Chấp hành; Ban Thường vụ`). A `stt` or
//! `ghi chú` column is ignored. The delimiter, blank rows and the errors (every bad row, by
//! the line a spreadsheet shows) are as in `participants.csv`.

use super::sheet::{read_rows, Columns, Row};
use super::RowError;

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

impl Columns for Column {
    fn named(folded: &str) -> Option<Column> {
        Some(match folded {
            "name" | "full name" | "ho va ten" | "ho ten" => Column::Name,
            "position" | "chuc vu" => Column::Position,
            "unit" | "don vi" => Column::Unit,
            "contact" | "lien he" | "dien thoai" | "so dien thoai" | "email" | "phone" => {
                Column::Contact
            }
            "bodies" | "body" | "ban" | "co quan" | "thuoc ban" | "to chuc" => Column::Bodies,
            "" | "stt" | "tt" | "so tt" | "no" | "#" | "ghi chu" | "note" | "notes" => {
                Column::Ignored
            }
            _ => return None,
        })
    }
    const IGNORED: Column = Column::Ignored;
    const NAME: Column = Column::Name;
    const ACCEPTED: &'static str =
        "name, position, unit, contact, bodies (or họ và tên, chức vụ, đơn vị, liên hệ, ban)";
}

/// Parses the directory's CSV. On failure returns every bad row, so all can be fixed at once.
pub fn parse_people_csv(text: &str) -> Result<Vec<NewPerson>, Vec<RowError>> {
    read_rows(text, |row: &mut Row<'_, Column>| {
        let name = row.field(Column::Name, MAX_NAME_CHARS);
        let position = row.field(Column::Position, MAX_TEXT_CHARS);
        let unit = row.field(Column::Unit, MAX_TEXT_CHARS);
        let contact = row.field(Column::Contact, MAX_CONTACT_CHARS);
        let listed = row.field(Column::Bodies, MAX_BODIES * MAX_NAME_CHARS);
        if name.is_empty() {
            let label = row.label(Column::Name).to_owned();
            row.problem(format!("{label} is empty"));
        }
        let mut bodies: Vec<String> = Vec::new();
        for body in listed
            .split([';', '|'])
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            if body.chars().count() > MAX_NAME_CHARS {
                row.problem(format!(
                    "the body name '{body}' is longer than {MAX_NAME_CHARS} characters"
                ));
            } else if !bodies.iter().any(|b| b == body) {
                bodies.push(body.to_owned());
            }
        }
        if bodies.len() > MAX_BODIES {
            row.problem(format!("a person is in at most {MAX_BODIES} bodies"));
        }
        NewPerson {
            line: row.line,
            name,
            position,
            unit,
            contact,
            bodies,
        }
    })
}

/// The most a workbook may hold once unzipped: a directory of 50 000 people is a few MB,
/// and a small file that inflates to gigabytes (a zip bomb) is refused before it is read.
const MAX_XLSX_UNZIPPED: u64 = 64 * 1024 * 1024;

/// Whether `bytes` look like an XLSX workbook (a ZIP file) rather than CSV text.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the first sheet of an XLSX workbook (`calamine`) into the same rows, with the
/// same checks and the same line numbers (the spreadsheet's row numbers) as the CSV.
pub fn parse_people_xlsx(bytes: &[u8]) -> Result<Vec<NewPerson>, Vec<RowError>> {
    let one = |message: String| vec![RowError { line: 1, message }];
    let unreadable = |e: &dyn std::fmt::Display| {
        one(format!(
            "the file is not a workbook Excel can save as .xlsx: {e}"
        ))
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut unzipped = 0u64;
    for i in 0..zip.len() {
        unzipped += zip.by_index_raw(i).map_err(|e| unreadable(&e))?.size();
    }
    if unzipped > MAX_XLSX_UNZIPPED {
        return Err(one(format!(
            "the workbook holds {} MB once unzipped, more than {} MB: save only the list of people",
            unzipped / 1_000_000,
            MAX_XLSX_UNZIPPED / 1_000_000
        )));
    }
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => return Err(unreadable(&e)),
        None => return Err(one("the workbook has no sheet".into())),
    };
    // Written out as CSV with proper quoting, then read by the one parser: a row of the
    // sheet is a line of the text (rows above the first used one become blank lines).
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut text = "\n".repeat(first_row as usize).into_bytes();
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
        out.write_record(&cells).map_err(|e| unreadable(&e))?;
    }
    text.extend(out.into_inner().map_err(|e| unreadable(&e))?);
    let text = String::from_utf8(text).map_err(|e| unreadable(&e))?;
    parse_people_csv(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_semicolons_and_bodies_in_one_cell_are_read() {
        let text = "\u{feff}STT;Họ và tên;Chức vụ;Đơn vị;Điện thoại;Ban\n\
                    1;Nguyễn Văn An;Bí thư;Tỉnh ủy;0912 000 111;\"Ban Chấp hành; Ban Thường vụ\"\n\
                    \n\
                    2;Trần Thị Bình;Ủy viên;Sở Tư pháp;;Ban Chấp hành\n";
        let rows = parse_people_csv(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].bodies, vec!["Ban Chấp hành", "Ban Thường vụ"]);
        assert_eq!(rows[0].contact, "0912 000 111");
        assert_eq!(rows[1].line, 4, "counted past the blank line");
        assert_eq!(rows[1].bodies, vec!["Ban Chấp hành"]);
    }

    #[test]
    fn an_xlsx_workbook_is_read_like_the_csv_with_its_row_numbers() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows = [
            ["Họ và tên", "Chức vụ", "Số điện thoại", "Ban"],
            [
                "Nguyễn Văn An",
                "Bí thư",
                "0912000111",
                "Ban Chấp hành; Ban Thường vụ",
            ],
            ["", "Ủy viên", "", "Ban Chấp hành"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        sheet.write_number(3, 0, 42.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(is_xlsx(&bytes));
        let errors = parse_people_xlsx(&bytes).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 3, "the sheet's own row number");
        // Without the bad row, the people and their bodies are read.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        // This sheet starts on its third row, as a sheet with a title above the list does.
        for (r, row) in rows[..2].iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 2, c as u16, *cell).unwrap();
            }
        }
        sheet.write_string(5, 1, "Ủy viên").unwrap();
        let errors = parse_people_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
        assert_eq!(errors[0].line, 6, "row 6 of the sheet: {errors:?}");
        book.worksheet_from_index(0)
            .unwrap()
            .write_string(5, 0, "Trần Thị Bình")
            .unwrap();
        let people = parse_people_xlsx(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(people[1].line, 6);
        assert_eq!(people[0].name, "Nguyễn Văn An");
        assert_eq!(people[0].contact, "0912000111");
        assert_eq!(people[0].bodies, vec!["Ban Chấp hành", "Ban Thường vụ"]);
        assert!(parse_people_xlsx(b"PK\x03\x04junk").is_err());
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
