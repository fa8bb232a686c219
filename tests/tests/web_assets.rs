//! The web UI's files as the hub serves them: built into the binary, with the types
//! browsers insist on, ETags that make a reload cheap, and the join cookies.

use meeting_tests::http::Request;
use meeting_tests::TestHub;

async fn get(hub: &TestHub, path: &str) -> meeting_tests::http::Response {
    hub.request(Request::new("GET", path)).await
}

#[tokio::test]
async fn the_app_and_pdfjs_are_served_with_their_types_and_etags() {
    let hub = TestHub::start().await;
    let page = get(&hub, "/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("/js/app.js"), "the app shell");
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'"), "{csp}");

    for path in [
        "/js/app.js",
        "/js/connection.js",
        "/sw.js",
        "/vendor/pdfjs/pdf.min.mjs",
        "/vendor/pdfjs/pdf.worker.min.mjs",
        "/vendor/js-sha256/sha256.min.mjs",
    ] {
        let r = get(&hub, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8"),
            "{path}: module scripts must be served as JavaScript"
        );
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        let etag = r.header("etag").expect("an ETag").to_owned();
        assert_eq!(etag.len(), 66, "a quoted SHA-256: {etag}");
        let again = hub
            .request(Request::new("GET", path).header("If-None-Match", etag.clone()))
            .await;
        assert_eq!(again.status, 304, "{path}: unchanged, not sent again");
        assert!(again.body.is_empty());
    }
    let css = get(&hub, "/css/app.css").await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));

    for missing in [
        "/js/nope.js",
        "/vendor/pdfjs/pdf.mjs",
        "/vendor/pdfjs/pdf.worker.mjs.map",
        "/js/../package.json",
        "/js/../../Cargo.toml",
        "/css/./app.css",
    ] {
        assert_eq!(get(&hub, missing).await.status, 404, "{missing}");
    }
}

#[tokio::test]
async fn the_join_link_sets_the_token_cookie_and_a_marker_the_page_can_read() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let token = &m.delegates[0].token;
    let r = get(&hub, &format!("/j/{token}")).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/"));
    let cookies: Vec<&str> = r
        .headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let secret = cookies
        .iter()
        .find(|c| c.starts_with("hub_token="))
        .expect("the token cookie");
    assert!(secret.contains("HttpOnly"), "{secret}");
    let marker = cookies
        .iter()
        .find(|c| c.starts_with("hub_joined=1"))
        .expect("the marker");
    assert!(
        !marker.contains("HttpOnly") && !marker.contains(token.as_str()),
        "{marker}"
    );
}
