//! Meeting packages: what `hub import DIR` reads.
//!
//! A package is a directory holding `meeting.toml` (title, start, venue, quorum, agenda) and
//! `participants.csv` (one row per person summoned). It is read and checked whole before
//! anything is written, so a secretariat fixing a list from Excel sees every problem, with
//! its line number, in one go. The result is plain protocol commands, applied by the caller
//! as the secretariat would apply them. `deploy/example-package/` is the documented example.
//!
//! Times: `starts_at` is a TOML date-time or an RFC 3339 string. A local date-time without an
//! offset is taken as Viet Nam time (UTC+07:00, no daylight saving), the one time zone every
//! user of the hub lives in.

mod documents;
#[cfg(test)]
mod fuzz_tests;
mod participants;
mod people;
mod polls;
mod sheet;

pub use documents::PackageDocument;
pub use participants::{parse_participants_csv, NewParticipant, RowError};
pub use people::{is_xlsx, parse_people_csv, parse_people_xlsx, NewPerson};
pub use polls::PackagePoll;

use protocol::{Command, Fraction, Timestamp};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The package's meeting description, inside the package directory.
pub const MEETING_FILE: &str = "meeting.toml";
/// The package's participant list, inside the package directory.
pub const PARTICIPANTS_FILE: &str = "participants.csv";
pub use crate::engine::VIETNAM_OFFSET;

// The engine's limits, checked here too so that a package is refused whole, with line
// numbers, rather than half-imported when the engine refuses one command.
const MAX_TITLE_CHARS: usize = 500;
const MAX_VENUE_CHARS: usize = 300;
const MAX_DESCRIPTION_CHARS: usize = 4000;

/// A meeting package, read and checked, as the commands that create it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingPackage {
    /// `Command::CreateMeeting`, with the quorum always set.
    pub create: Command,
    /// `Command::AddAgendaItem`s, in agenda order.
    pub agenda: Vec<Command>,
    /// The participants, in file order.
    pub participants: Vec<NewParticipant>,
    /// The documents (`[[document]]`), in file order.
    pub documents: Vec<PackageDocument>,
    /// Polls prepared in advance (`[[polls]]`), created in draft.
    pub polls: Vec<PackagePoll>,
}

impl MeetingPackage {
    /// Every command, in the order to apply them: the meeting, its agenda, its participants.
    pub fn commands(&self) -> Vec<Command> {
        let mut commands = Vec::with_capacity(1 + self.agenda.len() + self.participants.len());
        commands.push(self.create.clone());
        commands.extend(self.agenda.iter().cloned());
        commands.extend(self.participants.iter().map(NewParticipant::to_command));
        commands
    }
}

/// Why a package cannot be imported. Each message names the file and, where it can, the line.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The package path is not a directory.
    #[error("{} is not a directory: a meeting package is a directory holding {MEETING_FILE} and {PARTICIPANTS_FILE}", path.display())]
    NotADirectory { path: PathBuf },
    /// A file of the package is missing.
    #[error("{} is missing: it should contain {what}", path.display())]
    MissingFile { path: PathBuf, what: &'static str },
    /// A file exists but cannot be read.
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A file is not UTF-8, typically a list saved by Excel in a legacy code page.
    #[error("{} is not valid UTF-8 (first bad byte on line {line}); it may be in Windows-1258, TCVN3 or VNI: save it as UTF-8 (in Excel: \"CSV UTF-8\")", path.display())]
    NotUtf8 { path: PathBuf, line: u64 },
    /// `meeting.toml` is not valid TOML or has an unknown or mistyped key. The message is
    /// the parser's, with the line and column.
    #[error("{}: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    /// A value in `meeting.toml` is unusable.
    #[error("{}, line {line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// An agenda item without a title.
    #[error("{}, line {line}: agenda item {item} has an empty title", path.display())]
    EmptyAgendaTitle {
        path: PathBuf,
        line: u64,
        item: usize,
    },
    /// Rows of `participants.csv` are wrong: all of them, one per line.
    #[error("{} has {} bad row(s):\n{}", path.display(), rows.len(), list(rows))]
    BadRows { path: PathBuf, rows: Vec<RowError> },
    /// `participants.csv` has a header but no one in it.
    #[error("{} lists no participants: add one row per person under the header", path.display())]
    NoParticipants { path: PathBuf },
}

