//! The demo congress: a district Party congress (đại hội) in its first hour. It is created
//! as a secretariat would create it (the meeting, its agenda in the customary order, the
//! `participants.csv` of the hall), then opened: the session is under way on the opening
//! item, four delegates have asked to speak and the first has the floor, and the
//! secretariat has posted an announcement. Everything but the start time is deterministic.

use super::api::Api;
use super::delegates::{self, Issued, Person};
use super::info::DemoItem;
use super::{DISTRICT, VIETNAM};
use protocol::{AgendaItemId, Command, Fraction, MeetingId, Role, Timestamp};
use serde::Deserialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// Delegates summoned when no number is given: a mid-sized district congress.
pub const DEFAULT_DELEGATES: usize = 180;
/// Seven minutes a speech, as congress rules usually allow.
const SPEAKING_LIMIT_SECS: u32 = 420;

/// The congress as the secretariat prepared it, before it is on the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Congress {
    pub title: String,
    pub venue: String,
    pub starts_at: Timestamp,
    /// Two thirds of the summoned, as a congress requires.
    pub quorum: Fraction,
    /// (title, description) of each agenda item, in order.
    pub agenda: Vec<(String, String)>,
    pub people: Vec<Person>,
}

impl Congress {
    /// The congress with `summoned_delegates` delegates, starting three days after `now`
    /// at 07:30 Viet Nam time: the same `now` always gives the same congress.
    pub fn new(summoned_delegates: usize, now: Timestamp) -> Congress {
        Congress {
            title: format!(
                "Đại hội đại biểu Đảng bộ huyện {DISTRICT} lần thứ XXIII, nhiệm kỳ 2025–2030"
            ),
            venue: format!("Hội trường Trung tâm Chính trị huyện {DISTRICT}"),
            starts_at: start_time(now),
            quorum: Fraction::TWO_THIRDS,
            agenda: AGENDA
                .iter()
                .map(|(title, description)| {
                    (
                        title.replace("{D}", DISTRICT),
                        description.replace("{D}", DISTRICT),
                    )
                })
                .collect(),
            people: delegates::people(summoned_delegates),
        }
    }
}

/// The congress on the hub, for the seeds that follow.
#[derive(Debug)]
pub(super) struct Seeded {
    pub meeting: MeetingId,
    pub agenda: Vec<DemoItem>,
    /// Everyone summoned with their token, in the order of the import.
    pub people: Vec<Issued>,
}

impl Seeded {
    /// The summoned in `role`, in order.
    pub fn in_role(&self, role: Role) -> impl Iterator<Item = &Issued> {
        self.people
            .iter()
            .filter(move |p| p.participant.role == role)
    }
}

/// Creates the congress on the hub and opens its first session.
pub(super) async fn seed(api: &Api, congress: &Congress) -> anyhow::Result<Seeded> {
    #[derive(Deserialize)]
    struct Created<T> {
        id: T,
    }
    let office = api.office();
    let create = json!({
        "title": congress.title,
        "venue": congress.venue,
        "starts_at": congress.starts_at,
        "quorum": congress.quorum,
    });
    let meeting = api
        .post::<Created<MeetingId>>("/api/v1/meetings", office, &create)
        .await?
        .id;
    let mut agenda = Vec::with_capacity(congress.agenda.len());
    for (title, description) in &congress.agenda {
        let item = json!({ "title": title, "description": description });
        let added: Created<AgendaItemId> = api
            .post(&format!("/api/v1/meetings/{meeting}/agenda"), office, &item)
            .await?;
        agenda.push(DemoItem {
            id: added.id,
            title: title.clone(),
        });
    }
    let people = delegates::summon(api, meeting, &congress.people).await?;
    let seeded = Seeded {
        meeting,
        agenda,
        people,
    };
    // A congress in its first hour: delegates checking in, the opening item on the screen.
    let mut steps = vec![Command::OpenMeeting, Command::StartSession];
    steps.extend(
        seeded
            .agenda
            .first()
            .map(|i| Command::StartAgendaItem { item: i.id }),
    );
    for command in steps {
        api.command(meeting, office, command).await?;
    }
    seed_speakers(api, &seeded).await?;
    let post = Command::PostAnnouncement {
        title: "Thông báo của Đoàn Thư ký Đại hội".into(),
        text: "Đại biểu đăng ký phát biểu tham luận trên máy tính bảng; mỗi ý kiến không quá 7 phút. Phiên chiều bắt đầu lúc 13:30.".into(),
    };
    api.command(meeting, office, post).await?;
    Ok(seeded)
}

/// Four delegates spread over the hall, whatever its size, ask to speak on the current
/// item, each from their own tablet; the first has the floor.
async fn seed_speakers(api: &Api, congress: &Seeded) -> anyhow::Result<()> {
    let meeting = congress.meeting;
    let delegates: Vec<&Issued> = congress.in_role(Role::Delegate).collect();
    let step = (delegates.len() / 5).max(1);
    let speakers: Vec<&Issued> = delegates
        .into_iter()
        .skip(step)
        .step_by(step)
        .take(4)
        .collect();
    let limit = Command::SetSpeakingLimit {
        seconds: SPEAKING_LIMIT_SECS,
    };
    api.command(meeting, api.office(), limit).await?;
    for d in &speakers {
        let ask = Command::RequestToSpeak { item: None };
        api.command(meeting, &d.token, ask).await?;
    }
    if !speakers.is_empty() {
        let give = Command::GiveFloor { participant: None };
        api.command(meeting, api.office(), give).await?;
    }
    Ok(())
}

/// Three days after `now`, at 07:30 in Viet Nam, when congress sessions usually open.
fn start_time(now: Timestamp) -> Timestamp {
    let now = OffsetDateTime::from_unix_timestamp_nanos(i128::from(now.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM);
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
