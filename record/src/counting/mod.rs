//! The counting report (biên bản kiểm phiếu) of an election or a secret vote: the counting
//! committee, the ballots issued, received, valid and invalid, the votes per candidate (or
//! option) with the percentage of the base the rule uses, who is elected, a tie at the last
//! seat, and for a sealed ballot box its fingerprint and how to check it. Signed by every
//! member of the committee.
//!
//! A report is made only of a published result: before that the count is not final.

use crate::clock;
use crate::figures::{percent, thousands};
use crate::meeting::VoteRecord;
use crate::minutes::recipients;
use crate::paper::{bold, regular, Align, Block, Grid, Header, Paper, Para, Signature};
use crate::text::{self};
use crate::{docx, pdf, votes, words, RecordError};
use sections::{indented, outcome_paragraphs, sealed_paragraphs};

mod sections;
use protocol::{PollKind, PollStatus, Timestamp};

/// The counting report of one poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountingReport {
    /// The issuing body, number, place and date.
    pub header: Header,
    /// The meeting the poll belongs to: "Đại hội đại biểu Đảng bộ huyện Gia Bình lần thứ
    /// XXV".
    pub meeting: String,
    /// Where the count was made.
    pub venue: String,
    /// When the count was made; `None` leaves dots to fill.
    pub counted_at: Option<Timestamp>,
    /// Ban kiểm phiếu, in the order they sign (the head first).
    pub committee: Vec<CommitteeMember>,
    /// The poll, which must be published.
    pub vote: VoteRecord,
    /// Ballots handed out (số phiếu phát ra): for an electronic poll, the eligible members
    /// present when it opened, plus paper ballots handed out.
    pub ballots_issued: u32,
    /// For a sealed (encrypted) ballot box: what identifies the published box.
    pub sealed_box: Option<SealedBox>,
    /// "Nơi nhận" lines; may be empty.
    pub recipients: Vec<String>,
}

/// A member of the counting committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitteeMember {
    /// "Lê Thị Ánh Tuyết".
    pub name: String,
    /// Head, deputy or member: the title over their signature.
    pub duty: Duty,
}

/// A member's place in the committee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// Trưởng ban.
    Head,
    /// Phó Trưởng ban.
    Deputy,
    /// Ủy viên.
    Member,
}

/// The published sealed ballot box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedBox {
    /// Lower-case hex SHA-256 of the published box (the signed result file).
    pub fingerprint: String,
    /// The file to check: "ket-qua-bau-bch.json".
    pub file_name: String,
    /// Encrypted ballots in the box.
    pub ballots: u32,
}

impl CountingReport {
    /// The report as a PDF with its font embedded and subset.
    pub fn to_pdf(&self) -> Result<Vec<u8>, RecordError> {
        pdf::render(&self.paper()?)
    }

    /// The report as an editable Word document.
    pub fn to_docx(&self) -> Result<Vec<u8>, RecordError> {
        docx::render(&self.paper()?)
    }

