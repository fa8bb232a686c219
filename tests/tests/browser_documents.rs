//! The delegate's documents in a real browser (headless chromium): fetched ahead after
//! joining, so a document never opened still reads with the network cut; a recalled one
//! closed on screen at once, deleted from the tablet and confirmed to the hub, as a native
//! tablet confirms it too, and the desk shows who did. The verdict on each signature is
//! shown beside the title.

#[path = "../../pdf-trust/tests/common/mod.rs"]
#[allow(unused_imports)]
mod pki;

use meeting_tests::browser::{via, Driver, Page, TABLET};
use meeting_tests::files::{upload, Part};
use meeting_tests::native::run_tablet;
use meeting_tests::relay::Relay;
use meeting_tests::{MeetingFixture, TestHub, TEST_CONFIG};
use serde_json::{json, Value};
use std::time::Duration;

/// The desk's window: a laptop at the secretariat's table.
const DESK: (u32, u32) = (1366, 900);

/// A meeting in session with one agenda item, on a hub that trusts the test PKI's root.
async fn meeting(pki: &pki::Pki) -> (TestHub, MeetingFixture, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = pki.root.cert_pem.display().to_string();
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        format!("[documents]\ntrust_anchors = [{root:?}]\n"),
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(2).await;
    let r = hub
        .post(
            &format!("/api/v1/meetings/{}/agenda", m.id),
            hub.office_token(),
            &json!({"title": "Thảo luận Báo cáo chính trị", "description": ""}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let item = r.json()["id"].as_str().unwrap().to_owned();
    hub.office_command(m.id, "session", &protocol::Command::StartSession)
        .await;
    (hub, m, item)
}

async fn publish(
    hub: &TestHub,
    m: &MeetingFixture,
    item: &str,
    title: &str,
    class: &str,
    readers: &[String],
    pdf: &[u8],
) -> String {
    let path = format!("/api/v1/meetings/{}/documents", m.id);
    let r = hub
        .request(upload(
            &path,
            hub.office_token(),
            &[
                Part::Text("title", title.into()),
                Part::Text("classification", class.into()),
                Part::Text("item", item.into()),
                Part::Text("readers", readers.join(",")),
                Part::File("file", &format!("{title}.pdf"), "application/pdf", pdf),
            ],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["document"]["id"].as_str().unwrap().to_owned()
}

async fn delivery(hub: &TestHub, m: &MeetingFixture, doc: &str) -> Value {
    let r = hub
        .get(
            &format!("/api/v1/meetings/{}/documents/{doc}/delivery", m.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["delivery"].clone()
}

/// Waits until the delivery of `doc` satisfies `ok`.
async fn delivery_until(
    hub: &TestHub,
    m: &MeetingFixture,
    doc: &str,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + meeting_tests::GUARD;
    loop {
        let d = delivery(hub, m, doc).await;
        if ok(&d) {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {d}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Collects the page's uncaught errors, so closing the viewer can be seen not to throw.
async fn watch_errors(page: &Page) {
    page.eval(
        "window.__errors = [];
         addEventListener('error', (e) => window.__errors.push(String(e.message)));
         addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)));",
    )
    .await;
}

/// Clicks `css` once it is there, from inside the page: the tablet redraws its document
/// list on every event, and a WebDriver click may land between finding an element and its
/// redraw.
async fn tap(page: &Page, css: &str) {
    page.wait_for(css).await;
    page.eval(&format!("document.querySelector(\"{css}\").click();"))
        .await;
}

const INK: &str = "const c = document.querySelector('[data-testid=pdf-canvas]');
     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
     let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
     return dark;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn papers_are_fetched_ahead_so_one_never_opened_reads_with_the_network_cut() {
    let pki = pki::Pki::new();
    let (hub, m, item) = meeting(&pki).await;
    let me = &m.delegates[0];
    let signed = publish(
        &hub,
        &m,
        &item,
        "Nghị quyết Đại hội (đã ký số)",
        "internal",
        &[],
        &pki::signed_by(&pki, &pki.signer),
    )
    .await;
    let report = publish(
        &hub,
        &m,
        &item,
        "Báo cáo chính trị",
        "internal",
        &[],
        &pki::unsigned_pdf(3, 0),
    )
    .await;
    let secret = publish(
        &hub,
        &m,
        &item,
        "Phương án nhân sự",
        "personnel",
        &[me.id().to_string()],
        &pki::unsigned_pdf(1, 0),
    )
    .await;

    let relay = Relay::start(hub.addr()).await;
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&via(&me.join_url, relay.addr).unwrap()).await;
    let ahead = page
        .wait_text(
            "[data-testid=prefetch-status]",
            "every paper fetched ahead",
            |t| t.contains("3/3") && !t.contains("Đang tải"),
        )
        .await;
    assert!(ahead.contains("200 MB"), "the budget is shown: {ahead}");
    // Held, truthfully, and none opened: the delegate has not touched them.
    for doc in [&signed, &report, &secret] {
        let d = delivery_until(&hub, &m, doc, "held reports", |d| {
            d["held"] == json!([me.id()])
        })
        .await;
        assert_eq!(d["opened"], json!([]), "{d}");
    }
    let copy = &delivery(&hub, &m, &secret).await["copies"][0];
    assert_eq!(
        copy["participant"],
        json!(me.id()),
        "the watermarked copy's own hash: {copy}"
    );
    let verdict = page
        .wait_for(&format!(
            "[data-document='{signed}'] + .doc-meta [data-testid=verdict]"
        ))
        .await;
    assert!(
        verdict.contains("Chữ ký số hợp lệ") && verdict.contains("Nguyễn Thị Hường"),
        "{verdict}"
    );
    page.screenshot("delegate-documents-signed").await;

    // The Wi-Fi goes; a paper never opened opens from the tablet's own copy.
    relay.go_down();
    page.wait_text("[data-testid=connection]", "offline", |t| {
        t.contains("Mất kết nối")
    })
    .await;
    watch_errors(&page).await;
    tap(&page, &format!("[data-document='{report}']")).await;
    page.wait_for("canvas[data-rendered='1']").await;
    let dark = page.eval(INK).await;
    assert!(dark.as_u64().unwrap() > 500, "read offline: {dark}");
    page.click("[data-testid=viewer-close]").await;
    assert_eq!(page.count("[data-testid=viewer]").await, 0);
    // Closing frees the document without throwing, and Escape no longer reaches it.
    let errors = page.eval("return window.__errors;").await;
    assert_eq!(errors, json!([]), "closing the viewer threw: {errors}");
    relay.restore();
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recall_is_confirmed_by_a_browser_tablet_and_a_native_tablet_and_the_desk_shows_it() {
    let pki = pki::Pki::new();
    let (hub, m, item) = meeting(&pki).await;
    let (browser, native) = (&m.delegates[0], &m.delegates[1]);
    let secret = publish(
        &hub,
        &m,
        &item,
        "Phương án nhân sự (Mật)",
        "confidential",
        &[browser.id().to_string(), native.id().to_string()],
        &pki::signed_by(&pki, &pki.signer),
    )
    .await;

    // The native tablet holds its watermarked copy.
    let profile = tempfile::tempdir().unwrap();
    let joined = run_tablet(profile.path(), &["join", &native.join_url]).await;
    assert!(joined.status.success(), "{joined:?}");
    let synced = run_tablet(profile.path(), &["sync"]).await;
    let out = String::from_utf8_lossy(&synced.stdout).into_owned();
    assert!(
        synced.status.success() && out.contains("1 of 1 held"),
        "{out}"
    );
    let copies = profile.path().join("documents").join(&secret);
    assert!(copies.exists());

    // The browser tablet reads it.
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&via(&browser.join_url, hub.addr()).unwrap())
        .await;
    tap(&page, &format!("[data-document='{secret}']")).await;
    page.wait_for("canvas[data-rendered='1']").await;
    watch_errors(&page).await;
    delivery_until(&hub, &m, &secret, "both copies held", |d| {
        d["held"].as_array().is_some_and(|h| h.len() == 2)
    })
    .await;
    let desk = driver.page(DESK).await;
    desk.goto(&via(&m.secretariat.join_url, hub.addr()).unwrap())
        .await;
    desk.click("#tab-documents").await;
    desk.wait_text("#doc-list", "the paper listed", |t| {
        t.contains("Phương án nhân sự")
    })
    .await;

    hub.office_command(
        m.id,
        "recall",
        &protocol::Command::RecallDocuments {
            document: Some(secret.parse().unwrap()),
        },
    )
    .await;
    // The open viewer closes at once, the copy goes, and the hub hears it.
    page.wait_text(".toast", "the recall said", |t| t.contains("thu hồi"))
        .await;
    assert_eq!(
        page.count("[data-testid=viewer]").await,
        0,
        "the viewer closed"
    );
    let errors = page.eval("return window.__errors;").await;
    assert_eq!(errors, json!([]), "{errors}");
    let kept = page
        .client
        .execute_async(
            "const done = arguments[0];
             import('/js/offline.js').then((m) => m.keptList()).then((l) => done(l.map((x) => x.document)));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !kept.as_array().unwrap().iter().any(|d| d == &json!(secret)),
        "deleted from IndexedDB: {kept}"
    );
    let d = delivery_until(&hub, &m, &secret, "the browser's confirmation", |d| {
        d["deleted"] == json!([browser.id()])
    })
    .await;
    assert_eq!(d["unconfirmed"], json!([native.id()]), "{d}");
    let waiting = desk
        .wait_text(
            "[data-testid=doc-unconfirmed]",
            "who has not confirmed",
            |t| t.contains("Đại biểu 2"),
        )
        .await;
    assert!(waiting.contains("Chưa trực tuyến"), "{waiting}");
    desk.screenshot("desk-recall-waiting").await;

    // The native tablet comes online: it deletes its copy and confirms.
    let synced = run_tablet(profile.path(), &["sync"]).await;
    let out = String::from_utf8_lossy(&synced.stdout).into_owned();
    assert!(
        synced.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    assert!(out.contains("deleted and confirmed"), "{out}");
    assert!(!copies.exists(), "the native copy is gone");
    let d = delivery_until(&hub, &m, &secret, "both confirmations", |d| {
        d["deleted"].as_array().is_some_and(|x| x.len() == 2)
    })
    .await;
    assert_eq!(d.get("unconfirmed"), None, "{d}");
    let done = desk
        .wait_text(
            "[data-testid=doc-deletion]",
            "every deletion confirmed",
            |t| t.contains("2/2"),
        )
        .await;
    assert!(done.contains("Đã xác nhận xóa"), "{done}");
    desk.screenshot("desk-recall-confirmed").await;
    page.close().await;
    desk.close().await;
}
