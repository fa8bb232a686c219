//! Who sits in the demo hall: the chair, the secretariat and the hall's screen, then the
//! delegates of every commune and body of the district with their usual posts, seated by
//! unit, in proportion to each unit's weight. Written out as the `participants.csv` a
//! secretariat would import.

use super::api::Api;
use super::names::{Gender, Names};
use super::DISTRICT;
use anyhow::Context as _;
use protocol::{MeetingId, Participant, Role};
use serde::Deserialize;

/// Seats in one row of the hall.
const SEATS_PER_ROW: usize = 20;
/// Fixed, so every demo hall holds the same people.
const SEED: u64 = 0x0D41_4849_2023;

/// One person summoned to the demo congress: a row of its `participants.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub position: String,
    pub unit: String,
    pub role: Role,
    pub seat: Option<String>,
}

/// A participant as the import answers: summoned, with the token shown this once.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct Issued {
    pub participant: Participant,
    pub token: String,
    pub join_url: String,
}

/// Imports `people` into `meeting` as one `participants.csv` (`POST …/participants/import`):
/// all or none, and a refusal names the lines of the file.
pub(super) async fn summon(
    api: &Api,
    meeting: MeetingId,
    people: &[Person],
) -> anyhow::Result<Vec<Issued>> {
    #[derive(Deserialize)]
    struct Imported {
        participants: Vec<Issued>,
    }
    let path = format!("/api/v1/meetings/{meeting}/participants/import");
    let imported: Imported = api
        .post_csv(&path, api.office(), csv(people))
        .await
        .context("the hub refused the demo's participants.csv")?;
    Ok(imported.participants)
}

/// The hall's `participants.csv`, with the Vietnamese header a secretariat's file has.
pub fn csv(people: &[Person]) -> String {
    let mut csv = ::csv::Writer::from_writer(Vec::new());
    let rows =
        std::iter::once(["họ và tên", "chức vụ", "đơn vị", "vai trò", "số ghế"].map(String::from))
            .chain(people.iter().map(|p| {
                [
                    p.name.clone(),
                    p.position.clone(),
                    p.unit.clone(),
                    p.role.as_str().to_owned(),
                    p.seat.clone().unwrap_or_default(),
                ]
            }));
    for row in rows {
        // Writing to memory fails only on a bug: the rows are plain text.
        csv.write_record(&row).expect("a CSV row in memory");
    }
    String::from_utf8(csv.into_inner().expect("a CSV in memory")).expect("UTF-8 text in, UTF-8 out")
}

/// How the rank and file of a unit are described, once its leaders are listed.
#[derive(Clone, Copy, Debug)]
enum Rank {
    /// Members of the outgoing committee, delegates ex officio.
    CommitteeMember,
    /// Party cell secretaries of the villages (thôn) or town quarters (tổ dân phố), and members.
    CellSecretaries(&'static str),
    Member,
}

/// A body of the district that sends delegates.
#[derive(Debug)]
pub(super) struct Unit {
    name: String,
    /// Share of the delegates, relative to the other units.
    weight: usize,
    leaders: &'static [&'static str],
    rank: Rank,
}

const COMMUNE_LEADERS: &[&str] = &[
    "Bí thư Đảng ủy",
    "Phó Bí thư Thường trực Đảng ủy",
    "Phó Bí thư Đảng ủy, Chủ tịch UBND",
    "Chủ tịch Ủy ban MTTQ Việt Nam",
];

const COMMUNES: [&str; 14] = [
    "Tân Lập",
    "Hòa Bình",
    "Đồng Tâm",
    "Thanh Xuân",
    "Phú Thịnh",
    "Yên Hưng",
    "Quang Trung",
    "Nghĩa Hòa",
    "Tiên Phong",
    "Hồng Quang",
    "An Phú",
    "Vĩnh Lộc",
    "Đông Phong",
    "Xuân Sơn",
];

