//! The live parts of the demo: the list of speakers under way in the congress, and the
//! district's standing committee (Ban Thường vụ) with an open opinion request.

use super::Server;
use crate::engine::Actor;
use crate::import::{MeetingPackage, NewParticipant};
use crate::live::{MeetingHandle, Request};
use anyhow::Context as _;
use protocol::opinions::{Answer, Attachment, Choice};
use protocol::{Command, Fraction, MeetingId, Role, Timestamp};
use serde::{Deserialize, Serialize};

/// Members of the standing committee in the demo.
const BODY_MEMBERS: usize = 13;
/// Three days to answer, as a Huyện ủy office usually gives.
const ANSWER_WITHIN_MS: i64 = 3 * 24 * 3_600_000;

/// The standing committee in `demo.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoBody {
    pub meeting: MeetingId,
    pub title: String,
    pub participants: Vec<super::demo::DemoParticipant>,
}

async fn run(handle: &MeetingHandle, actor: Actor, command: Command) -> anyhow::Result<u64> {
    let op = command.op();
    handle
        .run(Request::one(actor, None, command))
        .await
        .map(|accepted| accepted.seq)
        .with_context(|| format!("demo: {op}"))
}

/// Stores a short PDF in the blob store and names it as an attachment.
async fn store_pdf(
    server: &Server,
    name: &str,
    title: &str,
    paragraphs: &[&str],
) -> anyhow::Result<Attachment> {
    let pdf = crate::demo::attachment_pdf(title, crate::demo::DISTRICT, paragraphs);
    let stored = server.state.store.blobs().store_bytes(&pdf).await?;
    Ok(Attachment {
        name: name.into(),
        sha256: Some(stored.sha256),
    })
}

/// Four delegates ask to speak on the current item; the first has the floor.
pub async fn seed_speakers(handle: &MeetingHandle) -> anyhow::Result<()> {
    let delegates: Vec<Actor> = handle.read(|s| {
        s.participants
            .iter()
            .filter(|p| p.role == Role::Delegate)
            .map(|p| Actor::Participant {
                id: p.id,
                role: p.role,
            })
            .collect::<Vec<_>>()
    });
    // Four delegates spread over the hall, whatever its size.
    let step = (delegates.len() / 5).max(1);
    let delegates: Vec<Actor> = delegates
        .into_iter()
        .skip(step)
        .step_by(step)
        .take(4)
        .collect();
    run(
        handle,
        Actor::Office,
        Command::SetSpeakingLimit { seconds: 420 },
    )
    .await?;
    for d in &delegates {
        run(handle, *d, Command::RequestToSpeak { item: None }).await?;
    }
    if delegates.is_empty() {
        return Ok(());
    }
    run(
        handle,
        Actor::Office,
        Command::GiveFloor { participant: None },
    )
    .await?;
    Ok(())
}

/// The announcement the congress's delegates find when they join.
pub async fn seed_announcement(handle: &MeetingHandle) -> anyhow::Result<()> {
    let post = Command::PostAnnouncement {
        title: "Thông báo của Đoàn Thư ký Đại hội".into(),
        text: "Đại biểu đăng ký phát biểu tham luận trên máy tính bảng; mỗi ý kiến không quá 7 phút. Phiên chiều bắt đầu lúc 13:30.".into(),
    };
    run(handle, Actor::Office, post).await?;
    Ok(())
}

