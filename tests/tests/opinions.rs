//! Opinion requests on a real hub: forty leaders are asked three questions, answer (some
//! change their minds, some never answer), the request closes by itself at its deadline,
//! and the compiled summary counts exactly what the clients sent.

use meeting_tests::{expect_snapshot, guard, Member, Tablet, TestHub};
use protocol::opinions::{Answer, Choice};
use protocol::{Command, ErrorCode, EventKind, OpinionRequestId, ParticipantId, Timestamp};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LEADERS: usize = 40;
const QUESTIONS: u32 = 3;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// What leader `n` finally answers to question `q`, or `None` if they never answer.
fn final_choice(n: usize, q: u32) -> Option<Choice> {
    if n % 10 == 9 {
        return None;
    }
    Some([Choice::Agree, Choice::Disagree, Choice::Other][(n + q as usize) % 3])
}

fn answers(n: usize, changed_mind: bool) -> Vec<Answer> {
    (1..=QUESTIONS)
        .map(|q| {
            let choice = if changed_mind {
                Choice::Agree
            } else {
                final_choice(n, q).expect("answers")
            };
            Answer {
                question: q,
                choice,
                comment: match choice {
                    Choice::Other => format!("Ý kiến của đồng chí {n} về câu {q}"),
                    _ => String::new(),
                },
            }
        })
        .collect()
}

