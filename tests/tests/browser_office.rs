//! A person's own tablet in a real browser (headless chromium, 800×1280): it opens the
//! enrolment QR code's URL, sets a PIN, lands on its home page with the meetings of both
//! bodies the person belongs to, enters one, and votes: the PIN is asked before the
//! ballot leaves, a wrong PIN is refused and counts nothing, the right one is counted; the
//! other meeting's reminder reaches the meeting's page once it is due, and stays dismissed.

use meeting_tests::browser::{Driver, TABLET};
use meeting_tests::TestHub;
use serde_json::{json, Value};

const PIN: &str = "482916";

async fn created(hub: &TestHub, path: &str, body: Value) -> Value {
    let r = hub.post(path, hub.office_token(), &body).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text());
    r.json()
}

async fn command(hub: &TestHub, meeting: &str, id: &str, command: Value) {
    let path = format!("/api/v1/meetings/{meeting}/commands");
    let r = hub
        .post(
            &path,
            hub.office_token(),
            &json!({ "id": id, "command": command }),
        )
        .await;
    assert_eq!(r.status, 200, "{id}: {}", r.text());
}

async fn ballots_in(hub: &TestHub, meeting: &str) -> u64 {
    let r = hub
        .get(&format!("/api/v1/meetings/{meeting}"), hub.office_token())
        .await;
    r.json()["view"]["polls"][0]["ballots_in"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_enrols_sees_both_bodies_and_asks_for_the_pin_before_a_vote() {
    let hub = TestHub::start().await;
    let an = created(
        &hub,
        "/api/v1/office/people",
        json!({ "name": "Nguyễn Thị Ánh", "position": "Phó Bí thư Tỉnh ủy", "unit": "Tỉnh ủy" }),
    )
    .await["person"]["id"]
        .clone();
    let mut meetings = Vec::new();
    for (body, title, hours) in [
        (
            "Ban Chấp hành Đảng bộ tỉnh",
            "Hội nghị Ban Chấp hành lần thứ 12",
            2,
        ),
        ("Ban Thường vụ Tỉnh ủy", "Họp Ban Thường vụ tuần 49", 26),
    ] {
        let body = created(
            &hub,
            "/api/v1/office/bodies",
            json!({ "name": body, "members": [an] }),
        )
        .await;
        let starts_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            + hours * 3_600_000;
        let meeting = created(
            &hub,
            "/api/v1/meetings",
            json!({ "title": title, "starts_at": starts_at, "quorum": "1/2" }),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        created(
            &hub,
            &format!("/api/v1/meetings/{meeting}/summon"),
            json!({ "body": body["body"]["id"] }),
        )
        .await;
        meetings.push(meeting);
    }
    let code = created(
        &hub,
        &format!("/api/v1/office/people/{}/enrolment", an.as_str().unwrap()),
        json!({}),
    )
    .await;
    let url = code["url"].as_str().unwrap().to_owned();

    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&url).await;
    page.wait_for("[data-testid=enrol]").await;
    page.screenshot("office-enrol").await;
    // Two different PINs are caught on the page, before anything is sent.
    page.type_into("[data-testid=enrol-pin]", PIN).await;
    page.type_into("[data-testid=enrol-pin2]", "000000").await;
    page.click("[data-testid=enrol-submit]").await;
    page.wait_text("[data-testid=enrol-error]", "the mismatch", |t| {
        t.contains("không khớp")
    })
    .await;
    page.eval("document.querySelector('[data-testid=enrol-pin2]').value = ''; return 1")
        .await;
    page.type_into("[data-testid=enrol-pin2]", PIN).await;
    page.click("[data-testid=enrol-submit]").await;

    // Home: both bodies' meetings, soonest first, and the reminder of the nearer one.
    page.wait_text("[data-testid=home-person]", "the person", |t| {
        t.contains("Nguyễn Thị Ánh")
    })
    .await;
    let listed = page
        .eval("return [...document.querySelectorAll('[data-testid=my-meeting] a')].map((a) => a.textContent)")
        .await;
    assert_eq!(
        listed,
        json!([
            "Hội nghị Ban Chấp hành lần thứ 12",
            "Họp Ban Thường vụ tuần 49"
        ])
    );
    let reminder = page.wait_for("[data-testid=reminder]").await;
    assert!(
        reminder.contains("Hội nghị Ban Chấp hành lần thứ 12"),
        "{reminder}"
    );
    page.screenshot("office-home").await;
    let href = page.eval("return location.href").await;
    assert!(
        !href
            .as_str()
            .unwrap()
            .contains(code["code"].as_str().unwrap()),
        "the code leaves the address bar: {href}"
    );

    // Into the first meeting, as the person's participant there; a poll opens.
    let bch = &meetings[0];
    command(&hub, bch, "open", json!({ "op": "open_meeting" })).await;
    command(&hub, bch, "start", json!({ "op": "start_session" })).await;
    page.click(&format!("[data-testid=open-{bch}]")).await;
    page.wait_for("[data-testid=agenda]").await;
    command(
        &hub,
        bch,
        "poll",
        json!({ "op": "create_poll", "poll": { "title": "Thông qua Nghị quyết", "kind": { "type": "motion" }, "quorum": "0/1" } }),
    )
    .await;
    let poll = hub
        .get(&format!("/api/v1/meetings/{bch}"), hub.office_token())
        .await
        .json()["view"]["polls"][0]["poll"]["id"]
        .clone();
    command(
        &hub,
        bch,
        "open-poll",
        json!({ "op": "open_poll", "poll": poll }),
    )
    .await;

    // The PIN is asked before the ballot leaves; a wrong one is refused and counts nothing.
    page.click("[data-testid=option-0]").await;
    page.click("[data-testid=vote-submit]").await;
    page.click("[data-testid=confirm-yes]").await;
    page.wait_for("[data-testid=pin-dialog]").await;
    page.screenshot("office-pin").await;
    page.type_into("[data-testid=pin-input]", "111111").await;
    page.click("[data-testid=pin-ok]").await;
    page.wait_text(".error", "the wrong PIN's refusal", |t| {
        t.contains("Mã PIN không đúng")
    })
    .await;
    assert_eq!(ballots_in(&hub, bch).await, 0);
    page.click("[data-testid=option-0]").await;
    page.click("[data-testid=vote-submit]").await;
    page.click("[data-testid=confirm-yes]").await;
    page.type_into("[data-testid=pin-input]", PIN).await;
    page.click("[data-testid=pin-ok]").await;
    page.wait_for("[data-testid=vote-recorded]").await;
    assert_eq!(ballots_in(&hub, bch).await, 1);

    // Inside this meeting, the other meeting's reminder comes too once it is due: three
    // hours on, Ban Thường vụ's meeting is 23 hours away, within its 24-hour reminder.
    let checked = ".meeting-reminders[data-checked]";
    page.wait_for(checked).await;
    assert_eq!(
        page.count("[data-testid=meeting-reminder]").await,
        0,
        "nothing due yet"
    );
    hub.advance_clock(std::time::Duration::from_secs(3 * 3600));
    // Loaded again with WebDriver's own navigation, which returns once the new page is.
    let here = page.eval("return location.href").await;
    let here = here.as_str().unwrap().to_owned();
    page.goto(&here).await;
    let reminder = page.wait_for("[data-testid=meeting-reminder]").await;
    assert!(reminder.contains("Họp Ban Thường vụ tuần 49"), "{reminder}");
    page.wait_for("[data-testid=agenda]").await;
    page.screenshot("office-meeting-reminder").await;
    // Dismissed, it stays away on this tablet.
    page.click("[data-testid=meeting-reminder-close]").await;
    page.goto(&here).await;
    page.wait_for("[data-testid=agenda]").await;
    page.wait_for(checked).await;
    assert_eq!(
        page.count("[data-testid=meeting-reminder]").await,
        0,
        "dismissed"
    );

    // The office revokes the tablet: the meeting's page says so at once, and so does home.
    let devices = hub
        .get("/api/v1/office/devices", hub.office_token())
        .await
        .json();
    let device = devices["devices"][0]["device"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = hub
        .request(
            meeting_tests::http::Request::new(
                "DELETE",
                &format!("/api/v1/office/devices/{device}"),
            )
            .bearer(hub.office_token()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    page.wait_for("[data-testid=bad-badge]").await;
    page.goto(&format!("http://{}/home", hub.addr())).await;
    page.wait_for("[data-testid=device-revoked]").await;
    page.screenshot("office-revoked").await;
    let kept = page.eval("return localStorage.getItem('hub.home')").await;
    assert_eq!(
        kept,
        Value::Null,
        "a revoked tablet forgets its person's meetings"
    );
    page.close().await;
}
