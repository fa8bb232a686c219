//! The office between meetings, on a real hub (issue 18, parts 1–3): a directory imported
//! from CSV, a leader in two bodies who enrols one tablet with a PIN and finds both bodies'
//! meetings on it, enters each as their participant there, votes only with the PIN, locks
//! the tablet with five wrong PINs, is cut off at once when the office revokes it; and a
//! meeting's invitation whose answers (a confirmation, a declared absence) reach the
//! attendance and the minutes.

use meeting_tests::http::Request;
use meeting_tests::tools::pdftotext;
use meeting_tests::{expect_snapshot, guard, Tablet, TestHub};
use protocol::{ClientFrame, Command, CommandId, ErrorCode, HubFrame, MeetingId, PollKind, Role};
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

/// A PIN no timestamp or id in a log would spell by chance.
const PIN: &str = "90417263";

const DIRECTORY: &str = "STT;Họ và tên;Chức vụ;Đơn vị;Điện thoại;Ban\n\
    1;Nguyễn Văn An;Phó Bí thư Tỉnh ủy;Tỉnh ủy;0912 000 111;\"Ban Chấp hành; Ban Thường vụ\"\n\
    2;Trần Thị Bình;Ủy viên Ban Thường vụ;Ủy ban Kiểm tra;;\"Ban Chấp hành| Ban Thường vụ\"\n\
    3;Lê Văn Cường;Tỉnh ủy viên;Sở Tư pháp;;Ban Chấp hành\n";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The directory as imported: each person's id by name, each body's id by name.
struct Directory {
    people: Vec<(String, String)>,
    bodies: Vec<(String, String)>,
}

impl Directory {
    fn person(&self, name: &str) -> &str {
        &self.people.iter().find(|(n, _)| n == name).expect(name).1
    }
    fn body(&self, name: &str) -> &str {
        &self.bodies.iter().find(|(n, _)| n == name).expect(name).1
    }
}

