//! The tables themselves: which columns each sheet has and how a row is filled.

use super::{Cell, Table};
use crate::figures::hundredths;
use crate::meeting::{Attendee, DeliveryRecord, NamedBallot, VoteRecord};
use crate::minutes::ItemRecord;
use crate::text::{self, MAX_ROWS};
use crate::{votes, words, RecordError};
use protocol::opinions::OpinionSummary;
use protocol::PollKind;

fn text(field: &str, s: &str) -> Result<Cell, RecordError> {
    Ok(Cell::Text(text::line(field, s)?))
}

/// Free text in one cell: its paragraphs joined by " / ".
fn free_text(field: &str, s: &str) -> Result<Cell, RecordError> {
    Ok(Cell::Text(text::paragraphs(field, s)?.join(" / ")))
}

fn word<T: serde::Serialize>(value: &T, words: &str) -> Cell {
    Cell::Word {
        wire: words::wire(value),
        words: words.to_owned(),
    }
}

fn yes_no(yes: bool) -> Cell {
    Cell::Word {
        wire: yes.to_string(),
        words: words::yes_no(yes).to_owned(),
    }
}

/// Attendance (điểm danh): everyone summoned, in summons order.
pub fn attendance(attendees: &[Attendee]) -> Result<Table, RecordError> {
    text::count("attendees", attendees.len(), MAX_ROWS)?;
    let rows = attendees
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let p = &a.participant;
            Ok(vec![
                Cell::int(n as i64 + 1),
                text("name", &p.name)?,
                text("position", &p.position)?,
                text("unit", &p.unit)?,
                text("seat", p.seat.as_deref().unwrap_or(""))?,
                word(&p.role, words::role(p.role)),
                Cell::Word {
                    wire: if a.present { "present" } else { "absent" }.to_owned(),
                    words: words::presence(a.present).to_owned(),
                },
                Cell::Time(a.checked_in_at),
                text("absence_reason", &a.absence_reason)?,
            ])
        })
        .collect::<Result<_, RecordError>>()?;
    Ok(Table {
        name: "Điểm danh".to_owned(),
        headings: vec![
            "STT",
            "Họ và tên",
            "Chức vụ",
            "Đơn vị",
            "Ghế",
            "Vai trò",
            "Điểm danh",
            "Giờ điểm danh",
            "Lý do vắng mặt",
        ],
        rows,
    })
}

/// A poll's result: a summary (counts, the rule) and the votes per option, most votes
/// first for an election or a choice, in the ballot's order for a motion.
pub fn poll_result(v: &VoteRecord) -> Result<Vec<Table>, RecordError> {
    let r = v.checked_result()?.ok_or_else(|| {
        RecordError::Inconsistent(format!(
            "poll '{}' has no result yet: it is counted when the chair closes it",
            v.poll.title
        ))
    })?;
    let p = &v.poll;
    let count = |label: &'static str, n: u32| vec![Cell::Text(label.to_owned()), Cell::int(n)];
    let summary = vec![
        vec![
            Cell::Text("Nội dung".to_owned()),
            text("poll.title", &p.title)?,
        ],
        vec![
            Cell::Text("Hình thức".to_owned()),
            Cell::Word {
                wire: if p.secret { "secret" } else { "open" }.to_owned(),
                words: words::secrecy(p.secret).to_owned(),
            },
        ],
        vec![
            Cell::Text("Trạng thái".to_owned()),
            word(&v.status, words::poll_status(v.status)),
        ],
        vec![
            Cell::Text("Tỷ lệ tính trên".to_owned()),
            word(&p.base, words::majority_base(p.base)),
        ],
        vec![Cell::Text("Điều kiện".to_owned()), {
            Cell::Word {
                wire: words::wire(&p.threshold),
                words: words::threshold(p.threshold),
            }
        }],
        count("Số được triệu tập", r.summoned),
        count("Số có mặt", r.present),
        count("Số phiếu thu vào", r.ballots),
        count("Số phiếu hợp lệ", r.valid),
        count("Số phiếu không hợp lệ", r.invalid),
        count("Số phiếu thư ký ghi thay", r.proxy),
        count("Cơ sở tính tỷ lệ", r.base_count),
    ];
    let names = votes::option_names(v)?;
    let order: Vec<usize> = match p.kind {
        PollKind::Motion => (0..names.len()).collect(),
        _ => votes::ranked(r),
    };
    let tallies = order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let t = r.tallies[i];
            let i = i as u32;
            let (elected, tied) = (r.elected.contains(&i), r.tied.contains(&i));
            let outcome = Cell::Word {
                wire: match (elected, tied) {
                    (_, true) => "tied",
                    (true, false) => "elected",
                    (false, false) => "",
                }
                .to_owned(),
                words: words::outcome(&p.kind, elected, tied).to_owned(),
            };
            vec![
                Cell::int(n as i64 + 1),
                Cell::Text(names[i as usize].clone()),
                Cell::int(t),
                Cell::Percent(hundredths(u64::from(t), u64::from(r.base_count))),
                outcome,
            ]
        })
        .collect();
    Ok(vec![
        Table {
            name: "Tổng hợp".to_owned(),
            headings: vec!["Chỉ tiêu", "Giá trị"],
            rows: summary,
        },
        Table {
            name: "Kết quả".to_owned(),
            headings: vec!["STT", "Phương án", "Số phiếu", "Tỷ lệ (%)", "Kết quả"],
            rows: tallies,
        },
    ])
}