/// The district's Party bodies, in the order they are seated.
pub(super) fn units() -> Vec<Unit> {
    let unit = |name: String, weight, leaders, rank| Unit {
        name,
        weight,
        leaders,
        rank,
    };
    let mut units = vec![unit(
        format!("Ban Chấp hành Đảng bộ huyện {DISTRICT}"),
        20,
        &[
            "Phó Bí thư Thường trực Huyện ủy",
            "Phó Bí thư Huyện ủy, Chủ tịch UBND huyện",
            "Ủy viên Ban Thường vụ, Trưởng ban Tổ chức Huyện ủy",
            "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra Huyện ủy",
            "Ủy viên Ban Thường vụ, Trưởng ban Tuyên giáo Huyện ủy",
            "Ủy viên Ban Thường vụ, Trưởng ban Dân vận Huyện ủy",
            "Ủy viên Ban Thường vụ, Phó Chủ tịch Thường trực UBND huyện",
            "Ủy viên Ban Thường vụ, Chủ tịch Ủy ban MTTQ Việt Nam huyện",
            "Phó Chủ tịch UBND huyện",
        ][..],
        Rank::CommitteeMember,
    )];
    units.push(unit(
        format!("Đảng bộ thị trấn {DISTRICT}"),
        6,
        COMMUNE_LEADERS,
        Rank::CellSecretaries("tổ dân phố"),
    ));
    for commune in COMMUNES {
        let name = format!("Đảng bộ xã {commune}");
        units.push(unit(
            name,
            4,
            COMMUNE_LEADERS,
            Rank::CellSecretaries("thôn"),
        ));
    }
    let bodies: [(&str, usize, &'static [&'static str]); 8] = [
        (
            "Đảng bộ Quân sự huyện",
            3,
            &[
                "Chính trị viên Ban Chỉ huy Quân sự huyện",
                "Chỉ huy trưởng Ban Chỉ huy Quân sự huyện",
                "Phó Chỉ huy trưởng Ban Chỉ huy Quân sự huyện",
            ],
        ),
        (
            "Đảng bộ Công an huyện",
            3,
            &[
                "Bí thư Đảng ủy, Trưởng Công an huyện",
                "Phó Trưởng Công an huyện",
            ],
        ),
        (
            "Đảng bộ Cơ quan chính quyền huyện",
            6,
            &[
                "Bí thư Đảng ủy Cơ quan chính quyền huyện",
                "Chánh Văn phòng HĐND và UBND huyện",
                "Trưởng phòng Tài chính – Kế hoạch",
                "Trưởng phòng Nội vụ",
                "Trưởng phòng Giáo dục và Đào tạo",
                "Trưởng phòng Nông nghiệp và Phát triển nông thôn",
            ],
        ),
        (
            "Đảng bộ các cơ quan Đảng – Đoàn thể huyện",
            4,
            &[
                "Bí thư Đảng ủy cơ quan",
                "Bí thư Huyện đoàn",
                "Chủ tịch Hội Liên hiệp Phụ nữ huyện",
                "Chủ tịch Hội Nông dân huyện",
                "Chủ tịch Hội Cựu chiến binh huyện",
            ],
        ),
        (
            "Đảng bộ Trung tâm Y tế huyện",
            2,
            &[
                "Bí thư Đảng ủy, Giám đốc Trung tâm Y tế huyện",
                "Phó Giám đốc Trung tâm Y tế huyện",
            ],
        ),
        (
            "Chi bộ Trường THPT Minh Sơn",
            1,
            &["Bí thư Chi bộ, Hiệu trưởng", "Phó Hiệu trưởng"],
        ),
        (
            "Chi bộ Trường THPT Nguyễn Trãi",
            1,
            &["Bí thư Chi bộ, Hiệu trưởng", "Phó Hiệu trưởng"],
        ),
        (
            "Đảng bộ Công ty TNHH MTV Lâm nghiệp Minh Sơn",
            1,
            &["Bí thư Đảng ủy, Giám đốc Công ty", "Phó Giám đốc Công ty"],
        ),
    ];
    for (name, weight, leaders) in bodies {
        units.push(unit(name.to_owned(), weight, leaders, Rank::Member));
    }
    units
}