async fn import_directory(hub: &TestHub) -> Directory {
    let office = hub.office_token();
    // A file with bad rows imports nothing and names each bad line.
    let bad = "Họ và tên,Ban\n,Ban Chấp hành\nPhạm Dũng,Ban Chấp hành\n\"Hồ\u{7}Em\",\n";
    let r = hub
        .request(
            Request::new("POST", "/api/v1/office/people/import")
                .bearer(office)
                .body("text/csv", bad),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let lines: Vec<u64> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 4], "{}", r.text());
    let r = hub.get("/api/v1/office/people", office).await;
    assert_eq!(
        r.json()["people"],
        json!([]),
        "a refused import adds nobody"
    );

    let r = hub
        .request(
            Request::new("POST", "/api/v1/office/people/import")
                .bearer(office)
                .body("text/csv", DIRECTORY),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let people: Vec<(String, String)> = r.json()["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(people.len(), 3);
    let r = hub.get("/api/v1/office/bodies", office).await;
    let bodies: Vec<(String, String)> = r.json()["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_owned(),
                b["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(bodies.len(), 2, "{}", r.text());
    let dir = Directory { people, bodies };
    let bch = &r.json()["bodies"][0];
    assert_eq!(bch["name"], "Ban Chấp hành");
    assert_eq!(bch["members"].as_array().unwrap().len(), 3);
    // Only the office keeps the directory.
    let r = hub.get("/api/v1/office/people", "not-a-token").await;
    assert_eq!(r.status, 401);
    dir
}

/// A meeting of `body` starting in `hours`, its members summoned from the directory.
async fn meeting_of(
    hub: &TestHub,
    dir: &Directory,
    body: &str,
    title: &str,
    hours: i64,
) -> MeetingId {
    let r = hub
        .post(
            "/api/v1/meetings",
            hub.office_token(),
            &json!({ "title": title, "starts_at": now_ms() + hours * 3_600_000, "quorum": "1/2" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let meeting: MeetingId = serde_json::from_value(r.json()["id"].clone()).unwrap();
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/summon"),
            hub.office_token(),
            &json!({ "body": dir.body(body) }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let summoned = r.json()["participants"].as_array().unwrap().len();
    assert!(summoned >= 2, "{}", r.text());
    // Summoning the body again adds nobody twice.
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/summon"),
            hub.office_token(),
            &json!({ "body": dir.body(body) }),
        )
        .await;
    assert_eq!(r.json()["participants"], json!([]), "{}", r.text());
    meeting
}

/// Enrols a tablet for `person` with [`PIN`]; returns the device's token and id.
async fn enrol(hub: &TestHub, person: &str) -> (String, String) {
    let r = hub
        .post(
            &format!("/api/v1/office/people/{person}/enrolment"),
            hub.office_token(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["code"].as_str().unwrap().to_owned();
    assert!(r.json()["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/e/{code}")));
    let r = hub
        .request(Request::new("POST", "/api/v1/enrol").json(&json!({ "code": code, "pin": "12a" })))
        .await;
    assert_eq!(r.status, 422, "not a PIN: {}", r.text());
    let r = hub
        .request(Request::new("POST", "/api/v1/enrol").json(&json!({ "code": code, "pin": PIN })))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let device = r.json()["device"].as_str().unwrap().to_owned();
    let again = hub
        .request(Request::new("POST", "/api/v1/enrol").json(&json!({ "code": code, "pin": PIN })))
        .await;
    assert_eq!(
        again.status,
        401,
        "a code enrols one tablet: {}",
        again.text()
    );
    (token, device)
}

/// Sends a command with an optional PIN; returns the ack's seq or the error's code.
async fn command(
    tablet: &mut Tablet,
    id: &str,
    command: Command,
    pin: Option<&str>,
) -> Result<u64, ErrorCode> {
    let id = CommandId::try_from(id).unwrap();
    let frame = ClientFrame::Command {
        id: id.clone(),
        command,
        pin: pin.map(str::to_owned),
    };
    tablet.conn.send(&frame).await.unwrap();
    loop {
        match tablet.frame().await {
            HubFrame::Ack { id: got, seq, .. } if got == id => return Ok(seq),
            HubFrame::Error(e) if e.id.as_ref() == Some(&id) => return Err(e.code),
            _ => {}
        }
    }
}

async fn open_motion(hub: &TestHub, meeting: MeetingId, id: &str, title: &str) -> protocol::PollId {
    let spec = meeting_tests::sealed::spec(title, PollKind::Motion, false);
    meeting_tests::sealed::open_poll(hub, meeting, id, spec).await
}

#[tokio::test]
async fn a_leader_in_two_bodies_enrols_one_tablet_sees_both_and_votes_only_with_the_pin() {
    // The hub program, logging all it may: neither the PIN nor the device's token may show.
    let hub = TestHub::start_process_logging(Some("trace")).await;
    let dir = import_directory(&hub).await;
    let bch = meeting_of(
        &hub,
        &dir,
        "Ban Chấp hành",
        "Hội nghị Ban Chấp hành lần thứ 12",
        20,
    )
    .await;
    let btv = meeting_of(&hub, &dir, "Ban Thường vụ", "Họp Ban Thường vụ tuần 49", 30).await;
    let other = hub.create_meeting("Hội nghị khác").await;
    let an = dir.person("Nguyễn Văn An");
    let (token, device) = enrol(&hub, an).await;

    // The home page lists both bodies' meetings, soonest first.
    let me = hub.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{}", me.text());
    let me = me.json();
    assert_eq!(me["person"]["name"], "Nguyễn Văn An");
    assert_eq!(me["bodies"], json!(["Ban Chấp hành", "Ban Thường vụ"]));
    let titles: Vec<&str> = me["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Hội nghị Ban Chấp hành lần thứ 12",
            "Họp Ban Thường vụ tuần 49"
        ]
    );
    assert_eq!(me["meetings"][0]["body"], "Ban Chấp hành");
    // The office's token has no home page; a badge neither.
    assert_eq!(hub.get("/api/v1/me", hub.office_token()).await.status, 403);

    // The one tablet enters each meeting as An's participant there.
    let mut seen = Vec::new();
    for (meeting, listed) in [(bch, &me["meetings"][0]), (btv, &me["meetings"][1])] {
        let (_tablet, first) = hub.join(&token, Some(meeting)).await;
        let (_, who, _) = expect_snapshot(first);
        assert_eq!(who.meeting, meeting);
        assert_eq!(who.name, "Nguyễn Văn An");
        assert_eq!(
            serde_json::to_value(who.participant).unwrap(),
            listed["participant"]
        );
        seen.push(who.participant);
    }
    assert_ne!(seen[0], seen[1], "one participant per meeting, one person");
    // Not a meeting that summoned An; and a device must say which meeting.
    let (_, first) = hub.join(&token, Some(other)).await;
    assert!(
        matches!(first, HubFrame::Error(ref e) if e.code == ErrorCode::Forbidden),
        "{first:?}"
    );
    let (_, first) = Tablet::join(&hub.ws_url(), &token, None, None).await;
    assert!(
        matches!(first, HubFrame::Error(ref e) if e.code == ErrorCode::Invalid),
        "{first:?}"
    );

    // A ballot from the tablet: refused without the PIN or with a wrong one, counted with it.
    hub.office_command(bch, "open", &Command::OpenMeeting).await;
    hub.office_command(bch, "start", &Command::StartSession)
        .await;
    let poll = open_motion(&hub, bch, "p1", "Thông qua Nghị quyết").await;
    let (mut tablet, first) = hub.join(&token, Some(bch)).await;
    expect_snapshot(first);
    let ballot = || Command::CastBallot {
        poll,
        choices: vec![0],
        on_behalf_of: None,
    };
    assert_eq!(
        command(&mut tablet, "b1", ballot(), None).await,
        Err(ErrorCode::PinRequired)
    );
    assert_eq!(
        command(&mut tablet, "b2", ballot(), Some("1111")).await,
        Err(ErrorCode::PinWrong)
    );
    let (_, view) = hub.meeting_state(bch, hub.office_token()).await;
    assert_eq!(
        view.polls[0].ballots_in, 0,
        "a refused ballot counts nothing"
    );
    command(&mut tablet, "b3", ballot(), Some(PIN))
        .await
        .expect("counted with the PIN");
    let (_, view) = hub.meeting_state(bch, hub.office_token()).await;
    assert_eq!(view.polls[0].ballots_in, 1);
    // REST takes the same rule.
    let poll2 = open_motion(&hub, bch, "p2", "Thông qua Quy chế").await;
    let path = format!("/api/v1/meetings/{bch}/commands");
    let body = |pin: Option<&str>| json!({ "id": "r1", "command": { "op": "cast_ballot", "poll": poll2, "choices": [1] }, "pin": pin });
    let r = hub.post(&path, &token, &body(None)).await;
    assert_eq!(
        r.error_code().as_deref(),
        Some("pin_required"),
        "{}",
        r.text()
    );

    // Five wrong PINs in a row lock the tablet; the right one then helps no more.
    for n in 1..=5 {
        let got = command(
            &mut tablet,
            &format!("w{n}"),
            Command::CastBallot {
                poll: poll2,
                choices: vec![1],
                on_behalf_of: None,
            },
            Some("0000"),
        )
        .await;
        if n < 5 {
            assert_eq!(got, Err(ErrorCode::PinWrong), "try {n}");
        } else {
            assert_eq!(got, Err(ErrorCode::DeviceLocked), "try {n} locks");
        }
    }
    let r = hub.post(&path, &token, &body(Some(PIN))).await;
    assert_eq!(
        r.error_code().as_deref(),
        Some("device_locked"),
        "{}",
        r.text()
    );
    let devices = hub
        .get("/api/v1/office/devices", hub.office_token())
        .await
        .json();
    assert_eq!(devices["devices"][0]["device"]["locked"], true, "{devices}");
    assert_eq!(devices["devices"][0]["name"], "Nguyễn Văn An");
    // The office unlocks it; the right PIN is taken again.
    let r = hub
        .post(
            &format!("/api/v1/office/devices/{device}/unlock"),
            hub.office_token(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = hub.post(&path, &token, &body(Some(PIN))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (_, view) = hub.meeting_state(bch, hub.office_token()).await;
    assert_eq!(view.polls[1].ballots_in, 1);

    // Neither the PIN nor the device's token reaches the hub's log.
    let logs = hub.whole_log();
    assert!(!logs.contains(PIN), "the PIN is in the log");
    assert!(!logs.contains(&token), "the device token is in the log");
}

#[tokio::test]
async fn a_revoked_device_is_cut_off_at_once() {
    let hub = TestHub::start().await;
    let dir = import_directory(&hub).await;
    let meeting = meeting_of(&hub, &dir, "Ban Thường vụ", "Họp Ban Thường vụ", 2).await;
    let (token, device) = enrol(&hub, dir.person("Trần Thị Bình")).await;
    let (mut tablet, first) = hub.join(&token, Some(meeting)).await;
    expect_snapshot(first);

    let r = hub
        .request(
            Request::new("DELETE", &format!("/api/v1/office/devices/{device}"))
                .bearer(hub.office_token()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // The open socket is told why and closed, without waiting for anything else to happen.
    let ending = guard("the revoked device's socket to close", async {
        loop {
            match tablet.next().await {
                Ok(HubFrame::Error(e)) => break Some(e),
                Ok(_) => continue,
                Err(_) => break None,
            }
        }
    })
    .await
    .expect("an error frame before the close");
    assert_eq!(ending.code, ErrorCode::BadToken);
    assert!(tablet.next().await.is_err(), "closed after the error");
    // The token is refused everywhere from now on.
    assert_eq!(hub.get("/api/v1/me", &token).await.status, 401);
    let (_, first) = hub.join(&token, Some(meeting)).await;
    assert!(
        matches!(first, HubFrame::Error(ref e) if e.code == ErrorCode::BadToken),
        "{first:?}"
    );
    let devices = hub
        .get("/api/v1/office/devices", hub.office_token())
        .await
        .json();
    assert_eq!(devices["devices"], json!([]));
    // The person enrols a new tablet.
    let (again, _) = enrol(&hub, dir.person("Trần Thị Bình")).await;
    assert_eq!(hub.get("/api/v1/me", &again).await.status, 200);
}

#[tokio::test]
async fn invitations_and_declared_absences_reach_the_attendance_and_the_minutes() {
    let hub = TestHub::start().await;
    let dir = import_directory(&hub).await;
    let meeting = meeting_of(&hub, &dir, "Ban Thường vụ", "Họp Ban Thường vụ tuần 50", 20).await;
    let (an, _) = enrol(&hub, dir.person("Nguyễn Văn An")).await;
    let (binh, _) = enrol(&hub, dir.person("Trần Thị Bình")).await;
    let answer_path = format!("/api/v1/me/invitations/{meeting}");

    // Not sent yet: nothing to answer.
    let r = hub
        .post(&answer_path, &an, &json!({ "answer": "attending" }))
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/invitation"),
            hub.office_token(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["invited"], 2);

    // A reminder a day before shows on the tablet, with the invitation to answer.
    let me = hub.get("/api/v1/me", &an).await.json();
    assert_eq!(me["meetings"][0]["invited"], true);
    assert_eq!(me["reminders"][0]["hours_before"], 24, "{me}");

    let r = hub
        .post(&answer_path, &an, &json!({ "answer": "attending" }))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = hub
        .post(
            &answer_path,
            &binh,
            &json!({ "answer": "absent", "reason": "  " }),
        )
        .await;
    assert_eq!(r.status, 422, "an absence needs its reason: {}", r.text());
    let reason = "Đi công tác tại Hà Nội";
    let r = hub
        .post(
            &answer_path,
            &binh,
            &json!({ "answer": "absent", "reason": reason }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let me = hub.get("/api/v1/me", &binh).await.json();
    assert_eq!(me["meetings"][0]["answer"]["reason"], reason);
    assert_eq!(
        me["reminders"],
        json!([]),
        "no reminder for a declared absence"
    );

    // The office sees each answer.
    let list = hub
        .get(
            &format!("/api/v1/meetings/{meeting}/invitation"),
            hub.office_token(),
        )
        .await
        .json();
    let answers: Vec<(&str, &str)> = list["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["answer"]["answer"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(answers.contains(&("Nguyễn Văn An", "attending")), "{list}");
    assert!(answers.contains(&("Trần Thị Bình", "absent")), "{list}");

    // The meeting's record holds the absence with its reason, and the minutes print it.
    let (_, view) = hub.meeting_state(meeting, hub.office_token()).await;
    let binh_participant = view
        .participants
        .iter()
        .find(|p| p.name == "Trần Thị Bình")
        .unwrap()
        .id;
    let record = view.record.expect("the secretariat's record view");
    assert_eq!(record.absences.len(), 1);
    assert_eq!(record.absences[0].participant, binh_participant);
    assert_eq!(record.absences[0].reason, reason);
    hub.office_command(meeting, "open", &Command::OpenMeeting)
        .await;
    hub.office_command(meeting, "start", &Command::StartSession)
        .await;
    let (mut t, first) = hub.join(&an, Some(meeting)).await;
    expect_snapshot(first);
    let _ = guard("An's check-in", async {
        loop {
            if let Ok(HubFrame::Event(e)) = t.next().await {
                if matches!(e.event, protocol::EventKind::CheckedIn { .. }) {
                    break;
                }
            }
        }
    })
    .await;
    let (_, view) = hub.meeting_state(meeting, hub.office_token()).await;
    assert_eq!(
        view.attendance.present, 1,
        "An, checked in by joining from the tablet"
    );
    assert_eq!(view.attendance.summoned, 2);
    let r = hub
        .get(
            &format!("/api/v1/meetings/{meeting}/record/minutes.pdf"),
            hub.office_token(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("bien-ban.pdf");
    std::fs::write(&pdf, &r.body).unwrap();
    let text = pdftotext(&pdf);
    for expected in ["Trần Thị Bình", reason] {
        assert!(
            text.contains(expected),
            "the minutes lack {expected:?}:\n{text}"
        );
    }
}

#[tokio::test]
async fn office_routes_refuse_other_tokens_cross_site_cookies_and_oversized_bodies() {
    let hub = TestHub::start().await;
    let dir = import_directory(&hub).await;
    let meeting = meeting_of(&hub, &dir, "Ban Thường vụ", "Họp Ban Thường vụ", 2).await;
    let (device, device_id) = enrol(&hub, dir.person("Lê Văn Cường")).await;
    let badge = hub
        .add_participant(meeting, "Khách mời", protocol::Role::Delegate)
        .await;

    // A device or a badge keeps no directory and revokes nothing.
    for token in [&device, &badge.token] {
        let r = hub
            .post("/api/v1/office/people", token, &json!({ "name": "X" }))
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
        let r = hub
            .request(
                Request::new("DELETE", &format!("/api/v1/office/devices/{device_id}"))
                    .bearer(token),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
    }
    // The office's own cookie, sent by a page of another site, changes nothing.
    let revoke = format!("/api/v1/office/devices/{device_id}");
    let r = hub
        .request(forged("DELETE", &revoke, hub.office_token()))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = hub
        .request(
            forged("POST", "/api/v1/office/people", hub.office_token())
                .json(&json!({ "name": "Kẻ lạ" })),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // Nor may another site enrol this browser (login forgery) or answer an invitation.
    let code = hub
        .post(
            &format!(
                "/api/v1/office/people/{}/enrolment",
                dir.person("Lê Văn Cường")
            ),
            hub.office_token(),
            &json!({}),
        )
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = hub
        .request(
            Request::new("POST", "/api/v1/enrol")
                .header("Origin", "http://evil.example".to_owned())
                .json(&json!({ "code": code, "pin": PIN })),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let answer = format!("/api/v1/me/invitations/{meeting}");
    let r = hub
        .request(forged("POST", &answer, &device).json(&json!({ "answer": "attending" })))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let people = hub
        .get("/api/v1/office/people", hub.office_token())
        .await
        .json();
    assert_eq!(
        people["people"].as_array().unwrap().len(),
        3,
        "nothing added"
    );
    let devices = hub
        .get("/api/v1/office/devices", hub.office_token())
        .await
        .json();
    assert_eq!(
        devices["devices"].as_array().unwrap().len(),
        1,
        "nothing revoked or enrolled"
    );

    // Every body has a bound.
    let long = "a".repeat(70 * 1024);
    let r = hub
        .post(
            "/api/v1/office/people",
            hub.office_token(),
            &json!({ "name": long }),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.status);
    let r = hub
        .post(
            "/api/v1/office/people",
            hub.office_token(),
            &json!({ "name": "a".repeat(201) }),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let r = hub
        .post(
            &format!("/api/v1/me/invitations/{meeting}"),
            &device,
            &json!({ "answer": "absent", "reason": "x".repeat(501) }),
        )
        .await;
    assert_eq!(r.status, 404, "not invited yet: {}", r.text());
}

#[tokio::test]
async fn the_directory_devices_and_answers_survive_a_crash() {
    let mut hub = TestHub::start_process().await;
    let dir = import_directory(&hub).await;
    let meeting = meeting_of(&hub, &dir, "Ban Chấp hành", "Hội nghị Ban Chấp hành", 20).await;
    let (an, _) = enrol(&hub, dir.person("Nguyễn Văn An")).await;
    let (cuong, cuong_device) = enrol(&hub, dir.person("Lê Văn Cường")).await;
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/invitation"),
            hub.office_token(),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = hub
        .post(
            &format!("/api/v1/me/invitations/{meeting}"),
            &an,
            &json!({ "answer": "absent", "reason": "Ốm" }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // Cường's tablet is locked by wrong PINs before the crash.
    hub.office_command(meeting, "open", &Command::OpenMeeting)
        .await;
    hub.office_command(meeting, "start", &Command::StartSession)
        .await;
    let poll = open_motion(&hub, meeting, "p1", "Thông qua Nghị quyết").await;
    let path = format!("/api/v1/meetings/{meeting}/commands");
    for n in 0..5 {
        let body = json!({ "id": format!("w{n}"), "command": { "op": "cast_ballot", "poll": poll, "choices": [0] }, "pin": "0000" });
        hub.post(&path, &cuong, &body).await;
    }
    let calendar = hub.get("/api/v1/calendar?days=7", &an).await;
    assert_eq!(calendar.status, 200, "{}", calendar.text());
    assert!(
        calendar.text().contains("Hội nghị Ban Chấp hành"),
        "{}",
        calendar.text()
    );

    hub.restart().await;
    let me = hub.get("/api/v1/me", &an).await;
    assert_eq!(me.status, 200, "the device's token survives: {}", me.text());
    let me = me.json();
    assert_eq!(me["bodies"], json!(["Ban Chấp hành", "Ban Thường vụ"]));
    assert_eq!(me["meetings"][0]["answer"]["reason"], "Ốm");
    let people = hub
        .get("/api/v1/office/people", hub.office_token())
        .await
        .json();
    assert_eq!(people["people"].as_array().unwrap().len(), 3);
    let devices = hub
        .get("/api/v1/office/devices", hub.office_token())
        .await
        .json();
    let locked: Vec<bool> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["device"]["id"] == cuong_device.as_str())
        .map(|d| d["device"]["locked"].as_bool().unwrap())
        .collect();
    assert_eq!(
        locked,
        vec![true],
        "still locked after the crash: {devices}"
    );
    let body = json!({ "id": "ok", "command": { "op": "cast_ballot", "poll": poll, "choices": [0] }, "pin": PIN });
    let r = hub.post(&path, &cuong, &body).await;
    assert_eq!(
        r.error_code().as_deref(),
        Some("device_locked"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn a_summons_whose_directory_record_was_lost_adds_nobody_twice_and_is_recorded_again() {
    let hub = TestHub::start().await;
    let dir = import_directory(&hub).await;
    let office = hub.office_token();
    let r = hub
        .post(
            "/api/v1/meetings",
            office,
            &json!({ "title": "Hội nghị Ban Chấp hành", "starts_at": now_ms() + 3_600_000, "quorum": "1/2" }),
        )
        .await;
    let meeting: MeetingId = serde_json::from_value(r.json()["id"].clone()).unwrap();
    // A summons is two writes: An is in the meeting, as if the hub had stopped before the
    // directory's record of it.
    let an = dir.person("Nguyễn Văn An");
    let add_an = Command::AddParticipant {
        name: "Nguyễn Văn An".into(),
        position: "Phó Bí thư Tỉnh ủy".into(),
        unit: "Tỉnh ủy".into(),
        role: Role::Chair,
        seat: None,
        person: Some(an.parse().unwrap()),
    };
    let handle = hub
        .app_state()
        .meetings
        .get(meeting)
        .await
        .unwrap()
        .unwrap();
    let first_write = hub::live::Request {
        actor: hub::engine::Actor::Office,
        origin: None,
        steps: vec![(add_an, uuid::Uuid::new_v4())],
        grants: Vec::new(),
        token: None,
        ballot: None,
    };
    handle
        .run(first_write)
        .await
        .expect("An is added to the meeting");
    let invitation = format!("/api/v1/meetings/{meeting}/invitation");
    let listed = hub.get(&invitation, office).await.json();
    assert_eq!(
        listed["people"],
        json!([]),
        "the directory has no record of An"
    );

    // The secretariat summons the whole body again: An is not added a second time.
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/summon"),
            office,
            &json!({ "body": dir.body("Ban Chấp hành") }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let added: Vec<&str> = r.json()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["participant"]["name"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|n| {
            if n.contains("Bình") {
                "Bình"
            } else if n.contains("Cường") {
                "Cường"
            } else {
                "?"
            }
        })
        .collect();
    assert_eq!(added, ["Bình", "Cường"], "{}", r.text());
    let view = hub
        .get(&format!("/api/v1/meetings/{meeting}"), office)
        .await
        .json();
    let ans: Vec<&serde_json::Value> = view["view"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["person"] == an)
        .collect();
    assert_eq!(ans.len(), 1, "An once in the meeting: {view}");
    assert_eq!(ans[0]["role"], "chair");
    // …and the directory now records all three, An as the participant he already was.
    let listed = hub.get(&invitation, office).await.json();
    let people = listed["people"].as_array().unwrap();
    assert_eq!(people.len(), 3, "{listed}");
    let an_listed = people
        .iter()
        .find(|p| p["person"] == an)
        .expect("An is recorded");
    assert_eq!(an_listed["participant"], ans[0]["id"]);
}

/// A request signed in by the cookie alone, sent by a page of another site.
fn forged<'a>(method: &'a str, path: &'a str, token: &str) -> Request<'a> {
    Request::new(method, path)
        .header("Cookie", format!("hub_token={token}"))
        .header("Origin", "http://evil.example".to_owned())
}
