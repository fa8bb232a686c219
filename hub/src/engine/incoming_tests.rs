//! Incoming documents and petitions: the workflow, role checks and who sees what.

use crate::engine::testing::*;
use crate::engine::{Actor, Viewer};
use protocol::incoming::{IncomingAction, IncomingKind, IncomingStatus};
use protocol::opinions::Attachment;
use protocol::{Command, ErrorCode, IncomingId, Timestamp};
use uuid::Uuid;

fn registered(m: &mut Hall) -> IncomingId {
    let id = Uuid::new_v4();
    let register = Command::RegisterIncoming {
        kind: IncomingKind::Petition,
        number: "125/ĐT".into(),
        sender: "Ông Nguyễn Văn Bình, xã Tân Lập".into(),
        subject: "Đơn kiến nghị về bồi thường giải phóng mặt bằng".into(),
        file: Some(Attachment {
            name: "don-kien-nghi.pdf".into(),
            sha256: Some("0".repeat(64)),
        }),
    };
    m.run_with_id(m.secretariat(), register, id).unwrap();
    IncomingId(id)
}

fn forward(
    m: &mut Hall,
    item: IncomingId,
    to: &[usize],
) -> Result<Vec<protocol::Event>, crate::engine::EngineError> {
    let to = to.iter().map(|n| m.delegates[*n]).collect();
    let due = Some(Timestamp(m.now().0 + 86_400_000));
    m.run(
        m.secretariat(),
        Command::ForwardIncoming {
            item,
            to,
            due,
            note: "Kính chuyển đồng chí cho ý kiến chỉ đạo".into(),
        },
    )
}

fn direct(
    m: &mut Hall,
    n: usize,
    item: IncomingId,
    text: &str,
) -> Result<Vec<protocol::Event>, crate::engine::EngineError> {
    m.run(
        m.delegate(n),
        Command::DirectIncoming {
            item,
            text: text.into(),
        },
    )
}

#[test]
fn an_item_goes_from_new_to_forwarded_to_answered_to_closed_with_its_history() {
    let mut m = Hall::new();
    let item = registered(&mut m);
    assert_eq!(
        m.state.incoming.get(item).unwrap().status,
        IncomingStatus::New
    );
    forward(&mut m, item, &[0, 1]).unwrap();
    assert_eq!(
        m.state.incoming.get(item).unwrap().status,
        IncomingStatus::Forwarded
    );
    m.run(m.delegate(0), Command::ReadIncoming { item })
        .unwrap();
    assert!(
        m.run(m.delegate(0), Command::ReadIncoming { item })
            .unwrap()
            .is_empty(),
        "read once"
    );
    direct(&mut m, 0, item, "Giao UBND xã kiểm tra, báo cáo").unwrap();
    assert_eq!(
        m.state.incoming.get(item).unwrap().status,
        IncomingStatus::Forwarded,
        "one of two"
    );
    direct(&mut m, 1, item, "Đồng ý").unwrap();
    assert_eq!(
        m.state.incoming.get(item).unwrap().status,
        IncomingStatus::Answered
    );
    m.run(
        m.secretariat(),
        Command::CloseIncoming {
            item,
            note: "Đã trả lời công dân".into(),
        },
    )
    .unwrap();
    let done = m.state.incoming.get(item).unwrap();
    assert_eq!(done.status, IncomingStatus::Closed);
    let steps: Vec<_> = done
        .history
        .iter()
        .map(|e| std::mem::discriminant(&e.action))
        .collect();
    assert_eq!(
        steps.len(),
        6,
        "registered, forwarded, read, directed ×2, closed"
    );
    assert!(matches!(done.history[0].action, IncomingAction::Registered));
    let r = direct(&mut m, 0, item, "thêm");
    assert_eq!(
        r.unwrap_err().code(),
        ErrorCode::InvalidState,
        "closed is final"
    );
}

#[test]
fn only_the_secretariat_registers_forwards_and_closes() {
    let mut m = Hall::new();
    let item = registered(&mut m);
    let register = Command::RegisterIncoming {
        kind: IncomingKind::Document,
        number: String::new(),
        sender: "Tỉnh ủy".into(),
        subject: "Công văn".into(),
        file: None,
    };
    assert_eq!(
        m.run(m.chair(), register).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let to = vec![m.delegates[0]];
    let fwd = Command::ForwardIncoming {
        item,
        to,
        due: None,
        note: String::new(),
    };
    assert_eq!(
        m.run(m.delegate(0), fwd).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let close = Command::CloseIncoming {
        item,
        note: String::new(),
    };
    assert_eq!(
        m.run(m.delegate(0), close).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let to = vec![m.projector_id()];
    let fwd = Command::ForwardIncoming {
        item,
        to,
        due: None,
        note: String::new(),
    };
    assert_eq!(
        m.run(Actor::Office, fwd).unwrap_err().code(),
        ErrorCode::Invalid
    );
}

#[test]
fn only_a_leader_it_was_forwarded_to_reads_and_directs() {
    let mut m = Hall::new();
    let item = registered(&mut m);
    forward(&mut m, item, &[0]).unwrap();
    let seq = m.state.seq;
    assert_eq!(
        direct(&mut m, 1, item, "x").unwrap_err().code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        m.run(m.chair(), Command::ReadIncoming { item })
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    assert_eq!(m.state.seq, seq);
    let unknown = IncomingId(Uuid::new_v4());
    assert_eq!(
        direct(&mut m, 0, unknown, "x").unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn a_leader_sees_only_what_was_forwarded_to_them() {
    let mut m = Hall::new();
    let item = registered(&mut m);
    registered(&mut m);
    let fwd = forward(&mut m, item, &[0]).unwrap();
    let d0 = Viewer::for_actor(&m.delegate(0));
    let d1 = Viewer::for_actor(&m.delegate(1));
    assert!(d0.redact(&fwd[0]).is_some());
    assert!(d1.redact(&fwd[0]).is_none());
    let dir = direct(&mut m, 0, item, "Giao Ban Tổ chức").unwrap();
    assert!(d1.redact(&dir[0]).is_none());
    assert!(Viewer::for_actor(&m.chair()).redact(&dir[0]).is_some());
    let v0 = m.state.view(d0).unwrap();
    assert_eq!(
        v0.incoming.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![item]
    );
    assert!(m.state.view(d1).unwrap().incoming.is_empty());
    assert!(m
        .state
        .view(Viewer::for_actor(&m.projector()))
        .unwrap()
        .incoming
        .is_empty());
    assert_eq!(m.state.view(Viewer::Full).unwrap().incoming.len(), 2);
}
