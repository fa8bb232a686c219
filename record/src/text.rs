//! What text may go into a paper, and how it is cleaned on the way in.
//!
//! Two doors. The desk calls [`check_line`] / [`check_free_text`] when the secretariat
//! types a conclusion or a note, and refuses what fails with the error's message. The
//! renderers clean every string again ([`line`], [`paragraphs`]) whatever its origin, so a
//! name imported long ago with a stray control character cannot break a DOCX (XML 1.0 has
//! no way to write most C0 controls) or a PDF: they are dropped there, not refused.
//!
//! Limits, in characters (Unicode scalar values after NFC):
//! - [`MAX_LINE`] (500) for a single-line field: a name, a title, a place;
//! - [`MAX_FREE_TEXT`] (20,000, some eight pages) for a conclusion, a speech's summary,
//!   the free text of the minutes;
//! - [`MAX_ROWS`] (20,000) rows of one kind in a paper or a sheet (participants,
//!   speeches, votes, delivery lines), [`MAX_ITEMS`] (500) agenda items.
//!
//! Very long words are not refused: the PDF breaks them at the margin, and Word and
//! LibreOffice do the same in the DOCX.

use unicode_normalization::UnicodeNormalization;

/// Characters in a single-line field.
pub const MAX_LINE: usize = 500;
/// Characters in a free-text field (conclusion, summary, notes).
pub const MAX_FREE_TEXT: usize = 20_000;
/// Rows of one kind in a paper or a sheet.
pub const MAX_ROWS: usize = 20_000;
/// Agenda items in the minutes.
pub const MAX_ITEMS: usize = 500;

/// What is wrong with a piece of text; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// More characters than the field allows.
    #[error("{field}: {got} characters, at most {max} are allowed")]
    TooLong {
        /// Which field, e.g. `item.conclusion`.
        field: String,
        /// The limit.
        max: usize,
        /// How many there were.
        got: usize,
    },
    /// More entries than a paper takes.
    #[error("{field}: {got} entries, at most {max} are allowed")]
    TooMany {
        /// Which list, e.g. `attendees`.
        field: String,
        /// The limit.
        max: usize,
        /// How many there were.
        got: usize,
    },
    /// A control character in text typed at the desk.
    #[error(
        "{field}: a control character (U+{code:04X}) at character {position}; type plain text"
    )]
    Control {
        /// Which field.
        field: String,
        /// The character's code point.
        code: u32,
        /// Where, counting characters from 1.
        position: usize,
    },
    /// A line break in a single-line field.
    #[error("{field}: a line break where one line is expected")]
    LineBreak {
        /// Which field.
        field: String,
    },
}

/// Characters no paper shows: C0/C1 controls, bidi overrides (which could reorder a
/// name on paper), noncharacters and the byte-order mark.
fn unwanted(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || matches!(
            c,
            '\u{FDD0}'..='\u{FDEF}' | '\u{FFFE}' | '\u{FFFF}' | '\u{FEFF}'
        )
}

fn refuse_controls(field: &str, s: &str, allow_newline: bool) -> Result<(), TextError> {
    for (position, c) in s.chars().enumerate() {
        let newline = c == '\n' || c == '\r';
        if newline && !allow_newline {
            return Err(TextError::LineBreak {
                field: field.to_owned(),
            });
        }
        if unwanted(c) && !newline && c != '\t' {
            return Err(TextError::Control {
                field: field.to_owned(),
                code: u32::from(c),
                position: position + 1,
            });
        }
    }
    Ok(())
}

fn refuse_long(field: &str, s: &str, max: usize) -> Result<(), TextError> {
    let got = s.nfc().count();
    if got > max {
        return Err(TextError::TooLong {
            field: field.to_owned(),
            max,
            got,
        });
    }
    Ok(())
}

/// For the desk: whether `s` may be stored as a single-line field.
pub fn check_line(field: &str, s: &str) -> Result<(), TextError> {
    refuse_controls(field, s, false)?;
    refuse_long(field, s, MAX_LINE)
}

/// For the desk: whether `s` may be stored as free text (line breaks allowed).
pub fn check_free_text(field: &str, s: &str) -> Result<(), TextError> {
    refuse_controls(field, s, true)?;
    refuse_long(field, s, MAX_FREE_TEXT)
}

/// Refuses more than `max` entries of one kind.
pub(crate) fn count(field: &str, got: usize, max: usize) -> Result<(), TextError> {
    if got > max {
        return Err(TextError::TooMany {
            field: field.to_owned(),
            max,
            got,
        });
    }
    Ok(())
}

/// One line for a paper: NFC, unwanted characters dropped, any run of white space (line
/// breaks included) made one space, trimmed, at most [`MAX_LINE`] characters.
pub(crate) fn line(field: &str, s: &str) -> Result<String, TextError> {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfc() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !unwanted(c) {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    refuse_long(field, &out, MAX_LINE)?;
    Ok(out)
}

/// Free text for a paper: at most [`MAX_FREE_TEXT`] characters, split into paragraphs at
/// line breaks, each cleaned as by [`line`] but without its length cap; empty ones dropped.
pub(crate) fn paragraphs(field: &str, s: &str) -> Result<Vec<String>, TextError> {
    refuse_long(field, s, MAX_FREE_TEXT)?;
    let mut out = Vec::new();
    for raw in s.split(['\n', '\r']) {
        let mut p = String::new();
        let mut space = false;
        for c in raw.nfc() {
            if c.is_whitespace() {
                space = !p.is_empty();
            } else if !unwanted(c) {
                if space {
                    p.push(' ');
                    space = false;
                }
                p.push(c);
            }
        }
        if !p.is_empty() {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_composed_and_stripped_of_controls() {
        // "Hường" typed with a combining hook and dot below, as some keyboards send it.
        let decomposed = "Nguye\u{302}\u{303}n Thi\u{323} Hu\u{31B}o\u{31B}\u{300}ng";
        let clean = line("name", &format!(" {decomposed}\u{7}\u{202E}\t ")).unwrap();
        assert_eq!(clean, "Nguyễn Thị Hường");
        assert_eq!(clean.chars().count(), 16, "precomposed letters: {clean:?}");
        assert_eq!(line("x", "a\r\n\n b").unwrap(), "a b");
    }

    #[test]
    fn free_text_keeps_its_paragraphs() {
        let p = paragraphs("notes", "Một.\r\n\r\n  Hai\u{0}  ba.\n").unwrap();
        assert_eq!(p, ["Một.", "Hai ba."]);
    }

    #[test]
    fn the_desk_is_told_what_is_wrong() {
        assert!(check_line("title", "Báo cáo chính trị").is_ok());
        let e = check_line("title", "a\nb").unwrap_err();
        assert!(matches!(e, TextError::LineBreak { .. }), "{e}");
        let e = check_free_text("conclusion", "Kết luận\u{1b}[31m").unwrap_err();
        assert_eq!(
            e.to_string(),
            "conclusion: a control character (U+001B) at character 9; type plain text"
        );
        assert!(check_free_text("conclusion", "Dòng 1\nDòng 2\tcột").is_ok());
        let long = "ư".repeat(MAX_FREE_TEXT + 1);
        let e = check_free_text("conclusion", &long).unwrap_err();
        assert!(e.to_string().contains("20001 characters"), "{e}");
        assert!(line("name", &"a".repeat(MAX_LINE + 1)).is_err());
        assert!(paragraphs("notes", &long).is_err());
    }
}
