//! The delegate's tablet and the hall's projector in real browsers (headless chromium):
//! join from the badge's URL at 800×1280, read a PDF in the page, vote when the chair
//! opens a poll and see the result on the projector, lose the Wi-Fi and get it back
//! without losing or doubling the ballot; in a secret election the ballot is encrypted in
//! the page, its receipt checked against the published list, and nothing of it is left to
//! the next badge on the same browser; a counting committee member opens the count.

mod sealed_hall;

use meeting_tests::browser::{via, Driver, Page, PROJECTOR, TABLET};
use meeting_tests::files::{upload, Part};
use meeting_tests::relay::Relay;
use meeting_tests::{MeetingFixture, TestHub};
use sealed_hall::NativeMembers;
use serde_json::{json, Value};

/// Runs a command as the office (the secretariat), failing the test on a refusal.
async fn office(hub: &TestHub, m: &MeetingFixture, id: &str, command: Value) -> Value {
    as_token(hub, m, hub.office_token(), id, command).await
}

async fn as_token(
    hub: &TestHub,
    m: &MeetingFixture,
    token: &str,
    id: &str,
    command: Value,
) -> Value {
    let path = format!("/api/v1/meetings/{}/commands", m.id);
    let r = hub
        .post(&path, token, &json!({"id": id, "command": command}))
        .await;
    assert_eq!(r.status, 200, "{id}: {}", r.text());
    r.json()
}

async fn view(hub: &TestHub, m: &MeetingFixture) -> Value {
    let r = hub
        .get(&format!("/api/v1/meetings/{}", m.id), hub.office_token())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["view"].clone()
}