    pub(crate) fn paper(&self) -> Result<Paper, RecordError> {
        let v = &self.vote;
        if v.status != PollStatus::Published {
            return Err(RecordError::Inconsistent(format!(
                "poll '{}' is {}: a counting report is made of a published result",
                v.poll.title,
                words::wire(&v.status)
            )));
        }
        let Some(r) = v.checked_result()? else {
            return Err(RecordError::Inconsistent(format!(
                "poll '{}' has no result",
                v.poll.title
            )));
        };
        text::count("committee", self.committee.len(), 50)?;
        let title = text::line("poll.title", &v.poll.title)?;
        let meeting = text::line("meeting", &self.meeting)?;
        let venue = text::line("venue", &self.venue)?;
        let names = votes::option_names(v)?;
        let election = matches!(v.poll.kind, PollKind::Election { .. });
        let mut b = Vec::new();
        let mut para = |p: Para| b.push(Block::Para(p));
        para(Para::centered(vec![bold("BIÊN BẢN KIỂM PHIẾU")], 16.0));
        para(Para::centered(vec![bold(title.clone())], 14.0));
        if !meeting.is_empty() {
            para(Para {
                after: 12.0,
                ..Para::centered(vec![regular(meeting.clone())], 14.0)
            });
        }

        let when = match self.counted_at {
            Some(at) => format!(
                "vào hồi {}, {}",
                clock::clock_words(at),
                clock::date_words(at)
            ),
            None => "vào hồi …… giờ …… phút, ngày …… tháng …… năm ……".to_owned(),
        };
        let place = if venue.is_empty() {
            String::new()
        } else {
            format!(", tại {venue}")
        };
        para(Para::plain(format!(
            "Hôm nay, {when}{place}, Ban kiểm phiếu gồm các đồng chí:"
        )));
        for (n, m) in self.committee.iter().enumerate() {
            let name = text::line("committee", &m.name)?;
            para(indented(vec![
                regular(format!("{}. Đồng chí ", n + 1)),
                bold(name),
                regular(format!(" – {};", words::duty(m.duty).to_lowercase())),
            ]));
        }
        let seats = match v.poll.kind {
            PollKind::Election { seats, .. } => {
                format!("; số lượng cần bầu: {}", thousands(u64::from(seats)))
            }
            _ => String::new(),
        };
        para(Para::plain(format!(
            "đã tiến hành kiểm phiếu {} ({}{seats}). Kết quả như sau:",
            if election {
                "bầu cử"
            } else {
                "biểu quyết"
            },
            words::secrecy(v.poll.secret)
        )));

        para(Para::heading("I. SỐ PHIẾU"));
        let figures = [
            ("Tổng số đại biểu được triệu tập", r.summoned),
            ("Số đại biểu có mặt", r.present),
            ("Số phiếu phát ra", self.ballots_issued),
            ("Số phiếu thu vào", r.ballots),
            ("Số phiếu hợp lệ", r.valid),
            ("Số phiếu không hợp lệ", r.invalid),
        ];
        for (label, n) in figures {
            para(indented(vec![regular(format!(
                "- {label}: {}.",
                thousands(u64::from(n))
            ))]));
        }
        let condition = if election {
            "Điều kiện trúng cử"
        } else {
            "Điều kiện thông qua"
        };
        para(indented(vec![
            regular(format!("- {condition}: ")),
            bold(votes::rule_with_count(v, r)),
            regular("."),
        ]));

        para(Para::heading(if election {
            "II. SỐ PHIẾU BẦU CỦA TỪNG NGƯỜI"
        } else {
            "II. KẾT QUẢ BIỂU QUYẾT"
        }));
        let base = u64::from(r.base_count);
        let order: Vec<usize> = match v.poll.kind {
            PollKind::Motion => (0..names.len()).collect(),
            _ => votes::ranked(r),
        };
        let outcome = |i: usize| {
            let i = i as u32;
            words::outcome(&v.poll.kind, r.elected.contains(&i), r.tied.contains(&i))
        };
        let rows = order
            .iter()
            .enumerate()
            .map(|(n, &i)| {
                let t = u64::from(r.tallies[i]);
                let mut row = vec![
                    (n + 1).to_string(),
                    names[i].clone(),
                    thousands(t),
                    percent(t, base),
                ];
                if !matches!(v.poll.kind, PollKind::Motion) {
                    row.push(outcome(i).to_owned());
                }
                row
            })
            .collect();
        let mut head = vec![
            "STT".to_owned(),
            if election {
                "Họ và tên"
            } else {
                "Phương án"
            }
            .to_owned(),
            "Số phiếu".to_owned(),
            format!(
                "Tỷ lệ so với {}",
                words::majority_base(v.poll.base).trim_start_matches("tổng số ")
            ),
        ];
        let mut widths = vec![0.6, 3.3, 1.1, 1.6];
        let mut aligns = vec![Align::Center, Align::Left, Align::Right, Align::Right];
        if !matches!(v.poll.kind, PollKind::Motion) {
            head.push("Kết quả".to_owned());
            widths.push(2.1);
            aligns.push(Align::Center);
        }
        b.push(Block::Grid(Grid {
            widths,
            aligns,
            head,
            rows,
            size: 13.0,
        }));

        let mut para = |p: Para| b.push(Block::Para(p));
        para(Para::heading(if election {
            "III. KẾT QUẢ BẦU CỬ"
        } else {
            "III. KẾT LUẬN"
        }));
        for p in outcome_paragraphs(v, r, &names)? {
            para(p);
        }
        if let Some(sealed) = &self.sealed_box {
            para(Para::heading("IV. HÒM PHIẾU NIÊM PHONG (MÃ HÓA)"));
            for p in sealed_paragraphs(sealed)? {
                para(p);
            }
        }
        para(Para {
            before: 6.0,
            ..Para::plain(
                "Biên bản được Ban kiểm phiếu lập, thống nhất thông qua và cùng ký tên dưới đây./.",
            )
        });
        let blocks = self
            .committee
            .iter()
            .map(|m| {
                Ok(Signature {
                    titles: vec![words::duty(m.duty).to_uppercase()],
                    name: text::line("committee", &m.name)?,
                })
            })
            .collect::<Result<Vec<_>, RecordError>>()?;
        let columns = blocks.len().clamp(1, 3);
        b.push(Block::Signatures { blocks, columns });
        recipients(&mut b, &self.recipients)?;
        Ok(Paper {
            title: format!("Biên bản kiểm phiếu: {title}"),
            header: self.header.lines()?,
            draft: false,
            blocks: b,
        })
    }
}

#[cfg(test)]
mod tests;
