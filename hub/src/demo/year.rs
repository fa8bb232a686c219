//! A year of the standing committee (Ban Thường vụ Huyện ủy), so that a new user finds the
//! archive, its search and the library at work: fifty weekly meetings, closed, each with
//! its agenda, a paper or two (PDFs in Vietnamese), conclusions, and now and then an
//! opinion request the members answered; then the library's shelf with the Party's
//! documents (văn kiện, nghị quyết, chỉ thị) and a few news items.
//!
//! Seeded a few meetings at a time; each meeting's own secretariat token sends its
//! commands, so the office's budget of commands per second is not the bottleneck.

use super::api::{Api, Part};
use super::delegates::{self, Issued, Person};
use super::{papers, view, DISTRICT};
use anyhow::Context as _;
use futures_util::stream::{self, StreamExt as _, TryStreamExt as _};
use protocol::opinions::{Answer, Choice};
use protocol::{Classification, Command, MeetingId, Role, Timestamp};
use serde::Deserialize;
use serde_json::json;

/// Weekly meetings seeded, the last one a week ago.
pub const WEEKS: usize = 50;
/// Meetings seeded at the same time.
const AT_ONCE: usize = 4;
const WEEK_MS: i64 = 7 * 24 * 3_600_000;

/// What the year seeded.
#[derive(Clone, Debug)]
pub struct Year {
    pub meetings: Vec<MeetingId>,
    /// The library's shelf.
    pub library: MeetingId,
}

/// One topic a weekly meeting takes up: the agenda item, its paper and its conclusion.
struct Topic {
    item: &'static str,
    paper: &'static str,
    text: &'static [&'static str],
    conclusion: &'static str,
}

const TOPICS: &[Topic] = &[
    Topic {
        item: "Kết quả thực hiện nhiệm vụ phát triển kinh tế – xã hội",
        paper: "Báo cáo tình hình kinh tế – xã hội",
        text: &["Giá trị sản xuất tăng 8,2% so với cùng kỳ; thu ngân sách đạt 54% dự toán. Sản xuất nông nghiệp ổn định, diện tích lúa chất lượng cao tăng.", "Đề nghị tập trung giải ngân vốn đầu tư công, đẩy nhanh tiến độ các công trình trọng điểm."],
        conclusion: "Ban Thường vụ thống nhất đánh giá; giao Ủy ban nhân dân huyện chỉ đạo đẩy nhanh giải ngân vốn đầu tư công.",
    },
    Topic {
        item: "Công tác kiểm tra, giám sát của Đảng",
        paper: "Báo cáo kết quả kiểm tra, giám sát",
        text: &["Ủy ban Kiểm tra Huyện ủy đã kiểm tra 6 tổ chức đảng, giám sát chuyên đề 9 đảng viên; qua kiểm tra chưa phát hiện vi phạm đến mức phải xử lý kỷ luật.", "Tiếp tục tăng cường giám sát thường xuyên, phòng ngừa vi phạm từ sớm, từ xa."],
        conclusion: "Thống nhất kế hoạch kiểm tra, giám sát quý tới; Ủy ban Kiểm tra Huyện ủy tổ chức thực hiện.",
    },
    Topic {
        item: "Chuyển đổi số trong cơ quan Đảng, chính quyền",
        paper: "Tờ trình về chuyển đổi số và họp không giấy",
        text: &["Triển khai họp không giấy tại Ban Thường vụ và Ban Chấp hành; 100% văn bản được ký số và gửi nhận trên môi trường mạng.", "Đề xuất trang bị máy tính bảng cho các đồng chí Ủy viên Ban Thường vụ và tập huấn sử dụng."],
        conclusion: "Đồng ý chủ trương họp không giấy; giao Văn phòng Huyện ủy chủ trì, hoàn thành trong quý.",
    },
    Topic {
        item: "Công tác cán bộ và xây dựng tổ chức cơ sở đảng",
        paper: "Báo cáo công tác tổ chức xây dựng Đảng",
        text: &["Kết nạp 42 đảng viên mới; củng cố 3 tổ chức cơ sở đảng yếu kém. Công tác quy hoạch cán bộ được rà soát, bổ sung đúng quy trình.", "Chú trọng phát triển đảng viên trong doanh nghiệp ngoài khu vực nhà nước."],
        conclusion: "Thống nhất; Ban Tổ chức Huyện ủy hướng dẫn các cơ sở thực hiện, báo cáo kết quả trong tháng.",
    },
    Topic {
        item: "Xây dựng nông thôn mới nâng cao",
        paper: "Báo cáo tiến độ xây dựng nông thôn mới",
        text: &["Có 4 xã đạt chuẩn nông thôn mới nâng cao, 1 xã đạt chuẩn kiểu mẫu; các tiêu chí về môi trường và thu nhập còn khó khăn.", "Kiến nghị bổ sung nguồn lực cho giao thông nội đồng và xử lý rác thải sinh hoạt."],
        conclusion: "Giao Ủy ban nhân dân huyện rà soát tiêu chí từng xã, ưu tiên nguồn lực cho xã đăng ký đạt chuẩn năm nay.",
    },
    Topic {
        item: "Công tác dân vận và tiếp công dân",
        paper: "Báo cáo tình hình đơn thư và tiếp công dân",
        text: &["Tiếp nhận 37 đơn thư, đã giải quyết 33 đơn; không phát sinh khiếu nại đông người, vượt cấp.", "Người đứng đầu cấp ủy tiếp công dân định kỳ theo quy định."],
        conclusion: "Yêu cầu giải quyết dứt điểm 4 đơn còn tồn; Ban Dân vận Huyện ủy theo dõi, đôn đốc.",
    },
    Topic {
        item: "Quốc phòng, an ninh và trật tự an toàn xã hội",
        paper: "Báo cáo tình hình quốc phòng, an ninh",
        text: &["Tình hình an ninh chính trị ổn định; tai nạn giao thông giảm cả ba tiêu chí. Hoàn thành giao quân đạt 100% chỉ tiêu.", "Tăng cường tuần tra, kiểm soát; phòng, chống tội phạm công nghệ cao."],
        conclusion: "Thống nhất; Ban Chỉ huy Quân sự và Công an huyện phối hợp thực hiện các nhiệm vụ trọng tâm.",
    },
    Topic {
        item: "Giáo dục, y tế và an sinh xã hội",
        paper: "Báo cáo công tác văn hóa – xã hội",
        text: &["Tỷ lệ trường đạt chuẩn quốc gia đạt 81%; tỷ lệ tham gia bảo hiểm y tế đạt 94,5%. Chi trả kịp thời các chế độ an sinh xã hội.", "Đề nghị quan tâm đầu tư cơ sở vật chất trường học vùng khó khăn."],
        conclusion: "Giao các cơ quan chuyên môn tham mưu kế hoạch đầu tư trường học giai đoạn tới.",
    },
];