fn list(rows: &[RowError]) -> String {
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(out, "  {row}");
    }
    out.trim_end().to_owned()
}

/// `meeting.toml` as written. Spans give line numbers for values that are valid TOML but
/// unusable.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingFile {
    title: toml::Spanned<String>,
    #[serde(default)]
    starts_at: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    venue: Option<toml::Spanned<String>>,
    #[serde(default)]
    quorum: Option<Fraction>,
    #[serde(default)]
    agenda: Vec<AgendaEntry>,
    /// Read and checked by `documents`, once the participants are known; here only so
    /// that `deny_unknown_fields` lets it through.
    #[allow(dead_code)]
    #[serde(default)]
    document: Vec<documents::DocumentEntry>,
    #[serde(default)]
    polls: Vec<toml::Spanned<polls::PollEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgendaEntry {
    title: toml::Spanned<String>,
    #[serde(default)]
    description: Option<toml::Spanned<String>>,
}

/// Reads and checks the package in `dir`. Meetings without a `quorum` get `default_quorum`.
pub fn read_package(dir: &Path, default_quorum: Fraction) -> Result<MeetingPackage, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotADirectory {
            path: dir.to_owned(),
        });
    }
    let meeting_path = dir.join(MEETING_FILE);
    let text = read_text(
        &meeting_path,
        "the meeting: title, starts_at, venue, quorum and [[agenda]] items",
    )?;
    let (create, agenda, polls) = parse_meeting(&meeting_path, &text, default_quorum)?;

    let csv_path = dir.join(PARTICIPANTS_FILE);
    let text = read_text(
        &csv_path,
        "one row per participant under a header: name, position, unit, role, seat \
         (or họ và tên, chức vụ, đơn vị, vai trò, số ghế)",
    )?;
    let participants = parse_participants_csv(&text).map_err(|rows| ImportError::BadRows {
        path: csv_path.clone(),
        rows,
    })?;
    if participants.is_empty() {
        return Err(ImportError::NoParticipants { path: csv_path });
    }
    let meeting_text = read_text(&meeting_path, "the meeting")?;
    let documents = documents::parse_documents(
        &meeting_path,
        &meeting_text,
        dir,
        agenda.len(),
        &participants,
    )?;
    Ok(MeetingPackage {
        create,
        agenda,
        participants,
        documents,
        polls,
    })
}

/// Reads a whole file as UTF-8, naming what it should contain when it is missing.
fn read_text(path: &Path, what: &'static str) -> Result<String, ImportError> {
    let bytes = std::fs::read(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ImportError::MissingFile {
            path: path.to_owned(),
            what,
        },
        _ => ImportError::Read {
            path: path.to_owned(),
            error,
        },
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ImportError::NotUtf8 {
            path: path.to_owned(),
            line: 1 + good.iter().filter(|&&b| b == b'\n').count() as u64,
        }
    })
}

