//! Tests of documents: publishing, versions, who sees what, delivery and recall.

use super::*;
use crate::engine::testing::*;
use crate::engine::Viewer;
use protocol::{Command, ErrorCode, Event};

fn file(n: u8) -> DocumentFile {
    DocumentFile {
        file_name: format!("du-thao-{n}.pdf"),
        content_type: "application/pdf".into(),
        size: 1000 + u64::from(n),
        sha256: format!("{n:02x}").repeat(32),
        signatures: None,
        watermarked: false,
    }
}

fn publish(m: &mut Hall, class: Classification, readers: Vec<ParticipantId>) -> DocumentId {
    let events = m
        .run(
            m.secretariat(),
            Command::PublishDocument {
                title: "Dự thảo Nghị quyết Đại hội".into(),
                classification: class,
                item: None,
                readers,
                file: file(1),
            },
        )
        .unwrap();
    match &events[0].event {
        EventKind::DocumentPublished { document } => document.id,
        other => panic!("expected document_published, got {other:?}"),
    }
}

fn sees(actor: Actor, event: &Event) -> bool {
    Viewer::for_actor(&actor).redact(event).is_some()
}

#[test]
fn only_the_secretariat_publishes_and_a_new_version_replaces_the_old() {
    let mut m = Hall::in_session();
    let cmd = Command::PublishDocument {
        title: "Báo cáo".into(),
        classification: Classification::Internal,
        item: None,
        readers: vec![],
        file: file(1),
    };
    for actor in [m.chair(), m.delegate(0), m.projector()] {
        assert_eq!(
            m.run(actor, cmd.clone()).unwrap_err().code(),
            ErrorCode::Forbidden
        );
    }
    let doc = publish(&mut m, Classification::Internal, vec![]);
    let revise = Command::ReviseDocument {
        document: doc,
        file: file(2),
    };
    let events = m.run(m.secretariat(), revise.clone()).unwrap();
    assert_eq!(events.len(), 1);
    let d = m.state.documents.get(doc).unwrap();
    assert_eq!(d.versions.len(), 2);
    assert_eq!(d.current().unwrap().file, file(2));
    assert_eq!(
        d.version(1).unwrap().file,
        file(1),
        "the old version stays in the history"
    );
    assert!(
        m.run(m.secretariat(), revise).unwrap().is_empty(),
        "same file: no-op"
    );
}

#[test]
fn a_delegate_never_sees_a_confidential_document_they_are_not_named_on() {
    let mut m = Hall::in_session();
    let named = m.delegates[0];
    let published = m
        .run(
            m.secretariat(),
            Command::PublishDocument {
                title: "Nhân sự (Mật)".into(),
                classification: Classification::Confidential,
                item: None,
                readers: vec![named],
                file: file(1),
            },
        )
        .unwrap();
    let doc = m.state.documents.list[0].id;
    let withdrawn = m
        .run(m.secretariat(), Command::WithdrawDocument { document: doc })
        .unwrap();
    for event in [&published[0], &withdrawn[0]] {
        assert!(!sees(m.delegate(1), event), "{event:?}");
        assert!(!sees(m.projector(), event));
        assert!(sees(m.delegate(0), event));
        assert!(sees(m.chair(), event));
    }
    let mut m = Hall::in_session();
    let readers = vec![m.delegates[0], m.delegates[2]];
    let doc = publish(&mut m, Classification::Confidential, readers);
    let d1 = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
    assert!(d1.documents.is_empty(), "not named: not even listed");
    let d0 = m.state.view(Viewer::for_actor(&m.delegate(0))).unwrap();
    assert_eq!(d0.documents.len(), 1);
    assert_eq!(
        d0.documents[0].readers,
        vec![m.delegates[0]],
        "only themselves"
    );
    let full = m.state.view(Viewer::for_actor(&m.secretariat())).unwrap();
    assert_eq!(full.documents[0].readers.len(), 2);
    assert_eq!(
        download(&m.state, &m.delegate(1), doc, None).unwrap_err(),
        Denied::Forbidden(
            "this document is confidential (mật) and you are not named among its readers".into()
        )
    );
    assert!(download(&m.state, &m.delegate(2), doc, Some(1)).is_ok());
    assert!(matches!(
        download(&m.state, &m.delegate(2), doc, Some(2)),
        Err(Denied::NotFound(_))
    ));
    assert!(matches!(
        public_download(&m.state, doc, None),
        Err(Denied::NotFound(_))
    ));
}