/// The Party's documents on the library's shelf.
const LIBRARY: &[(&str, Classification, &[&str])] = &[
    ("Nghị quyết về phát triển kinh tế – xã hội năm 2026", Classification::Internal, &["Ban Chấp hành Đảng bộ huyện quyết nghị các chỉ tiêu chủ yếu năm 2026: tốc độ tăng giá trị sản xuất 9%; thu ngân sách tăng 10%; giảm tỷ lệ hộ nghèo 0,5%.", "Giao Ban Thường vụ Huyện ủy lãnh đạo, chỉ đạo tổ chức thực hiện Nghị quyết."]),
    ("Chỉ thị về tăng cường công tác chuyển đổi số trong các cơ quan Đảng", Classification::Internal, &["Các cấp ủy, tổ chức đảng quán triệt, thực hiện nghiêm chủ trương chuyển đổi số, họp không giấy, ký số văn bản.", "Người đứng đầu chịu trách nhiệm về kết quả chuyển đổi số ở cơ quan, đơn vị mình."]),
    ("Văn kiện Đại hội đại biểu Đảng bộ huyện lần thứ XXIII", Classification::Public, &["Báo cáo chính trị trình Đại hội: đánh giá kết quả nhiệm kỳ 2020–2025, phương hướng, mục tiêu, nhiệm vụ nhiệm kỳ 2025–2030.", "Đẩy mạnh chuyển đổi số, xây dựng Đảng bộ trong sạch, vững mạnh."]),
    ("Quy chế làm việc của Ban Chấp hành Đảng bộ huyện khóa XXIII", Classification::Internal, &["Quy chế quy định trách nhiệm, quyền hạn, chế độ làm việc và mối quan hệ công tác của Ban Chấp hành, Ban Thường vụ, Thường trực Huyện ủy.", "Ban Thường vụ họp thường kỳ mỗi tuần một lần."]),
];

