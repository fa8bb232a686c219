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
        .with_context(|| format!("demo: {op}"))
}

/// Four delegates ask to speak on the current item; the first has the floor.
pub async fn seed_speakers(handle: &MeetingHandle) -> anyhow::Result<()> {
    let delegates: Vec<Actor> = handle.read(|s| {
        s.participants
            .iter()
            .filter(|p| p.role == Role::Delegate)
            .skip(20)
            .step_by(17)
            .take(4)
            .map(|p| Actor::Participant {
                id: p.id,
                role: p.role,
            })
            .collect()
    });
    run(
        handle,
        Actor::Office,
        Command::SetSpeakingLimit { seconds: 420 },
    )
    .await?;
    for d in delegates {
        run(handle, d, Command::RequestToSpeak { item: None }).await?;
    }
    run(
        handle,
        Actor::Office,
        Command::GiveFloor { participant: None },
    )
    .await?;
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
            Attachment {
                name: "Du-thao-Nghi-quyet-chuyen-doi-so.pdf".into(),
                sha256: None,
            },
            Attachment {
                name: "To-trinh-cua-Van-phong-Huyen-uy.pdf".into(),
                sha256: None,
            },
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
