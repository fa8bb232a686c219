//! The tablet's search and library tabs in a real browser (headless chromium), at 800×1280:
//! words typed without diacritics find a phrase on page 2 of a PDF, the hit shows its
//! marked snippet and opens the viewer at page 2; the library tab lists a shelf's item and
//! opens it in the same viewer.

use hub::badges::pdf::PdfDoc;
use meeting_tests::browser::{via, Driver, Page, TABLET};
use meeting_tests::files::{self, Part};
use meeting_tests::{TestHub, GUARD};
use protocol::{Classification, MeetingId};
use std::time::{Duration, Instant};

fn pdf(title: &str, pages: &[&[&str]]) -> Vec<u8> {
    let mut doc = PdfDoc::new();
    for lines in pages {
        doc.new_page();
        for (n, line) in lines.iter().enumerate() {
            doc.text(64.0, 760.0 - 18.0 * n as f32, 12.0, line);
        }
    }
    doc.finish(title)
}

async fn publish(hub: &TestHub, meeting: MeetingId, title: &str, bytes: &[u8]) -> String {
    let path = format!("/api/v1/meetings/{meeting}/documents");
    let parts = [
        Part::Text("title", title.to_owned()),
        Part::Text(
            "classification",
            Classification::Internal.as_str().to_owned(),
        ),
        Part::Text("readers", String::new()),
        Part::File("file", "tai-lieu.pdf", "application/pdf", bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload {title}: {}", r.text());
    r.json()["document"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// Waits until the index has `q` (it follows the meetings off their tasks).
async fn indexed(hub: &TestHub, q: &str) {
    let started = Instant::now();
    loop {
        let r = hub
            .get(&format!("/api/v1/search?q={q}"), hub.office_token())
            .await;
        if !r.json()["hits"].as_array().expect("hits").is_empty() {
            return;
        }
        assert!(started.elapsed() < GUARD, "{q} never indexed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks `css` from inside the page once it is there (the tablet redraws on events).
async fn tap(page: &Page, css: &str) {
    page.wait_for(css).await;
    page.eval(&format!("document.querySelector('{css}').click();"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_finds_a_phrase_without_diacritics_and_opens_its_page_and_the_library() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let resolution = publish(
        &hub,
        m.id,
        "Dự thảo Nghị quyết về kinh tế biển",
        &pdf(
            "Dự thảo Nghị quyết",
            &[
                &["NGHỊ QUYẾT"],
                &["Điều 1.", "phát triển kinh tế biển xanh bền vững"],
                &["Điều 2."],
            ],
        ),
    )
    .await;
    let r = hub
        .post(
            "/api/v1/library/shelves",
            hub.office_token(),
            &serde_json::json!({"title": "Thư viện văn kiện"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let shelf: MeetingId = serde_json::from_value(r.json()["meeting"].clone()).expect("an id");
    let item = publish(
        &hub,
        shelf,
        "Chỉ thị số 05-CT/TU",
        &pdf("Chỉ thị", &[&["CHỈ THỊ", "về chuyển đổi số"]]),
    )
    .await;
    indexed(&hub, "bien%20xanh").await;

    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&via(&m.delegates[0].join_url, hub.addr()).unwrap())
        .await;
    page.wait_for("[data-testid=agenda]").await;
    tap(&page, "[data-testid=tab-search]").await;
    page.type_into("[data-testid=search-q]", "phat trien kinh te bien xanh")
        .await;
    tap(&page, "[data-testid=search-go]").await;
    let css = format!(".search-hit[data-target=\"{resolution}\"]");
    let hit = page.wait_for(&css).await;
    assert!(hit.contains("Dự thảo Nghị quyết về kinh tế biển"), "{hit}");
    assert!(hit.contains("trang 2"), "the hit names its page: {hit}");
    let marked: serde_json::Value = page
        .eval(&format!(
            "return [...document.querySelectorAll('{css} .snippet b')].map((b) => b.textContent);"
        ))
        .await;
    assert_eq!(
        marked,
        serde_json::json!(["phát", "triển", "kinh", "tế", "biển", "xanh"])
    );
    tap(&page, &format!("{css} [data-testid=search-open]")).await;
    page.wait_for("canvas[data-rendered='2']").await;
    tap(&page, "[data-testid=viewer-close]").await;

    tap(&page, "[data-testid=tab-library]").await;
    let doc = format!("[data-testid=library-document][data-document=\"{item}\"]");
    let listed = page.wait_for(&doc).await;
    assert!(listed.contains("Chỉ thị số 05-CT/TU"), "{listed}");
    tap(&page, &doc).await;
    page.wait_for("canvas[data-rendered='1']").await;
    page.close().await;
}
