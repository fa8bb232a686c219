//! A realistic example meeting, the same every time: a district Party congress with as
//! many delegates and agenda items as asked, names with every Vietnamese diacritic, absences
//! with and without reasons, documents in several versions, speeches, an open motion and a
//! secret election with a tie at the last seat. For demos, tests, benchmarks and the
//! README's pictures; the hub fills the same types from a real meeting.

use crate::meeting::{Attendee, DeliveryLine, DeliveryRecord, DocumentRecord, SpeechRecord};
use crate::minutes::{ItemRecord, Minutes};
use crate::paper::{Header, HeaderKind, Person};
use protocol::{Classification, Fraction, Participant, ParticipantId, Role, Timestamp};
use uuid::Uuid;

mod votes;
use votes::motion;
pub use votes::{ballots, counted, counting_report, election};

/// 08:00 on 1 December 2026, Ha Noi time.
pub const OPENING: Timestamp = Timestamp(1_796_086_800_000);
pub(super) const MINUTE: i64 = 60_000;

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: [&str; 10] = [
    "Văn", "Thị", "Đức", "Minh", "Thanh", "Hữu", "Quang", "Ngọc", "Thu", "Xuân",
];
const GIVEN: [&str; 23] = [
    "Hường", "Lượng", "An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hạnh", "Khánh", "Linh",
    "Mai", "Nam", "Phương", "Quỳnh", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Uyên", "Việt", "Yến",
];
const COMMUNES: [&str; 12] = [
    "Tân Lập",
    "Phú Thịnh",
    "Đông Xuân",
    "Hòa Bình",
    "Quảng Phú",
    "Yên Thường",
    "Đặng Xá",
    "Kiêu Kỵ",
    "Lệ Chi",
    "Ninh Hiệp",
    "Dương Quang",
    "Bát Tràng",
];
const POSTS: [&str; 4] = [
    "Bí thư Đảng ủy xã",
    "Phó Bí thư Thường trực Đảng ủy xã",
    "Chủ tịch Ủy ban nhân dân xã",
    "Bí thư Chi bộ thôn",
];

pub(super) fn id(n: u64) -> Uuid {
    Uuid::from_u64_pair(0x5245_434f_5244, n)
}

/// Participant number `n` (from 0): the first two are Nguyễn Thị Hường and Trần Đức Lượng.
pub fn participant(n: usize) -> Participant {
    let name = match n {
        0 => "Nguyễn Thị Hường".to_owned(),
        1 => "Trần Đức Lượng".to_owned(),
        _ => format!(
            "{} {} {}",
            FAMILY[n % 16],
            MIDDLE[(n / 16) % 10],
            GIVEN[(n * 7 + n / 160) % 23]
        ),
    };
    let commune = COMMUNES[n % COMMUNES.len()];
    Participant {
        id: ParticipantId(id(n as u64)),
        name,
        position: format!("{} {commune}", POSTS[n % POSTS.len()]),
        unit: format!("Đảng bộ xã {commune}"),
        role: if n == 0 { Role::Chair } else { Role::Delegate },
        seat: Some(format!(
            "{}-{:02}",
            (b'A' + (n / 40 % 26) as u8) as char,
            n % 40 + 1
        )),
        person: None,
    }
}

