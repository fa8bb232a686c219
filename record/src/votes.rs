//! How a vote and its result are written in the papers: the rule, the base it is measured
//! against, the tallies with their percentages, and the outcome.

use crate::figures::{percent, thousands, votes_needed};
use crate::meeting::VoteRecord;
use crate::paper::{bold, regular, Span};
use crate::text;
use crate::words;
use crate::RecordError;
use protocol::{PollKind, PollResult, PollStatus};

/// "quá 1/2 tổng số phiếu hợp lệ (1.950), tức ít nhất 976 phiếu".
pub(crate) fn rule_with_count(v: &VoteRecord, r: &PollResult) -> String {
    let rule = words::rule(v.poll.threshold, v.poll.base);
    match votes_needed(v.poll.threshold, u64::from(r.base_count)) {
        Some(n) => format!(
            "{rule} ({}), tức ít nhất {} phiếu",
            thousands(u64::from(r.base_count)),
            thousands(n)
        ),
        None => format!("{rule} ({})", thousands(u64::from(r.base_count))),
    }
}

/// Option indexes, most votes first; equal counts keep the ballot's order.
pub(crate) fn ranked(r: &PollResult) -> Vec<usize> {
    let mut order: Vec<usize> = (0..r.tallies.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(r.tallies[i]));
    order
}

/// The option names of a vote, cleaned.
pub(crate) fn option_names(v: &VoteRecord) -> Result<Vec<String>, RecordError> {
    v.options()
        .iter()
        .enumerate()
        .map(|(i, o)| {
            Ok(text::line(
                &format!("poll '{}' option {}", v.poll.title, i + 1),
                o,
            )?)
        })
        .collect()
}

/// What the minutes say of one vote: its title and kind, the counts, the outcome.
pub(crate) fn summary(v: &VoteRecord) -> Result<Vec<Span>, RecordError> {
    let title = text::line("poll.title", &v.poll.title)?;
    let mut spans = vec![
        regular("- "),
        bold(title),
        regular(format!(" ({}). ", words::secrecy(v.poll.secret))),
    ];
    let result = match (v.status, v.checked_result()?) {
        (PollStatus::Cancelled, _) => {
            spans.push(regular("Phiên biểu quyết đã bị hủy."));
            return Ok(spans);
        }
        (PollStatus::Draft | PollStatus::Open, _) | (_, None) => {
            spans.push(regular("Chưa có kết quả: phiên biểu quyết chưa kết thúc."));
            return Ok(spans);
        }
        (_, Some(r)) => r,
    };
    let names = option_names(v)?;
    let base = u64::from(result.base_count);
    spans.push(regular(format!(
        "Số phiếu thu về {}, hợp lệ {}, không hợp lệ {}. Điều kiện: {}. ",
        thousands(u64::from(result.ballots)),
        thousands(u64::from(result.valid)),
        thousands(u64::from(result.invalid)),
        rule_with_count(v, result)
    )));
    let order: Vec<usize> = match v.poll.kind {
        PollKind::Motion => (0..names.len()).collect(),
        _ => ranked(result),
    };
    let tallies: Vec<String> = order
        .iter()
        .map(|&i| {
            let t = u64::from(result.tallies[i]);
            format!("{} {} ({})", names[i], thousands(t), percent(t, base))
        })
        .collect();
    spans.push(regular(format!("Kết quả: {}. ", tallies.join("; "))));
    let listed = |ids: &[u32]| -> String {
        ids.iter()
            .map(|&i| names[i as usize].clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &v.poll.kind {
        PollKind::Motion => spans.push(bold(if result.passed {
            "Nội dung được thông qua."
        } else {
            "Nội dung không được thông qua."
        })),
        PollKind::Election { .. } => {
            if result.elected.is_empty() {
                spans.push(bold("Không có người trúng cử."));
            } else {
                spans.push(bold(format!("Trúng cử: {}.", listed(&result.elected))));
            }
            if !result.tied.is_empty() {
                spans.push(bold(format!(
                    " Bằng số phiếu ở vị trí trúng cử cuối cùng: {}; phải bầu lại giữa những người này.",
                    listed(&result.tied)
                )));
            }
        }
        PollKind::SingleChoice { .. } | PollKind::MultipleChoice { .. } => {
            if result.elected.is_empty() {
                spans.push(bold("Không có phương án nào đạt điều kiện."));
            } else {
                spans.push(bold(format!(
                    "Phương án được chọn: {}.",
                    listed(&result.elected)
                )));
            }
            if !result.tied.is_empty() {
                spans.push(bold(format!(
                    " Các phương án bằng phiếu: {}; phải biểu quyết lại.",
                    listed(&result.tied)
                )));
            }
        }
    }
    if v.status == PollStatus::Closed {
        spans.push(regular(" (Kết quả chưa công bố.)"));
    }
    if v.poll.secret {
        spans.push(regular(" Chi tiết tại biên bản kiểm phiếu."));
    }
    Ok(spans)
}