const NEWS: &[(&str, &str)] = &[
    ("Hội nghị Ban Chấp hành Đảng bộ huyện sơ kết 6 tháng", "Hội nghị đánh giá kết quả 6 tháng đầu năm, thống nhất nhiệm vụ trọng tâm 6 tháng cuối năm."),
    ("Khai trương hệ thống họp không giấy", "Từ tháng này, các phiên họp Ban Thường vụ Huyện ủy sử dụng máy tính bảng thay tài liệu giấy."),
    ("Trao Huy hiệu Đảng đợt 3 tháng 2", "Huyện ủy tổ chức trao Huy hiệu 30, 40, 50 năm tuổi Đảng cho 56 đồng chí đảng viên."),
];

/// The body of the office's directory whose year this is.
pub const BODY: &str = "Ban Thường vụ Huyện ủy";

/// Seeds the year before `now` for the standing committee `people` (members and a clerk):
/// the members go into the office's directory as the body [`BODY`], which each weekly
/// meeting summons, so the archive lists the meetings under their body.
pub(super) async fn seed(api: &Api, people: &[Person], now: Timestamp) -> anyhow::Result<Year> {
    let body = directory(api, people).await?;
    let clerk: Vec<Person> = people
        .iter()
        .filter(|p| p.role == Role::Secretariat)
        .cloned()
        .collect();
    let weeks: Vec<MeetingId> = stream::iter(1..=WEEKS)
        .map(|week| weekly(api, &clerk, body, week, now))
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    let library = library(api).await?;
    Ok(Year {
        meetings: weeks,
        library,
    })
}

/// Puts the committee's members into the office's directory as [`BODY`]; returns its id.
async fn directory(api: &Api, people: &[Person]) -> anyhow::Result<protocol::BodyId> {
    #[derive(Deserialize)]
    struct Body {
        id: protocol::BodyId,
        name: String,
    }
    #[derive(Deserialize)]
    struct Bodies {
        bodies: Vec<Body>,
    }
    let mut csv = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    csv.write_record(["Họ và tên", "Chức vụ", "Đơn vị", "Ban"])?;
    for p in people.iter().filter(|p| p.role.is_member()) {
        csv.write_record([p.name.as_str(), &p.position, &p.unit, BODY])?;
    }
    let csv = String::from_utf8(csv.into_inner()?)?;
    api.post_csv::<serde_json::Value>("/api/v1/office/people/import", api.office(), csv)
        .await
        .context("the hub refused the standing committee's directory")?;
    let bodies: Bodies = api.get("/api/v1/office/bodies", api.office()).await?;
    bodies
        .bodies
        .into_iter()
        .find(|b| b.name == BODY)
        .map(|b| b.id)
        .context("the standing committee is not in the directory")
}

/// One week's meeting: created, its body and clerk summoned, its papers published, held
/// and closed.
async fn weekly(
    api: &Api,
    clerk: &[Person],
    body: protocol::BodyId,
    week: usize,
    now: Timestamp,
) -> anyhow::Result<MeetingId> {
    #[derive(Deserialize)]
    struct Summoned {
        participants: Vec<Issued>,
    }
    #[derive(Deserialize)]
    struct Created {
        id: MeetingId,
    }
    let starts_at = Timestamp(now.0 - (WEEKS + 1 - week) as i64 * WEEK_MS);
    let create = json!({
        "title": format!("Hội nghị Ban Thường vụ Huyện ủy – phiên thứ {week}"),
        "venue": format!("Phòng họp Ban Thường vụ, Trụ sở Huyện ủy {DISTRICT}"),
        "starts_at": starts_at,
    });
    let meeting = api
        .post::<Created>("/api/v1/meetings", api.office(), &create)
        .await?
        .id;
    let mut issued = delegates::summon(api, meeting, clerk).await?;
    let summon = json!({ "body": body });
    let path = format!("/api/v1/meetings/{meeting}/summon");
    let members: Summoned = api.post(&path, api.office(), &summon).await?;
    issued.extend(members.participants);
    let clerk = issued
        .iter()
        .find(|p| p.participant.role == Role::Secretariat)
        .map(|p| p.token.as_str())
        .context("the standing committee has no clerk")?;
    let topics = [
        &TOPICS[week % TOPICS.len()],
        &TOPICS[(week * 3 + 1) % TOPICS.len()],
    ];
    for topic in topics {
        let add = Command::AddAgendaItem {
            title: topic.item.into(),
            description: String::new(),
        };
        api.command(meeting, clerk, add).await?;
    }
    let items = view(api, meeting, clerk).await?.agenda;
    for (n, (topic, item)) in topics.iter().zip(&items).enumerate() {
        // Every other week the second item's paper is read from the screen only.
        if n == 1 && week.is_multiple_of(2) {
            continue;
        }
        let pdf = papers::attachment_pdf(topic.paper, DISTRICT, topic.text);
        let name = format!("{}.pdf", topic.paper);
        let item = item.id.to_string();
        let parts = [
            Part::Text("title", topic.paper),
            Part::Text("classification", "internal"),
            Part::Text("item", &item),
            Part::File("file", &name, "application/pdf", &pdf),
        ];
        let path = format!("/api/v1/meetings/{meeting}/documents");
        api.upload::<serde_json::Value>(&path, api.office(), &parts)
            .await?;
    }
    if week.is_multiple_of(6) {
        opinion(api, meeting, &issued, week, now).await?;
    }
    api.command(meeting, clerk, Command::OpenMeeting).await?;
    api.command(meeting, clerk, Command::StartSession).await?;
    for (topic, item) in topics.iter().zip(&items) {
        let set = Command::SetConclusion {
            item: item.id,
            text: topic.conclusion.into(),
        };
        api.command(meeting, clerk, set).await?;
    }
    api.command(meeting, clerk, Command::CloseMeeting).await?;
    Ok(meeting)
}

