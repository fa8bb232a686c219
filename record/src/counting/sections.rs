//! The report's closing sections: who is elected (or whether the motion passed), and the
//! sealed ballot box with its fingerprint and how to check it.

use super::SealedBox;
use crate::figures::{percent, thousands};
use crate::meeting::VoteRecord;
use crate::paper::{bold, regular, Align, Para, Span};
use crate::text;
use crate::RecordError;
use protocol::PollKind;

pub(super) fn outcome_paragraphs(
    v: &VoteRecord,
    r: &protocol::PollResult,
    names: &[String],
) -> Result<Vec<Para>, RecordError> {
    let base = u64::from(r.base_count);
    let line = |i: u32| {
        let t = u64::from(r.tallies[i as usize]);
        format!(
            "{}: {} phiếu, đạt {}",
            names[i as usize],
            thousands(t),
            percent(t, base)
        )
    };
    let mut out = Vec::new();
    match &v.poll.kind {
        PollKind::Motion => {
            let agree = u64::from(r.tallies.first().copied().unwrap_or(0));
            out.push(Para::body(vec![
                regular(format!(
                    "Số phiếu tán thành {} ({}). ",
                    thousands(agree),
                    percent(agree, base)
                )),
                bold(if r.passed {
                    "Nội dung được thông qua."
                } else {
                    "Nội dung không được thông qua."
                }),
            ]));
        }
        PollKind::Election { seats, .. } => {
            out.push(Para::plain(format!(
                "Số người trúng cử: {} trên {} người cần bầu, theo thứ tự số phiếu từ cao xuống thấp:",
                thousands(r.elected.len() as u64),
                thousands(u64::from(*seats))
            )));
            for (n, &i) in r.elected.iter().enumerate() {
                out.push(indented(vec![
                    regular(format!("{}. Đồng chí ", n + 1)),
                    bold(line(i)),
                    regular(";"),
                ]));
            }
            if !r.tied.is_empty() {
                let tied: Vec<String> = r.tied.iter().map(|&i| names[i as usize].clone()).collect();
                let votes = u64::from(r.tallies[r.tied[0] as usize]);
                out.push(Para::body(vec![bold(format!(
                    "Các đồng chí {} có số phiếu bằng nhau ({} phiếu) ở vị trí trúng cử cuối cùng: \
                     đề nghị bầu lại giữa những người này.",
                    tied.join(", "),
                    thousands(votes)
                ))]));
            }
        }
        PollKind::SingleChoice { .. } | PollKind::MultipleChoice { .. } => {
            if r.elected.is_empty() {
                out.push(Para::plain("Không có phương án nào đạt điều kiện."));
            }
            for &i in &r.elected {
                out.push(indented(vec![
                    regular("- Được chọn: "),
                    bold(line(i)),
                    regular(";"),
                ]));
            }
            if !r.tied.is_empty() {
                let tied: Vec<String> = r.tied.iter().map(|&i| names[i as usize].clone()).collect();
                out.push(Para::body(vec![bold(format!(
                    "Các phương án {} bằng phiếu: đề nghị biểu quyết lại.",
                    tied.join(", ")
                ))]));
            }
        }
    }
    Ok(out)
}

pub(super) fn sealed_paragraphs(s: &SealedBox) -> Result<Vec<Para>, RecordError> {
    let file = text::line("sealed_box.file_name", &s.file_name)?;
    let hex: String = s
        .fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_lowercase();
    if hex.len() != 64 {
        return Err(RecordError::Inconsistent(
            "the sealed box's fingerprint is not a SHA-256 (64 hex digits)".to_owned(),
        ));
    }
    // Groups of four on two lines, as a person reads a fingerprint aloud to compare it.
    let group = |from: usize| -> String {
        (from..from + 8)
            .map(|i| &hex[i * 4..i * 4 + 4])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let fingerprint = |from: usize| Para {
        align: Align::Center,
        first_indent: 0.0,
        after: 0.0,
        ..Para::body(vec![bold(group(from))])
    };
    Ok(vec![
        Para::plain(format!(
            "Các lá phiếu được mã hóa ngay trên thiết bị của đại biểu; hòm phiếu chỉ được mở \
             dưới dạng tổng số phiếu khi đủ số thành viên Ban kiểm phiếu cùng giải mã, không lá \
             phiếu nào được giải mã riêng. Hòm phiếu đã công bố gồm {} lá phiếu mã hóa.",
            thousands(u64::from(s.ballots))
        )),
        Para::body(vec![regular(
            "Dấu vân tay (SHA-256) của hòm phiếu đã công bố:",
        )]),
        fingerprint(0),
        Para {
            after: 4.0,
            ..fingerprint(8)
        },
        Para::body(vec![
            regular("Cách kiểm tra, trên bất kỳ máy tính nào: tải tệp "),
            bold(file.clone()),
            regular(format!(
                " cùng tệp chữ ký {file}.sig và khóa công khai signing.pub của hub; lệnh "
            )),
            bold(format!("sha256sum {file}")),
            regular(" phải in ra đúng dấu vân tay trên, và lệnh "),
            bold(format!("hub verify {file} --key signing.pub")),
            regular(
                " phải báo VALID (tệp đúng như hub đã ký). Mỗi đại biểu tìm được mã biên nhận \
                 lá phiếu của mình trong tệp.",
            ),
        ]),
    ])
}

pub(super) fn indented(spans: Vec<Span>) -> Para {
    Para {
        first_indent: 0.0,
        left_indent: 14.0,
        after: 2.0,
        ..Para::body(spans)
    }
}
