//! Times as the papers print them, in Viet Nam time (UTC+7, no daylight saving).
//!
//! The date line follows Nghị định 30/2020: a day below 10 and the months January and
//! February take a leading zero ("ngày 05 tháng 02 năm 2027"), other months do not
//! ("tháng 3", "tháng 12").

use protocol::Timestamp;
use time::{OffsetDateTime, UtcOffset};

/// Viet Nam's offset from UTC.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+07:00 is a valid offset"),
};

/// The moment in Viet Nam time; out-of-range timestamps read as the epoch.
pub fn local(at: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM)
}

/// `ngày 01 tháng 12 năm 2026`.
pub fn date_words(at: Timestamp) -> String {
    let t = local(at);
    let month = u8::from(t.month());
    let month = if month < 3 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", t.day(), t.year())
}

/// The date line under the motto: `Hà Nội, ngày 01 tháng 12 năm 2026`, or with blanks to
/// fill by hand when the paper has no date yet.
pub fn place_and_date(place: &str, at: Option<Timestamp>) -> String {
    let date = match at {
        Some(at) => date_words(at),
        None => "ngày …… tháng …… năm ……".to_owned(),
    };
    if place.is_empty() {
        date[..1].to_uppercase() + &date[1..]
    } else {
        format!("{place}, {date}")
    }
}

/// `08 giờ 05 phút`.
pub fn clock_words(at: Timestamp) -> String {
    let t = local(at);
    format!("{:02} giờ {:02} phút", t.hour(), t.minute())
}

/// `08:05`.
pub fn hh_mm(at: Timestamp) -> String {
    let t = local(at);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `2026-12-01T08:05:00+07:00`: the form CSV files carry.
pub fn iso(at: Timestamp) -> String {
    let t = local(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Whether two moments fall on the same day in Viet Nam.
pub fn same_day(a: Timestamp, b: Timestamp) -> bool {
    local(a).date() == local(b).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01 01:05:00 UTC, which is 08:05 in Ha Noi.
    const DEC_1: Timestamp = Timestamp(1_796_087_100_000);

    #[test]
    fn dates_follow_the_decree() {
        assert_eq!(date_words(DEC_1), "ngày 01 tháng 12 năm 2026");
        assert_eq!(
            place_and_date("Hà Nội", Some(DEC_1)),
            "Hà Nội, ngày 01 tháng 12 năm 2026"
        );
        // 2027-02-05 in Ha Noi: a two-digit day and a zero-padded February.
        let feb = Timestamp(1_801_760_400_000);
        assert_eq!(date_words(feb), "ngày 05 tháng 02 năm 2027");
        // 2027-03-10: March takes no zero.
        let mar = Timestamp(1_804_656_000_000);
        assert_eq!(date_words(mar), "ngày 10 tháng 3 năm 2027");
        assert_eq!(place_and_date("", None), "Ngày …… tháng …… năm ……");
    }

    #[test]
    fn times_are_in_vietnam_time() {
        assert_eq!(clock_words(DEC_1), "08 giờ 05 phút");
        assert_eq!(hh_mm(DEC_1), "08:05");
        assert_eq!(iso(DEC_1), "2026-12-01T08:05:00+07:00");
        // 23:30 UTC on 30 November is already 1 December in Ha Noi.
        let late = Timestamp(DEC_1.0 - 90 * 60_000);
        assert_eq!(date_words(late), "ngày 01 tháng 12 năm 2026");
        assert!(same_day(late, DEC_1));
    }
}
