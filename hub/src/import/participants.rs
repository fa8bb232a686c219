//! `participants.csv`: the list of people summoned, as a secretariat keeps it in Excel.
//!
//! The header names the columns, in any order and in English or Vietnamese, with or without
//! diacritics (`name`/`họ và tên`/`họ tên`, `position`/`chức vụ`, `unit`/`đơn vị`,
//! `role`/`vai trò`, `seat`/`ghế`/`số ghế`); a `stt` (row number) or `ghi chú` (note) column
//! is ignored. The delimiter is a comma, or a semicolon or tab when the header uses those:
//! Excel on a Vietnamese-locale Windows saves "CSV" with semicolons. Blank rows are skipped.
//! Every bad row is reported, with the line number a spreadsheet or editor shows.

use protocol::{Command, Role};
use std::collections::HashMap;
use std::fmt;

// The engine's limits (see the parent module for why they are repeated here).
const MAX_NAME_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 300;
const MAX_SEAT_CHARS: usize = 20;

/// One row of the participant list, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewParticipant {
    /// Line of the row in the file (the header is line 1); 0 for generated participants.
    pub line: u64,
    /// Họ và tên.
    pub name: String,
    /// Chức vụ; may be empty.
    pub position: String,
    /// Đơn vị; may be empty.
    pub unit: String,
    /// Vai trò; an empty cell means delegate.
    pub role: Role,
    /// Số ghế, unique in the list.
    pub seat: Option<String>,
}

impl NewParticipant {
    /// The `AddParticipant` command that summons this person.
    pub fn to_command(&self) -> Command {
        Command::AddParticipant {
            name: self.name.clone(),
            position: self.position.clone(),
            unit: self.unit.clone(),
            role: self.role,
            seat: self.seat.clone(),
            person: None,
        }
    }
}

/// What is wrong with one line of the file. Displays as `line 7: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file, the header being line 1.
    pub line: u64,
    /// Every problem of the row, separated by "; ".
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RowError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Position,
    Unit,
    Role,
    Seat,
    Ignored,
}

const ACCEPTED: &str =
    "name, position, unit, role, seat (or họ và tên, chức vụ, đơn vị, vai trò, số ghế)";

/// Which column a header names, compared without case, diacritics or extra spaces.
fn column_for(header: &str) -> Option<Column> {
    Some(match fold(header).as_str() {
        "name" | "full name" | "ho va ten" | "ho ten" => Column::Name,
        "position" | "chuc vu" => Column::Position,
        "unit" | "don vi" => Column::Unit,
        "role" | "vai tro" => Column::Role,
        "seat" | "ghe" | "so ghe" => Column::Seat,
        "" | "stt" | "tt" | "so tt" | "so thu tu" | "no" | "no." | "#" | "ghi chu" | "note"
        | "notes" => Column::Ignored,
        _ => return None,
    })
}

/// Lower case without Vietnamese diacritics, `đ` as `d`, runs of spaces and `_` as one space.
/// Precomposed (NFC) letters are mapped by table and combining marks (NFD, as some Mac tools
/// write) are dropped, so both forms of "Họ và tên" fold to "ho va ten".
pub(super) fn fold(text: &str) -> String {
    const TABLE: [(char, &str); 7] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        if c.is_whitespace() || c == '_' {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        out.push(
            TABLE
                .iter()
                .find(|(_, from)| from.contains(c))
                .map_or(c, |&(to, _)| to),
        );
    }
    out.trim().to_owned()
}

/// Comma unless the header line holds more semicolons or tabs.
pub(super) fn delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |d: char| header.matches(d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d as char), d == b','))
        .unwrap_or(b',')
}

/// Parses the participant list. On failure returns every bad row (and header problem, at
/// its line), so they can all be fixed at once.
pub fn parse_participants_csv(text: &str) -> Result<Vec<NewParticipant>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv reader ends a record at a `\r` but counts lines at `\n`, so after a CRLF it
    // would name the next row's line as the one before; one kind of line end keeps the
    // line numbers in errors right.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.as_str();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let row_error = |line, message| vec![RowError { line, message }];

    let header = match records.next() {
        None => {
            let m = format!("the file is empty: the first line must be a header with {ACCEPTED}");
            return Err(row_error(1, m));
        }
        Some(Err(e)) => return Err(row_error(line_of(&e), e.to_string())),
        Some(Ok(header)) => header,
    };
    let header_line = header.position().map_or(1, |p| p.line());
    let labels: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let columns = map_columns(&labels).map_err(|m| row_error(header_line, m))?;

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seats: HashMap<String, u64> = HashMap::new();
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
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let mut problems = Vec::new();
        if record.len() > labels.len() {
            problems.push(format!(
                "the row has {} cells but the header has {}: put text containing the delimiter in double quotes",
                record.len(),
                labels.len()
            ));
        } else if record.len() < labels.len() {
            // A spreadsheet writes every cell, empty or not; a short row is a hand-typed
            // line that lost a delimiter, or a quote left open that swallowed the rest.
            problems.push(format!(
                "the row has {} cells but the header has {}: leave empty cells between                  delimiters, and close every double quote",
                record.len(),
                labels.len()
            ));
        }
        let mut field = |column: Column, max: usize| -> String {
            let Some(&(index, ref label)) = columns.get(&column) else {
                return String::new();
            };
            let value = record.get(index).unwrap_or("").trim();
            if let Some(c) = value.chars().find(|c| c.is_control()) {
                problems.push(format!(
                    "{label} contains a control character (U+{:04X}); a line break inside a \
                     cell, or an unmatched double quote",
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
        let role_text = field(Column::Role, usize::MAX);
        let seat = field(Column::Seat, MAX_SEAT_CHARS);
        if name.is_empty() {
            problems.push(format!("{} is empty", columns[&Column::Name].1));
        }
        let role = parse_role(&role_text).unwrap_or_else(|m| {
            problems.push(m);
            Role::Delegate
        });
        if !seat.is_empty() {
            // "a-001" and "A-001" are the same chair in the hall.
            if let Some(first) = seats.insert(seat.to_lowercase(), line) {
                problems.push(format!("seat {seat} is also given on line {first}"));
            }
        }
        if problems.is_empty() {
            let seat = (!seat.is_empty()).then_some(seat);
            rows.push(NewParticipant {
                line,
                name,
                position,
                unit,
                role,
                seat,
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

/// Maps each known column to its index and the header as written (for messages).
fn map_columns(labels: &[String]) -> Result<HashMap<Column, (usize, String)>, String> {
    let mut columns = HashMap::new();
    let mut problems = Vec::new();
    for (index, label) in labels.iter().enumerate() {
        match column_for(label) {
            None => problems.push(format!("unknown column '{label}': use {ACCEPTED}")),
            Some(Column::Ignored) => {}
            Some(column) => {
                if let Some((_, first)) = columns.insert(column, (index, label.clone())) {
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
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems.join("; "))
    }
}

/// An empty role is a delegate. Words the protocol does not know as written are tried again
/// without diacritics, which also covers decomposed (NFD) text.
fn parse_role(text: &str) -> Result<Role, String> {
    if text.is_empty() {
        return Ok(Role::Delegate);
    }
    text.parse::<Role>()
        .or_else(|e| fold(text).parse::<Role>().map_err(|_| e))
        .map_err(|e| format!("{e} (or thư ký, chủ tọa, đại biểu, màn hình)"))
}

pub(super) fn line_of(error: &csv::Error) -> u64 {
    error.position().map_or(0, |p| p.line())
}
