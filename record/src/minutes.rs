//! The minutes of a meeting (biên bản cuộc họp): the time and place, the chair and the
//! secretary, attendance, each agenda item with its documents, speakers, votes and
//! conclusion, the free text of the desk, the closing time and the signature blocks.
//!
//! Everything but the conclusions and the free text comes from what happened; what the
//! secretariat has not written yet is left as dotted lines to fill in by hand.

use crate::clock;
use crate::figures::{percent, thousands};
use crate::meeting::{
    name_and_post, short_hash, Attendee, DocumentRecord, SpeechRecord, VoteRecord,
};
use crate::paper::{
    bold, italic, regular, Align, Block, Header, Paper, Para, Person, Signature, Span,
};
use crate::text::{self, MAX_ITEMS, MAX_ROWS};
use crate::{docx, pdf, votes, words, RecordError};
use protocol::{Classification, Fraction, Timestamp};

/// The minutes of one meeting: fill it from the meeting's state and log, then call
/// [`Minutes::to_pdf`] or [`Minutes::to_docx`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minutes {
    /// The issuing body, number, place and date.
    pub header: Header,
    /// What the meeting was, under "BIÊN BẢN": "Hội nghị Ban Chấp hành Đảng bộ huyện lần
    /// thứ 12".
    pub subject: String,
    /// The meeting is not closed yet: "DỰ THẢO" on every page.
    pub draft: bool,
    /// Where the meeting was held.
    pub venue: String,
    /// When it opened; `None` leaves dots to fill.
    pub started_at: Option<Timestamp>,
    /// The closing time; `None` leaves dots to fill.
    pub ended_at: Option<Timestamp>,
    /// Chủ trì (one, or the presidium in order); the first signs.
    pub chairs: Vec<Person>,
    /// Thư ký; the first signs.
    pub secretaries: Vec<Person>,
    /// Everyone summoned; chairs and delegates count as members.
    pub attendees: Vec<Attendee>,
    /// The share of members that must be present (usually 2/3).
    pub quorum: Fraction,
    /// In agenda order.
    pub items: Vec<ItemRecord>,
    /// Free text from the desk after the items; may be empty.
    pub notes: String,
    /// "Nơi nhận" lines; may be empty.
    pub recipients: Vec<String>,
}

/// One agenda item as the minutes record it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemRecord {
    /// The item's title as on the agenda.
    pub title: String,
    /// Who presented what, or what the item is; may be empty.
    pub description: String,
    /// The documents presented under it, in the versions the meeting had.
    pub documents: Vec<DocumentRecord>,
    /// From the list of speakers, in the order they spoke.
    pub speeches: Vec<SpeechRecord>,
    /// Its votes and elections, in the order they were held.
    pub votes: Vec<VoteRecord>,
    /// The chair's conclusion as the secretariat wrote it; empty leaves lines to fill.
    pub conclusion: String,
}

impl Minutes {
    /// The minutes as an editable Word document.
    pub fn to_docx(&self) -> Result<Vec<u8>, RecordError> {
        docx::render(&self.paper()?)
    }

    /// The minutes as a PDF with its font embedded and subset.
    pub fn to_pdf(&self) -> Result<Vec<u8>, RecordError> {
        pdf::render(&self.paper()?)
    }

