//! The delegate's tablet in a real browser (headless chromium at 800×1280): join from the
//! badge's URL, read a document, vote, lose the Wi-Fi and get it back.

use meeting_tests::browser::{via, Driver, TABLET};
use meeting_tests::TestHub;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_without_a_badge_is_asked_to_scan_one() {
    let hub = TestHub::start().await;
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let text = page.wait_for("[data-testid=no-badge]").await;
    assert!(text.contains("quét mã QR"), "{text}");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_badge_says_to_ask_the_secretariat() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    let delegate = &m.delegates[0];
    page.goto(&via(&delegate.join_url, hub.addr()).unwrap())
        .await;
    page.wait_for("[data-testid=agenda]").await;
    hub.revoke_token(m.id, delegate.id()).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let text = page.wait_for("[data-testid=bad-badge]").await;
    assert!(text.contains("thư ký"), "{text}");
    page.close().await;
}
