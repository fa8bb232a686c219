//! Closed meetings on a real hub program: not loaded at start, yet each serves its state,
//! documents and exports on the first request after a restart; the list and the calendar
//! show them without loading them; one left idle is let go of and comes back with every
//! guarantee (re-sent commands, the hash chain); a damaged log is reported when it loads.

use meeting_tests::files::{self, Part};
use meeting_tests::http::Request;
use meeting_tests::{TestHub, TEST_CONFIG};
use protocol::{Classification, Command, MeetingId, PollId, PollKind, PollSpec, Timestamp};
use redb::ReadableTable;
use serde_json::Value;
use std::time::Duration;

/// `/healthz`: every meeting of the hub, and those in memory now.
async fn counts(hub: &TestHub) -> (u64, u64) {
    let h = hub.request(Request::new("GET", "/healthz")).await.json();
    (
        h["meetings"].as_u64().expect("meetings"),
        h["loaded"].as_u64().expect("loaded"),
    )
}

/// 2026-11-23 09:00 in Viet Nam.
const ON_THE_CALENDAR: Timestamp = Timestamp(1_795_399_200_000);

/// A meeting of three delegates with a document, a calendar entry and a published vote
/// (each delegate's ballot recorded by the secretariat), then closed.
struct Closed {
    id: MeetingId,
    document: String,
    poll: PollId,
}