    pub(crate) fn paper(&self) -> Result<Paper, RecordError> {
        text::count("attendees", self.attendees.len(), MAX_ROWS)?;
        text::count("items", self.items.len(), MAX_ITEMS)?;
        let subject = text::line("subject", &self.subject)?;
        let mut b: Vec<Block> = Vec::new();
        let mut para = |p: Para| b.push(Block::Para(p));
        para(Para::centered(vec![bold("BIÊN BẢN")], 16.0));
        para(Para {
            after: 14.0,
            ..Para::centered(vec![bold(subject.clone())], 14.0)
        });

        para(Para::heading("I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN"));
        let start = match self.started_at {
            Some(at) => format!(
                "bắt đầu lúc {}, {}.",
                clock::clock_words(at),
                clock::date_words(at)
            ),
            None => "bắt đầu lúc …… giờ …… phút, ngày …… tháng …… năm …….".to_owned(),
        };
        para(labelled("Thời gian: ", start));
        let venue = text::line("venue", &self.venue)?;
        para(labelled("Địa điểm: ", dots_if_empty(venue) + "."));
        para(labelled("Chủ trì: ", people(&self.chairs, "chairs")? + "."));
        para(labelled(
            "Thư ký: ",
            people(&self.secretaries, "secretaries")? + ".",
        ));
        for p in self.attendance()? {
            para(p);
        }

        para(Para::heading("II. NỘI DUNG"));
        for (n, item) in self.items.iter().enumerate() {
            for p in item.paragraphs(n + 1)? {
                para(p);
            }
        }

        let notes = text::paragraphs("notes", &self.notes)?;
        if !notes.is_empty() {
            para(Para::heading("III. CÁC NỘI DUNG KHÁC"));
            for n in notes {
                para(Para::plain(n));
            }
        }
        let end = match (self.ended_at, self.started_at) {
            (Some(end), Some(start)) if clock::same_day(start, end) => {
                format!("{} cùng ngày", clock::clock_words(end))
            }
            (Some(end), _) => format!("{}, {}", clock::clock_words(end), clock::date_words(end)),
            (None, _) => "…… giờ …… phút, ngày …… tháng …… năm ……".to_owned(),
        };
        para(Para {
            before: 8.0,
            ..Para::plain(format!("{} kết thúc vào hồi {end}./.", kind_of(&subject)))
        });

        let signer = |list: &[Person], one: &str, many: &str, field: &str| {
            let name = match list.first() {
                Some(p) => text::line(field, &p.name)?,
                None => String::new(),
            };
            let title = if list.len() > 1 { many } else { one };
            Ok::<_, RecordError>(Signature {
                titles: vec![title.to_owned()],
                name,
            })
        };
        b.push(Block::Signatures {
            blocks: vec![
                signer(
                    &self.secretaries,
                    "THƯ KÝ",
                    "T/M ĐOÀN THƯ KÝ",
                    "secretaries",
                )?,
                signer(&self.chairs, "CHỦ TRÌ", "T/M ĐOÀN CHỦ TỊCH", "chairs")?,
            ],
            columns: 2,
        });
        recipients(&mut b, &self.recipients)?;
        Ok(Paper {
            title: format!("Biên bản: {subject}"),
            header: self.header.lines()?,
            draft: self.draft,
            blocks: b,
        })
    }

    /// Summoned, present and absent members, the quorum, and each absence with its reason.
    fn attendance(&self) -> Result<Vec<Para>, RecordError> {
        let members: Vec<&Attendee> = self
            .attendees
            .iter()
            .filter(|a| a.participant.role.is_member())
            .collect();
        let summoned = members.len() as u64;
        let present = members.iter().filter(|a| a.present).count() as u64;
        let absent: Vec<&&Attendee> = members.iter().filter(|a| !a.present).collect();
        let mut out = vec![labelled(
            "Thành phần: ",
            format!(
                "tổng số đại biểu được triệu tập {}; có mặt {} ({}); vắng mặt {}.",
                thousands(summoned),
                thousands(present),
                percent(present, summoned),
                thousands(absent.len() as u64)
            ),
        )];
        let reached = self.quorum.reached_by(present, summoned);
        out.push(Para::plain(format!(
            "Số đại biểu có mặt {} {} tổng số được triệu tập: {} {}.",
            if reached {
                "đạt từ"
            } else {
                "chưa đạt"
            },
            self.quorum,
            kind_of(&self.subject).to_lowercase(),
            if reached {
                "đủ điều kiện tiến hành"
            } else {
                "chưa đủ điều kiện tiến hành"
            }
        )));
        if !absent.is_empty() {
            out.push(Para {
                keep_next: true,
                ..Para::plain(format!(
                    "Đại biểu vắng mặt ({} đồng chí):",
                    thousands(absent.len() as u64)
                ))
            });
            for (n, a) in absent.iter().enumerate() {
                let who = name_and_post(&a.participant, "attendees")?;
                let reason = text::line("absence_reason", &a.absence_reason)?;
                let reason = if reason.is_empty() {
                    "chưa báo lý do".to_owned()
                } else {
                    format!("lý do: {reason}")
                };
                out.push(list_line(vec![regular(format!(
                    "{}. {who} ({reason}).",
                    n + 1
                ))]));
            }
        }
        Ok(out)
    }
}

impl ItemRecord {
    fn paragraphs(&self, n: usize) -> Result<Vec<Para>, RecordError> {
        text::count("documents", self.documents.len(), MAX_ROWS)?;
        text::count("speeches", self.speeches.len(), MAX_ROWS)?;
        text::count("votes", self.votes.len(), MAX_ROWS)?;
        let mut out = vec![Para::heading(format!(
            "{n}. {}",
            text::line("item.title", &self.title)?
        ))];
        for d in text::paragraphs("item.description", &self.description)? {
            out.push(Para::plain(d));
        }
        if !self.documents.is_empty() {
            out.push(Para::body(vec![italic("Tài liệu trình bày:")]));
            for d in &self.documents {
                out.push(list_line(document_line(d)?));
            }
        }
        if self.speeches.is_empty() {
            out.push(Para::body(vec![italic(
                "Ý kiến phát biểu: không có đại biểu phát biểu.",
            )]));
        } else {
            out.push(Para::body(vec![italic(format!(
                "Ý kiến phát biểu ({} lượt):",
                thousands(self.speeches.len() as u64)
            ))]));
            for s in &self.speeches {
                out.push(list_line(speech_line(s)?));
            }
        }
        if !self.votes.is_empty() {
            out.push(Para::body(vec![italic("Biểu quyết:")]));
            for v in &self.votes {
                out.push(list_line(votes::summary(v)?));
            }
        }
        let conclusion = text::paragraphs("item.conclusion", &self.conclusion)?;
        out.push(Para {
            keep_next: true,
            ..Para::body(vec![bold("Kết luận:")])
        });
        if conclusion.is_empty() {
            out.push(Para::blank_line());
            out.push(Para::blank_line());
        } else {
            out.extend(conclusion.into_iter().map(Para::plain));
        }
        Ok(out)
    }
}

