//! Tests of personnel papers, watermarked copies in delivery, and a recall that tablets
//! confirm (`report_deleted`), also after the meeting closed.

use crate::engine::documents::{download, public_documents, public_download, Denied};
use crate::engine::testing::*;
use crate::engine::{Actor, Viewer};
use protocol::{
    Classification, Command, DocumentFile, DocumentId, ErrorCode, EventKind, ParticipantId,
};

fn file(watermarked: bool) -> DocumentFile {
    DocumentFile {
        file_name: "nhan-su.pdf".into(),
        content_type: "application/pdf".into(),
        size: 2048,
        sha256: "ab".repeat(32),
        signatures: None,
        watermarked,
    }
}

fn publish(
    m: &mut Hall,
    class: Classification,
    readers: Vec<ParticipantId>,
    watermarked: bool,
) -> Result<DocumentId, ErrorCode> {
    let events = m
        .run(
            m.secretariat(),
            Command::PublishDocument {
                title: "Danh sách nhân sự dự kiến".into(),
                classification: class,
                item: None,
                readers,
                file: file(watermarked),
            },
        )
        .map_err(|e| e.code())?;
    match &events[0].event {
        EventKind::DocumentPublished { document } => Ok(document.id),
        other => panic!("expected document_published, got {other:?}"),
    }
}

#[test]
fn personnel_papers_reach_their_named_readers_only_and_never_the_public() {
    let mut m = Hall::in_session();
    let reader = m.delegates[0];
    let doc = publish(&mut m, Classification::Personnel, vec![reader], true).unwrap();
    assert!(download(&m.state, &m.delegate(0), doc, None).is_ok());
    assert!(download(&m.state, &m.secretariat(), doc, None).is_ok());
    let refused = download(&m.state, &m.delegate(1), doc, None).unwrap_err();
    assert!(
        matches!(&refused, Denied::Forbidden(why) if why.contains("nhân sự")),
        "{refused:?}"
    );
    assert!(matches!(
        download(&m.state, &m.chair(), doc, None),
        Err(Denied::Forbidden(_))
    ));
    assert!(matches!(
        public_download(&m.state, doc, None),
        Err(Denied::NotFound(_))
    ));
    assert_eq!(public_documents(&m.state).count(), 0);
    let d1 = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
    assert!(d1.documents.is_empty(), "not named: not even listed");
    // Only confidential and personnel papers are watermarked.
    assert_eq!(
        publish(&mut m, Classification::Internal, vec![], true),
        Err(ErrorCode::Invalid)
    );
    assert_eq!(
        publish(&mut m, Classification::Public, vec![reader], false),
        Err(ErrorCode::Invalid),
        "readers on a public document"
    );
    // Closing recalls them like confidential ones.
    let events = m.run(m.chair(), Command::CloseMeeting).unwrap();
    assert!(events.iter().any(
        |e| matches!(&e.event, EventKind::DocumentRecalled { document } if document.id == doc)
    ));
}

#[test]
fn a_watermarked_copy_is_held_under_its_own_hash_beside_the_originals() {
    let mut m = Hall::in_session();
    let reader = m.delegates[0];
    let doc = publish(&mut m, Classification::Confidential, vec![reader], true).unwrap();
    let copy = "cd".repeat(32);
    let held = |sha256: Option<String>| Command::ReportHeld {
        document: doc,
        version: 1,
        sha256,
    };
    assert_eq!(
        m.run(m.delegate(0), held(Some("nope".into())))
            .unwrap_err()
            .code(),
        ErrorCode::Invalid
    );
    let events = m.run(m.delegate(0), held(Some(copy.clone()))).unwrap();
    assert!(matches!(
        &events[0].event,
        EventKind::DocumentHeld { sha256: Some(s), .. } if *s == copy
    ));
    assert!(m
        .run(m.delegate(0), held(Some(copy.clone())))
        .unwrap()
        .is_empty());
    let full = m.state.view(Viewer::Full).unwrap();
    let delivery = full.documents[0].delivery.clone().unwrap();
    assert_eq!(delivery.held, vec![reader]);
    assert_eq!(delivery.copies.len(), 1);
    assert_eq!(delivery.copies[0].sha256, copy);
    assert_eq!(full.documents[0].versions[0].file.sha256, "ab".repeat(32));

    // A document served as it is: a different hash is a bad copy.
    let plain = publish(&mut m, Classification::Internal, vec![], false).unwrap();
    let wrong = Command::ReportHeld {
        document: plain,
        version: 1,
        sha256: Some(copy),
    };
    assert_eq!(
        m.run(m.delegate(1), wrong).unwrap_err().code(),
        ErrorCode::Invalid
    );
}

#[test]
fn tablets_confirm_a_recall_and_the_desk_sees_who_has_not() {
    let mut m = Hall::in_session();
    let (r0, r1) = (m.delegates[0], m.delegates[1]);
    let doc = publish(&mut m, Classification::Confidential, vec![r0, r1], true).unwrap();
    let deleted = |version| Command::ReportDeleted {
        document: doc,
        version,
    };
    assert_eq!(
        m.run(m.delegate(0), deleted(1)).unwrap_err().code(),
        ErrorCode::InvalidState,
        "a published document is kept"
    );
    let recall = Command::RecallDocuments {
        document: Some(doc),
    };
    m.run(m.secretariat(), recall).unwrap();

    let owed = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
    assert_eq!(owed.to_delete.len(), 1);
    assert_eq!(owed.to_delete[0].document, doc);
    assert!(owed.documents.is_empty(), "gone from the list");
    let stranger = m.state.view(Viewer::for_actor(&m.delegate(2))).unwrap();
    assert!(stranger.to_delete.is_empty(), "never a reader");
    assert_eq!(
        m.run(m.delegate(2), deleted(1)).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        m.run(m.delegate(0), deleted(7)).unwrap_err().code(),
        ErrorCode::Invalid
    );

    let events = m.run(m.delegate(0), deleted(1)).unwrap();
    assert!(
        Viewer::for_actor(&m.delegate(1))
            .redact(&events[0])
            .is_none(),
        "another reader's confirmation is not theirs to see"
    );
    assert!(m.run(m.delegate(0), deleted(1)).unwrap().is_empty());
    let full = m.state.view(Viewer::Full).unwrap();
    let delivery = full.documents[0].delivery.clone().unwrap();
    assert_eq!(delivery.deleted, vec![r0]);
    assert_eq!(delivery.unconfirmed, vec![r1]);
    assert!(delivery.gone_at.is_some());

    // After the close, a tablet that comes back still confirms.
    m.run(m.chair(), Command::CloseMeeting).unwrap();
    m.run(m.delegate(1), deleted(1)).unwrap();
    let delivery = m.state.view(Viewer::Full).unwrap().documents[0]
        .delivery
        .clone()
        .unwrap();
    assert_eq!(delivery.deleted, vec![r0, r1]);
    assert!(delivery.unconfirmed.is_empty());
    assert!(m
        .state
        .view(Viewer::for_actor(&m.delegate(1)))
        .unwrap()
        .to_delete
        .is_empty());
    assert_eq!(
        m.run(m.delegate(1), Command::ReportOpened { document: doc })
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState,
        "nothing else changes after the close"
    );
    assert_eq!(
        m.run(Actor::Office, deleted(1)).unwrap_err().code(),
        ErrorCode::Forbidden
    );
}
