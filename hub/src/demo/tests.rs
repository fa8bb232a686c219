//! Tests of the demo congress as it is planned (pure) and as it is seeded on a real hub.

use super::delegates::{allocate, csv, seat, units};
use super::*;
use crate::import::parse_participants_csv;
use protocol::{Fraction, Role};
use std::collections::HashSet;

mod seeded;

/// 2026-12-01T00:30:00Z, which is 07:30 in Viet Nam.
const NOW: Timestamp = Timestamp(1_796_085_000_000);

fn count(congress: &Congress, role: Role) -> usize {
    congress.people.iter().filter(|p| p.role == role).count()
}

#[test]
fn the_hall_holds_the_officers_and_the_delegates_asked_for() {
    for n in [0, 1, 5, DEFAULT_DELEGATES, 1000] {
        let congress = Congress::new(n, NOW);
        assert_eq!(count(&congress, Role::Chair), 1, "{n}");
        assert_eq!(count(&congress, Role::Secretariat), 2, "{n}");
        assert_eq!(count(&congress, Role::Projector), 1, "{n}");
        assert_eq!(count(&congress, Role::Delegate), n, "{n}");
        assert_eq!(congress.people.len(), n + 4);
    }
}

#[test]
fn names_and_seats_are_unique() {
    for n in [DEFAULT_DELEGATES, 5000] {
        let congress = Congress::new(n, NOW);
        let names: HashSet<&str> = congress.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), congress.people.len(), "{n}");
        let seats: Vec<&str> = congress
            .people
            .iter()
            .filter_map(|p| p.seat.as_deref())
            .collect();
        assert_eq!(seats.len(), n + 3, "everyone but the projector has a seat");
        assert_eq!(
            seats.iter().collect::<HashSet<_>>().len(),
            seats.len(),
            "{n}"
        );
    }
}

#[test]
fn the_text_is_vietnamese_with_its_diacritics() {
    let congress = Congress::new(DEFAULT_DELEGATES, NOW);
    assert_eq!(
        congress.title,
        "Đại hội đại biểu Đảng bộ huyện Minh Sơn lần thứ XXIII, nhiệm kỳ 2025–2030"
    );
    assert!(congress
        .venue
        .starts_with("Hội trường Trung tâm Chính trị huyện"));
    assert_eq!(congress.quorum, Fraction::TWO_THIRDS);
    let people = &congress.people;
    let accented = people.iter().filter(|p| !p.name.is_ascii()).count();
    assert!(
        accented * 10 > people.len() * 9,
        "{accented} of {}",
        people.len()
    );
    assert!(people.iter().any(|p| p.name.starts_with("Nguyễn ")));
    assert!(people.iter().any(|p| p.name.contains(" Thị ")));
    assert!(people
        .iter()
        .any(|p| p.position == "Bí thư Đảng ủy xã" && p.unit == "Đảng bộ xã Tân Lập"));
    assert!(people
        .iter()
        .any(|p| p.position == "Ủy viên Ban Thường vụ, Trưởng ban Tổ chức Huyện ủy"));
    assert!(people.iter().any(|p| p.unit == "Đảng bộ Công an huyện"));
    let chair = people.iter().find(|p| p.role == Role::Chair).unwrap();
    assert_eq!(chair.position, "Bí thư Huyện ủy");
}

#[test]
fn the_agenda_is_a_congress_agenda() {
    let congress = Congress::new(DEFAULT_DELEGATES, NOW);
    assert!(congress.agenda.len() >= 8);
    for (title, description) in &congress.agenda {
        assert!(!title.is_empty() && !description.is_empty(), "{title}");
        assert!(
            !title.contains("{D}") && !description.contains("{D}"),
            "{title}"
        );
    }
    let titles: Vec<&str> = congress.agenda.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles.first(), Some(&"Khai mạc đại hội"));
    assert_eq!(titles.last(), Some(&"Bế mạc đại hội"));
    assert!(
        titles[6].starts_with("Bầu Ban Chấp hành"),
        "the election's item"
    );
}

#[test]
fn it_starts_three_days_on_at_half_past_seven_in_viet_nam() {
    let congress = Congress::new(10, NOW);
    assert_eq!(congress.starts_at, Timestamp(NOW.0 + 3 * 86_400_000));
    // Late in the Viet Nam evening is already the next day there.
    let evening = Timestamp(NOW.0 + 16 * 3_600_000); // 23:30 local
    assert_eq!(
        Congress::new(10, evening).starts_at,
        Timestamp(NOW.0 + 3 * 86_400_000)
    );
}

#[test]
fn the_same_moment_gives_the_same_congress() {
    assert_eq!(Congress::new(200, NOW), Congress::new(200, NOW));
}

#[test]
fn delegates_are_seated_by_unit() {
    assert_eq!(seat(0), "A-001");
    assert_eq!(seat(19), "A-020");
    assert_eq!(seat(20), "B-001");
    assert_eq!(seat(26 * 20), "AA-001");
    let congress = Congress::new(DEFAULT_DELEGATES, NOW);
    let delegates: Vec<&Person> = congress
        .people
        .iter()
        .filter(|p| p.role == Role::Delegate)
        .collect();
    // Each unit's delegates sit together: a unit never reappears after another began.
    let mut seen = Vec::<&str>::new();
    for d in &delegates {
        if seen.last() != Some(&d.unit.as_str()) {
            assert!(!seen.contains(&d.unit.as_str()), "{} is split", d.unit);
            seen.push(&d.unit);
        }
    }
    assert_eq!(delegates[0].seat.as_deref(), Some("A-001"));
    assert!(
        seen.len() > 20,
        "every body of the district sends delegates"
    );
}

#[test]
fn allocation_is_exact_and_proportional() {
    let units = units();
    for total in [0, 1, 7, 103, 180, 999, 5000] {
        assert_eq!(allocate(total, &units).iter().sum::<usize>(), total);
    }
    let counts = allocate(DEFAULT_DELEGATES, &units);
    assert!(
        (30..=40).contains(&counts[0]),
        "the committee sits ex officio: {counts:?}"
    );
}

#[test]
fn the_participants_csv_reads_back_as_the_hall() {
    let congress = Congress::new(DEFAULT_DELEGATES, NOW);
    let parsed = parse_participants_csv(&csv(&congress.people)).unwrap();
    assert_eq!(parsed.len(), congress.people.len());
    for (n, (read, made)) in parsed.iter().zip(&congress.people).enumerate() {
        assert_eq!(read.line, n as u64 + 2, "the header is line 1");
        let read = Person {
            name: read.name.clone(),
            position: read.position.clone(),
            unit: read.unit.clone(),
            role: read.role,
            seat: read.seat.clone(),
        };
        assert_eq!(read, *made);
    }
}

#[test]
fn five_thousand_delegates_fit_in_one_participants_csv() {
    let congress = Congress::new(5000, NOW);
    assert_eq!(count(&congress, Role::Delegate), 5000);
    let bytes = csv(&congress.people).len();
    // The hub takes a JSON or CSV body of up to limits.max_request_bytes (1 MiB).
    assert!(bytes < 1024 * 1024 * 3 / 4, "{bytes} bytes");
}