/// Every 40th delegate (from the 7th) is absent, with a reason or without.
pub fn attendees(delegates: usize) -> Vec<Attendee> {
    let reasons = [
        "ốm, điều trị tại bệnh viện",
        "đi công tác nước ngoài",
        "",
        "việc gia đình",
    ];
    (0..delegates)
        .map(|n| {
            let absent = n % 40 == 7;
            Attendee {
                participant: participant(n),
                present: !absent,
                checked_in_at: (!absent)
                    .then_some(Timestamp(OPENING.0 - 30 * MINUTE + n as i64 * 700)),
                absence_reason: if absent {
                    reasons[(n / 40) % reasons.len()].to_owned()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

fn document(title: &str, version: u32, n: u64) -> DocumentRecord {
    DocumentRecord {
        title: title.to_owned(),
        classification: if title.contains("nhân sự") {
            Classification::Confidential
        } else {
            Classification::Internal
        },
        version,
        file_name: format!("tai-lieu-{n:02}-v{version}.pdf"),
        sha256: format!("{:016x}", (n + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)).repeat(4),
    }
}

fn speech(n: usize, item: usize, k: usize) -> SpeechRecord {
    let start = OPENING.0 + (item as i64 * 40 + k as i64 * 7) * MINUTE;
    SpeechRecord {
        speaker: participant(n),
        started_at: Timestamp(start),
        ended_at: Some(Timestamp(start + 6 * MINUTE + 20_000)),
        limit_secs: 420,
        summary: if k == 0 {
            "Tán thành dự thảo; đề nghị bổ sung chỉ tiêu về chuyển đổi số trong công tác Đảng."
                .to_owned()
        } else {
            String::new()
        },
    }
}

pub(super) fn header() -> Header {
    Header {
        kind: HeaderKind::Party,
        superior: "Đảng bộ tỉnh Bắc Ninh".to_owned(),
        body: "Huyện ủy Gia Bình".to_owned(),
        number: "15-BB/HU".to_owned(),
        place: "Gia Bình".to_owned(),
        dated: Some(OPENING),
    }
}

const ITEM_TITLES: [&str; 6] = [
    "Khai mạc Đại hội; thông qua Chương trình và Quy chế làm việc",
    "Báo cáo chính trị của Ban Chấp hành Đảng bộ huyện khóa XXIV",
    "Thảo luận các văn kiện trình Đại hội",
    "Bầu Ban Chấp hành Đảng bộ huyện khóa XXV",
    "Bầu Đoàn đại biểu dự Đại hội đại biểu Đảng bộ tỉnh",
    "Thông qua Nghị quyết Đại hội",
];

/// The minutes of the congress with `delegates` members and `items` agenda items.
pub fn congress(delegates: usize, items: usize) -> Minutes {
    let delegates = delegates.max(20);
    let items = (0..items)
        .map(|i| {
            let title = match ITEM_TITLES.get(i) {
                Some(t) => (*t).to_owned(),
                None => format!("Thảo luận chuyên đề số {}: phát triển kinh tế - xã hội giai đoạn 2026 - 2030", i - ITEM_TITLES.len() + 1),
            };
            let documents = (0..(i % 3) as u64 + 1)
                .map(|d| {
                    let t = if i == 3 && d == 0 { "Danh sách nhân sự Ban Chấp hành khóa XXV" } else { "Dự thảo Báo cáo chính trị trình Đại hội" };
                    document(t, (d as u32 % 3) + 1, i as u64 * 10 + d)
                })
                .collect();
            let speeches = (0..(i % 4)).map(|k| speech(2 + i * 3 + k, i, k)).collect();
            let votes = match i {
                0 => vec![ballots(delegates).0],
                3 => vec![election(delegates)],
                5 => vec![motion(3, "Thông qua Nghị quyết Đại hội", delegates)],
                _ => Vec::new(),
            };
            ItemRecord {
                title,
                description: if i == 1 {
                    "Đồng chí Nguyễn Thị Hường, Phó Bí thư Thường trực Huyện ủy, trình bày Báo cáo chính trị.".to_owned()
                } else {
                    String::new()
                },
                documents,
                speeches,
                votes,
                conclusion: if i % 2 == 0 {
                    "Đại hội thống nhất cao với nội dung trình bày; giao Ban Chấp hành khóa XXV tiếp thu ý kiến của đại biểu, hoàn chỉnh văn kiện.".to_owned()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    Minutes {
        header: header(),
        subject: "Đại hội đại biểu Đảng bộ huyện Gia Bình lần thứ XXV, nhiệm kỳ 2025 - 2030".to_owned(),
        draft: false,
        venue: "Hội trường Trung tâm Chính trị huyện Gia Bình".to_owned(),
        started_at: Some(OPENING),
        ended_at: Some(Timestamp(OPENING.0 + 570 * MINUTE)),
        chairs: vec![Person::new("Nguyễn Thị Hường", "Phó Bí thư Thường trực Huyện ủy"), Person::new("Phạm Quang Vĩnh", "Chủ tịch Ủy ban nhân dân huyện")],
        secretaries: vec![Person::new("Trần Đức Lượng", "Chánh Văn phòng Huyện ủy")],
        attendees: attendees(delegates),
        quorum: Fraction::TWO_THIRDS,
        items,
        notes: "Đại hội đã gửi điện mừng tới Đại hội đại biểu Đảng bộ tỉnh.\nBiên bản đã được đọc lại trước Đại hội và được Đại hội nhất trí thông qua.".to_owned(),
        recipients: vec!["Ban Thường vụ Tỉnh ủy".to_owned(), "Lưu Văn phòng Huyện ủy".to_owned()],
    }
}

/// Who holds and opened the congress's documents.
pub fn delivery(delegates: usize) -> Vec<DeliveryRecord> {
    (0..3u64)
        .map(|d| DeliveryRecord {
            document: document(
                [
                    "Dự thảo Báo cáo chính trị trình Đại hội",
                    "Dự thảo Nghị quyết Đại hội",
                    "Danh sách nhân sự Ban Chấp hành khóa XXV",
                ][d as usize],
                2,
                d,
            ),
            recipients: (0..delegates)
                .map(|n| DeliveryLine {
                    participant: participant(n),
                    held_version: match n % 9 {
                        0 => None,
                        1 => Some(1),
                        _ => Some(2),
                    },
                    opened_at: (n % 3 != 0)
                        .then_some(Timestamp(OPENING.0 - 86_400_000 + n as i64 * 61_000)),
                })
                .collect(),
        })
        .collect()
}
