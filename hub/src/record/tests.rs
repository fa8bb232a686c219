//! The papers filled from a meeting run through the engine: what goes where, what is a
//! draft, what is refused before its time.

use super::*;
use crate::engine::testing::Hall;
use crate::engine::Actor;
use protocol::{
    Classification, Command, DocumentFile, Event, PollKind, PollSpec, PollStatus, Role,
};

fn spec(title: &str, kind: PollKind, secret: bool) -> PollSpec {
    PollSpec {
        title: title.into(),
        item: None,
        kind,
        secret,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    }
}

fn file(n: u8) -> DocumentFile {
    DocumentFile {
        file_name: format!("danh-sach-{n}.pdf"),
        content_type: "application/pdf".into(),
        size: 1000,
        sha256: format!("{n:02x}").repeat(32),
    }
}

/// A meeting with two items; on the second, a confidential document, a speech and a
/// secret election opened while it was under way, sealed under a committee of three
/// delegates (two of them open the count): eight sealed ballots, one paper ballot, the box
/// opened. Returns the hall, every event from the session's start, the poll, the box's
/// ballots as the store keeps them and the committee's devices.
fn congress() -> (
    Hall,
    Vec<Event>,
    protocol::PollId,
    Vec<protocol::Sealed>,
    crate::engine::testing::Devices,
) {
    let mut m = Hall::new();
    let mut log = Vec::new();
    let sec = m.secretariat();
    let chair = m.chair();
    let first = m.add_item("Khai mạc");
    let second = m.add_item("Bầu Ban Chấp hành");
    log.extend(m.run(chair, Command::OpenMeeting).unwrap());
    for d in m.delegates.clone().into_iter().take(8) {
        log.extend(
            m.run(Actor::System, Command::CheckIn { participant: d })
                .unwrap(),
        );
    }
    log.extend(m.run(chair, Command::StartSession).unwrap());
    let devices = m.make_committee(&[0, 1, 2], 2);
    log.extend(
        m.run(chair, Command::StartAgendaItem { item: first })
            .unwrap(),
    );
    log.extend(
        m.run(
            sec,
            Command::PublishDocument {
                title: "Danh sách nhân sự (Mật)".into(),
                classification: Classification::Confidential,
                item: Some(second),
                readers: vec![m.delegates[0]],
                file: file(7),
            },
        )
        .unwrap(),
    );
    log.extend(
        m.run(chair, Command::StartAgendaItem { item: second })
            .unwrap(),
    );
    log.extend(
        m.run(m.delegate(2), Command::RequestToSpeak { item: None })
            .unwrap(),
    );
    log.extend(
        m.run(chair, Command::GiveFloor { participant: None })
            .unwrap(),
    );
    log.extend(m.run(chair, Command::EndSpeech).unwrap());
    let kind = PollKind::Election {
        candidates: vec![
            "Lê Văn An".into(),
            "Trần Thị Bình".into(),
            "Phạm Văn Cường".into(),
        ],
        seats: 2,
    };
    let created = m
        .run(
            chair,
            Command::CreatePoll {
                poll: spec("Bầu Ban Chấp hành khóa mới", kind, true),
            },
        )
        .unwrap();
    let poll = match &created[0].event {
        protocol::EventKind::PollCreated { poll, .. } => poll.id,
        other => panic!("{other:?}"),
    };
    log.extend(created);
    log.extend(m.run(chair, Command::OpenPoll { poll }).unwrap());
    let mut ballots = Vec::new();
    for n in 0..8 {
        let marks = [0, 1 + (n as u32 % 2)];
        let (effects, ballot) = m
            .cast_sealed(m.delegate(n), poll, &marks, n as u64)
            .unwrap();
        log.extend(effects.events);
        ballots.push(ballot);
    }
    log.extend(m.run(chair, Command::ClosePoll { poll }).unwrap());
    log.extend(
        m.run(
            sec,
            Command::RecordPaperBallots {
                poll,
                valid: 1,
                invalid: 0,
                tallies: vec![0, 0, 1],
            },
        )
        .unwrap(),
    );
    log.extend(m.give_share(&devices, 0, poll, &ballots).unwrap());
    log.extend(m.give_share(&devices, 2, poll, &ballots).unwrap());
    log.extend(
        m.run(
            sec,
            Command::SetConclusion {
                item: second,
                text: "Đại hội bầu đủ số lượng.".into(),
            },
        )
        .unwrap(),
    );
    (m, log, poll, ballots, devices)
}

