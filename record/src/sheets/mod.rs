//! Spreadsheets and CSV files of a meeting: attendance, a poll's result (and, for an open
//! poll only, who chose what), an opinion request's summary, the list of speakers and
//! document delivery.
//!
//! Each function returns [`Table`]s; [`xlsx`] puts tables in one workbook (a sheet each)
//! and [`Table::to_csv`] writes one as CSV. The same table gives both, so they agree:
//! - XLSX: Vietnamese headings and words, counts as numbers, percentages as numbers shown
//!   as `71,43%`, times as Excel dates in Viet Nam time; a bold header row that stays in
//!   view; columns as wide as their content (within reason).
//! - CSV: UTF-8 with a byte-order mark (so Excel reads the Vietnamese right), Vietnamese
//!   headings, and the wire's values (`valid_ballots`, `present`, `2026-12-01T08:05:00+07:00`,
//!   a percentage as `71.43`), never Rust type names. A text cell that begins with `=`, `+`,
//!   `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
//!
//! ```no_run
//! # fn demo(attendees: &[record::Attendee]) -> Result<(), record::RecordError> {
//! let table = record::sheets::attendance(attendees)?;
//! let xlsx: Vec<u8> = record::sheets::xlsx(&[table.clone()])?;
//! let csv: Vec<u8> = table.to_csv()?;
//! # Ok(()) }
//! ```

mod csv;
mod exports;
mod tables;
mod xlsx;

pub use exports::{opinion_export, poll_export};
pub use tables::{attendance, delivery, opinions, poll_ballots, poll_result, speakers};
pub use xlsx::xlsx;

use protocol::Timestamp;

/// One table of a sheet: a name, headings and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The sheet's name (Excel allows 31 characters).
    pub(crate) name: String,
    pub(crate) headings: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The sheet's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of rows below the headings.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows (its headings are still written).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A cell: each kind is written as a number, a date or text as it should be.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    /// A value of the wire (`present`) with its Vietnamese word (`Có mặt`).
    Word {
        wire: String,
        words: String,
    },
    Int(i64),
    /// Hundredths of a percent (7143 for 71.43 %); `None` for no base.
    Percent(Option<u64>),
    Time(Option<Timestamp>),
}

impl Cell {
    fn int(n: impl Into<i64>) -> Cell {
        Cell::Int(n.into())
    }
}
