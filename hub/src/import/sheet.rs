//! The one reader of the lists the office keeps in Excel and saves as CSV
//! (`participants.csv`, the directory's `people.csv`, and an XLSX sheet written out as
//! CSV): the text made regular, the header found and its columns mapped, then each row
//! handed to the list's own checks with the line number a spreadsheet or editor shows.
//! Every bad row is reported, so that all can be fixed at once.

use super::participants::{delimiter, fold, RowError};
use std::collections::HashMap;
use std::hash::Hash;
use unicode_normalization::UnicodeNormalization as _;

/// The columns a list knows.
pub(super) trait Columns: Copy + Eq + Hash + 'static {
    /// The column a header names (compared folded: without case, diacritics or extra
    /// spaces), or `None` for a header the list does not know.
    fn named(folded: &str) -> Option<Self>;
    /// A column that is read past (`stt`, `ghi chú`).
    const IGNORED: Self;
    /// The column every list must have: the person's name.
    const NAME: Self;
    /// The headers, said in an error about the header.
    const ACCEPTED: &'static str;
}

/// One row of a list while its checks read it.
pub(super) struct Row<'a, C> {
    /// Line of the row in the file, the header being line 1 if it is on the first.
    pub line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<C, (usize, String)>,
    problems: Vec<String>,
}

impl<C: Columns> Row<'_, C> {
    /// The cell of `column`, trimmed (empty if the list has no such column); a control
    /// character or more than `max` characters is a problem of the row.
    pub fn field(&mut self, column: C, max: usize) -> String {
        let Some((index, label)) = self.columns.get(&column) else {
            return String::new();
        };
        let value = self.record.get(*index).unwrap_or("").trim();
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            self.problems.push(format!(
                "{label} contains a control character (U+{:04X}); a line break inside a \
                 cell, or an unmatched double quote",
                c as u32
            ));
        }
        let chars = value.chars().count();
        if chars > max {
            self.problems
                .push(format!("{label} has {chars} characters, more than {max}"));
        }
        value.to_owned()
    }

    /// The header of `column` as the file writes it.
    pub fn label(&self, column: C) -> &str {
        self.columns.get(&column).map_or("", |(_, l)| l.as_str())
    }

    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(message.into());
    }
}

/// Reads `text` as a list of `C` columns: `check` turns each non-blank row into a `T`,
/// saying what is wrong with it through [`Row::problem`] and [`Row::field`]. Every row
/// with a problem is an error, and any error fails the whole list.
pub(super) fn read_rows<C: Columns, T>(
    text: &str,
    mut check: impl FnMut(&mut Row<'_, C>) -> T,
) -> Result<Vec<T>, Vec<RowError>> {
    let text = regular(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(&text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let one = |line, message| vec![RowError { line, message }];
    // The header is the first row that is not blank (a sheet may start lower down).
    let header = loop {
        match records.next() {
            None => {
                return Err(one(
                    1,
                    format!(
                        "the file is empty: the first line must be a header with {}",
                        C::ACCEPTED
                    ),
                ))
            }
            Some(Err(e)) => return Err(one(line_of(&e), e.to_string())),
            Some(Ok(h)) if is_blank(&h) => continue,
            Some(Ok(h)) => break h,
        }
    };
    let header_line = header.position().map_or(1, |p| p.line());
    let labels: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let columns = map_columns::<C>(&labels).map_err(|m| one(header_line, m))?;

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
        if is_blank(&record) {
            continue;
        }
        let mut row = Row {
            line: record.position().map_or(0, |p| p.line()),
            record: &record,
            columns: &columns,
            problems: width_problem(record.len(), labels.len())
                .into_iter()
                .collect(),
        };
        let value = check(&mut row);
        if row.problems.is_empty() {
            rows.push(value);
        } else {
            errors.push(RowError {
                line: row.line,
                message: row.problems.join("; "),
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Without a byte order mark; one kind of line end (the csv reader ends a record at a `\r`
/// but counts lines at `\n`, so after a CRLF it would name the next row's line as the one
/// before); composed (NFC), so that a name or a body saved by a Mac tool (decomposed) is
/// the same text as one typed on Windows; and an empty line made a lone delimiter, because
/// the csv reader skips an empty line without counting it, which would name every later
/// row a line too early (a row of empty cells is counted, then skipped as blank).
fn regular(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    let delimiter = (delimiter(&text) as char).to_string();
    text.split('\n')
        .map(|line| if line.is_empty() { &delimiter } else { line })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|field| field.trim().is_empty())
}

fn width_problem(cells: usize, header: usize) -> Option<String> {
    if cells > header {
        Some(format!(
            "the row has {cells} cells but the header has {header}: put text containing the \
             delimiter in double quotes"
        ))
    } else if cells < header {
        // A spreadsheet writes every cell, empty or not; a short row is a hand-typed line
        // that lost a delimiter, or a quote left open that swallowed the rest.
        Some(format!(
            "the row has {cells} cells but the header has {header}: leave empty cells \
             between delimiters, and close every double quote"
        ))
    } else {
        None
    }
}

/// Maps each known column to its index and its header as written (for messages).
fn map_columns<C: Columns>(labels: &[String]) -> Result<HashMap<C, (usize, String)>, String> {
    let mut columns = HashMap::new();
    let mut problems = Vec::new();
    for (index, label) in labels.iter().enumerate() {
        match C::named(&fold(label)) {
            None => problems.push(format!("unknown column '{label}': use {}", C::ACCEPTED)),
            Some(column) if column == C::IGNORED => {}
            Some(column) => {
                if let Some((_, first)) = columns.insert(column, (index, label.clone())) {
                    problems.push(format!("columns '{first}' and '{label}' are the same"));
                }
            }
        }
    }
    if !columns.contains_key(&C::NAME) {
        problems.push(format!(
            "no name column (họ và tên): the header must have {}",
            C::ACCEPTED
        ));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems.join("; "))
    }
}

fn line_of(error: &csv::Error) -> u64 {
    error.position().map_or(0, |p| p.line())
}