#[test]
fn closing_the_meeting_recalls_the_confidential_documents_only() {
    let mut m = Hall::in_session();
    let reader = m.delegates[0];
    let secret = publish(&mut m, Classification::Confidential, vec![reader]);
    let internal = publish(&mut m, Classification::Internal, vec![]);
    let public = publish(&mut m, Classification::Public, vec![]);
    let events = m.run(m.chair(), Command::CloseMeeting).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| &e.event).collect();
    assert!(matches!(kinds[0], EventKind::DocumentRecalled { document } if document.id == secret));
    assert!(matches!(
        kinds.last().unwrap(),
        EventKind::MeetingStatusChanged { .. }
    ));
    for actor in [m.delegate(0), m.secretariat(), Actor::Office] {
        assert!(matches!(
            download(&m.state, &actor, secret, None),
            Err(Denied::Gone(_))
        ));
    }
    assert!(download(&m.state, &m.delegate(0), internal, None).is_ok());
    assert!(public_download(&m.state, public, None).is_ok());
    assert_eq!(public_documents(&m.state).count(), 1);
}

#[test]
fn the_secretariat_may_recall_one_confidential_document_but_not_a_public_one() {
    let mut m = Hall::in_session();
    let reader = m.delegates[0];
    let secret = publish(&mut m, Classification::Confidential, vec![reader]);
    let public = publish(&mut m, Classification::Public, vec![]);
    let recall = |document| Command::RecallDocuments {
        document: Some(document),
    };
    assert_eq!(
        m.run(m.secretariat(), recall(public)).unwrap_err().code(),
        ErrorCode::Invalid
    );
    assert_eq!(
        m.run(m.delegate(0), recall(secret)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    assert_eq!(m.run(m.secretariat(), recall(secret)).unwrap().len(), 1);
    assert!(m.run(m.secretariat(), recall(secret)).unwrap().is_empty());
    let d0 = m.state.view(Viewer::for_actor(&m.delegate(0))).unwrap();
    assert_eq!(
        d0.documents.len(),
        1,
        "the recalled one is gone from the tablet's list"
    );
}

#[test]
fn delivery_counts_who_holds_the_current_version() {
    let mut m = Hall::in_session();
    let doc = publish(&mut m, Classification::Internal, vec![]);
    let held = |version| Command::ReportHeld {
        document: doc,
        version,
        sha256: None,
    };
    let e = m.run(m.delegate(0), held(1)).unwrap();
    assert!(
        !sees(m.delegate(1), &e[0]),
        "others' reports are not theirs to see"
    );
    assert!(sees(m.delegate(0), &e[0]));
    assert!(sees(m.chair(), &e[0]));
    assert!(
        m.run(m.delegate(0), held(1)).unwrap().is_empty(),
        "once per version"
    );
    assert_eq!(
        m.run(m.delegate(1), held(2)).unwrap_err().code(),
        ErrorCode::InvalidState
    );
    m.run(m.delegate(0), Command::ReportOpened { document: doc })
        .unwrap();
    assert!(m
        .run(m.delegate(0), Command::ReportOpened { document: doc })
        .unwrap()
        .is_empty());
    assert_eq!(
        m.run(Actor::Office, held(1)).unwrap_err().code(),
        ErrorCode::Forbidden
    );

    let full = m.state.view(Viewer::Full).unwrap();
    let delivery = full.documents[0].delivery.clone().unwrap();
    assert_eq!(delivery.held, vec![m.delegates[0]]);
    assert_eq!(delivery.missing.len(), 9, "the chair and 8 delegates");
    assert_eq!(delivery.opened, vec![m.delegates[0]]);

    let revise = Command::ReviseDocument {
        document: doc,
        file: file(2),
    };
    m.run(m.secretariat(), revise).unwrap();
    let delivery = m.state.view(Viewer::Full).unwrap().documents[0]
        .delivery
        .clone()
        .unwrap();
    assert_eq!(delivery.version, 2);
    assert!(
        delivery.held.is_empty(),
        "a new version must be fetched again"
    );
    assert_eq!(delivery.opened.len(), 1);
}

#[test]
fn bad_files_and_readers_are_refused() {
    let mut m = Hall::in_session();
    let mut publish = |file: DocumentFile, class, readers| {
        m.run(
            m.secretariat(),
            Command::PublishDocument {
                title: "Tài liệu".into(),
                classification: class,
                item: None,
                readers,
                file,
            },
        )
        .map(|_| ())
        .map_err(|e| e.code())
    };
    let internal = Classification::Internal;
    for name in [
        "../etc/passwd",
        "a/b.pdf",
        "a\\b.pdf",
        "",
        ".hidden",
        "x\u{7}.pdf",
    ] {
        let f = DocumentFile {
            file_name: name.into(),
            ..file(1)
        };
        assert_eq!(
            publish(f, internal, vec![]),
            Err(ErrorCode::Invalid),
            "{name:?}"
        );
    }
    let f = DocumentFile {
        sha256: "XYZ".into(),
        ..file(1)
    };
    assert_eq!(publish(f, internal, vec![]), Err(ErrorCode::Invalid));
    let stranger = ParticipantId::new_random();
    assert_eq!(
        publish(file(1), Classification::Confidential, vec![stranger]),
        Err(ErrorCode::NotFound)
    );
    assert_eq!(
        publish(file(1), internal, vec![stranger]),
        Err(ErrorCode::Invalid)
    );
}
