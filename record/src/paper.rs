//! The shape every paper shares, and the plain model both writers draw from.
//!
//! A minutes or a counting report is first built as a [`Paper`]: the header, then blocks
//! (paragraphs, tables, signature blocks), all text already cleaned. The PDF writer lays it
//! out itself (line breaking, pagination); the DOCX writer hands the same blocks to Word,
//! which lays them out when the file is opened. One model keeps the two forms saying the
//! same thing.

use crate::clock;
use crate::text::{self, TextError};
use protocol::{Participant, Timestamp};

/// Whose national header a paper carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HeaderKind {
    /// Party bodies (Hướng dẫn 36-HD/VPTW): "ĐẢNG CỘNG SẢN VIỆT NAM", a star under the
    /// body's name, the number as "Số 15-BB/HU".
    #[default]
    Party,
    /// State bodies (Nghị định 30/2020/NĐ-CP): the national motto, a short rule under the
    /// body's name, the number as "Số: 15/BB-UBND".
    State,
}

/// The top of a paper: who issues it, its number, and the place and date line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// A Party body's header or a state body's.
    pub kind: HeaderKind,
    /// The body above the issuing one, if any ("ĐẢNG BỘ TỈNH BẮC NINH"); may be empty.
    pub superior: String,
    /// The issuing body ("HUYỆN ỦY GIA BÌNH"). Printed in capitals whatever the input.
    pub body: String,
    /// What follows "Số" ("15-BB/HU"); empty leaves dots to fill by hand.
    pub number: String,
    /// The place of the date line ("Gia Bình").
    pub place: String,
    /// The date of the date line; `None` leaves dots to fill by hand.
    pub dated: Option<Timestamp>,
}

/// Someone named on a paper: a chair, a secretary, a member of the counting committee.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    /// "Nguyễn Thị Hường".
    pub name: String,
    /// Chức vụ, e.g. "Phó Bí thư Huyện ủy"; may be empty.
    pub position: String,
}

impl Person {
    /// A person by name and position.
    pub fn new(name: impl Into<String>, position: impl Into<String>) -> Person {
        Person {
            name: name.into(),
            position: position.into(),
        }
    }

    /// "Nguyễn Thị Hường, Phó Bí thư Huyện ủy", or the name alone.
    pub(crate) fn with_position(&self, field: &str) -> Result<String, TextError> {
        let name = text::line(field, &self.name)?;
        let position = text::line(field, &self.position)?;
        Ok(if position.is_empty() {
            name
        } else {
            format!("{name}, {position}")
        })
    }
}

impl From<&Participant> for Person {
    fn from(p: &Participant) -> Person {
        Person::new(p.name.clone(), p.position.clone())
    }
}

/// The header's lines, cleaned and in capitals where the forms want them.
#[derive(Clone, Debug)]
pub(crate) struct HeaderLines {
    pub kind: HeaderKind,
    pub superior: String,
    pub body: String,
    pub number: String,
    pub date: String,
}

impl Header {
    pub(crate) fn lines(&self) -> Result<HeaderLines, TextError> {
        let number = text::line("header.number", &self.number)?;
        let number = match (self.kind, number.is_empty()) {
            (HeaderKind::Party, true) => "Số ……-BB/……".to_owned(),
            (HeaderKind::Party, false) => format!("Số {number}"),
            (HeaderKind::State, true) => "Số: ……/BB-……".to_owned(),
            (HeaderKind::State, false) => format!("Số: {number}"),
        };
        let place = text::line("header.place", &self.place)?;
        Ok(HeaderLines {
            kind: self.kind,
            superior: text::line("header.superior", &self.superior)?.to_uppercase(),
            body: text::line("header.body", &self.body)?.to_uppercase(),
            number,
            date: clock::place_and_date(&place, self.dated),
        })
    }
}

