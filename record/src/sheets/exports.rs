//! The one-table forms of a result and of an opinion summary, for the CSV files the hub
//! signs (`result.csv`, `summary.csv`): a CSV holds one table, so these put in one what
//! the workbooks spread over several sheets. Same words, same wire values.

use super::{Cell, Table};
use crate::meeting::{NamedBallot, VoteRecord};
use crate::text::{self, MAX_ROWS};
use crate::{votes, words, RecordError};
use protocol::opinions::OpinionSummary;
use protocol::{PollKind, ReceiptLine};

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn row(section: &str, key: impl Into<String>, value: Cell) -> Vec<Cell> {
    vec![text(section), Cell::Text(key.into()), value]
}

/// A counted poll in one table of `Mục, Chỉ tiêu, Giá trị` rows: the meeting and the poll
/// with its rule, the counts, the votes per option in the ballot's order, who is elected
/// (or what passed) and the ties; then, for an open poll, each named ballot (`ballots`,
/// refused for a secret poll) and, for a published secret poll, each sealed ballot by its
/// voter's receipt with the fingerprint of the encrypted ballot (its choices are never
/// decrypted one by one: the box is opened as a sum).
pub fn poll_export(
    meeting: (&str, &str),
    v: &VoteRecord,
    ballots: &[NamedBallot],
    receipts: &[ReceiptLine],
) -> Result<Table, RecordError> {
    let r = v.checked_result()?.ok_or_else(|| {
        RecordError::Inconsistent(format!("poll '{}' has no result yet", v.poll.title))
    })?;
    if v.poll.secret && !ballots.is_empty() {
        return Err(RecordError::Inconsistent(format!(
            "poll '{}' is secret: its ballots are never listed by name",
            v.poll.title
        )));
    }
    text::count("ballots", ballots.len() + receipts.len(), MAX_ROWS * 10)?;
    let p = &v.poll;
    let names = votes::option_names(v)?;
    let word = |wire: String, words: String| Cell::Word { wire, words };
    let mut rows = vec![
        row(
            "Cuộc họp",
            meeting.0,
            Cell::Text(text::line("meeting", meeting.1)?),
        ),
        row(
            "Biểu quyết",
            p.id.to_string(),
            Cell::Text(text::line("poll.title", &p.title)?),
        ),
        row(
            "Biểu quyết",
            "Hình thức",
            word(
                if p.secret { "secret" } else { "open" }.to_owned(),
                words::secrecy(p.secret).to_owned(),
            ),
        ),
        row(
            "Biểu quyết",
            "Loại",
            word(
                kind_wire(&p.kind).to_owned(),
                words::poll_kind(&p.kind).to_owned(),
            ),
        ),
        row(
            "Biểu quyết",
            "Tỷ lệ tính trên",
            word(
                words::wire(&p.base),
                words::majority_base(p.base).to_owned(),
            ),
        ),
        row(
            "Biểu quyết",
            "Điều kiện",
            word(words::wire(&p.threshold), words::threshold(p.threshold)),
        ),
        row(
            "Biểu quyết",
            "Trạng thái",
            word(
                words::wire(&v.status),
                words::poll_status(v.status).to_owned(),
            ),
        ),
    ];
    for (label, n) in [
        ("Số được triệu tập", r.summoned),
        ("Số có mặt", r.present),
        ("Số phiếu thu vào", r.ballots),
        ("Số phiếu hợp lệ", r.valid),
        ("Số phiếu không hợp lệ", r.invalid),
        ("Số phiếu thư ký ghi thay", r.proxy),
        ("Cơ sở tính tỷ lệ", r.base_count),
    ] {
        rows.push(row("Kết quả", label, Cell::int(n)));
    }
    rows.push(row(
        "Kết quả",
        "Thông qua",
        word(r.passed.to_string(), words::yes_no(r.passed).to_owned()),
    ));
    for (name, votes) in names.iter().zip(&r.tallies) {
        rows.push(row("Số phiếu", name.clone(), Cell::int(*votes)));
    }
    let winners = match p.kind {
        PollKind::Election { .. } => "Trúng cử",
        PollKind::Motion => "Thông qua",
        _ => "Được chọn",
    };
    for (rank, &i) in r.elected.iter().enumerate() {
        rows.push(row(
            winners,
            (rank + 1).to_string(),
            Cell::Text(names[i as usize].clone()),
        ));
    }
    for &i in &r.tied {
        rows.push(row("Bằng phiếu", "", Cell::Text(names[i as usize].clone())));
    }
    let chosen = |choices: &[u32]| -> Result<String, RecordError> {
        let picked = choices
            .iter()
            .map(|&c| {
                names.get(c as usize).cloned().ok_or_else(|| {
                    RecordError::Inconsistent(format!(
                        "a ballot of poll '{}' names option {} of {}",
                        p.title,
                        c + 1,
                        names.len()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(picked.join("; "))
    };
    for b in ballots {
        let name = text::line("name", &b.participant.name)?;
        let who = if b.proxy {
            format!("{name} (thư ký ghi thay)")
        } else {
            name
        };
        rows.push(row("Phiếu", who, Cell::Text(chosen(&b.choices)?)));
    }
    for line in receipts {
        rows.push(row(
            "Biên nhận",
            line.receipt.clone(),
            Cell::Text(line.fingerprint.clone()),
        ));
    }
    Ok(Table {
        name: "Kết quả biểu quyết".to_owned(),
        headings: vec!["Mục", "Chỉ tiêu", "Giá trị"],
        rows,
    })
}

fn kind_wire(kind: &PollKind) -> &'static str {
    match kind {
        PollKind::Motion => "motion",
        PollKind::SingleChoice { .. } => "single_choice",
        PollKind::MultipleChoice { .. } => "multiple_choice",
        PollKind::Election { .. } => "election",
    }
}

/// An opinion request's summary in one table: for each question a row of its counts,
/// then a row for each comment with its author and choice.
pub fn opinion_export(s: &OpinionSummary) -> Result<Table, RecordError> {
    text::count("questions", s.questions.len(), MAX_ROWS)?;
    let blank = || Cell::Text(String::new());
    let mut rows = Vec::new();
    for q in &s.questions {
        rows.push(vec![
            Cell::int(q.question),
            Cell::Text(text::paragraphs("question", &q.text)?.join(" / ")),
            Cell::int(q.agree),
            Cell::int(q.disagree),
            Cell::int(q.other),
            blank(),
            blank(),
            blank(),
        ]);
        for c in &q.comments {
            text::count("comments", rows.len(), MAX_ROWS * 10)?;
            rows.push(vec![
                Cell::int(q.question),
                blank(),
                blank(),
                blank(),
                blank(),
                Cell::Text(text::line("name", &c.name)?),
                Cell::Word {
                    wire: words::wire(&c.choice),
                    words: words::choice(c.choice).to_owned(),
                },
                Cell::Text(text::paragraphs("comment", &c.comment)?.join(" / ")),
            ]);
        }
    }
    Ok(Table {
        name: "Tổng hợp ý kiến".to_owned(),
        headings: vec![
            "Câu hỏi",
            "Nội dung",
            "Đồng ý",
            "Không đồng ý",
            "Ý kiến khác",
            "Người góp ý",
            "Lựa chọn",
            "Ý kiến",
        ],
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    #[test]
    fn a_result_csv_has_vietnamese_headings_and_wire_values_only() {
        let v = sample::election(180);
        let t = poll_export(("m-1", "Đại hội"), &v, &[], &[]).unwrap();
        let (open, named) = sample::ballots(40);
        let with_names = poll_export(("m-1", "Đại hội"), &open, &named, &[]).unwrap();
        assert_eq!(
            with_names
                .rows
                .iter()
                .filter(|r| r[0] == text("Phiếu"))
                .count(),
            named.len()
        );
        assert!(poll_export(("m-1", "Đại hội"), &v, &named, &[]).is_err());
        let bytes = t.to_csv().unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("Mục,Chỉ tiêu,Giá trị\n"), "{text}");
        assert!(
            text.contains("Biểu quyết,Tỷ lệ tính trên,valid_ballots"),
            "{text}"
        );
        assert!(text.contains("Biểu quyết,Trạng thái,published"), "{text}");
        assert!(text.contains("Kết quả,Số phiếu hợp lệ,"), "{text}");
        for rust in ["ValidBallots", "Present", "Published", "Summoned"] {
            assert!(!text.contains(rust), "{rust} in {text}");
        }
    }
}