/// Turns the text of `meeting.toml` into the create and agenda commands.
fn parse_meeting(
    path: &Path,
    text: &str,
    default_quorum: Fraction,
) -> Result<(Command, Vec<Command>, Vec<PackagePoll>), ImportError> {
    // Notepad writes a byte order mark; it is not part of the TOML. Dropping it shifts byte
    // offsets but not lines, and spans are only ever turned into lines.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: MeetingFile = toml::from_str(text).map_err(|e| ImportError::Toml {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    let line_of = |span: std::ops::Range<usize>| line_at(text, span.start);
    let invalid = |span, message: String| ImportError::Invalid {
        path: path.to_owned(),
        line: line_of(span),
        message,
    };

    let title = &file.title;
    let title = clean("title", title.get_ref(), MAX_TITLE_CHARS, false)
        .map_err(|m| invalid(title.span(), m))?;
    if title.is_empty() {
        return Err(invalid(
            file.title.span(),
            "the meeting's title is empty".into(),
        ));
    }
    let venue = match &file.venue {
        Some(v) => {
            clean("venue", v.get_ref(), MAX_VENUE_CHARS, false).map_err(|m| invalid(v.span(), m))?
        }
        None => String::new(),
    };
    let starts_at = match &file.starts_at {
        Some(value) => Some(toml_timestamp(value.get_ref()).map_err(|m| invalid(value.span(), m))?),
        None => None,
    };

    let mut agenda = Vec::with_capacity(file.agenda.len());
    for (index, entry) in file.agenda.iter().enumerate() {
        let title = clean(
            "agenda title",
            entry.title.get_ref(),
            MAX_TITLE_CHARS,
            false,
        )
        .map_err(|m| invalid(entry.title.span(), m))?;
        if title.is_empty() {
            return Err(ImportError::EmptyAgendaTitle {
                path: path.to_owned(),
                line: line_of(entry.title.span()),
                item: index + 1,
            });
        }
        let description = match &entry.description {
            Some(d) => clean("description", d.get_ref(), MAX_DESCRIPTION_CHARS, true)
                .map_err(|m| invalid(d.span(), m))?,
            None => String::new(),
        };
        agenda.push(Command::AddAgendaItem { title, description });
    }

    let create = Command::CreateMeeting {
        title,
        venue,
        starts_at,
        quorum: Some(file.quorum.unwrap_or(default_quorum)),
    };
    let agenda_len = agenda.len();
    let mut polls = Vec::with_capacity(file.polls.len());
    for entry in file.polls {
        let span = entry.span();
        polls.push(
            entry
                .into_inner()
                .into_poll(agenda_len)
                .map_err(|m| invalid(span, m))?,
        );
    }
    Ok((create, agenda, polls))
}

/// Trims a text value and checks its length and that it holds no control characters
/// (line breaks only where `multiline`).
fn clean(field: &str, value: &str, max_chars: usize, multiline: bool) -> Result<String, String> {
    let value = value.trim();
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(format!(
            "{field} has {chars} characters, more than {max_chars}"
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_control() && !(multiline && c == '\n'))
    {
        return Err(format!(
            "{field} contains a control character (U+{:04X})",
            c as u32
        ));
    }
    Ok(value.to_owned())
}

/// The 1-based line holding byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> u64 {
    let before = text.get(..offset).unwrap_or(text);
    1 + before.matches('\n').count() as u64
}

/// A TOML date-time or string as a timestamp. toml prints its date-times in RFC 3339 form,
/// so both go through [`parse_timestamp`].
fn toml_timestamp(value: &toml::Value) -> Result<Timestamp, String> {
    match value {
        toml::Value::Datetime(dt) => parse_timestamp(&dt.to_string()),
        toml::Value::String(s) => parse_timestamp(s),
        other => Err(format!(
            "starts_at must be a date and time such as 2026-12-01T07:30:00+07:00, not a {}",
            other.type_str()
        )),
    }
}

/// Parses a start time: RFC 3339 (`2026-12-01T07:30:00+07:00`, `…Z`), an offset time without
/// seconds (`2026-12-01T07:30+07:00`), or a local date-time (`2026-12-01T07:30:00`,
/// `2026-12-01 07:30`), which is taken as Viet Nam time, [`VIETNAM_OFFSET`].
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let with_offset = format_description!(
        version = 2,
        "[year]-[month]-[day][first [T][t][ ]][hour]:[minute][optional [:[second][optional [.[subsecond]]]]][offset_hour sign:mandatory]:[offset_minute]"
    );
    let local = format_description!(
        version = 2,
        "[year]-[month]-[day][first [T][t][ ]][hour]:[minute][optional [:[second][optional [.[subsecond]]]]]"
    );
    let text = text.trim();
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, with_offset))
        .or_else(|_| PrimitiveDateTime::parse(text, local).map(|t| t.assume_offset(VIETNAM_OFFSET)))
        .map_err(|_| {
            format!(
                "'{text}' is not a date and time such as 2026-12-01T07:30:00+07:00 \
                 (without an offset, Viet Nam time is assumed)"
            )
        })?;
    Ok(Timestamp((at.unix_timestamp_nanos() / 1_000_000) as i64))
}

#[cfg(test)]
mod tests;