/// The motto lines of the right-hand column.
pub(crate) const PARTY_MOTTO: &str = "ĐẢNG CỘNG SẢN VIỆT NAM";
pub(crate) const STATE_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub(crate) const STATE_MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// What marks a paper of a meeting not yet closed, on every page.
pub(crate) const DRAFT: &str = "DỰ THẢO";

/// Body text size in points (the forms allow 13–14).
pub(crate) const BODY_SIZE: f32 = 14.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Style {
    Regular,
    Bold,
    Italic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// A piece of a paragraph in one style.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    pub text: String,
    pub style: Style,
}

/// A paragraph. Lengths are in points.
#[derive(Clone, Debug)]
pub(crate) struct Para {
    pub spans: Vec<Span>,
    pub align: Align,
    pub size: f32,
    pub first_indent: f32,
    pub left_indent: f32,
    pub before: f32,
    pub after: f32,
    /// Keep on the page of the paragraph that follows (a heading).
    pub keep_next: bool,
}

impl Para {
    /// A justified body paragraph with a first-line indent, as the forms set them.
    pub fn body(spans: Vec<Span>) -> Para {
        Para {
            spans,
            align: Align::Justify,
            size: BODY_SIZE,
            first_indent: 28.0,
            left_indent: 0.0,
            before: 0.0,
            after: 4.0,
            keep_next: false,
        }
    }

    /// A paragraph of one regular span.
    pub fn plain(text: impl Into<String>) -> Para {
        Para::body(vec![regular(text)])
    }

    /// A bold heading kept with what follows.
    pub fn heading(text: impl Into<String>) -> Para {
        Para {
            before: 6.0,
            keep_next: true,
            ..Para::body(vec![bold(text)])
        }
    }

    /// Centred, no indent.
    pub fn centered(spans: Vec<Span>, size: f32) -> Para {
        Para {
            align: Align::Center,
            first_indent: 0.0,
            size,
            ..Para::body(spans)
        }
    }

    /// A line of dots for the secretariat to write on by hand: 33 ellipses, one em each
    /// in Times and Liberation Serif, fill the text width at 14 pt.
    pub fn blank_line() -> Para {
        Para {
            align: Align::Left,
            first_indent: 0.0,
            ..Para::plain("…".repeat(33))
        }
    }

    /// All the text, for tests.
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

pub(crate) fn regular(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::Regular,
    }
}

pub(crate) fn bold(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::Bold,
    }
}

pub(crate) fn italic(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        style: Style::Italic,
    }
}

/// A ruled table: a header row in bold, then rows. Widths are relative.
#[derive(Clone, Debug)]
pub(crate) struct Grid {
    pub widths: Vec<f32>,
    pub aligns: Vec<Align>,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub size: f32,
}

/// A signature block: the capacity lines ("T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN"), room to
/// sign, then the name.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    pub titles: Vec<String>,
    pub name: String,
}

#[derive(Clone, Debug)]
pub(crate) enum Block {
    Para(Para),
    Grid(Grid),
    /// Signature blocks side by side, `columns` to a row.
    Signatures {
        blocks: Vec<Signature>,
        columns: usize,
    },
}

/// A paper ready for either writer.
#[derive(Clone, Debug)]
pub(crate) struct Paper {
    /// For the file's metadata.
    pub title: String,
    pub header: HeaderLines,
    pub draft: bool,
    pub blocks: Vec<Block>,
}

impl Paper {
    /// Every paragraph's and cell's text, in order: what a reader of the paper sees.
    #[cfg(test)]
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Para(p) => out += &p.text(),
                Block::Grid(g) => {
                    for row in std::iter::once(&g.head).chain(&g.rows) {
                        out += &row.join(" | ");
                        out.push('\n');
                    }
                }
                Block::Signatures { blocks, .. } => {
                    for s in blocks {
                        out += &s.titles.join(" ");
                        out += " ";
                        out += &s.name;
                        out.push('\n');
                    }
                }
            }
            out.push('\n');
        }
        out
    }
}
