//! Demo data: a district Party congress, generated in code (no files to ship or lose).
//!
//! The same [`MeetingPackage`] as an imported one, so the demo exercises exactly the path a
//! real meeting takes. It is built to look real to its users: the agenda of a congress
//! (đại hội) in its usual order, the committee members who sit ex officio, delegates from
//! every commune and body of the district with their usual posts, seated by unit, and
//! Vietnamese names drawn by gender and by how common each family name is. The district,
//! "huyện Minh Sơn", is invented. Everything but the start time is deterministic.

mod documents;
mod names;

pub use documents::{attachment_pdf, demo_documents, DemoDocument};

use crate::import::{MeetingPackage, NewParticipant, VIETNAM_OFFSET};
use names::{Gender, Names};
use protocol::{Command, Fraction, Role, Timestamp};
use time::{Duration, OffsetDateTime};

/// Delegates summoned when no number is given: a mid-sized district congress.
pub const DEFAULT_DELEGATES: usize = 180;
/// The invented district.
pub const DISTRICT: &str = "Minh Sơn";
/// Seats in one row of the hall.
const SEATS_PER_ROW: usize = 20;
/// Fixed, so every demo hall holds the same people.
const SEED: u64 = 0x0D41_4849_2023;

/// The demo congress with `summoned_delegates` delegates, starting three days from now at
/// 07:30 Viet Nam time.
pub fn demo_package(summoned_delegates: usize) -> MeetingPackage {
    let now = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    demo_package_at(summoned_delegates, Timestamp(now as i64))
}

/// [`demo_package`] as of `now`: the same `now` always gives the same package.
pub fn demo_package_at(summoned_delegates: usize, now: Timestamp) -> MeetingPackage {
    let create = Command::CreateMeeting {
        title: format!(
            "Đại hội đại biểu Đảng bộ huyện {DISTRICT} lần thứ XXIII, nhiệm kỳ 2025–2030"
        ),
        venue: format!("Hội trường Trung tâm Chính trị huyện {DISTRICT}"),
        starts_at: Some(start_time(now)),
        quorum: Some(Fraction::TWO_THIRDS),
    };
    let agenda = AGENDA
        .iter()
        .map(|(title, description)| Command::AddAgendaItem {
            title: title.replace("{D}", DISTRICT),
            description: description.replace("{D}", DISTRICT),
        })
        .collect();
    MeetingPackage {
        create,
        agenda,
        participants: participants(summoned_delegates),
        // Published after the import, see `server::demo_docs`: they are generated PDFs.
        documents: Vec::new(),
        polls: Vec::new(),
    }
}

/// Three days after `now`, at 07:30 in Viet Nam, when congress sessions usually open.
fn start_time(now: Timestamp) -> Timestamp {
    let now = OffsetDateTime::from_unix_timestamp_nanos(i128::from(now.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM_OFFSET);
    let start = (now + Duration::days(3)).replace_time(time::macros::time!(7:30));
    Timestamp((start.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// A congress agenda in its customary order: (title, one-line description).
const AGENDA: [(&str, &str); 12] = [
    ("Khai mạc đại hội", "Chào cờ; tuyên bố lý do, giới thiệu đại biểu; diễn văn khai mạc."),
    (
        "Bầu Đoàn Chủ tịch, Đoàn Thư ký và Ban Thẩm tra tư cách đại biểu",
        "Biểu quyết danh sách giới thiệu; thông qua chương trình và quy chế làm việc của đại hội.",
    ),
    (
        "Báo cáo chính trị của Ban Chấp hành Đảng bộ huyện khóa XXII",
        "Kết quả thực hiện nghị quyết nhiệm kỳ 2020–2025; phương hướng, mục tiêu nhiệm kỳ 2025–2030.",
    ),
    (
        "Báo cáo kiểm điểm của Ban Chấp hành Đảng bộ huyện khóa XXII",
        "Kiểm điểm sự lãnh đạo, chỉ đạo của Ban Chấp hành, Ban Thường vụ Huyện ủy nhiệm kỳ 2020–2025.",
    ),
    (
        "Thảo luận văn kiện đại hội",
        "Tham luận của các đảng bộ, chi bộ; góp ý dự thảo văn kiện Đại hội Đảng bộ tỉnh và Đại hội XIV của Đảng.",
    ),
    (
        "Báo cáo thẩm tra tư cách đại biểu",
        "Ban Thẩm tra tư cách đại biểu báo cáo; đại hội biểu quyết thông qua.",
    ),
    (
        "Bầu Ban Chấp hành Đảng bộ huyện khóa XXIII",
        "Thông qua số lượng và danh sách bầu cử; bỏ phiếu kín; công bố kết quả bầu cử.",
    ),
    (
        "Bầu đoàn đại biểu đi dự Đại hội Đảng bộ tỉnh",
        "Bỏ phiếu kín bầu đại biểu chính thức và đại biểu dự khuyết.",
    ),
    (
        "Ra mắt Ban Chấp hành Đảng bộ huyện khóa XXIII",
        "Công bố kết quả hội nghị lần thứ nhất Ban Chấp hành khóa mới; Bí thư Huyện ủy phát biểu nhận nhiệm vụ.",
    ),
    (
        "Phát biểu chỉ đạo của đồng chí lãnh đạo Tỉnh ủy",
        "Đồng chí Ủy viên Ban Thường vụ Tỉnh ủy phát biểu chỉ đạo đại hội.",
    ),
    (
        "Thông qua Nghị quyết Đại hội",
        "Biểu quyết thông qua Nghị quyết Đại hội đại biểu Đảng bộ huyện {D} lần thứ XXIII.",
    ),
    ("Bế mạc đại hội", "Diễn văn bế mạc; chào cờ bế mạc."),
];

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
struct Unit {
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
fn units() -> Vec<Unit> {
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
fn allocate(total: usize, units: &[Unit]) -> Vec<usize> {
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
fn seat(i: usize) -> String {
    let mut row = String::new();
    let mut r = i / SEATS_PER_ROW + 1;
    while r > 0 {
        row.insert(0, char::from(b'A' + ((r - 1) % 26) as u8));
        r = (r - 1) / 26;
    }
    format!("{row}-{:03}", i % SEATS_PER_ROW + 1)
}

fn participants(summoned_delegates: usize) -> Vec<NewParticipant> {
    let mut names = Names::new(SEED);
    let mut people = Vec::with_capacity(summoned_delegates + 4);
    let mut person = |name: String, position: &str, unit: &str, role, seat: Option<String>| {
        people.push(NewParticipant {
            line: 0,
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

#[cfg(test)]
mod tests;