#[test]
fn the_minutes_are_drawn_from_the_state_and_the_log() {
    let (m, log, poll, ..) = congress();
    let s = Snapshot::from_events(m.state.clone(), &log);
    let minutes = minutes(&s).unwrap();
    assert!(minutes.draft, "not closed: a draft");
    assert!(minutes.started_at.is_some() && minutes.ended_at.is_none());
    assert_eq!(minutes.chairs.len(), 1);
    assert_eq!(minutes.secretaries[0].name, "Trần Thị Thư");
    assert_eq!(minutes.attendees.len(), 10, "the members only");
    assert_eq!(minutes.attendees.iter().filter(|a| a.present).count(), 8);
    assert!(minutes
        .attendees
        .iter()
        .all(|a| a.participant.role.is_member()));
    let item = &minutes.items[1];
    assert_eq!(item.conclusion, "Đại hội bầu đủ số lượng.");
    assert_eq!(item.speeches.len(), 1);
    assert_eq!(
        item.votes[0].poll.id, poll,
        "a poll without an item goes with the item under way when it opened"
    );
    let doc = &item.documents[0];
    assert_eq!(doc.classification, Classification::Confidential);
    assert!(
        doc.file_name.is_empty() && doc.sha256.is_empty(),
        "a confidential document by its title only"
    );
    assert!(minutes.items[0].votes.is_empty());
    let pdf = minutes.to_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(
        minutes.to_pdf().unwrap(),
        pdf,
        "the same minutes, the same bytes: a signature of one request holds for the next"
    );
}

#[test]
fn counting_reports_wait_for_the_published_result_and_skip_open_votes() {
    let (mut m, log, poll, ballots, _) = congress();
    let s = Snapshot::from_events(m.state.clone(), &log);
    let e = counting_report(&s, poll).unwrap_err();
    assert!(matches!(e, PaperError::NotYet(_)), "{e}");
    assert!(e.to_string().contains("not published yet"), "{e}");
    let chair = m.chair();
    m.run(chair, Command::PublishPoll { poll }).unwrap();
    let motion = m
        .run(
            chair,
            Command::CreatePoll {
                poll: spec("Thông qua quy chế", PollKind::Motion, false),
            },
        )
        .unwrap();
    let open = match &motion[0].event {
        protocol::EventKind::PollCreated { poll, .. } => poll.id,
        other => panic!("{other:?}"),
    };
    let mut s = Snapshot::from_events(m.state.clone(), &log);
    s.sealed_ballots.insert(poll, ballots);
    let report = counting_report(&s, poll).unwrap();
    assert_eq!(report.vote.status, PollStatus::Published);
    let result = report.vote.result.as_ref().unwrap();
    assert_eq!(report.ballots_issued, result.present);
    // The counts are the box's opened sum plus the paper ballot, never single ballots:
    // everyone marked An; four marked Bình, four Cường, and the paper ballot Cường.
    assert_eq!(result.tallies, vec![8, 4, 5]);
    assert_eq!((result.valid, result.ballots), (9, 9));
    let names: Vec<_> = report.committee.iter().map(|c| c.name.clone()).collect();
    let first = m.state.participant(m.delegates[0]).unwrap().name.clone();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], first);
    assert_eq!(report.committee[0].duty, ::record::Duty::Head);
    let sealed = report.sealed_box.clone().expect("the sealed box's section");
    assert_eq!(sealed.ballots, 8);
    let json = s.result_json(m.state.polls.get(poll).unwrap()).unwrap();
    assert_eq!(
        sealed.fingerprint,
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &json).as_ref()),
        "the fingerprint of the signed result that carries the box"
    );
    assert!(sealed.file_name.ends_with(".json"), "{}", sealed.file_name);
    assert!(
        crate::export::check_sealed(&json).unwrap().is_some(),
        "the result carries the opened box"
    );
    assert!(report.to_pdf().unwrap().starts_with(b"%PDF"));
    let e = counting_report(&s, open).unwrap_err();
    assert!(matches!(e, PaperError::Invalid(_)), "{e}");
}

#[test]
fn sheets_and_csv_speak_vietnamese_and_the_wire() {
    let (m, log, poll, ..) = congress();
    let s = Snapshot::from_events(m.state.clone(), &log);
    let csv = attendance(&s, true).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("\u{feff}STT,Họ và tên"), "{text}");
    assert!(
        text.contains(",present,") && text.contains(",absent,"),
        "{text}"
    );
    assert!(!text.contains("Present") && !text.contains("Delegate"));
    let p = m.state.polls.get(poll).unwrap();
    let csv = String::from_utf8(result_csv(&m.state, p).unwrap()).unwrap();
    assert!(csv.contains("Biểu quyết,Trạng thái,closed"), "{csv}");
    assert!(!csv.contains("Biên nhận"), "no receipts before publishing");
    assert!(poll_result(&m.state, p).unwrap().starts_with(b"PK"));
    assert!(delivery(&s).unwrap().starts_with(b"PK"));
    let speakers = String::from_utf8(speakers_csv(&m.state).unwrap()).unwrap();
    assert_eq!(speakers.lines().count(), 2, "{speakers}");
    assert!(m
        .state
        .participants
        .iter()
        .any(|p| p.role == Role::Projector));
}
