//! The district's standing committee (Ban Thường vụ Huyện ủy): a body that need never meet
//! in the hall. Its office has asked the members' opinion on a draft resolution (three
//! days to answer, three members have answered), filled in this week's work calendar, and
//! forwarded a petition to two leaders, one of whom has given a direction.

use super::api::{Api, Part};
use super::delegates::{self, Issued, Person};
use super::info::DemoBody;
use super::{papers, view, DISTRICT, VIETNAM};
use anyhow::Context as _;
use protocol::opinions::{Answer, Attachment, Choice};
use protocol::{Command, Fraction, MeetingId, Role, Timestamp};
use serde::Deserialize;
use serde_json::json;

/// Members of the standing committee in the demo.
const BODY_MEMBERS: usize = 13;
/// Three days to answer, as a Huyện ủy office usually gives.
const ANSWER_WITHIN_MS: i64 = 3 * 24 * 3_600_000;
const DAY_MS: i64 = 24 * 3_600_000;

/// The standing committee, drawn from the congress's first members and its first clerk.
pub(super) async fn seed(
    api: &Api,
    congress: &[Person],
    now: Timestamp,
) -> anyhow::Result<DemoBody> {
    #[derive(Deserialize)]
    struct Created {
        id: MeetingId,
    }
    let title = format!("Ban Thường vụ Huyện ủy {DISTRICT}");
    let create = json!({
        "title": title,
        "venue": format!("Trụ sở Huyện ủy {DISTRICT}"),
        "quorum": Fraction::TWO_THIRDS,
    });
    let meeting = api
        .post::<Created>("/api/v1/meetings", api.office(), &create)
        .await?
        .id;
    let people = standing_committee(congress);
    let issued = delegates::summon(api, meeting, &people).await?;
    let members: Vec<&Issued> = issued
        .iter()
        .filter(|p| p.participant.role.is_member())
        .collect();
    seed_opinion_request(api, meeting, &members, now).await?;
    seed_calendar(api, meeting, now).await?;
    seed_incoming(api, meeting, &members, now).await?;
    Ok(DemoBody {
        meeting,
        title,
        participants: issued.into_iter().map(Into::into).collect(),
    })
}

/// The standing committee's members, drawn from the congress's first members, and its
/// first clerk.
pub(super) fn standing_committee(congress: &[Person]) -> Vec<Person> {
    let mut people: Vec<Person> = congress
        .iter()
        .filter(|p| p.role.is_member())
        .take(BODY_MEMBERS)
        .cloned()
        .collect();
    people.extend(
        congress
            .iter()
            .find(|p| p.role == Role::Secretariat)
            .cloned(),
    );
    people
}

/// Uploads a short PDF (`POST …/files`) and names it as an attachment.
async fn attach(
    api: &Api,
    meeting: MeetingId,
    name: &str,
    title: &str,
    paragraphs: &[&str],
) -> anyhow::Result<Attachment> {
    let pdf = papers::attachment_pdf(title, DISTRICT, paragraphs);
    let file = Part::File("file", name, "application/pdf", &pdf);
    let path = format!("/api/v1/meetings/{meeting}/files");
    api.upload(&path, api.office(), &[file]).await
}

/// An opinion request to every member, open for three days; three have answered.
async fn seed_opinion_request(
    api: &Api,
    meeting: MeetingId,
    members: &[&Issued],
    now: Timestamp,
) -> anyhow::Result<()> {
    let ask = Command::CreateOpinionRequest {
        title:
            "Xin ý kiến Ban Thường vụ về dự thảo Nghị quyết chuyển đổi số huyện giai đoạn 2026–2030"
                .into(),
        description: "Văn phòng Huyện ủy đề nghị các đồng chí cho ý kiến vào phiếu trước thời hạn."
            .into(),
        questions: vec![
            "Đồng chí có đồng ý với dự thảo Nghị quyết không?".into(),
            "Đồng chí có đồng ý với lộ trình thực hiện 2026–2030 không?".into(),
            "Đồng chí có đồng ý giao Ủy ban nhân dân huyện chủ trì tổ chức thực hiện không?".into(),
        ],
        attachments: vec![
            attach(
                api,
                meeting,
                "Dự thảo Nghị quyết chuyển đổi số.pdf",
                "Dự thảo Nghị quyết về chuyển đổi số huyện giai đoạn 2026–2030",
                &[
                    "1. Mục tiêu: 100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến toàn trình.",
                    "2. Lộ trình: hoàn thành hạ tầng số đến cấp xã trong năm 2027.",
                    "3. Tổ chức thực hiện: giao Ủy ban nhân dân huyện chủ trì, các cơ quan phối hợp.",
                ],
            )
            .await?,
            attach(
                api,
                meeting,
                "Tờ trình của Văn phòng Huyện ủy.pdf",
                "Tờ trình về dự thảo Nghị quyết chuyển đổi số",
                &["Văn phòng Huyện ủy kính trình Ban Thường vụ xem xét, cho ý kiến vào dự thảo."],
            )
            .await?,
        ],
        recipients: members.iter().map(|m| m.participant.id).collect(),
        deadline: Timestamp(now.0 + ANSWER_WITHIN_MS),
    };
    api.command(meeting, api.office(), ask).await?;
    let request = view(api, meeting, api.office())
        .await?
        .opinions
        .first()
        .map(|r| r.request.id)
        .context("the opinion request is not in the committee's meeting")?;
    let replies = [
        [
            (Choice::Agree, ""),
            (Choice::Agree, ""),
            (Choice::Agree, ""),
        ],
        [
            (Choice::Agree, ""),
            (Choice::Other, "Đề nghị rút lộ trình xuống 2026–2028."),
            (Choice::Agree, ""),
        ],
        [
            (
                Choice::Agree,
                "Bổ sung chỉ tiêu về dịch vụ công trực tuyến.",
            ),
            (Choice::Agree, ""),
            (
                Choice::Disagree,
                "Nên giao Văn phòng Huyện ủy chủ trì phần chuyển đổi số trong Đảng.",
            ),
        ],
    ];
    for (member, reply) in members.iter().skip(1).zip(replies) {
        let answers = (1..)
            .zip(reply)
            .map(|(question, (choice, comment))| Answer {
                question,
                choice,
                comment: comment.into(),
            })
            .collect();
        let answer = Command::AnswerOpinionRequest { request, answers };
        api.command(meeting, &member.token, answer).await?;
    }
    Ok(())
}