fn document_line(d: &DocumentRecord) -> Result<Vec<Span>, RecordError> {
    let title = text::line("document.title", &d.title)?;
    let file = text::line("document.file_name", &d.file_name)?;
    let mut details = Vec::new();
    if d.classification == Classification::Confidential {
        details.push(words::classification(d.classification).to_owned());
    }
    details.push(format!("phiên bản {}", d.version));
    if !file.is_empty() {
        details.push(format!("tệp {file}"));
    }
    // A confidential document is named by its title alone: the hub leaves its file name
    // and fingerprint out of the minutes.
    if !d.sha256.is_empty() {
        details.push(format!("SHA-256 {}", short_hash(&d.sha256)));
    }
    Ok(vec![
        regular("- "),
        regular(title),
        regular(format!(" ({}).", details.join(", "))),
    ])
}

fn speech_line(s: &SpeechRecord) -> Result<Vec<Span>, RecordError> {
    let who = name_and_post(&s.speaker, "speeches")?;
    let when = match s.ended_at {
        Some(end) => format!("{}–{}", clock::hh_mm(s.started_at), clock::hh_mm(end)),
        None => format!("từ {}", clock::hh_mm(s.started_at)),
    };
    let mut spans = vec![
        regular("- Đồng chí "),
        bold(who),
        regular(format!(" ({when})")),
    ];
    let summary = text::paragraphs("speech.summary", &s.summary)?.join(" ");
    if summary.is_empty() {
        spans.push(regular("."));
    } else {
        spans.push(regular(format!(": {summary}")));
    }
    Ok(spans)
}

/// What the meeting is called in its own sentences: "Đại hội" for a congress, "Hội nghị"
/// for a conference, "Kỳ họp" for a session, else "Cuộc họp".
fn kind_of(subject: &str) -> &'static str {
    let lower = subject.trim_start().to_lowercase();
    ["Đại hội", "Hội nghị", "Kỳ họp"]
        .into_iter()
        .find(|k| lower.starts_with(&k.to_lowercase()))
        .unwrap_or("Cuộc họp")
}

/// "Label: text" with the label in bold, as the minutes' opening lines are set.
fn labelled(label: &str, text: String) -> Para {
    Para::body(vec![bold(label), regular(text)])
}

/// A line of a list, indented and not stretched on its last line.
fn list_line(spans: Vec<Span>) -> Para {
    Para {
        first_indent: 0.0,
        left_indent: 14.0,
        after: 2.0,
        align: Align::Justify,
        ..Para::body(spans)
    }
}

fn dots_if_empty(s: String) -> String {
    if s.is_empty() {
        "……………………".to_owned()
    } else {
        s
    }
}

/// "đồng chí A, Bí thư; đồng chí B, Phó Bí thư".
fn people(list: &[Person], field: &str) -> Result<String, RecordError> {
    text::count(field, list.len(), 100)?;
    if list.is_empty() {
        return Ok(dots_if_empty(String::new()));
    }
    let named = list
        .iter()
        .map(|p| Ok(format!("đồng chí {}", p.with_position(field)?)))
        .collect::<Result<Vec<_>, RecordError>>()?;
    Ok(named.join("; "))
}

/// "Nơi nhận:" and its lines, small, under the signatures.
pub(crate) fn recipients(b: &mut Vec<Block>, list: &[String]) -> Result<(), RecordError> {
    text::count("recipients", list.len(), 100)?;
    if list.is_empty() {
        return Ok(());
    }
    let small = |spans: Vec<Span>| Para {
        align: Align::Left,
        size: 12.0,
        first_indent: 0.0,
        after: 0.0,
        ..Para::body(spans)
    };
    b.push(Block::Para(Para {
        before: 12.0,
        keep_next: true,
        ..small(vec![Span {
            text: "Nơi nhận:".to_owned(),
            style: crate::paper::Style::Bold,
        }])
    }));
    for r in list {
        b.push(Block::Para(small(vec![regular(format!(
            "- {},",
            text::line("recipients", r)?
        ))])));
    }
    Ok(())
}

#[cfg(test)]
#[path = "minutes_tests.rs"]
mod tests;
