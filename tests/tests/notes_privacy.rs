//! Private notes on a real hub: what one delegate writes is never in any frame, snapshot,
//! resume or REST answer another participant receives, chair and secretariat included;
//! the author gets it on every tablet, live and after a change of tablet or a restart.

use meeting_tests::{guard, Tablet, TestHub};
use protocol::{Command, EventKind, HubFrame, NoteId};

const SECRET: &str = "GHI-CHU-RIENG-7f3a: hỏi lại số liệu trang 12";
const SECRET_EDITED: &str = "GHI-CHU-RIENG-7f3a: đã hỏi, chờ trả lời";
/// What both versions of the note share: no other participant may ever see it.
const MARK: &str = "GHI-CHU-RIENG-7f3a";

/// Every frame the connection receives, as JSON text, until an event that `stop` accepts.
async fn frames_until(tablet: &mut Tablet, stop: impl Fn(&EventKind) -> bool) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let frame = guard("a frame", tablet.conn.recv()).await.expect("a frame");
        seen.push(serde_json::to_string(&frame).unwrap());
        if let HubFrame::Event(e) = &frame {
            if stop(&e.event) {
                return seen;
            }
        }
    }
}

fn sentinel(title: &str) -> impl Fn(&EventKind) -> bool + '_ {
    move |e| matches!(e, EventKind::AgendaItemAdded { item } if item.title == title)
}

fn assert_clean(who: &str, frames: &[String]) {
    for f in frames {
        assert!(!f.contains(MARK), "{who} received the note: {f}");
    }
}

async fn add_item(hub: &TestHub, meeting: protocol::MeetingId, title: &str) {
    let add = Command::AddAgendaItem {
        title: title.into(),
        description: String::new(),
    };
    hub.office_command(meeting, "sentinel-item", &add).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_never_reaches_another_participant() {
    let mut hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let author = &m.delegates[0];
    let others = [
        ("chair", m.chair.token.clone(), None),
        ("secretariat", m.secretariat.token.clone(), None),
        ("projector", m.projector.token.clone(), None),
        ("another delegate", m.delegates[1].token.clone(), None),
        ("office", hub.office_token().to_owned(), Some(m.id)),
    ];
    let mut watching = Vec::new();
    for (who, token, meeting) in &others {
        let (tablet, first) = Tablet::join(&hub.ws_url(), token, None, *meeting).await;
        assert_clean(who, &[serde_json::to_string(&first).unwrap()]);
        watching.push((*who, tablet));
    }
    let (mut pen, _) = hub.join(&author.token, None).await;
    let (mut second, _) = hub.join(&author.token, None).await;

    pen.ok(
        "note-1",
        Command::SaveNote {
            note: None,
            document: "Dự thảo Báo cáo chính trị".into(),
            page: Some(12),
            text: SECRET.into(),
        },
    )
    .await;
    let id: NoteId = loop {
        if let Some(HubFrame::Notes { notes, .. }) = pen.notes.last() {
            if let Some(n) = notes.first() {
                break n.id;
            }
        }
        pen.assert_alive().await;
    };
    pen.ok(
        "note-2",
        Command::SaveNote {
            note: Some(id),
            document: "Dự thảo Báo cáo chính trị".into(),
            page: Some(12),
            text: SECRET_EDITED.into(),
        },
    )
    .await;
    pen.ok(
        "comment",
        Command::SendDocumentComment {
            document: "Dự thảo Báo cáo chính trị".into(),
            page: Some(12),
            text: "Đề nghị làm rõ số liệu tăng trưởng".into(),
        },
    )
    .await;
    add_item(&hub, m.id, "Moc 1").await;

    // Live: the author's other tablet hears of the note; nobody else does.
    let mine = frames_until(&mut second, sentinel("Moc 1")).await;
    assert!(
        mine.iter().any(|f| f.contains(SECRET_EDITED)),
        "the author's second tablet"
    );
    for (who, tablet) in &mut watching {
        let frames = frames_until(tablet, sentinel("Moc 1")).await;
        assert_clean(who, &frames);
        let comment = frames.iter().any(|f| f.contains("Đề nghị làm rõ"));
        let sees_comments = matches!(*who, "chair" | "secretariat" | "office");
        assert_eq!(comment, sees_comments, "{who} and the comment");
    }

    // A snapshot and a resume from the very start, for everyone else.
    let (seq_now, _) = hub.meeting_state(m.id, hub.office_token()).await;
    for (who, token, meeting) in &others {
        let (mut fresh, first) = Tablet::join(&hub.ws_url(), token, None, *meeting).await;
        let mut frames = vec![serde_json::to_string(&first).unwrap()];
        fresh.assert_alive().await;
        frames.extend(
            fresh
                .notes
                .iter()
                .map(|f| serde_json::to_string(f).unwrap()),
        );
        assert_clean(who, &frames);
        let (mut resumed, first) = Tablet::join(&hub.ws_url(), token, Some(0), *meeting).await;
        assert!(
            matches!(first, HubFrame::Resumed { seq, .. } if seq == seq_now),
            "{first:?}"
        );
        let mut frames = vec![serde_json::to_string(&first).unwrap()];
        while resumed.follower.last_seq() < seq_now {
            let f = guard("a resumed frame", resumed.conn.recv()).await.unwrap();
            resumed.follower.observe(&f).unwrap();
            frames.push(serde_json::to_string(&f).unwrap());
        }
        assert_clean(who, &frames);
    }

    // REST: the view for each, and the author's notes refused to everyone but the author.
    let path = format!(
        "/api/v1/meetings/{}/participants/{}/notes",
        m.id,
        author.id()
    );
    for (who, token, _) in &others {
        let view = hub.get(&format!("/api/v1/meetings/{}", m.id), token).await;
        assert_eq!(view.status, 200);
        assert!(!view.text().contains(MARK), "{who}'s view");
        for export in [
            format!("/api/v1/meetings/{}/speakers.csv", m.id),
            "/api/v1/calendar".to_owned(),
        ] {
            let r = hub.get(&export, token).await;
            assert_eq!(r.status, 200, "{who}: {export}");
            assert!(!r.text().contains(MARK), "{who}'s {export}");
        }
        let notes = hub.get(&path, token).await;
        assert_eq!(
            (notes.status, notes.error_code().as_deref()),
            (403, Some("forbidden")),
            "{who}"
        );
        assert!(!notes.text().contains(MARK));
    }
    let own = hub.get(&path, &author.token).await;
    assert_eq!(own.status, 200);
    assert!(own.text().contains(SECRET_EDITED) && !own.text().contains(SECRET));

    // A change of tablet, and a restart: the note is still the author's.
    hub.restart().await;
    let (mut new_tablet, _) = hub.join(&author.token, None).await;
    new_tablet.assert_alive().await;
    let notes: Vec<_> = new_tablet
        .notes
        .iter()
        .filter_map(|f| match f {
            HubFrame::Notes {
                replace: true,
                notes,
                ..
            } => Some(notes.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1, "one full list after hello");
    assert_eq!(notes[0].len(), 1);
    assert_eq!(
        (notes[0][0].id, notes[0][0].text.as_str()),
        (id, SECRET_EDITED)
    );
    new_tablet
        .ok("delete", Command::DeleteNote { note: id })
        .await;
    let own = hub.get(&path, &author.token).await;
    assert!(!own.text().contains(MARK), "deleted");
}
