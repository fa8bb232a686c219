//! Information on a real hub: an announcement reaches every connected participant of the
//! body at once, and the work calendar lists meetings and events by day and by week.

use meeting_tests::{expect_snapshot, Tablet, TestHub};
use protocol::info::CalendarDay;
use protocol::{Command, EventKind, Timestamp};

/// 2026-11-23 08:00 in Viet Nam, a Monday.
const MONDAY_8AM: i64 = 1_795_395_600_000;
const HOUR: i64 = 3_600_000;
const MEMBERS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announcement_reaches_everyone_and_the_calendar_lists_the_week() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(MEMBERS).await;
    let mut everyone = Vec::new();
    for member in m.delegates.iter().chain([&m.projector, &m.secretariat]) {
        let (tablet, first) = Tablet::join(&hub.ws_url(), &member.token, None, None).await;
        expect_snapshot(first);
        everyone.push(tablet);
    }
    let (mut chair, _) = hub.join(&m.chair.token, None).await;
    let posted = chair
        .ok(
            "announce",
            Command::PostAnnouncement {
                title: "Thay đổi giờ họp".into(),
                text: "Phiên chiều bắt đầu lúc 14:00 tại Hội trường B.".into(),
            },
        )
        .await;
    for tablet in &mut everyone {
        let events = tablet.events_until(posted).await;
        let got = events.iter().any(|e| {
            matches!(&e.event, EventKind::AnnouncementPosted { announcement } if announcement.title == "Thay đổi giờ họp")
        });
        assert!(got, "every connected participant hears the announcement");
    }

    // The calendar: this body's events, plus another meeting on the hub.
    for (n, (title, at)) in [
        ("Giao ban Thường trực", MONDAY_8AM),
        ("Tiếp công dân định kỳ", MONDAY_8AM + 2 * 24 * HOUR + HOUR),
        (
            "Làm việc với Đảng ủy xã Tân Lập",
            MONDAY_8AM + 2 * 24 * HOUR - 2 * HOUR,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let add = Command::AddCalendarEvent {
            title: title.into(),
            starts_at: Timestamp(at),
            ends_at: None,
            location: "Trụ sở Huyện ủy".into(),
            host: "Đồng chí Bí thư".into(),
        };
        hub.office_command(m.id, &format!("cal-{n}"), &add).await;
    }
    let other = serde_json::json!({"title": "Hội nghị Ban Chấp hành lần thứ 5", "starts_at": MONDAY_8AM + 4 * 24 * HOUR});
    let r = hub
        .post("/api/v1/meetings", hub.office_token(), &other)
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    let week = hub
        .get("/api/v1/calendar?week=2026-11-26", hub.office_token())
        .await;
    assert_eq!(week.status, 200, "{}", week.text());
    let v = week.json();
    assert_eq!(v["from"], "2026-11-23", "the Monday of that week");
    let days: Vec<CalendarDay> = serde_json::from_value(v["days"].clone()).unwrap();
    assert_eq!(days.len(), 7);
    let titles = |d: &CalendarDay| -> Vec<String> {
        d.entries
            .iter()
            .map(|e| {
                serde_json::to_value(e).unwrap()["title"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(titles(&days[0]), vec!["Giao ban Thường trực"]);
    assert_eq!(
        titles(&days[2]),
        vec!["Làm việc với Đảng ủy xã Tân Lập", "Tiếp công dân định kỳ"],
        "by start"
    );
    assert_eq!(titles(&days[4]), vec!["Hội nghị Ban Chấp hành lần thứ 5"]);

    let one_day = hub
        .get(
            "/api/v1/calendar?from=2026-11-25&days=1",
            &m.delegates[0].token,
        )
        .await;
    let days: Vec<CalendarDay> = serde_json::from_value(one_day.json()["days"].clone()).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].entries.len(), 2);
    let participant_week = hub
        .get("/api/v1/calendar?week=2026-11-23", &m.delegates[0].token)
        .await;
    assert!(
        !participant_week.text().contains("lần thứ 5"),
        "a participant's calendar is their own body's"
    );
    let bad = hub
        .get("/api/v1/calendar?from=23/11/2026", hub.office_token())
        .await;
    assert_eq!(
        (bad.status, bad.error_code().as_deref()),
        (422, Some("invalid"))
    );
}