/// A leader's tablet: waits for the request, answers (first otherwise when `n % 4 == 0`),
/// and follows until the request closes. Returns every frame it received.
async fn leader(url: String, n: usize, member: Member) -> (Tablet, OpinionRequestId) {
    let (mut tablet, first) = Tablet::join(&url, &member.token, None, None).await;
    expect_snapshot(first);
    let request = loop {
        if let EventKind::OpinionRequestCreated { request } = tablet.event().await.event {
            break request.id;
        }
    };
    if final_choice(n, 1).is_some() {
        if matches!(n % 4, 0) {
            let a = answers(n, true);
            tablet
                .ok(
                    "first-answer",
                    Command::AnswerOpinionRequest {
                        request,
                        answers: a,
                    },
                )
                .await;
        }
        let a = answers(n, false);
        tablet
            .ok(
                "answer",
                Command::AnswerOpinionRequest {
                    request,
                    answers: a,
                },
            )
            .await;
    }
    loop {
        if tablet.event().await.event == (EventKind::OpinionRequestClosed { request }) {
            break;
        }
    }
    (tablet, request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_forty_leaders_closes_at_its_deadline_with_the_counts_they_sent() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(LEADERS + 1).await;
    let leaders = &m.delegates[..LEADERS];
    let outsider = &m.delegates[LEADERS];

    let tasks: Vec<_> = leaders
        .iter()
        .enumerate()
        .map(|(n, d)| tokio::spawn(leader(hub.ws_url(), n, d.clone())))
        .collect();
    let (mut out, first) = hub.join(&outsider.token, None).await;
    expect_snapshot(first);
    let (mut secretariat, first) = hub.join(&m.secretariat.token, None).await;
    let (_, _, view) = expect_snapshot(first);
    // Everyone is connected once every delegate is checked in.
    let mut present: HashSet<ParticipantId> = view.attendance.present_ids.into_iter().collect();
    while !m.delegates.iter().all(|d| present.contains(&d.id())) {
        if let EventKind::CheckedIn {
            participant: Some(p),
        } = secretariat.event().await.event
        {
            present.insert(p);
        }
    }

    // An hour away: the hub's clock is moved to it once everyone has answered.
    let deadline = Timestamp(now() + 3_600_000);
    let ask = Command::CreateOpinionRequest {
        title: "Xin ý kiến Ban Thường vụ về dự thảo Nghị quyết".into(),
        description: "Đề nghị các đồng chí cho ý kiến trước hạn.".into(),
        questions: (1..=QUESTIONS).map(|q| format!("Câu hỏi {q}")).collect(),
        attachments: vec![],
        recipients: leaders.iter().map(Member::id).collect(),
        deadline,
    };
    secretariat.ok("ask", ask).await;

    // The secretariat sees who has answered, then reminds those who have not.
    let answered = (0..LEADERS)
        .filter(|n| final_choice(*n, 1).is_some())
        .count();
    let mut who: HashSet<ParticipantId> = HashSet::new();
    let mut request = None;
    while who.len() < answered {
        match secretariat.event().await.event {
            EventKind::OpinionAnswered {
                participant,
                request: r,
                ..
            } => {
                who.insert(participant);
                request = Some(r);
            }
            _ => continue,
        }
    }
    let request = request.expect("answers");
    secretariat
        .ok("remind", Command::RemindOpinionRequest { request })
        .await;
    let left = u64::try_from(deadline.0 - now()).unwrap_or(0);
    hub.advance_clock(Duration::from_millis(left + 10));

    let mut closed_request = None;
    for (n, task) in tasks.into_iter().enumerate() {
        let (tablet, request) = guard("a leader to see the request close", task)
            .await
            .unwrap_or_else(|e| panic!("leader {n}: {e}"));
        closed_request = Some(request);
        // A reminder reaches exactly those who had not answered, naming only them.
        let reminders: Vec<_> = tablet
            .follower
            .events()
            .iter()
            .filter_map(|e| match &e.event {
                EventKind::OpinionReminderSent { to, .. } => Some(to.clone()),
                _ => None,
            })
            .collect();
        if final_choice(n, 1).is_some() {
            assert!(reminders.is_empty(), "leader {n} answered and was reminded");
        } else {
            assert_eq!(reminders, vec![vec![leaders[n].id()]], "leader {n}");
        }
        // No leader ever receives another's answers.
        for e in tablet.follower.events() {
            if let EventKind::OpinionAnswered { participant, .. } = &e.event {
                assert_eq!(
                    *participant,
                    leaders[n].id(),
                    "leader {n} got another's answer"
                );
            }
        }
        let closed = tablet
            .follower
            .events()
            .iter()
            .find(|e| e.event == (EventKind::OpinionRequestClosed { request }))
            .expect("the close");
        assert!(closed.at >= deadline, "closed before the deadline");
        assert!(
            closed.at < Timestamp(deadline.0 + 3_000),
            "closed long after the deadline"
        );
    }
    assert_eq!(closed_request, Some(request));

    // Too late now: refused with a code, nothing changes.
    let (mut late, first) = hub.join(&leaders[9].token, None).await;
    expect_snapshot(first);
    let a = answers(0, true);
    late.refused(
        "late",
        Command::AnswerOpinionRequest {
            request,
            answers: a,
        },
        ErrorCode::InvalidState,
    )
    .await;
    let (mut outsider_again, _) = hub.join(&outsider.token, None).await;
    let a = answers(0, true);
    outsider_again
        .refused(
            "not-asked",
            Command::AnswerOpinionRequest {
                request,
                answers: a,
            },
            ErrorCode::Forbidden,
        )
        .await;

    // The compiled summary: counts equal to what the clients sent.
    let path = format!("/api/v1/meetings/{}/opinions/{request}/summary", m.id);
    let r = hub.get(&path, &m.secretariat.token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let summary: protocol::opinions::OpinionSummary =
        serde_json::from_value(v["summary"].clone()).unwrap();
    // Signed by the hub's key, like the vote results: inline, and as files with detached
    // signatures that verify against the published key and fail once altered.
    let key = hub
        .get("/api/v1/signing-key", &m.secretariat.token)
        .await
        .text();
    let key = key.trim();
    assert_eq!(v["signature"]["key"], key);
    let compact = serde_json::to_vec(&summary).unwrap();
    let inline = v["signature"]["sig"].as_str().unwrap();
    assert_eq!(hub::signing::verify(key, &compact, inline), Ok(true));
    for ext in ["json", "csv"] {
        let body = hub
            .get(&format!("{path}.{ext}"), &m.secretariat.token)
            .await
            .body;
        let sig = hub
            .get(&format!("{path}.{ext}.sig"), &m.secretariat.token)
            .await
            .text();
        assert_eq!(
            hub::signing::verify(key, &body, sig.trim()),
            Ok(true),
            "summary.{ext}"
        );
        let mut altered = body.clone();
        altered[body.len() / 2] ^= 1;
        assert_eq!(
            hub::signing::verify(key, &altered, sig.trim()),
            Ok(false),
            "altered summary.{ext}"
        );
    }
    let answered = (0..LEADERS)
        .filter(|n| final_choice(*n, 1).is_some())
        .count();
    assert_eq!(
        (summary.recipients as usize, summary.answered as usize),
        (LEADERS, answered)
    );
    assert_eq!(summary.not_answered.len(), LEADERS - answered);
    for q in &summary.questions {
        let count = |c: Choice| {
            (0..LEADERS)
                .filter(|n| final_choice(*n, q.question) == Some(c))
                .count() as u32
        };
        assert_eq!(
            (q.agree, q.disagree, q.other),
            (
                count(Choice::Agree),
                count(Choice::Disagree),
                count(Choice::Other)
            ),
            "question {}",
            q.question
        );
        assert_eq!(
            q.comments.len() as u32,
            q.other,
            "every comment with its author"
        );
        for c in &q.comments {
            let n = leaders
                .iter()
                .position(|l| l.id() == c.participant)
                .unwrap();
            assert_eq!(
                c.comment,
                format!("Ý kiến của đồng chí {n} về câu {}", q.question)
            );
            assert_eq!(c.name, leaders[n].participant.name);
        }
    }
    let csv = hub.get(&format!("{path}.csv"), &m.secretariat.token).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    let first_counts = text.lines().nth(1).expect("question 1's counts");
    let q1 = &summary.questions[0];
    assert!(
        first_counts.starts_with(&format!(
            "1,Câu hỏi 1,{},{},{}",
            q1.agree, q1.disagree, q1.other
        )),
        "{first_counts}"
    );
    let forbidden = hub.get(&path, &leaders[0].token).await;
    assert_eq!(
        (forbidden.status, forbidden.error_code().as_deref()),
        (403, Some("forbidden"))
    );

    // The one not asked never heard of the request.
    out.assert_alive().await;
    let (_, view) = hub.meeting_state(m.id, &outsider.token).await;
    assert!(view.opinions.is_empty());
    while out.conn.pending() > 0 {
        out.frame().await;
    }
    for e in out.follower.events() {
        assert!(
            !matches!(
                e.event,
                EventKind::OpinionRequestCreated { .. }
                    | EventKind::OpinionAnswered { .. }
                    | EventKind::OpinionReminderSent { .. }
            ),
            "the outsider received {e:?}"
        );
    }
}
