//! The calendar and announcements: who may post, and the calendar by day and week.

use super::{calendar_days, calendar_entries, vietnam_date};
use crate::engine::testing::*;
use crate::engine::{Actor, Viewer};
use protocol::info::CalendarEntry;
use protocol::{Command, ErrorCode, EventKind, Timestamp};

/// 2026-11-23 08:00 in Viet Nam (a Monday), in ms.
const MONDAY_8AM: i64 = 1_795_395_600_000;
const DAY: i64 = 86_400_000;

fn event(title: &str, at: i64) -> Command {
    Command::AddCalendarEvent {
        title: title.into(),
        starts_at: Timestamp(at),
        ends_at: None,
        location: "Huyện ủy".into(),
        host: "Đồng chí Bí thư".into(),
    }
}

#[test]
fn an_announcement_reaches_every_viewer() {
    let mut m = Hall::new();
    let events = m
        .run(
            m.chair(),
            Command::PostAnnouncement {
                title: "Lịch họp thay đổi".into(),
                text: "Chiều nay họp lúc 14:00".into(),
            },
        )
        .unwrap();
    for who in [m.delegate(3), m.projector(), m.secretariat()] {
        assert!(Viewer::for_actor(&who).redact(&events[0]).is_some());
        assert_eq!(
            m.state
                .view(Viewer::for_actor(&who))
                .unwrap()
                .announcements
                .len(),
            1
        );
    }
    let r = m.run(
        m.delegate(0),
        Command::PostAnnouncement {
            title: "x".into(),
            text: String::new(),
        },
    );
    assert_eq!(r.unwrap_err().code(), ErrorCode::Forbidden);
}

#[test]
fn only_the_secretariat_keeps_the_calendar() {
    let mut m = Hall::new();
    assert_eq!(
        m.run(m.chair(), event("Tiếp dân", MONDAY_8AM))
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    let bad = Command::AddCalendarEvent {
        title: "Hội nghị".into(),
        starts_at: Timestamp(MONDAY_8AM),
        ends_at: Some(Timestamp(MONDAY_8AM - 1)),
        location: String::new(),
        host: String::new(),
    };
    assert_eq!(
        m.run(m.secretariat(), bad).unwrap_err().code(),
        ErrorCode::Invalid
    );
    let added = m
        .run(m.secretariat(), event("Tiếp dân", MONDAY_8AM))
        .unwrap();
    let EventKind::CalendarEventAdded { event: e } = &added[0].event else {
        panic!()
    };
    m.run(
        m.secretariat(),
        Command::RemoveCalendarEvent { event: e.id },
    )
    .unwrap();
    let again = m.run(
        m.secretariat(),
        Command::RemoveCalendarEvent { event: e.id },
    );
    assert_eq!(again.unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn a_week_lists_seven_days_in_viet_nam_time_in_order() {
    let mut m = Hall::new();
    // Added out of order; 23:30 on Tuesday in Viet Nam is still Tuesday there.
    m.run(
        m.secretariat(),
        event("Làm việc với xã Tân Lập", MONDAY_8AM + DAY + 3 * 3_600_000),
    )
    .unwrap();
    m.run(m.secretariat(), event("Giao ban", MONDAY_8AM))
        .unwrap();
    m.run(
        m.secretariat(),
        event("Tiếp khách", MONDAY_8AM + DAY + 15 * 3_600_000 + 1_800_000),
    )
    .unwrap();
    m.run(m.secretariat(), event("Tuần sau", MONDAY_8AM + 7 * DAY))
        .unwrap();
    m.run(
        Actor::Office,
        Command::UpdateMeeting {
            title: None,
            venue: None,
            starts_at: Some(Timestamp(MONDAY_8AM + 2 * DAY)),
            quorum: None,
        },
    )
    .unwrap();
    let monday = vietnam_date(Timestamp(MONDAY_8AM));
    assert_eq!(monday.to_string(), "2026-11-23");
    let week = calendar_days(monday, 7, calendar_entries(&m.state));
    assert_eq!(week.len(), 7);
    let titles = |n: usize| -> Vec<String> {
        week[n]
            .entries
            .iter()
            .map(|e| match e {
                CalendarEntry::Meeting { title, .. } => title.clone(),
                CalendarEntry::Event { event, .. } => event.title.clone(),
            })
            .collect()
    };
    assert_eq!(titles(0), vec!["Giao ban"]);
    assert_eq!(titles(1), vec!["Làm việc với xã Tân Lập", "Tiếp khách"]);
    assert_eq!(
        titles(2),
        vec!["Hội nghị Ban Chấp hành"],
        "the meeting itself"
    );
    assert!(week[3..].iter().all(|d| d.entries.is_empty()));
    assert_eq!(week[6].date, "2026-11-29");
    assert_eq!(
        calendar_days(monday, 1, calendar_entries(&m.state)).len(),
        1,
        "a single day"
    );
}