/// A petition registered and forwarded to the first two members, one of whom has given a
/// direction.
async fn seed_incoming(
    server: &Server,
    handle: &MeetingHandle,
    members: &[Actor],
    now: Timestamp,
) -> anyhow::Result<()> {
    let name = "Đơn kiến nghị số 58.pdf";
    let file = store_pdf(
        server,
        name,
        "Đơn kiến nghị về việc bồi thường khi mở rộng đường liên xã",
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
        subject: "Đơn kiến nghị về việc bồi thường khi mở rộng đường liên xã".into(),
        file: Some(file),
    };
    run(handle, Actor::Office, register).await?;
    let item = handle
        .read(|s| s.incoming.items.last().map(|i| i.id))
        .context("the petition vanished")?;
    let to: Vec<_> = members
        .iter()
        .take(2)
        .filter_map(|a| match a {
            Actor::Participant { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let forward = Command::ForwardIncoming {
        item,
        to,
        due: Some(Timestamp(now.0 + 7 * 24 * 3_600_000)),
        note: "Kính chuyển các đồng chí cho ý kiến chỉ đạo".into(),
    };
    run(handle, Actor::Office, forward).await?;
    if let Some(first) = members.first() {
        run(handle, *first, Command::ReadIncoming { item }).await?;
        let direct = Command::DirectIncoming {
            item,
            text: "Giao Ủy ban nhân dân huyện kiểm tra, trả lời công dân trước ngày 15.".into(),
        };
        run(handle, *first, direct).await?;
    }
    Ok(())
}

/// The standing committee's work calendar for the current week (Viet Nam time).
async fn seed_calendar(handle: &MeetingHandle, now: Timestamp) -> anyhow::Result<()> {
    let today = crate::engine::vietnam_date(now);
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let at = |day: i64, hour: u8, minute: u8| {
        let date = monday + time::Duration::days(day);
        let moment = date
            .with_hms(hour, minute, 0)
            .unwrap_or(date.midnight())
            .assume_offset(crate::import::VIETNAM_OFFSET);
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
        run(handle, Actor::Office, add).await?;
    }
    Ok(())
}

/// The standing committee, drawn from the congress's first members, with an opinion
/// request open for three days that three members have already answered.
pub async fn seed_body(
    server: &Server,
    congress: &[NewParticipant],
    now: Timestamp,
) -> anyhow::Result<DemoBody> {
    let district = crate::demo::DISTRICT;
    let title = format!("Ban Thường vụ Huyện ủy {district}");
    let mut participants: Vec<NewParticipant> = congress
        .iter()
        .filter(|p| p.role.is_member())
        .take(BODY_MEMBERS)
        .cloned()
        .collect();
    participants.extend(
        congress
            .iter()
            .find(|p| p.role == Role::Secretariat)
            .cloned(),
    );
    let package = MeetingPackage {
        create: Command::CreateMeeting {
            title: title.clone(),
            venue: format!("Trụ sở Huyện ủy {district}"),
            starts_at: None,
            quorum: Some(Fraction::TWO_THIRDS),
        },
        agenda: Vec::new(),
        participants,
        documents: Vec::new(),
        polls: Vec::new(),
    };
    let imported = server.import(package).await?;
    let handle = server
        .state
        .meetings
        .get(imported.meeting)
        .context("the standing committee vanished")?;
    let members: Vec<Actor> = handle.read(|s| {
        s.participants
            .iter()
            .filter(|p| p.role.is_member())
            .map(|p| Actor::Participant {
                id: p.id,
                role: p.role,
            })
            .collect()
    });
    let recipients = members
        .iter()
        .filter_map(|a| match a {
            Actor::Participant { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
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
            store_pdf(
                server,
                "Dự thảo Nghị quyết chuyển đổi số.pdf",
                "Dự thảo Nghị quyết về chuyển đổi số huyện giai đoạn 2026–2030",
                &[
                    "1. Mục tiêu: 100% thủ tục hành chính đủ điều kiện được cung cấp trực tuyến toàn trình.",
                    "2. Lộ trình: hoàn thành hạ tầng số đến cấp xã trong năm 2027.",
                    "3. Tổ chức thực hiện: giao Ủy ban nhân dân huyện chủ trì, các cơ quan phối hợp.",
                ],
            )
            .await?,
            store_pdf(
                server,
                "Tờ trình của Văn phòng Huyện ủy.pdf",
                "Tờ trình về dự thảo Nghị quyết chuyển đổi số",
                &["Văn phòng Huyện ủy kính trình Ban Thường vụ xem xét, cho ý kiến vào dự thảo."],
            )
            .await?,
        ],
        recipients,
        deadline: Timestamp(now.0 + ANSWER_WITHIN_MS),
    };
    run(&handle, Actor::Office, ask).await?;
    let request = handle
        .read(|s| s.opinions.requests.first().map(|r| r.request.id))
        .context("the opinion request vanished")?;
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
        let answers = reply
            .iter()
            .enumerate()
            .map(|(i, (choice, comment))| Answer {
                question: i as u32 + 1,
                choice: *choice,
                comment: (*comment).into(),
            })
            .collect();
        run(
            &handle,
            *member,
            Command::AnswerOpinionRequest { request, answers },
        )
        .await?;
    }
    seed_calendar(&handle, now).await?;
    seed_incoming(server, &handle, &members, now).await?;
    Ok(DemoBody {
        meeting: imported.meeting,
        title,
        participants: imported
            .participants
            .into_iter()
            .map(super::demo::DemoParticipant::from)
            .collect(),
    })
}