/// A meeting in session with an agenda of three items, the second one current.
async fn congress(hub: &TestHub, delegates: usize) -> (MeetingFixture, Vec<String>) {
    let m = hub.meeting_with(delegates).await;
    let mut items = Vec::new();
    for title in [
        "Khai mạc Đại hội",
        "Báo cáo chính trị của Ban Chấp hành Đảng bộ khóa XIV",
        "Bầu Ban Chấp hành Đảng bộ khóa XV",
    ] {
        let r = hub
            .post(
                &format!("/api/v1/meetings/{}/agenda", m.id),
                hub.office_token(),
                &json!({"title": title, "description": "Trình bày: đồng chí Bí thư"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        items.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    office(hub, &m, "session", json!({"op": "start_session"})).await;
    office(
        hub,
        &m,
        "item-1",
        json!({"op": "start_agenda_item", "item": items[0]}),
    )
    .await;
    office(
        hub,
        &m,
        "item-2",
        json!({"op": "start_agenda_item", "item": items[1]}),
    )
    .await;
    (m, items)
}

async fn create_poll(hub: &TestHub, m: &MeetingFixture, id: &str, poll: Value) -> String {
    office(hub, m, id, json!({"op": "create_poll", "poll": poll})).await;
    let v = view(hub, m).await;
    let poll = v["polls"].as_array().unwrap().last().unwrap()["poll"]["id"].clone();
    poll.as_str().unwrap().to_owned()
}

/// Stores a text file as the office, as the desk does before naming it in a command;
/// returns its SHA-256.
async fn store_file(hub: &TestHub, m: &MeetingFixture, name: &str, text: &str) -> Value {
    let stored = hub
        .request(upload(
            &format!("/api/v1/meetings/{}/files", m.id),
            hub.office_token(),
            &[Part::File("file", name, "text/plain", text.as_bytes())],
        ))
        .await;
    assert_eq!(stored.status, 201, "{}", stored.text());
    stored.json()["sha256"].clone()
}

/// Follows the link `css` from inside the page, with the tablet's own cookie:
/// `[status, body]`.
async fn fetch_link(page: &Page, css: &str) -> Value {
    page.wait_for(css).await;
    page.eval(&format!(
        "const a = document.querySelector('{css}'); \
         return fetch(a.href).then(async (r) => [r.status, await r.text()]);"
    ))
    .await
}

/// Clicks `css` once it is there, from inside the page: the tablet redraws its tabs on
/// every event, and a WebDriver click may land between finding an element and its redraw.
async fn tap(page: &Page, css: &str) {
    page.wait_for(css).await;
    page.eval(&format!("document.querySelector('{css}').click();"))
        .await;
}

async fn join(driver: &Driver, url: &str, size: (u32, u32)) -> Page {
    let page = driver.page(size).await;
    page.goto(url).await;
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_without_a_badge_is_asked_to_scan_one() {
    let hub = TestHub::start().await;
    let driver = Driver::start().await;
    let page = join(&driver, &format!("http://{}/", hub.addr()), TABLET).await;
    let text = page.wait_for("[data-testid=no-badge]").await;
    assert!(text.contains("quét mã QR"), "{text}");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_badge_says_to_ask_the_secretariat() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let driver = Driver::start().await;
    let delegate = &m.delegates[0];
    let page = join(
        &driver,
        &via(&delegate.join_url, hub.addr()).unwrap(),
        TABLET,
    )
    .await;
    page.wait_for("[data-testid=agenda]").await;
    hub.revoke_token(m.id, delegate.id()).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let text = page.wait_for("[data-testid=bad-badge]").await;
    assert!(text.contains("thư ký"), "{text}");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_joins_from_the_badge_and_reads_a_pdf_in_the_page_online_and_off() {
    let hub = TestHub::start().await;
    // Nine badges: a two-page badge sheet, a real PDF with Vietnamese text.
    let (m, items) = congress(&hub, 6).await;
    let pdf = hub
        .get(
            &format!("/api/v1/meetings/{}/badges.pdf", m.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(pdf.status, 200);
    let path = format!("/api/v1/meetings/{}/documents", m.id);
    let r = hub
        .request(upload(
            &path,
            hub.office_token(),
            &[
                Part::Text("title", "Dự thảo Báo cáo chính trị".into()),
                Part::Text("classification", "internal".into()),
                Part::Text("item", items[1].clone()),
                Part::File("file", "Dự thảo.pdf", "application/pdf", &pdf.body),
            ],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    let relay = Relay::start(hub.addr()).await;
    let driver = Driver::start().await;
    let page = join(
        &driver,
        &via(&m.delegates[0].join_url, relay.addr).unwrap(),
        TABLET,
    )
    .await;
    let agenda = page
        .wait_text("[data-testid=agenda]", "the agenda", |t| {
            t.contains("Báo cáo chính trị")
        })
        .await;
    assert!(
        agenda.contains("Bầu Ban Chấp hành Đảng bộ khóa XV"),
        "{agenda}"
    );
    let current = page.wait_for("[aria-current=step]").await;
    assert!(
        current.contains("Báo cáo chính trị"),
        "the current item is marked: {current}"
    );
    let url = page.eval("return location.href").await;
    assert!(
        !url.as_str().unwrap().contains(&m.delegates[0].token),
        "the token leaves the address bar after the join: {url}"
    );
    page.screenshot("delegate-agenda").await;

    page.click("[data-testid=open-document]").await;
    page.wait_for("canvas[data-rendered='1']").await;
    let ink = "const c = document.querySelector('[data-testid=pdf-canvas]');
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
         return [c.width, c.height, dark];";
    let painted = page.eval(ink).await;
    assert!(
        painted[0].as_u64().unwrap() > 300,
        "a page-wide canvas: {painted}"
    );
    assert!(
        painted[2].as_u64().unwrap() > 1000,
        "the page has ink on it: {painted}"
    );
    page.screenshot("delegate-document").await;
    page.click("[data-testid=viewer-next]").await;
    page.wait_for("canvas[data-rendered='2']").await;
    page.wait_text(".page-label", "the page number", |t| t.contains("2/2"))
        .await;

    // The tablet told the hub it holds and opened the document.
    let mut opened = false;
    for _ in 0..50 {
        let v = view(&hub, &m).await;
        let delivery = &v["documents"][0]["delivery"];
        if delivery["opened"].as_array().is_some_and(|o| !o.is_empty()) {
            opened = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(opened, "report_opened reached the hub");
    let held = &view(&hub, &m).await["documents"][0]["delivery"]["held"];
    assert_eq!(
        held,
        &json!([m.delegates[0].id()]),
        "held once verified: {held}"
    );
    // On plain http there is no crypto.subtle: the fallback must hash the same.
    let same = page
        .client
        .execute_async(
            "const done = arguments[0];
             const bytes = new TextEncoder().encode('Đại hội đại biểu');
             Promise.all([
               import('/vendor/js-sha256/sha256.min.mjs').then((m) => m.sha256(bytes)),
               crypto.subtle.digest('SHA-256', bytes).then((d) =>
                 [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('')),
             ]).then(([a, b]) => done([a, b]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(same[0], same[1], "{same}");

    // A comment on page 2 to the secretariat, and a private note.
    page.type_into(
        "[data-testid=comment-text]",
        "Đề nghị bổ sung số liệu trang 2",
    )
    .await;
    page.click("[data-testid=comment-send]").await;
    page.wait_text(".toast", "the comment sent", |t| t.contains("Đã gửi góp ý"))
        .await;
    page.type_into("[data-testid=note-text]", "Hỏi lại số liệu")
        .await;
    page.click("[data-testid=note-save]").await;
    page.wait_text(".toast:last-child", "the note saved", |t| {
        t.contains("Đã lưu ghi chú")
    })
    .await;
    let v = view(&hub, &m).await;
    let comment = &v["comments"][0];
    assert_eq!(comment["page"], 2, "{comment}");
    assert_eq!(
        comment["text"], "Đề nghị bổ sung số liệu trang 2",
        "{comment}"
    );
    let notes = hub
        .get(
            &format!(
                "/api/v1/meetings/{}/participants/{}/notes",
                m.id,
                m.delegates[0].id()
            ),
            &m.delegates[0].token,
        )
        .await
        .json();
    assert_eq!(notes["notes"][0]["text"], "Hỏi lại số liệu", "{notes}");
    assert_eq!(notes["notes"][0]["page"], 2, "{notes}");

    // The Wi-Fi goes: the document already opened still opens, from the tablet's copy.
    page.click("[data-testid=viewer-close]").await;
    relay.go_down();
    page.wait_text("[data-testid=connection]", "offline", |t| {
        t.contains("Mất kết nối")
    })
    .await;
    page.click("[data-testid=open-document]").await;
    page.wait_for("canvas[data-rendered='1']").await;
    let painted = page.eval(ink).await;
    assert!(
        painted[2].as_u64().unwrap() > 1000,
        "read offline: {painted}"
    );

    // English is a choice, and it is remembered.
    page.click("[data-testid=viewer-close]").await;
    relay.restore();
    page.wait_text("[data-testid=connection]", "online", |t| {
        t.contains("Đã kết nối")
    })
    .await;
    page.click("button.lang").await;
    page.wait_text("[data-testid=tab-agenda]", "English", |t| {
        t.contains("Agenda")
    })
    .await;
    page.goto(&format!("http://{}/", relay.addr)).await;
    page.wait_text("[data-testid=tab-agenda]", "English after a reload", |t| {
        t.contains("Agenda")
    })
    .await;
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_votes_when_the_poll_opens_and_the_projector_shows_the_result() {
    let hub = TestHub::start().await;
    let (m, items) = congress(&hub, 2).await;
    let driver = Driver::start().await;
    let projector = join(&driver, &m.projector.join_url, PROJECTOR).await;
    let tablet = join(&driver, &m.delegates[0].join_url, TABLET).await;
    tablet.wait_for("[data-testid=agenda]").await;
    office(
        &hub,
        &m,
        "in-chair",
        json!({"op": "check_in", "participant": m.chair.id()}),
    )
    .await;
    office(
        &hub,
        &m,
        "in-d2",
        json!({"op": "check_in", "participant": m.delegates[1].id()}),
    )
    .await;

    // The hall sees the speaker and the time left.
    office(
        &hub,
        &m,
        "item-3",
        json!({"op": "start_agenda_item", "item": items[2]}),
    )
    .await;
    as_token(
        &hub,
        &m,
        &m.delegates[1].token,
        "ask",
        json!({"op": "request_to_speak"}),
    )
    .await;
    office(&hub, &m, "floor", json!({"op": "give_floor"})).await;
    projector
        .wait_text("[data-testid=proj-clock]", "the countdown", |t| {
            t.starts_with("04:5")
        })
        .await;
    projector.screenshot("projector-speaker").await;
    office(&hub, &m, "end", json!({"op": "end_speech"})).await;

    // The Ban kiểm phiếu: the chair and the second delegate, their devices native.
    let mut committee =
        NativeMembers::name(&hub, &m, &[&m.chair, &m.delegates[1]], &[true, true], 2).await;
    committee.make_key(&hub, &m).await;

    let poll = create_poll(
        &hub,
        &m,
        "poll",
        json!({"title": "Bầu Ban Chấp hành Đảng bộ khóa XV", "item": items[2],
               "kind": {"type": "election", "candidates": ["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường", "Nguyễn Thị Dung"], "seats": 2},
               "secret": true}),
    )
    .await;
    office(&hub, &m, "open", json!({"op": "open_poll", "poll": poll})).await;

    // The panel comes up by itself; a secret ballot's marks are never stored, so a reload
    // forgets a half-filled one.
    tablet.click("[data-testid=option-0]").await;
    tablet.goto(&format!("http://{}/", hub.addr())).await;
    tablet
        .wait_text("[data-testid=option-0]", "the ballot again", |_| true)
        .await;
    let pressed = tablet
        .eval(
            "return document.querySelector('[data-testid=option-0]').getAttribute('aria-pressed')",
        )
        .await;
    assert_eq!(
        pressed, "false",
        "a secret mark is not kept across a reload"
    );
    tablet.click("[data-testid=option-0]").await;
    tablet.click("[data-testid=option-2]").await;
    tablet.screenshot("delegate-vote").await;
    tablet.click("[data-testid=vote-submit]").await;
    tablet.click("[data-testid=confirm-yes]").await;
    tablet.wait_for("[data-testid=vote-recorded]").await;
    let receipt = tablet.wait_for("[data-testid=vote-receipt] strong").await;
    assert_eq!(receipt.len(), 10, "a secret ballot's receipt: {receipt}");
    tablet.screenshot("delegate-receipt").await;
    let stored = tablet
        .eval("return JSON.stringify(Object.fromEntries(Object.entries(localStorage)));")
        .await;
    let stored = stored.as_str().unwrap();
    assert!(stored.contains(&receipt), "the receipt is kept: {stored}");
    assert!(
        !stored.contains("[0,2]"),
        "the marks are not kept anywhere: {stored}"
    );

    projector
        .wait_text("[data-testid=proj-turnout]", "the turnout", |t| {
            t.contains("1/3")
        })
        .await;
    sealed_hall::cast_sealed(&hub, &m, &m.delegates[1], &poll, &[0, 1], 2).await;
    projector
        .wait_text("[data-testid=proj-turnout]", "the turnout", |t| {
            t.contains("2/3")
        })
        .await;
    projector.screenshot("projector-turnout").await;

    office(&hub, &m, "close", json!({"op": "close_poll", "poll": poll})).await;
    // The hall sees the Ban kiểm phiếu open the box, member by member.
    projector
        .wait_text("[data-testid=proj-counting]", "the box closed", |t| {
            t.contains("0/2")
        })
        .await;
    committee.give_share(&hub, &m, 0, &poll).await;
    projector
        .wait_text("[data-testid=proj-counting]", "one member", |t| {
            t.contains("1/2 thành viên")
        })
        .await;
    projector.screenshot("projector-counting").await;
    committee.give_share(&hub, &m, 1, &poll).await;
    office(
        &hub,
        &m,
        "publish",
        json!({"op": "publish_poll", "poll": poll}),
    )
    .await;
    let result = projector
        .wait_text("[data-testid=proj-result]", "the published result", |t| {
            t.contains("Lê Văn An")
        })
        .await;
    assert!(
        result.contains("2 (100 %)"),
        "Lê Văn An has both ballots: {result}"
    );
    assert_eq!(
        projector.count("[data-testid=proj-chart] rect").await,
        4,
        "a bar per candidate"
    );
    projector.screenshot("projector-result").await;

    let v = view(&hub, &m).await;
    let tally = &v["polls"][0]["result"];
    assert_eq!(tally["ballots"], 2, "{tally}");
    assert_eq!(tally["tallies"], json!([2, 1, 1, 0]), "{tally}");

    // The delegate checks the receipt against the published list, on the tablet.
    let published: Vec<&str> = v["polls"][0]["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["receipt"].as_str().unwrap())
        .collect();
    assert!(published.contains(&receipt.as_str()), "{published:?}");
    tap(&tablet, "[data-testid=tab-results]").await;
    let check = tablet
        .wait_text("[data-testid=receipt-check]", "the receipt check", |t| {
            t.contains("có trong danh sách")
        })
        .await;
    assert!(check.contains(&receipt), "{check}");
    let result = tablet.wait_for("[data-testid=result]").await;
    assert!(result.contains("Lê Văn An"), "{result}");
    tablet.screenshot("delegate-receipt-check").await;
    projector.close().await;
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_sent_as_the_wifi_drops_is_recorded_once_after_it_returns() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 1).await;
    let relay = Relay::start(hub.addr()).await;
    let driver = Driver::start().await;
    let tablet = join(
        &driver,
        &via(&m.delegates[0].join_url, relay.addr).unwrap(),
        TABLET,
    )
    .await;
    tablet.wait_for("[data-testid=agenda]").await;
    tablet
        .wait_text("[data-testid=connection]", "online", |t| {
            t.contains("Đã kết nối")
        })
        .await;
    let poll = create_poll(
        &hub,
        &m,
        "poll",
        json!({"title": "Thông qua Nghị quyết Đại hội", "kind": {"type": "motion"}, "quorum": "0/1"}),
    )
    .await;
    office(&hub, &m, "open", json!({"op": "open_poll", "poll": poll})).await;
    tablet.click("[data-testid=option-0]").await;

    // The hub records the ballot but its ack never arrives: the tablet must not claim it.
    relay.swallow_replies(true);
    tablet.click("[data-testid=vote-submit]").await;
    tablet.click("[data-testid=confirm-yes]").await;
    tablet.wait_for("[data-testid=vote-sending]").await;
    relay.go_down();
    tablet
        .wait_text("[data-testid=connection]", "the offline badge", |t| {
            t.contains("Mất kết nối")
        })
        .await;
    assert_eq!(tablet.count("[data-testid=vote-recorded]").await, 0);
    tablet.screenshot("delegate-offline").await;

    relay.restore();
    tablet.wait_for("[data-testid=vote-recorded]").await;
    tablet
        .wait_text("[data-testid=connection]", "online again", |t| {
            t.contains("Đã kết nối")
        })
        .await;

    office(&hub, &m, "close", json!({"op": "close_poll", "poll": poll})).await;
    let v = view(&hub, &m).await;
    let result = &v["polls"][0]["result"];
    assert_eq!(
        result["ballots"], 1,
        "the re-sent ballot counted once: {result}"
    );
    assert_eq!(result["tallies"], json!([1, 0, 0]), "{result}");

    // A ballot cast while the tablet is offline goes out when the link returns.
    let second = create_poll(
        &hub,
        &m,
        "poll-2",
        json!({"title": "Thông qua danh sách Ban Kiểm phiếu", "kind": {"type": "motion"}, "quorum": "0/1"}),
    )
    .await;
    office(
        &hub,
        &m,
        "open-2",
        json!({"op": "open_poll", "poll": second}),
    )
    .await;
    // The first poll's recorded ballot stays on screen beside the second's panel.
    let panel = format!("[data-testid=vote-panel][data-poll='{second}']");
    tablet
        .click(&format!("{panel} [data-testid=option-1]"))
        .await;
    relay.go_down();
    tablet
        .wait_text("[data-testid=connection]", "the offline badge", |t| {
            t.contains("Mất kết nối")
        })
        .await;
    tablet
        .click(&format!("{panel} [data-testid=vote-submit]"))
        .await;
    tablet.click("[data-testid=confirm-yes]").await;
    tablet
        .wait_for(&format!("{panel} [data-testid=vote-sending]"))
        .await;
    relay.restore();
    tablet
        .wait_for(&format!("{panel} [data-testid=vote-recorded]"))
        .await;
    office(
        &hub,
        &m,
        "close-2",
        json!({"op": "close_poll", "poll": second}),
    )
    .await;
    let v = view(&hub, &m).await;
    let result = &v["polls"][1]["result"];
    assert_eq!(result["ballots"], 1, "{result}");
    assert_eq!(result["tallies"], json!([0, 1, 0]), "{result}");
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_asks_to_speak_answers_an_opinion_request_and_hears_announcements() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 2).await;
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 3_600_000;
    // The draft goes with the request as an uploaded file.
    let sha256 = store_file(
        &hub,
        &m,
        "Dự thảo NQ.txt",
        "Dự thảo Nghị quyết về chuyển đổi số",
    )
    .await;
    office(
        &hub,
        &m,
        "ask",
        json!({"op": "create_opinion_request", "title": "Xin ý kiến dự thảo Nghị quyết về chuyển đổi số",
               "questions": ["Đồng ý với dự thảo?", "Đồng ý với lộ trình 2026–2030?"],
               "attachments": [{"name": "Dự thảo NQ.txt", "sha256": sha256}],
               "recipients": [m.delegates[0].id()], "deadline": deadline}),
    )
    .await;
    let driver = Driver::start().await;
    let page = join(&driver, &m.delegates[0].join_url, TABLET).await;
    page.wait_for("[data-testid=agenda]").await;

    // Speaking: ask, see the place in the queue, withdraw.
    page.click("[data-testid=tab-speak]").await;
    page.click("[data-testid=speak-ask]").await;
    page.wait_text("[data-testid=speak]", "the place in the queue", |t| {
        t.contains("vị trí 1")
    })
    .await;
    let v = view(&hub, &m).await;
    assert_eq!(
        v["speakers"]["queue"][0]["participant"],
        json!(m.delegates[0].id())
    );
    page.click("[data-testid=speak-withdraw]").await;
    page.wait_for("[data-testid=speak-ask]").await;

    // A refusal reads in Vietnamese, with the hub's own detail (English) after it, apart.
    let said = page
        .eval(
            "return import('/js/ui.js').then((m) => \
               [m.refusal({code: 'invalid_state', message: 'speaking is closed'}), \
                m.refusal({code: 'no_such_code'})].map((el) => { \
                 const detail = el.querySelector('.refusal-detail'); \
                 return [el.querySelector('.refusal-why').textContent, detail?.textContent ?? null, detail?.lang ?? null]; }));",
        )
        .await;
    assert_eq!(
        said,
        json!([
            [
                "Chưa thể thực hiện ở trạng thái hiện tại.",
                "speaking is closed",
                "en"
            ],
            ["Không thực hiện được.", null, null]
        ])
    );

    // The opinion request: agree to one question, "other" with a comment to the second.
    page.click("[data-testid=tab-opinions]").await;
    // The attached draft opens with the tablet's own cookie.
    assert_eq!(
        fetch_link(&page, "[data-testid=opinion-attachment]").await,
        json!([200, "Dự thảo Nghị quyết về chuyển đổi số"]),
        "the attachment downloads from the tablet"
    );
    page.click("fieldset:nth-of-type(1) input[value=agree]")
        .await;
    page.click("fieldset:nth-of-type(2) input[value=other]")
        .await;
    page.type_into(
        "fieldset:nth-of-type(2) textarea",
        "Đề nghị rút ngắn lộ trình",
    )
    .await;
    page.screenshot("delegate-opinion").await;
    page.click("[data-testid=opinion] button[type=submit]")
        .await;
    page.wait_text("[data-testid=opinion]", "the answer recorded", |t| {
        t.contains("đã trả lời")
    })
    .await;
    let v = view(&hub, &m).await;
    let answers = &v["opinions"][0]["replies"][0]["answers"];
    assert_eq!(answers[0]["choice"], "agree", "{answers}");
    assert_eq!(answers[1]["choice"], "other", "{answers}");
    assert_eq!(
        answers[1]["comment"], "Đề nghị rút ngắn lộ trình",
        "{answers}"
    );

    // An announcement reaches the tablet at once.
    office(
        &hub,
        &m,
        "news",
        json!({"op": "post_announcement", "title": "Thay đổi giờ họp", "text": "Phiên chiều bắt đầu lúc 14:00."}),
    )
    .await;
    page.wait_text(".toast", "the announcement", |t| {
        t.contains("Thay đổi giờ họp")
    })
    .await;
    page.click("[data-testid=tab-news]").await;
    page.wait_text(".content", "the announcements", |t| {
        t.contains("Phiên chiều bắt đầu lúc 14:00.")
    })
    .await;
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_reads_a_forwarded_petition_opens_its_file_and_gives_a_direction() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 2).await;
    let sha256 = store_file(
        &hub,
        &m,
        "Đơn 58.txt",
        "Đơn kiến nghị về bồi thường mở rộng đường",
    )
    .await;
    office(
        &hub,
        &m,
        "register",
        json!({"op": "register_incoming", "kind": "petition", "number": "58/ĐT",
               "sender": "Ông Hoàng Văn Sơn", "subject": "Đơn kiến nghị về bồi thường",
               "file": {"name": "Đơn 58.txt", "sha256": sha256}}),
    )
    .await;
    let item = view(&hub, &m).await["incoming"][0]["id"].clone();

    // A delegate it was not forwarded to has no such tab; the leader gets one once it is.
    let driver = Driver::start().await;
    let other = join(&driver, &m.delegates[1].join_url, TABLET).await;
    other.wait_for("[data-testid=agenda]").await;
    let page = join(&driver, &m.delegates[0].join_url, TABLET).await;
    page.wait_for("[data-testid=agenda]").await;
    assert_eq!(page.count("[data-testid=tab-incoming]").await, 0);
    office(
        &hub,
        &m,
        "forward",
        json!({"op": "forward_incoming", "item": item, "to": [m.delegates[0].id()],
               "note": "Kính chuyển đồng chí cho ý kiến chỉ đạo"}),
    )
    .await;
    page.click("[data-testid=tab-incoming]").await;
    page.wait_text("[data-testid=incoming]", "the petition", |t| {
        t.contains("58/ĐT") && t.contains("Ông Hoàng Văn Sơn")
    })
    .await;
    assert_eq!(
        fetch_link(&page, "[data-testid=incoming-file]").await,
        json!([200, "Đơn kiến nghị về bồi thường mở rộng đường"]),
        "the leader opens the petition's file"
    );
    page.click("[data-testid=incoming-read]").await;
    page.type_into(
        "[data-testid=incoming-item] textarea",
        "Giao UBND huyện kiểm tra, trả lời công dân",
    )
    .await;
    page.click("[data-testid=incoming-direct]").await;
    page.wait_text("[data-testid=incoming]", "the item answered", |t| {
        t.contains("Đã có chỉ đạo")
    })
    .await;
    page.screenshot("delegate-incoming").await;
    let it = &view(&hub, &m).await["incoming"][0];
    assert_eq!(it["status"], "answered", "{it}");
    let actions: Vec<&str> = it["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["registered", "forwarded", "read", "directed"]);
    assert_eq!(
        it["history"][3]["text"],
        "Giao UBND huyện kiểm tra, trả lời công dân"
    );
    assert_eq!(
        other.count("[data-testid=tab-incoming]").await,
        0,
        "the other delegate never hears of it"
    );
    page.close().await;
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_badge_on_the_same_browser_sees_nothing_of_the_first() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 3).await;
    for (n, p) in [&m.chair, &m.delegates[2]].iter().enumerate() {
        office(
            &hub,
            &m,
            &format!("in-{n}"),
            json!({"op": "check_in", "participant": p.id()}),
        )
        .await;
    }
    let mut committee =
        NativeMembers::name(&hub, &m, &[&m.chair, &m.delegates[2]], &[true, true], 2).await;
    committee.make_key(&hub, &m).await;
    let poll = create_poll(
        &hub,
        &m,
        "poll",
        json!({"title": "Bầu Ban Kiểm tra", "kind": {"type": "election", "candidates": ["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường"], "seats": 1},
               "secret": true, "quorum": "0/1"}),
    )
    .await;
    office(&hub, &m, "open", json!({"op": "open_poll", "poll": poll})).await;

    // The first delegate votes on the shared tablet.
    let driver = Driver::start().await;
    let tablet = join(&driver, &m.delegates[0].join_url, TABLET).await;
    tablet.click("[data-testid=option-1]").await;
    tablet.click("[data-testid=vote-submit]").await;
    tablet.click("[data-testid=confirm-yes]").await;
    let receipt = tablet.wait_for("[data-testid=vote-receipt] strong").await;
    // What an older page kept under no badge goes too.
    tablet
        .eval(&format!(
            "localStorage.setItem('hub.ballot.{poll}', JSON.stringify({{choices: [1]}})); \
             localStorage.setItem('hub.receipts', JSON.stringify({{'{poll}': '{receipt}'}}));"
        ))
        .await;
    let first = m.delegates[0].id().to_string();
    let before = tablet
        .eval("return Object.keys(localStorage).join(' ');")
        .await;
    assert!(before.as_str().unwrap().contains(&first), "{before}");

    // The tablet is handed to the next delegate, who joins with their own badge.
    tablet.goto(&m.delegates[1].join_url).await;
    tablet
        .wait_text(".topbar", "the second delegate", |t| {
            t.contains(&m.delegates[1].participant.name)
        })
        .await;
    let panel = tablet.wait_for("[data-testid=vote-panel]").await;
    assert!(!panel.contains(&receipt), "{panel}");
    assert_eq!(tablet.count("[data-testid=vote-recorded]").await, 0);
    assert_eq!(
        tablet
            .count("[data-testid^=option-][aria-pressed=true]")
            .await,
        0,
        "no mark chosen"
    );
    let stored = tablet
        .eval("return JSON.stringify(Object.fromEntries(Object.entries(localStorage)));")
        .await;
    let stored = stored.as_str().unwrap();
    assert!(
        !stored.contains(&first),
        "nothing of the first badge: {stored}"
    );
    assert!(!stored.contains(&receipt), "{stored}");
    assert!(
        !stored.contains("hub.ballot.") && !stored.contains("hub.receipts"),
        "{stored}"
    );

    // After publication the second delegate's results carry no receipt of the first.
    office(&hub, &m, "close", json!({"op": "close_poll", "poll": poll})).await;
    committee.give_share(&hub, &m, 0, &poll).await;
    committee.give_share(&hub, &m, 1, &poll).await;
    office(
        &hub,
        &m,
        "publish",
        json!({"op": "publish_poll", "poll": poll}),
    )
    .await;
    tap(&tablet, "[data-testid=tab-results]").await;
    tablet
        .wait_text("[data-testid=result]", "the result", |t| {
            t.contains("Trần Thị Bình")
        })
        .await;
    assert_eq!(tablet.count("[data-testid=receipt-check]").await, 0);
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_member_makes_the_key_and_opens_the_count_from_the_tablet() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 3).await;
    for (n, p) in [&m.chair, &m.delegates[1], &m.delegates[2]]
        .iter()
        .enumerate()
    {
        office(
            &hub,
            &m,
            &format!("in-{n}"),
            json!({"op": "check_in", "participant": p.id()}),
        )
        .await;
    }
    let driver = Driver::start().await;
    let tablet = join(&driver, &m.delegates[0].join_url, TABLET).await;
    tablet.wait_for("[data-testid=agenda]").await;

    // Member 0 is the browser, members 1 and 2 native devices; 2 of 3 open a count.
    let mut natives = NativeMembers::name(
        &hub,
        &m,
        &[&m.delegates[0], &m.chair, &m.delegates[1]],
        &[false, true, true],
        2,
    )
    .await;
    tap(&tablet, "[data-testid=tab-committee]").await;
    for _ in 0..2 {
        natives.step(&hub, &m).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    // Round 2 is in: the check code is shown, and nothing goes on until it is confirmed.
    let code = tablet.wait_for("[data-testid=committee-code]").await;
    assert!(!code.is_empty());
    tablet.screenshot("committee-check-code").await;
    natives.step(&hub, &m).await;
    assert_eq!(
        natives.check_code(1).as_deref(),
        Some(code.as_str()),
        "the code the members compare aloud is the same on every device"
    );
    tap(&tablet, "[data-testid=committee-code-ok]").await;
    let mut ready = false;
    for _ in 0..40 {
        if natives.step(&hub, &m).await == "ready" {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(ready, "{}", view(&hub, &m).await["committee"]);
    tablet.wait_for("[data-testid=committee-ready]").await;
    assert_eq!(
        tablet.count("[data-testid=committee-key-differs]").await,
        0,
        "the hub's key is the one the members made"
    );
    // The member's secret share, for a printed copy; it never reached the hub.
    tap(&tablet, ".secret-copy summary").await;
    let secret = tablet
        .wait_text("[data-testid=committee-secret]", "the secret's text", |t| {
            t.len() > 20
        })
        .await;
    let everything = view(&hub, &m).await.to_string();
    assert!(!everything.contains(&secret), "the hub never saw the share");

    // A secret motion; the other members vote from native tablets.
    let poll = create_poll(
        &hub,
        &m,
        "poll",
        json!({"title": "Thông qua danh sách trúng cử", "kind": {"type": "motion"}, "secret": true, "quorum": "0/1"}),
    )
    .await;
    office(&hub, &m, "open", json!({"op": "open_poll", "poll": poll})).await;
    sealed_hall::cast_sealed(&hub, &m, &m.chair, &poll, &[0], 1).await;
    sealed_hall::cast_sealed(&hub, &m, &m.delegates[1], &poll, &[1], 2).await;
    sealed_hall::cast_sealed(&hub, &m, &m.delegates[2], &poll, &[0], 3).await;
    office(&hub, &m, "close", json!({"op": "close_poll", "poll": poll})).await;

    // The member checks the box on the tablet and gives a share; one native member more opens it.
    tap(&tablet, "[data-testid=tab-committee]").await;
    tap(&tablet, "[data-testid=committee-open]").await;
    tablet.wait_for("[data-testid=committee-given]").await;
    let b = &view(&hub, &m).await["polls"][0]["sealed_box"];
    assert_eq!(b["opened_by"], json!([m.delegates[0].id()]), "{b}");
    assert!(b["counts"].is_null(), "one share is not enough: {b}");
    natives.give_share(&hub, &m, 1, &poll).await;
    let v = view(&hub, &m).await;
    let result = &v["polls"][0]["result"];
    assert_eq!(result["tallies"], json!([2, 1, 0]), "{result}");
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_open_poll_is_shown_to_the_delegate_and_each_takes_its_ballot() {
    let hub = TestHub::start().await;
    let (m, _) = congress(&hub, 1).await;
    let driver = Driver::start().await;
    let tablet = join(&driver, &m.delegates[0].join_url, TABLET).await;
    tablet.wait_for("[data-testid=agenda]").await;
    let mut polls = Vec::new();
    for (n, title) in [
        "Thông qua Quy chế làm việc",
        "Thông qua Chương trình Đại hội",
    ]
    .iter()
    .enumerate()
    {
        let poll = create_poll(
            &hub,
            &m,
            &format!("poll-{n}"),
            json!({"title": title, "kind": {"type": "motion"}, "quorum": "0/1"}),
        )
        .await;
        office(
            &hub,
            &m,
            &format!("open-{n}"),
            json!({"op": "open_poll", "poll": poll}),
        )
        .await;
        polls.push(poll);
    }
    tablet
        .wait_text(
            "[data-testid=vote-panel]:nth-of-type(2)",
            "the second poll",
            |t| t.contains("Chương trình"),
        )
        .await;
    for (n, poll) in polls.iter().enumerate() {
        let panel = format!("[data-testid=vote-panel][data-poll='{poll}']");
        tablet
            .click(&format!("{panel} [data-testid=option-{n}]"))
            .await;
        tablet
            .click(&format!("{panel} [data-testid=vote-submit]"))
            .await;
        tablet.click("[data-testid=confirm-yes]").await;
        tablet
            .wait_for(&format!("{panel} [data-testid=vote-recorded]"))
            .await;
    }
    for (n, poll) in polls.iter().enumerate() {
        office(
            &hub,
            &m,
            &format!("close-{n}"),
            json!({"op": "close_poll", "poll": poll}),
        )
        .await;
    }
    let v = view(&hub, &m).await;
    assert_eq!(v["polls"][0]["result"]["tallies"], json!([1, 0, 0]));
    assert_eq!(v["polls"][1]["result"]["tallies"], json!([0, 1, 0]));
    tablet.close().await;
}
