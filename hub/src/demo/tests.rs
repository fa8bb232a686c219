//! Tests of the demo congress.

use super::*;
use crate::import::parse_participants_csv;
use std::collections::HashSet;

/// 2026-12-01T00:30:00Z, which is 07:30 in Viet Nam.
const NOW: Timestamp = Timestamp(1_796_085_000_000);

fn count(package: &MeetingPackage, role: Role) -> usize {
    package
        .participants
        .iter()
        .filter(|p| p.role == role)
        .count()
}

#[test]
fn the_hall_holds_the_officers_and_the_delegates_asked_for() {
    for n in [0, 1, 5, DEFAULT_DELEGATES, 1000] {
        let package = demo_package_at(n, NOW);
        assert_eq!(count(&package, Role::Chair), 1, "{n}");
        assert_eq!(count(&package, Role::Secretariat), 2, "{n}");
        assert_eq!(count(&package, Role::Projector), 1, "{n}");
        assert_eq!(count(&package, Role::Delegate), n, "{n}");
        assert_eq!(package.participants.len(), n + 4);
    }
}

#[test]
fn names_and_seats_are_unique() {
    for n in [DEFAULT_DELEGATES, 4000] {
        let package = demo_package_at(n, NOW);
        let names: HashSet<&str> = package
            .participants
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names.len(), package.participants.len(), "{n}");
        let seats: Vec<&str> = package
            .participants
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
    let package = demo_package_at(DEFAULT_DELEGATES, NOW);
    let Command::CreateMeeting {
        title,
        venue,
        quorum,
        ..
    } = &package.create
    else {
        panic!("{:?}", package.create)
    };
    assert_eq!(
        title,
        "Đại hội đại biểu Đảng bộ huyện Minh Sơn lần thứ XXIII, nhiệm kỳ 2025–2030"
    );
    assert!(venue.starts_with("Hội trường Trung tâm Chính trị huyện"));
    assert_eq!(*quorum, Some(Fraction::TWO_THIRDS));
    let people = &package.participants;
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
    let package = demo_package_at(DEFAULT_DELEGATES, NOW);
    assert!(package.agenda.len() >= 8);
    for item in &package.agenda {
        let Command::AddAgendaItem { title, description } = item else {
            panic!("{item:?}")
        };
        assert!(!title.is_empty() && !description.is_empty(), "{title}");
        assert!(
            !title.contains("{D}") && !description.contains("{D}"),
            "{title}"
        );
    }
    let titles: Vec<String> = package
        .agenda
        .iter()
        .map(|c| match c {
            Command::AddAgendaItem { title, .. } => title.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(titles.first().map(String::as_str), Some("Khai mạc đại hội"));
    assert_eq!(titles.last().map(String::as_str), Some("Bế mạc đại hội"));
    assert!(titles.iter().any(|t| t.starts_with("Bầu Ban Chấp hành")));
}

#[test]
fn it_starts_three_days_on_at_half_past_seven_in_viet_nam() {
    let package = demo_package_at(10, NOW);
    let Command::CreateMeeting { starts_at, .. } = package.create else {
        unreachable!()
    };
    assert_eq!(starts_at, Some(Timestamp(NOW.0 + 3 * 86_400_000)));
    // Late in the Viet Nam evening is already the next day there.
    let evening = Timestamp(NOW.0 + 16 * 3_600_000); // 23:30 local
    let Command::CreateMeeting { starts_at, .. } = demo_package_at(10, evening).create else {
        unreachable!()
    };
    assert_eq!(starts_at, Some(Timestamp(NOW.0 + 3 * 86_400_000)));
}

#[test]
fn the_same_moment_gives_the_same_package() {
    assert_eq!(demo_package_at(200, NOW), demo_package_at(200, NOW));
}

#[test]
fn delegates_are_seated_by_unit() {
    assert_eq!(seat(0), "A-001");
    assert_eq!(seat(19), "A-020");
    assert_eq!(seat(20), "B-001");
    assert_eq!(seat(26 * 20), "AA-001");
    let package = demo_package_at(DEFAULT_DELEGATES, NOW);
    let delegates: Vec<&NewParticipant> = package
        .participants
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
    for total in [0, 1, 7, 103, 180, 999] {
        assert_eq!(allocate(total, &units).iter().sum::<usize>(), total);
    }
    let counts = allocate(DEFAULT_DELEGATES, &units);
    assert!(
        (30..=40).contains(&counts[0]),
        "the committee sits ex officio: {counts:?}"
    );
}

#[test]
fn demo_participants_survive_the_csv_importer() {
    let package = demo_package_at(DEFAULT_DELEGATES, NOW);
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["họ và tên", "chức vụ", "đơn vị", "vai trò", "số ghế"])
        .unwrap();
    for p in &package.participants {
        let seat = p.seat.as_deref().unwrap_or("");
        csv.write_record([&p.name, &p.position, &p.unit, p.role.as_str(), seat])
            .unwrap();
    }
    let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    let parsed = parse_participants_csv(&text).unwrap();
    assert_eq!(parsed.len(), package.participants.len());
    for (read, made) in parsed.iter().zip(&package.participants) {
        assert_eq!(
            NewParticipant {
                line: 0,
                ..read.clone()
            },
            *made
        );
    }
}
