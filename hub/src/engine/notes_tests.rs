//! Comments and notes: who may send, who sees, who may read.

use crate::engine::testing::*;
use crate::engine::{may_read_notes, Actor, NoteChange, Viewer};
use protocol::{Command, ErrorCode, NoteId};

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
    let mut m = Hall::new();
    let save = Command::SaveNote {
        note: None,
        document: "Dự thảo".into(),
        page: None,
        text: "Riêng tôi".into(),
    };
    let effects = m.effects(m.delegate(0), save.clone()).unwrap();
    assert!(effects.events.is_empty(), "a note is not an event");
    let [NoteChange::Put { owner, note }] = effects.notes.as_slice() else {
        panic!("{effects:?}")
    };
    let (owner, note) = (*owner, note.clone());
    assert_eq!(owner, m.delegates[0]);
    assert!(m.state.notes.has(owner, note.id), "the index knows it");
    for who in [m.delegate(1), m.chair(), m.secretariat(), Actor::Office] {
        assert_eq!(
            may_read_notes(&who, owner).unwrap_err().code(),
            ErrorCode::Forbidden,
            "{who:?}"
        );
    }
    may_read_notes(&m.delegate(0), owner).unwrap();
    assert_eq!(
        m.effects(Actor::Office, save).unwrap_err().code(),
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
        m.effects(m.delegate(1), edit.clone()).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let delete = Command::DeleteNote {
        note: NoteId::new_random(),
    };
    assert_eq!(
        m.effects(m.delegate(0), delete).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert!(m.effects(m.delegate(0), edit).is_ok());
    let gone = m
        .effects(m.delegate(0), Command::DeleteNote { note: note.id })
        .unwrap();
    assert_eq!(
        gone.notes,
        vec![NoteChange::Delete {
            owner,
            note: note.id
        }]
    );
    assert!(!m.state.notes.has(owner, note.id));
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
    let effects = m.effects(m.delegate(0), save).unwrap();
    assert!(effects.events.is_empty());
    assert_eq!(m.state.seq, seq);
}

fn note(id: Option<NoteId>, text: &str) -> Command {
    Command::SaveNote {
        note: id,
        document: "Dự thảo".into(),
        page: None,
        text: text.into(),
    }
}

#[test]
fn comments_past_a_participants_quota_are_refused_and_others_still_write() {
    let mut m = Hall::new();
    m.state.quotas.comments_per_participant = 2;
    m.state.quotas.comment_bytes_per_participant = 1024;
    m.run(m.delegate(0), comment("Một")).unwrap();
    m.run(m.delegate(0), comment("Hai")).unwrap();
    let seq = m.state.seq;
    let refused = m.run(m.delegate(0), comment("Ba")).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Quota);
    assert!(
        refused
            .to_string()
            .contains("limits.comments_per_participant"),
        "{refused}"
    );
    assert_eq!(m.state.seq, seq, "nothing written");
    m.run(m.delegate(1), comment(&"x".repeat(900))).unwrap();
    let refused = m.run(m.delegate(1), comment(&"x".repeat(200))).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("1 KiB (limits.comment_bytes_per_participant)"),
        "{refused}"
    );
    // The meeting's own bound holds across participants.
    m.state.quotas.comment_bytes_per_meeting = 1500;
    let refused = m.run(m.delegate(2), comment(&"y".repeat(900))).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("limits.comment_bytes_per_meeting"),
        "{refused}"
    );
}

#[test]
fn notes_past_their_quota_are_refused_but_may_always_shrink_or_go() {
    let mut m = Hall::new();
    m.state.quotas.notes_per_participant = 2;
    m.state.quotas.note_bytes_per_participant = 2048;
    let me = m.delegate(0);
    let big = Command::SaveNote {
        note: None,
        document: "d".into(),
        page: None,
        text: "a".repeat(1000),
    };
    m.run(me, big).unwrap();
    let mine = m.state.notes.tally(m.delegates[0]).0;
    assert_eq!((mine.count, mine.bytes), (1, 1001));
    let refused = m.run(me, note(None, &"b".repeat(1100))).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Quota);
    assert!(refused.to_string().contains("2 KiB"), "{refused}");
    let second = match &m.effects(me, note(None, "b")).unwrap().notes[0] {
        NoteChange::Put { note, .. } => note.id,
        other => panic!("{other:?}"),
    };
    let refused = m.run(me, note(None, "c")).unwrap_err();
    assert!(
        refused.to_string().contains("limits.notes_per_participant"),
        "{refused}"
    );
    // A lower limit keeps what is there; shrinking and deleting still work.
    m.state.quotas.note_bytes_per_participant = 10;
    m.run(me, note(Some(second), "")).unwrap();
    m.run(me, Command::DeleteNote { note: second }).unwrap();
    assert_eq!(m.state.notes.tally(m.delegates[0]).0.count, 1);
}