/// Who chose what in an open poll, in summons order. Refused for a secret poll: its
/// ballots are never named.
pub fn poll_ballots(v: &VoteRecord, ballots: &[NamedBallot]) -> Result<Table, RecordError> {
    if v.poll.secret {
        return Err(RecordError::Inconsistent(format!(
            "poll '{}' is secret: its ballots are never listed by name",
            v.poll.title
        )));
    }
    text::count("ballots", ballots.len(), MAX_ROWS)?;
    let names = votes::option_names(v)?;
    let rows = ballots
        .iter()
        .enumerate()
        .map(|(n, b)| {
            let chosen = b
                .choices
                .iter()
                .map(|&c| {
                    names.get(c as usize).cloned().ok_or_else(|| {
                        RecordError::Inconsistent(format!(
                            "a ballot of poll '{}' names option {} of {}",
                            v.poll.title,
                            c + 1,
                            names.len()
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let p = &b.participant;
            Ok(vec![
                Cell::int(n as i64 + 1),
                text("name", &p.name)?,
                text("unit", &p.unit)?,
                text("seat", p.seat.as_deref().unwrap_or(""))?,
                Cell::Text(chosen.join("; ")),
                yes_no(b.proxy),
            ])
        })
        .collect::<Result<_, RecordError>>()?;
    Ok(Table {
        name: "Danh sách biểu quyết".to_owned(),
        headings: vec![
            "STT",
            "Họ và tên",
            "Đơn vị",
            "Ghế",
            "Lựa chọn",
            "Thư ký ghi thay",
        ],
        rows,
    })
}

/// An opinion request's summary (tổng hợp ý kiến): the counts per question, every comment,
/// and who has not answered.
pub fn opinions(s: &OpinionSummary) -> Result<Vec<Table>, RecordError> {
    text::count("questions", s.questions.len(), MAX_ROWS)?;
    let mut questions = vec![vec![
        Cell::Text("".to_owned()),
        text("title", &s.title)?,
        Cell::int(s.recipients),
        Cell::int(s.answered),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Time(Some(s.deadline)),
    ]];
    let mut comments = Vec::new();
    for q in &s.questions {
        questions.push(vec![
            Cell::int(q.question),
            free_text("question", &q.text)?,
            Cell::int(s.recipients),
            Cell::int(q.agree + q.disagree + q.other),
            Cell::int(q.agree),
            Cell::int(q.disagree),
            Cell::int(q.other),
            Cell::Time(None),
        ]);
        for c in &q.comments {
            comments.push(vec![
                Cell::int(q.question),
                text("name", &c.name)?,
                word(&c.choice, words::choice(c.choice)),
                free_text("comment", &c.comment)?,
            ]);
        }
    }
    text::count("comments", comments.len(), MAX_ROWS)?;
    let missing = s
        .not_answered
        .iter()
        .enumerate()
        .map(|(n, p)| Ok(vec![Cell::int(n as i64 + 1), text("name", &p.name)?]))
        .collect::<Result<_, RecordError>>()?;
    Ok(vec![
        Table {
            name: "Tổng hợp ý kiến".to_owned(),
            headings: vec![
                "Câu hỏi",
                "Nội dung",
                "Số người được hỏi",
                "Số người trả lời",
                "Đồng ý",
                "Không đồng ý",
                "Ý kiến khác",
                "Hạn trả lời",
            ],
            rows: questions,
        },
        Table {
            name: "Ý kiến".to_owned(),
            headings: vec!["Câu hỏi", "Họ và tên", "Lựa chọn", "Ý kiến"],
            rows: comments,
        },
        Table {
            name: "Chưa trả lời".to_owned(),
            headings: vec!["STT", "Họ và tên"],
            rows: missing,
        },
    ])
}

/// The list of speakers: every speech, item by item, in the order given.
pub fn speakers(items: &[ItemRecord]) -> Result<Table, RecordError> {
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let title = text::line("item.title", &item.title)?;
        for s in &item.speeches {
            text::count("speeches", rows.len() + 1, MAX_ROWS)?;
            let p = &s.speaker;
            let seconds = s.ended_at.map(|end| (end.0 - s.started_at.0) / 1000);
            rows.push(vec![
                Cell::int(rows.len() as i64 + 1),
                Cell::int(i as i64 + 1),
                Cell::Text(title.clone()),
                text("name", &p.name)?,
                text("position", &p.position)?,
                text("unit", &p.unit)?,
                Cell::Time(Some(s.started_at)),
                Cell::Time(s.ended_at),
                seconds.map_or(Cell::Text(String::new()), Cell::Int),
                Cell::int(s.limit_secs),
                free_text("summary", &s.summary)?,
            ]);
        }
    }
    Ok(Table {
        name: "Danh sách phát biểu".to_owned(),
        headings: vec![
            "STT",
            "Mục",
            "Nội dung",
            "Người phát biểu",
            "Chức vụ",
            "Đơn vị",
            "Bắt đầu",
            "Kết thúc",
            "Thời lượng (giây)",
            "Giới hạn (giây)",
            "Tóm tắt ý kiến",
        ],
        rows,
    })
}

/// Document delivery: for each document in its current version, each recipient, the
/// version their tablet holds and when they first opened it.
pub fn delivery(records: &[DeliveryRecord]) -> Result<Table, RecordError> {
    let mut rows = Vec::new();
    for r in records {
        let d = &r.document;
        let title = text::line("document.title", &d.title)?;
        let hash: String = d.sha256.chars().filter(char::is_ascii_hexdigit).collect();
        for line in &r.recipients {
            text::count("delivery", rows.len() + 1, MAX_ROWS * 10)?;
            let p = &line.participant;
            rows.push(vec![
                Cell::Text(title.clone()),
                word(&d.classification, words::classification(d.classification)),
                Cell::int(d.version),
                Cell::Text(hash.clone()),
                text("name", &p.name)?,
                text("unit", &p.unit)?,
                line.held_version
                    .map_or(Cell::Text(String::new()), Cell::int),
                yes_no(line.held_version == Some(d.version)),
                Cell::Time(line.opened_at),
            ]);
        }
    }
    Ok(Table {
        name: "Nhận tài liệu".to_owned(),
        headings: vec![
            "Tài liệu",
            "Phân loại",
            "Phiên bản hiện hành",
            "SHA-256",
            "Họ và tên",
            "Đơn vị",
            "Phiên bản đang giữ",
            "Đã nhận bản hiện hành",
            "Mở lần đầu lúc",
        ],
        rows,
    })
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tests;