/// The standing committee's work calendar for the current week (Viet Nam time).
async fn seed_calendar(api: &Api, meeting: MeetingId, now: Timestamp) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now.0) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM)
        .date();
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let at = |day: i64, hour: u8, minute: u8| {
        let date = monday + time::Duration::days(day);
        let moment = date
            .with_hms(hour, minute, 0)
            .unwrap_or(date.midnight())
            .assume_offset(VIETNAM);
        Timestamp((moment.unix_timestamp_nanos() / 1_000_000) as i64)
    };
    let week = [
        (
            "Giao ban Thường trực Huyện ủy",
            at(0, 7, 30),
            "Phòng họp số 1",
            "Thường trực Huyện ủy",
        ),
        (
            "Tiếp công dân định kỳ",
            at(1, 8, 0),
            "Trụ sở Tiếp công dân huyện",
            "Đồng chí Bí thư Huyện ủy",
        ),
        (
            "Làm việc với Đảng ủy xã Tân Lập về xây dựng nông thôn mới",
            at(2, 14, 0),
            "Xã Tân Lập",
            "Đồng chí Phó Bí thư Thường trực",
        ),
        (
            "Họp Ban Thường vụ Huyện ủy",
            at(3, 8, 0),
            "Phòng họp Ban Thường vụ",
            "Ban Thường vụ Huyện ủy",
        ),
        (
            "Dự Hội nghị trực tuyến của Tỉnh ủy",
            at(4, 14, 0),
            "Điểm cầu Huyện ủy",
            "Thường trực Huyện ủy",
        ),
    ];
    for (title, starts_at, location, host) in week {
        let add = Command::AddCalendarEvent {
            title: title.into(),
            starts_at,
            ends_at: None,
            location: location.into(),
            host: host.into(),
        };
        api.command(meeting, api.office(), add).await?;
    }
    Ok(())
}

/// A petition registered and forwarded to the first two members, one of whom has read it
/// and given a direction.
async fn seed_incoming(
    api: &Api,
    meeting: MeetingId,
    members: &[&Issued],
    now: Timestamp,
) -> anyhow::Result<()> {
    let subject = "Đơn kiến nghị về việc bồi thường khi mở rộng đường liên xã";
    let file = attach(
        api,
        meeting,
        "Đơn kiến nghị số 58.pdf",
        subject,
        &[
            "Kính gửi: Thường trực Huyện ủy.",
            "Tôi là Hoàng Văn Sơn, thôn Đồng Tâm, xã Tân Lập. Gia đình tôi có 120 m² đất nằm trong phạm vi mở rộng đường liên xã.",
            "Đề nghị xem xét lại đơn giá bồi thường cho phù hợp với giá thị trường tại địa phương.",
        ],
    )
    .await?;
    let register = Command::RegisterIncoming {
        kind: protocol::incoming::IncomingKind::Petition,
        number: "58/ĐT".into(),
        sender: "Ông Hoàng Văn Sơn, thôn Đồng Tâm, xã Tân Lập".into(),
        subject: subject.into(),
        file: Some(file),
    };
    api.command(meeting, api.office(), register).await?;
    let item = view(api, meeting, api.office())
        .await?
        .incoming
        .last()
        .map(|i| i.id)
        .context("the petition is not in the committee's meeting")?;
    let forward = Command::ForwardIncoming {
        item,
        to: members.iter().take(2).map(|m| m.participant.id).collect(),
        due: Some(Timestamp(now.0 + 7 * DAY_MS)),
        note: "Kính chuyển các đồng chí cho ý kiến chỉ đạo".into(),
    };
    api.command(meeting, api.office(), forward).await?;
    if let Some(first) = members.first() {
        api.command(meeting, &first.token, Command::ReadIncoming { item })
            .await?;
        let direct = Command::DirectIncoming {
            item,
            text: "Giao Ủy ban nhân dân huyện kiểm tra, trả lời công dân trước ngày 15.".into(),
        };
        api.command(meeting, &first.token, direct).await?;
    }
    Ok(())
}