/// An opinion request between meetings: asked, answered by most members, closed.
async fn opinion(
    api: &Api,
    meeting: MeetingId,
    issued: &[Issued],
    week: usize,
    now: Timestamp,
) -> anyhow::Result<()> {
    let members: Vec<&Issued> = issued
        .iter()
        .filter(|p| p.participant.role.is_member())
        .collect();
    let ask = Command::CreateOpinionRequest {
        title: format!(
            "Xin ý kiến Ban Thường vụ về dự thảo kế hoạch công tác (đợt {})",
            week / 6
        ),
        description: "Văn phòng Huyện ủy đề nghị các đồng chí cho ý kiến vào phiếu.".into(),
        questions: vec!["Đồng chí có đồng ý với dự thảo kế hoạch không?".into()],
        attachments: Vec::new(),
        recipients: members.iter().map(|m| m.participant.id).collect(),
        deadline: Timestamp(now.0 + WEEK_MS),
    };
    api.command(meeting, api.office(), ask).await?;
    let request = view(api, meeting, api.office())
        .await?
        .opinions
        .first()
        .map(|r| r.request.id)
        .context("the opinion request is not in its meeting")?;
    for (n, member) in members.iter().enumerate().skip(2) {
        let (choice, comment) = if n % 5 == 0 {
            (Choice::Other, "Đề nghị bổ sung tiến độ cụ thể.")
        } else {
            (Choice::Agree, "")
        };
        let answers = vec![Answer {
            question: 1,
            choice,
            comment: comment.into(),
        }];
        let answer = Command::AnswerOpinionRequest { request, answers };
        api.command(meeting, &member.token, answer).await?;
    }
    api.command(
        meeting,
        api.office(),
        Command::CloseOpinionRequest { request },
    )
    .await?;
    Ok(())
}

/// The library's shelf for everyone: the Party's documents and the news.
async fn library(api: &Api) -> anyhow::Result<MeetingId> {
    #[derive(Deserialize)]
    struct Shelf {
        meeting: MeetingId,
    }
    let body = json!({ "title": "Thư viện văn kiện – Tin tức" });
    let shelf = api
        .post::<Shelf>("/api/v1/library/shelves", api.office(), &body)
        .await?
        .meeting;
    for (title, class, text) in LIBRARY {
        let pdf = papers::attachment_pdf(title, DISTRICT, text);
        let name = format!("{title}.pdf");
        let parts = [
            Part::Text("title", title),
            Part::Text("classification", class.as_str()),
            Part::File("file", &name, "application/pdf", &pdf),
        ];
        let path = format!("/api/v1/meetings/{shelf}/documents");
        api.upload::<serde_json::Value>(&path, api.office(), &parts)
            .await?;
    }
    for (title, text) in NEWS {
        let post = Command::PostAnnouncement {
            title: (*title).into(),
            text: (*text).into(),
        };
        api.command(shelf, api.office(), post).await?;
    }
    Ok(shelf)
}
