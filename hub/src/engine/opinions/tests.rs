//! Opinion requests' rules, role checks and what each viewer receives.

use crate::engine::testing::*;
use crate::engine::{opinion_summary, Actor, EngineError, Viewer};
use crate::record::opinion_summary_csv;
use protocol::opinions::{Answer, Attachment, Choice};
use protocol::{Command, ErrorCode, Event, EventKind, OpinionRequestId, Timestamp};
use uuid::Uuid;

const HOUR: i64 = 3_600_000;

fn code(r: Result<Vec<Event>, EngineError>) -> ErrorCode {
    r.expect_err("refused").code()
}

fn answers(choices: &[(Choice, &str)]) -> Vec<Answer> {
    choices
        .iter()
        .enumerate()
        .map(|(i, (choice, comment))| Answer {
            question: i as u32 + 1,
            choice: *choice,
            comment: (*comment).into(),
        })
        .collect()
}

/// A body that is not in session, asking delegates 0..4 two questions, due in an hour.
fn asked() -> (Hall, OpinionRequestId) {
    let mut m = Hall::new();
    let id = Uuid::new_v4();
    let deadline = Timestamp(m.now().0 + HOUR);
    let create = Command::CreateOpinionRequest {
        title: "Xin ý kiến dự thảo Nghị quyết".into(),
        description: String::new(),
        questions: vec!["Tán thành dự thảo?".into(), "Tán thành nhân sự?".into()],
        attachments: vec![Attachment {
            name: "Dự thảo.pdf".into(),
            sha256: Some("AB".repeat(32)),
        }],
        recipients: m.delegates[..4].to_vec(),
        deadline,
    };
    m.run_with_id(m.secretariat(), create, id).unwrap();
    (m, OpinionRequestId(id))
}

fn answer(
    m: &mut Hall,
    n: usize,
    request: OpinionRequestId,
    a: Vec<Answer>,
) -> Result<Vec<Event>, EngineError> {
    m.run(
        m.delegate(n),
        Command::AnswerOpinionRequest {
            request,
            answers: a,
        },
    )
}

#[test]
fn only_the_secretariat_asks_and_only_members_are_asked() {
    let mut m = Hall::new();
    let deadline = Timestamp(m.now().0 + HOUR);
    let create = |recipients| Command::CreateOpinionRequest {
        title: "Xin ý kiến".into(),
        description: String::new(),
        questions: vec!["Đồng ý?".into()],
        attachments: vec![],
        recipients,
        deadline,
    };
    let d = m.delegates[..2].to_vec();
    assert_eq!(
        code(m.run(m.chair(), create(d.clone()))),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(m.run(m.delegate(0), create(d.clone()))),
        ErrorCode::Forbidden
    );
    let p = vec![m.projector_id()];
    assert_eq!(code(m.run(m.secretariat(), create(p))), ErrorCode::Invalid);
    let twice = vec![d[0], d[0]];
    assert_eq!(
        code(m.run(m.secretariat(), create(twice))),
        ErrorCode::Invalid
    );
    let unknown = vec![protocol::ParticipantId::new_random()];
    assert_eq!(
        code(m.run(m.secretariat(), create(unknown))),
        ErrorCode::NotFound
    );
    assert!(m.state.opinions.requests.is_empty());
    m.run(Actor::Office, create(d)).expect("no session needed");
}

#[test]
fn answers_are_refused_from_the_unasked_after_the_deadline_and_for_unknown_questions() {
    let (mut m, r) = asked();
    let ok = answers(&[(Choice::Agree, ""), (Choice::Disagree, "Chưa đủ cơ sở")]);
    let seq = m.state.seq;
    assert_eq!(
        code(answer(&mut m, 6, r, ok.clone())),
        ErrorCode::Forbidden,
        "not asked"
    );
    let mut unknown = ok.clone();
    unknown[1].question = 3;
    assert_eq!(code(answer(&mut m, 0, r, unknown)), ErrorCode::NotFound);
    assert_eq!(
        code(answer(&mut m, 0, r, ok[..1].to_vec())),
        ErrorCode::Invalid,
        "one missing"
    );
    let other = answers(&[(Choice::Other, ""), (Choice::Agree, "")]);
    assert_eq!(
        code(answer(&mut m, 0, r, other)),
        ErrorCode::Invalid,
        "other needs a comment"
    );
    assert_eq!(m.state.seq, seq, "nothing changed");
    answer(&mut m, 0, r, ok.clone()).unwrap();
    m.advance(HOUR);
    assert_eq!(
        code(answer(&mut m, 1, r, ok)),
        ErrorCode::InvalidState,
        "deadline passed"
    );
}

