//! `participants.csv`: the list of people summoned, as a secretariat keeps it in Excel.
//!
//! The header names the columns, in any order and in English or Vietnamese, with or without
//! diacritics (`name`/`họ và tên`/`họ tên`, `position`/`chức vụ`, `unit`/`đơn vị`,
//! `role`/`vai trò`, `seat`/`ghế`/`số ghế`); a `stt` (row number) or `ghi chú` (note) column
//! is ignored. The delimiter is a comma, or a semicolon or tab when the header uses those:
//! Excel on a Vietnamese-locale Windows saves "CSV" with semicolons. Blank rows are skipped.
//! Every bad row is reported, with the line number a spreadsheet or editor shows.

use super::sheet::{read_rows, Columns, Row};
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

impl Columns for Column {
    fn named(folded: &str) -> Option<Column> {
        Some(match folded {
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
    const IGNORED: Column = Column::Ignored;
    const NAME: Column = Column::Name;
    const ACCEPTED: &'static str =
        "name, position, unit, role, seat (or họ và tên, chức vụ, đơn vị, vai trò, số ghế)";
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
    let mut seats: HashMap<String, u64> = HashMap::new();
    read_rows(text, |row: &mut Row<'_, Column>| {
        let name = row.field(Column::Name, MAX_NAME_CHARS);
        let position = row.field(Column::Position, MAX_TEXT_CHARS);
        let unit = row.field(Column::Unit, MAX_TEXT_CHARS);
        let role_text = row.field(Column::Role, usize::MAX);
        let seat = row.field(Column::Seat, MAX_SEAT_CHARS);
        if name.is_empty() {
            let label = row.label(Column::Name).to_owned();
            row.problem(format!("{label} is empty"));
        }
        let role = parse_role(&role_text).unwrap_or_else(|m| {
            row.problem(m);
            Role::Delegate
        });
        if !seat.is_empty() {
            // "a-001" and "A-001" are the same chair in the hall.
            if let Some(first) = seats.insert(seat.to_lowercase(), row.line) {
                row.problem(format!("seat {seat} is also given on line {first}"));
            }
        }
        NewParticipant {
            line: row.line,
            name,
            position,
            unit,
            role,
            seat: (!seat.is_empty()).then_some(seat),
        }
    })
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
