//! Comments and notes: who may send, who sees, who may read.

use crate::engine::testing::*;
use crate::engine::{decide_note, may_read_notes, Actor, Ctx, NoteChange, Viewer};
use protocol::{Command, ErrorCode, NoteId, Timestamp};
use uuid::Uuid;

fn comment(text: &str) -> Command {
    Command::SendDocumentComment {
        document: "Dự thảo Báo cáo chính trị".into(),
        page: Some(3),
        text: text.into(),
    }
}

#[test]
fn a_comment_reaches_its_author_the_secretariat_and_the_chair_only() {
    let mut m = Hall::new();
    let events = m
        .run(m.delegate(0), comment("Đề nghị bổ sung số liệu"))
        .unwrap();
    for who in [m.delegate(0), m.secretariat(), m.chair()] {
        assert!(
            Viewer::for_actor(&who).redact(&events[0]).is_some(),
            "{who:?}"
        );
    }
    for who in [m.delegate(1), m.projector()] {
        assert!(
            Viewer::for_actor(&who).redact(&events[0]).is_none(),
            "{who:?}"
        );
        assert!(m
            .state
            .view(Viewer::for_actor(&who))
            .unwrap()
            .comments
            .is_empty());
    }
    let full = m.state.view(Viewer::for_actor(&m.secretariat())).unwrap();
    assert_eq!(full.comments[0].participant, m.delegates[0]);
    assert_eq!(full.comments[0].page, Some(3));
}

#[test]
fn comments_come_from_members_and_say_something() {
    let mut m = Hall::new();
    let r = m.run(m.projector(), comment("x"));
    assert_eq!(r.unwrap_err().code(), ErrorCode::Forbidden);
    let r = m.run(m.delegate(0), comment("  "));
    assert_eq!(r.unwrap_err().code(), ErrorCode::Invalid);
    let page0 = Command::SendDocumentComment {
        document: "Dự thảo".into(),
        page: Some(0),
        text: "x".into(),
    };
    assert_eq!(
        m.run(m.delegate(0), page0).unwrap_err().code(),
        ErrorCode::Invalid
    );
}

#[test]
fn a_note_is_its_authors_alone() {
    let m = Hall::new();
    let ctx = Ctx {
        now: Timestamp(5),
        new_id: Uuid::new_v4(),
    };
    let save = Command::SaveNote {
        note: None,
        document: "Dự thảo".into(),
        page: None,
        text: "Riêng tôi".into(),
    };
    let change = decide_note(&m.delegate(0), None, &save, &ctx).unwrap();
    let NoteChange::Put { owner, note } = &change else {
        panic!("{change:?}")
    };
    assert_eq!(*owner, m.delegates[0]);
    for who in [m.delegate(1), m.chair(), m.secretariat(), Actor::Office] {
        assert_eq!(
            may_read_notes(&who, *owner).unwrap_err().code(),
            ErrorCode::Forbidden,
            "{who:?}"
        );
    }
    may_read_notes(&m.delegate(0), *owner).unwrap();
    assert_eq!(
        decide_note(&Actor::Office, None, &save, &ctx)
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden,
        "the office token has no notes"
    );
    // Naming a note one does not have (another's, looked up under one's own key, is none).
    let edit = Command::SaveNote {
        note: Some(note.id),
        document: "Dự thảo".into(),
        page: None,
        text: "sửa".into(),
    };
    assert_eq!(
        decide_note(&m.delegate(1), None, &edit, &ctx)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    let delete = Command::DeleteNote {
        note: NoteId::new_random(),
    };
    assert_eq!(
        decide_note(&m.delegate(0), Some(note), &delete, &ctx)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert!(decide_note(&m.delegate(0), Some(note), &edit, &ctx).is_ok());
}

#[test]
fn notes_never_enter_the_log() {
    let mut m = Hall::new();
    let save = Command::SaveNote {
        note: None,
        document: "Dự thảo".into(),
        page: None,
        text: "x".into(),
    };
    let seq = m.state.seq;
    assert_eq!(
        m.run(m.delegate(0), save).unwrap_err().code(),
        ErrorCode::Invalid
    );
    assert_eq!(m.state.seq, seq);
}