async fn closed_meeting(hub: &TestHub, title: &str) -> Closed {
    let m = hub.meeting_with(3).await;
    let office = |id: &'static str, c: Command| {
        let meeting = m.id;
        async move { hub.office_command(meeting, id, &c).await }
    };
    office("session", Command::StartSession).await;
    office(
        "calendar",
        Command::AddCalendarEvent {
            title: format!("Giao ban sau {title}"),
            starts_at: ON_THE_CALENDAR,
            ends_at: None,
            location: "Phòng họp 2".into(),
            host: String::new(),
        },
    )
    .await;
    let path = format!("/api/v1/meetings/{}/documents", m.id);
    let parts = [
        Part::Text("title", "Dự thảo Nghị quyết".to_owned()),
        Part::Text(
            "classification",
            Classification::Internal.as_str().to_owned(),
        ),
        Part::Text("readers", String::new()),
        Part::File(
            "file",
            "nghi-quyet.pdf",
            "application/pdf",
            b"%PDF-1.7 nghi quyet",
        ),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload: {}", r.text());
    let document = r.json()["document"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    for (n, d) in m.delegates.iter().enumerate() {
        let check_in = Command::CheckIn {
            participant: d.id(),
        };
        hub.office_command(m.id, &format!("in-{n}"), &check_in)
            .await;
    }
    let spec = PollSpec {
        title: "Thông qua Nghị quyết".into(),
        item: None,
        kind: PollKind::Motion,
        secret: false,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    };
    office("poll", Command::CreatePoll { poll: spec }).await;
    let poll = hub.meeting_state(m.id, hub.office_token()).await.1.polls[0]
        .poll
        .id;
    office("open", Command::OpenPoll { poll }).await;
    for (n, d) in m.delegates.iter().enumerate() {
        let ballot = Command::CastBallot {
            poll,
            choices: vec![u32::from(n == 2)],
            on_behalf_of: Some(d.id()),
        };
        hub.office_command(m.id, &format!("ballot-{n}"), &ballot)
            .await;
    }
    office("close-poll", Command::ClosePoll { poll }).await;
    office("publish", Command::PublishPoll { poll }).await;
    office("close", Command::CloseMeeting).await;
    Closed {
        id: m.id,
        document,
        poll,
    }
}

/// What a closed meeting serves: its view, one document's bytes, its vote's CSV.
async fn served(hub: &TestHub, c: &Closed) -> (Value, Vec<u8>, String) {
    let base = format!("/api/v1/meetings/{}", c.id);
    let view = hub.get(&base, hub.office_token()).await;
    assert_eq!(view.status, 200, "{}", view.text());
    let doc = hub
        .get(
            &format!("{base}/documents/{}", c.document),
            hub.office_token(),
        )
        .await;
    assert_eq!(doc.status, 200, "{}", doc.text());
    let csv = hub
        .get(
            &format!("{base}/polls/{}/result.csv", c.poll),
            hub.office_token(),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    (view.json(), doc.body, csv.text())
}

#[tokio::test]
async fn a_closed_meeting_is_not_loaded_at_start_yet_serves_its_state_documents_and_exports() {
    let mut hub = TestHub::start_process().await;
    let closed = closed_meeting(&hub, "kỳ họp tháng 10").await;
    let open = hub.create_meeting("Kỳ họp tháng 11").await;
    let before = served(&hub, &closed).await;
    assert_eq!(before.0["view"]["meeting"]["status"], "closed");

    hub.restart().await;
    assert_eq!(
        counts(&hub).await,
        (2, 1),
        "only the open meeting is loaded at start"
    );

    // The list and the calendar come from the summaries: nothing is loaded for them.
    let list = hub.get("/api/v1/meetings", hub.office_token()).await.json();
    let listed: Vec<(String, String, u64)> = list["meetings"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| {
            (
                m["meeting"]["id"].as_str().unwrap().to_owned(),
                m["meeting"]["status"].as_str().unwrap().to_owned(),
                m["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    let seq = before.0["seq"].as_u64().unwrap();
    assert!(
        listed.contains(&(closed.id.to_string(), "closed".into(), seq)),
        "{list}"
    );
    assert!(
        listed
            .iter()
            .any(|(id, status, _)| *id == open.to_string() && status == "draft"),
        "{list}"
    );
    let calendar = hub
        .get(
            "/api/v1/calendar?from=2026-11-23&days=1",
            hub.office_token(),
        )
        .await;
    assert_eq!(calendar.status, 200, "{}", calendar.text());
    let entries = &calendar.json()["days"][0]["entries"];
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{entries}");
    assert_eq!(entries[0]["meeting"], closed.id.to_string());
    assert_eq!(counts(&hub).await, (2, 1), "listing loaded no meeting");

    let after = served(&hub, &closed).await;
    assert_eq!(
        after, before,
        "the same view, document and export as before the restart"
    );
    assert_eq!(counts(&hub).await, (2, 2), "the first request loaded it");
    assert!(
        hub.whole_log().contains("closed meeting loaded"),
        "{}",
        hub.logs()
    );
}

#[tokio::test]
async fn an_idle_closed_meeting_is_let_go_of_and_comes_back_with_its_guarantees() {
    let mut hub = TestHub::start_process().await;
    std::fs::write(
        hub.data_dir().join(TEST_CONFIG),
        "[limits]\nclosed_meeting_idle_secs = 1\n",
    )
    .unwrap();
    hub.restart().await;
    let closed = closed_meeting(&hub, "kỳ họp tháng 9").await;
    // A closed meeting still takes the minutes' records.
    let notes = |text: &str| Command::SetMinutesNotes { text: text.into() };
    let first = hub
        .office_command(closed.id, "notes-1", &notes("Ghi chú 1"))
        .await;

    let mut waited = Duration::ZERO;
    while counts(&hub).await != (1, 0) {
        assert!(
            waited < Duration::from_secs(30),
            "the idle closed meeting was never let go of"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    // Re-sent after it was let go of: the first answer, not a second event.
    let again = hub
        .office_command(closed.id, "notes-1", &notes("Ghi chú 1"))
        .await;
    assert_eq!(again, first, "a re-sent command gets its first seq");
    assert_eq!(counts(&hub).await, (1, 1), "the request loaded it again");
    let next = hub
        .office_command(closed.id, "notes-2", &notes("Ghi chú 2"))
        .await;
    assert_eq!(next, first + 1, "nothing was applied twice");

    // A restart checks the chain the reloaded task continued.
    hub.restart().await;
    let view = hub
        .get(
            &format!("/api/v1/meetings/{}", closed.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.text());
    assert_eq!(view.json()["seq"].as_u64(), Some(next));
}

/// Changes the time of event `seq` of `meeting` in the stopped hub's database: valid JSON,
/// a broken hash chain.
fn tamper(data: &std::path::Path, meeting: MeetingId, seq: u64) {
    let events: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("events");
    let db = redb::Database::open(data.join("hub.redb")).expect("the database");
    let mut key = meeting.as_bytes().to_vec();
    key.extend_from_slice(&seq.to_be_bytes());
    let txn = db.begin_write().unwrap();
    {
        let mut table = txn.open_table(events).unwrap();
        let mut record: Value = {
            let value = table.get(&key[..]).unwrap().expect("the event");
            serde_json::from_slice(value.value()).unwrap()
        };
        let at = record["event"]["at"].as_i64().unwrap();
        record["event"]["at"] = (at + 1).into();
        table
            .insert(&key[..], &serde_json::to_vec(&record).unwrap()[..])
            .unwrap();
    }
    txn.commit().unwrap();
}

#[tokio::test]
async fn a_damaged_log_of_a_closed_meeting_is_reported_when_it_loads() {
    let mut hub = TestHub::start_process().await;
    let damaged = closed_meeting(&hub, "kỳ họp tháng 8").await;
    let sound = closed_meeting(&hub, "kỳ họp tháng 7").await;
    hub.stop().await;
    tamper(hub.data_dir(), damaged.id, 3);
    hub.restart().await;
    assert_eq!(
        counts(&hub).await,
        (2, 0),
        "the hub starts; neither is loaded"
    );

    let path = format!("/api/v1/meetings/{}", damaged.id);
    for _ in 0..2 {
        let r = hub.get(&path, hub.office_token()).await;
        assert_eq!(
            (r.status, r.error_code().as_deref()),
            (500, Some("internal")),
            "{}",
            r.text()
        );
    }
    let log = hub.whole_log();
    assert!(
        log.contains("hash chain mismatch") && log.contains(&damaged.id.to_string()),
        "the hub's log names the meeting and the damage: {}",
        hub.logs()
    );
    assert_eq!(
        counts(&hub).await,
        (2, 0),
        "the damaged meeting stays unloaded"
    );
    served(&hub, &sound).await;
    let list = hub.get("/api/v1/meetings", hub.office_token()).await.json();
    assert_eq!(list["meetings"].as_array().map(Vec::len), Some(2), "{list}");
}
