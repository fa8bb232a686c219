//! The Vietnamese words for the wire's values, in one place: every paper and sheet says
//! "tổng số đại biểu được triệu tập" for `summoned` by asking here. [`wire`] gives the value
//! as the wire spells it (`valid_ballots`), which is what CSV files carry.

use crate::counting::Duty;
use protocol::opinions::Choice;
use protocol::{Classification, MajorityBase, PollKind, PollStatus, Role, Threshold};
use serde::Serialize;

/// The value as the wire spells it (`"valid_ballots"`, `"more_than_half"`), never a Rust
/// type name.
pub fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A participant's role: `Chủ tọa`, `Đại biểu`…
pub fn role(role: Role) -> &'static str {
    match role {
        Role::Secretariat => "Thư ký",
        Role::Chair => "Chủ tọa",
        Role::Delegate => "Đại biểu",
        Role::Projector => "Màn hình trình chiếu",
    }
}

/// What a rule's count is measured against, as the phrase after "của": "tổng số phiếu hợp
/// lệ".
pub fn majority_base(base: MajorityBase) -> &'static str {
    match base {
        MajorityBase::ValidBallots => "tổng số phiếu hợp lệ",
        MajorityBase::Present => "tổng số đại biểu có mặt",
        MajorityBase::Summoned => "tổng số đại biểu được triệu tập",
    }
}

/// A threshold as a share: "quá 1/2" (quá bán), "từ 2/3 trở lên".
pub fn threshold(t: Threshold) -> String {
    if t.strict {
        format!("quá {}", t.share)
    } else {
        format!("từ {} trở lên", t.share)
    }
}

/// The whole rule: "quá 1/2 tổng số phiếu hợp lệ".
pub fn rule(t: Threshold, base: MajorityBase) -> String {
    if t.strict {
        format!("quá {} {}", t.share, majority_base(base))
    } else {
        format!("từ {} {} trở lên", t.share, majority_base(base))
    }
}

/// Where a poll stands.
pub fn poll_status(status: PollStatus) -> &'static str {
    match status {
        PollStatus::Draft => "Chưa mở",
        PollStatus::Open => "Đang biểu quyết",
        PollStatus::Closed => "Đã kết thúc, chưa công bố",
        PollStatus::Published => "Đã công bố",
        PollStatus::Cancelled => "Đã hủy",
    }
}

/// What is voted on.
pub fn poll_kind(kind: &PollKind) -> &'static str {
    match kind {
        PollKind::Motion => "Biểu quyết thông qua",
        PollKind::SingleChoice { .. } => "Chọn một phương án",
        PollKind::MultipleChoice { .. } => "Chọn nhiều phương án",
        PollKind::Election { .. } => "Bầu cử",
    }
}

/// A member's place in the counting committee (Ban kiểm phiếu).
pub fn duty(d: Duty) -> &'static str {
    match d {
        Duty::Head => "Trưởng ban",
        Duty::Deputy => "Phó Trưởng ban",
        Duty::Member => "Ủy viên",
    }
}

/// What a candidate or an option came to in a count.
pub fn outcome(kind: &PollKind, elected: bool, tied: bool) -> &'static str {
    let election = matches!(kind, PollKind::Election { .. });
    match (tied, elected, election) {
        (true, _, true) => "Bằng phiếu, bầu lại",
        (true, _, false) => "Bằng phiếu, biểu quyết lại",
        (false, true, true) => "Trúng cử",
        (false, true, false) if matches!(kind, PollKind::Motion) => "Thông qua",
        (false, true, false) => "Được chọn",
        (false, false, true) => "Không trúng cử",
        (false, false, false) => "",
    }
}

/// Open or secret.
pub fn secrecy(secret: bool) -> &'static str {
    if secret {
        "bỏ phiếu kín"
    } else {
        "biểu quyết công khai"
    }
}

/// Who may read a document.
pub fn classification(c: Classification) -> &'static str {
    match c {
        Classification::Public => "Công khai",
        Classification::Internal => "Nội bộ",
        Classification::Confidential => "Mật",
        Classification::Personnel => "Tài liệu nhân sự",
    }
}

/// An answer to an opinion request's question.
pub fn choice(c: Choice) -> &'static str {
    match c {
        Choice::Agree => "Đồng ý",
        Choice::Disagree => "Không đồng ý",
        Choice::Other => "Ý kiến khác",
    }
}

/// Attendance.
pub fn presence(present: bool) -> &'static str {
    if present {
        "Có mặt"
    } else {
        "Vắng mặt"
    }
}

/// Yes or no in a sheet's column.
pub fn yes_no(yes: bool) -> &'static str {
    if yes {
        "Có"
    } else {
        "Không"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_are_the_wire_spelling() {
        assert_eq!(wire(&MajorityBase::ValidBallots), "valid_ballots");
        assert_eq!(wire(&PollStatus::Published), "published");
        assert_eq!(wire(&Threshold::MORE_THAN_HALF), "more_than_half");
        assert_eq!(wire(&Role::Delegate), "delegate");
        assert_eq!(wire(&Choice::Other), "other");
    }

    #[test]
    fn rules_read_as_a_secretariat_writes_them() {
        assert_eq!(
            rule(Threshold::MORE_THAN_HALF, MajorityBase::Summoned),
            "quá 1/2 tổng số đại biểu được triệu tập"
        );
        assert_eq!(
            rule(Threshold::TWO_THIRDS, MajorityBase::Present),
            "từ 2/3 tổng số đại biểu có mặt trở lên"
        );
        assert_eq!(threshold(Threshold::MORE_THAN_HALF), "quá 1/2");
    }
}