/// Splits `total` delegates across the units in proportion to their weights, exactly, by
/// largest remainder (ties to the unit seated first).
pub(super) fn allocate(total: usize, units: &[Unit]) -> Vec<usize> {
    let weights: usize = units.iter().map(|u| u.weight).sum();
    let mut counts: Vec<usize> = units.iter().map(|u| total * u.weight / weights).collect();
    let mut by_remainder: Vec<usize> = (0..units.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(total * units[i].weight % weights));
    let short = total - counts.iter().sum::<usize>();
    for &i in by_remainder.iter().take(short) {
        counts[i] += 1;
    }
    counts
}

/// The `k`-th (0-based) delegate's post in `unit`.
fn position(unit: &Unit, k: usize) -> String {
    let is_town = unit.name.contains("thị trấn");
    if let Some(leader) = unit.leaders.get(k) {
        // Commune posts name their level: "Bí thư Đảng ủy xã", "Chủ tịch UBND thị trấn".
        return match unit.rank {
            Rank::CellSecretaries(_) => {
                format!("{leader} {}", if is_town { "thị trấn" } else { "xã" })
            }
            _ => (*leader).to_owned(),
        };
    }
    let n = k - unit.leaders.len();
    // In a commune, every other delegate past the leaders heads a village's Party cell.
    match (unit.rank, n % 2) {
        (Rank::CommitteeMember, _) => "Huyện ủy viên".to_owned(),
        (Rank::CellSecretaries(place), 0) => format!("Bí thư Chi bộ {place} {}", n / 2 + 1),
        _ => "Đảng viên".to_owned(),
    }
}

/// Seat `i` (0-based) of the hall: rows A, B, … Z, AA, AB… of [`SEATS_PER_ROW`] seats.
pub(super) fn seat(i: usize) -> String {
    let mut row = String::new();
    let mut r = i / SEATS_PER_ROW + 1;
    while r > 0 {
        row.insert(0, char::from(b'A' + ((r - 1) % 26) as u8));
        r = (r - 1) / 26;
    }
    format!("{row}-{:03}", i % SEATS_PER_ROW + 1)
}

/// Everyone summoned, in the order they are imported: the chair, two clerks of the
/// secretariat and the hall's screen, then `summoned_delegates` delegates by unit.
pub fn people(summoned_delegates: usize) -> Vec<Person> {
    let mut names = Names::new(SEED);
    let mut people = Vec::with_capacity(summoned_delegates + 4);
    let mut person = |name: String, position: &str, unit: &str, role, seat: Option<String>| {
        people.push(Person {
            name,
            position: position.to_owned(),
            unit: unit.to_owned(),
            role,
            seat,
        })
    };
    let committee = format!("Ban Chấp hành Đảng bộ huyện {DISTRICT}");
    let office = "Văn phòng Huyện ủy";
    let chair = names.name(Gender::Male);
    person(
        chair,
        "Bí thư Huyện ủy",
        &committee,
        Role::Chair,
        Some("CT-01".into()),
    );
    let clerk = names.name(Gender::Female);
    person(
        clerk,
        "Chánh Văn phòng Huyện ủy",
        office,
        Role::Secretariat,
        Some("TK-01".into()),
    );
    let clerk = names.name(Gender::Male);
    person(
        clerk,
        "Chuyên viên Văn phòng Huyện ủy",
        office,
        Role::Secretariat,
        Some("TK-02".into()),
    );
    let hall = format!("Hội trường Trung tâm Chính trị huyện {DISTRICT}");
    person(
        "Màn hình hội trường".into(),
        "Màn hình trình chiếu",
        &hall,
        Role::Projector,
        None,
    );

    let units = units();
    let mut next_seat = 0;
    for (unit, count) in units.iter().zip(allocate(summoned_delegates, &units)) {
        for k in 0..count {
            let post = position(unit, k);
            let gender = if post.contains("Phụ nữ") {
                Gender::Female
            } else {
                names.gender()
            };
            let name = names.name(gender);
            person(
                name,
                &post,
                &unit.name,
                Role::Delegate,
                Some(seat(next_seat)),
            );
            next_seat += 1;
        }
    }
    people
}