#[test]
fn answers_may_change_until_the_deadline_and_the_last_counts() {
    let (mut m, r) = asked();
    answer(
        &mut m,
        0,
        r,
        answers(&[(Choice::Agree, ""), (Choice::Agree, "")]),
    )
    .unwrap();
    answer(
        &mut m,
        0,
        r,
        answers(&[(Choice::Disagree, "Xem lại"), (Choice::Agree, "")]),
    )
    .unwrap();
    let s = opinion_summary(&m.state, r).unwrap();
    assert_eq!((s.answered, s.recipients), (1, 4));
    assert_eq!((s.questions[0].agree, s.questions[0].disagree), (0, 1));
    assert_eq!(s.questions[0].comments[0].comment, "Xem lại");
    assert_eq!(s.not_answered.len(), 3);
}

#[test]
fn the_hub_closes_at_the_deadline_and_not_before() {
    let (mut m, r) = asked();
    let close = Command::CloseOpinionRequest { request: r };
    assert_eq!(
        code(m.run(Actor::System, close.clone())),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(m.run(m.delegate(0), close.clone())),
        ErrorCode::Forbidden
    );
    assert!(m.state.opinions.next_deadline().is_some());
    m.advance(HOUR);
    let events = m.run(Actor::System, close.clone()).unwrap();
    assert_eq!(
        events[0].event,
        EventKind::OpinionRequestClosed { request: r }
    );
    assert!(
        m.run(Actor::System, close).unwrap().is_empty(),
        "closing twice is harmless"
    );
    assert_eq!(
        m.state.opinions.next_deadline(),
        None,
        "nothing left to wait for"
    );
}

#[test]
fn a_reminder_goes_to_those_who_have_not_answered() {
    let (mut m, r) = asked();
    answer(
        &mut m,
        1,
        r,
        answers(&[(Choice::Agree, ""), (Choice::Agree, "")]),
    )
    .unwrap();
    let remind = Command::RemindOpinionRequest { request: r };
    assert_eq!(
        code(m.run(m.delegate(0), remind.clone())),
        ErrorCode::Forbidden
    );
    let events = m.run(m.secretariat(), remind).unwrap();
    let d = &m.delegates;
    assert_eq!(
        events[0].event,
        EventKind::OpinionReminderSent {
            request: r,
            to: vec![d[0], d[2], d[3]]
        }
    );
    let to_d2 = Viewer::for_actor(&m.delegate(2))
        .redact(&events[0])
        .unwrap();
    assert_eq!(
        to_d2.event,
        EventKind::OpinionReminderSent {
            request: r,
            to: vec![d[2]]
        }
    );
    assert!(Viewer::for_actor(&m.delegate(1))
        .redact(&events[0])
        .is_none());
}

#[test]
fn an_answer_reaches_only_its_author_the_secretariat_and_the_chair() {
    let (mut m, r) = asked();
    let events = answer(
        &mut m,
        0,
        r,
        answers(&[(Choice::Agree, "Riêng"), (Choice::Agree, "")]),
    )
    .unwrap();
    assert!(Viewer::for_actor(&m.delegate(0))
        .redact(&events[0])
        .is_some());
    assert!(Viewer::for_actor(&m.chair()).redact(&events[0]).is_some());
    assert!(Viewer::for_actor(&m.secretariat())
        .redact(&events[0])
        .is_some());
    assert!(
        Viewer::for_actor(&m.delegate(1))
            .redact(&events[0])
            .is_none(),
        "another recipient"
    );
    assert!(Viewer::for_actor(&m.projector())
        .redact(&events[0])
        .is_none());
    let d1 = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
    assert_eq!(d1.opinions.len(), 1, "asked, so it sees the request");
    assert!(
        d1.opinions[0].replies.is_empty(),
        "but not another's answers"
    );
    let d7 = m.state.view(Viewer::for_actor(&m.delegate(7))).unwrap();
    assert!(
        d7.opinions.is_empty(),
        "not asked: does not see the request"
    );
    let full = m.state.view(Viewer::for_actor(&m.secretariat())).unwrap();
    assert_eq!(full.opinions[0].replies.len(), 1);
}

#[test]
fn the_summary_counts_and_exports_as_csv() {
    let (mut m, r) = asked();
    answer(
        &mut m,
        0,
        r,
        answers(&[(Choice::Agree, ""), (Choice::Other, "Bổ sung, \"làm rõ\"")]),
    )
    .unwrap();
    answer(
        &mut m,
        1,
        r,
        answers(&[(Choice::Agree, ""), (Choice::Disagree, "")]),
    )
    .unwrap();
    let s = opinion_summary(&m.state, r).unwrap();
    assert_eq!(
        (
            s.questions[0].agree,
            s.questions[1].other,
            s.questions[1].disagree
        ),
        (2, 1, 1)
    );
    let csv = String::from_utf8(opinion_summary_csv(&s).unwrap()).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][2], "2", "question 1: two agree");
    assert_eq!(&rows[1][0], "2", "question 2's counts");
    assert_eq!(
        (&rows[2][5], &rows[2][6], &rows[2][7]),
        ("Đại biểu 0", "other", "Bổ sung, \"làm rõ\"")
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        serde_json::to_string(&opinion_summary(&m.state, r).unwrap()).unwrap(),
        "deterministic"
    );
}
