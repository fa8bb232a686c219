//! HTTPS on the hall's LAN, on the real `hub` program with its own CA: a headless chromium
//! that trusts the CA (as a tablet does once it installed it) loads the delegate's page, the
//! hub is killed, the page is reloaded and still shows the agenda, a document already on
//! the tablet and a ballot waiting to be sent. Plain HTTP gets the CA page and a redirect.

#[path = "../../pdf-trust/tests/common/mod.rs"]
#[allow(unused_imports)]
mod pki;

use meeting_tests::browser::{Driver, Page, TABLET};
use meeting_tests::files::{upload, Part};
use meeting_tests::http::Request;
use meeting_tests::{guard, TestHub, TEST_CONFIG};
use serde_json::json;
use std::time::Duration;

const INK: &str = "const c = document.querySelector('[data-testid=pdf-canvas]');
     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
     let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
     return dark;";

/// Runs an async script (`done(value)` ends it) in the page.
async fn eval_async(page: &Page, script: &str) -> serde_json::Value {
    page.client
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("running {script:?}: {e}"))
}

/// Waits until the async `script` gives `true`.
async fn until(page: &Page, what: &str, script: &str) {
    guard(what, async {
        loop {
            if eval_async(page, script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
}

/// Clicks `css` from inside the page once it is there (the list redraws on every event).
async fn tap(page: &Page, css: &str) {
    page.wait_for(css).await;
    page.eval(&format!("document.querySelector(\"{css}\").click();"))
        .await;
}

/// A hub program serving HTTPS with its own CA, and plain HTTP on a redirect port.
async fn https_hub() -> (TestHub, u16) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        "[tls]\nredirect_listen = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let hub = TestHub::start_process_in(dir, &[("HUB_TLS", "self-signed")]).await;
    let log = hub.whole_log();
    let redirect = log
        .lines()
        .find_map(|l| l.strip_prefix("redirecting http://"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.parse::<std::net::SocketAddr>().ok())
        .unwrap_or_else(|| panic!("no redirect port in the hub's output:\n{log}"));
    assert!(
        log.contains(&format!("listening on https://{}", hub.addr())),
        "{log}"
    );
    (hub, redirect.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_gets_the_ca_page_and_a_redirect_to_https() {
    let (hub, redirect) = https_hub().await;
    let plain: std::net::SocketAddr = format!("127.0.0.1:{redirect}").parse().unwrap();
    let send = |req: Request<'static>| async move {
        guard("a plain HTTP request", req.send(plain))
            .await
            .unwrap()
    };
    let r = asking_for(plain, "/j/some-token?x=1", "phonghop.local").await;
    assert_eq!(r.status, 308, "{}", r.text());
    let expected = format!(
        "https://phonghop.local:{}/j/some-token?x=1",
        hub.addr().port()
    );
    assert_eq!(r.header("location"), Some(expected.as_str()));
    // A Host that would send the tablet elsewhere is not followed.
    let r = asking_for(plain, "/", "evil.example/@x").await;
    let location = r.header("location").unwrap_or_default().to_owned();
    assert!(location.starts_with("https://127.0.0.1:"), "{location}");

    let page = send(Request::new("GET", "/ca")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Cài chứng chỉ") && html.contains("Android") && html.contains("iPad"));
    let crt = send(Request::new("GET", "/ca.crt")).await;
    assert_eq!(crt.status, 200);
    assert_eq!(
        crt.header("content-type"),
        Some("application/x-x509-ca-cert")
    );
    let pem = std::fs::read_to_string(hub.data_dir().join("tls/ca.pem")).unwrap();
    let der = pem_body(&pem);
    assert_eq!(crt.body, der, "the page offers the hub's own CA");
    let fingerprint = hub::tls::fingerprint(&der);
    assert!(html.contains(&fingerprint), "the fingerprint to compare");
    // The CA's key stays in the data directory, readable by the hub's user only, and is
    // never in the log.
    let key = std::fs::read_to_string(hub.data_dir().join("tls/ca.key")).unwrap();
    let body = key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    assert!(!hub.whole_log().contains(&body[..40]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_badge_sheet_starts_with_the_qr_code_of_the_ca_page() {
    let (hub, redirect) = https_hub().await;
    let m = hub.meeting_with(3).await;
    let sheet = hub
        .get(
            &format!("/api/v1/meetings/{}/badges.pdf", m.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(sheet.status, 200, "{}", sheet.text());
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("badges.pdf");
    std::fs::write(&pdf, &sheet.body).unwrap();
    let tool = |name: &str, args: &[&str]| {
        let out = std::process::Command::new(name)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{name} runs (apt-get install poppler-utils): {e}"));
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let pdf_path = pdf.to_str().unwrap();
    let prefix = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "150",
            "-gray",
            "-png",
            pdf_path,
            prefix.to_str().unwrap(),
        ],
    );
    let png = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("page 1 rendered");
    let codes = meeting_tests::qr::decode_all(&image::open(&png).unwrap().to_luma8());
    assert_eq!(
        codes,
        vec![format!("http://127.0.0.1:{redirect}/ca")],
        "page 1's one QR code"
    );
    let text = tool("pdftotext", &["-f", "1", "-l", "1", pdf_path, "-"]);
    let pem = std::fs::read_to_string(hub.data_dir().join("tls/ca.pem")).unwrap();
    let fingerprint = hub::tls::fingerprint(&pem_body(&pem));
    let printed: String = text.split_whitespace().collect();
    assert!(
        printed.contains(&fingerprint.replace(':', ""))
            || printed
                .replace(':', "")
                .contains(&fingerprint.replace(':', "")),
        "the fingerprint on page 1: {text}"
    );
    assert!(text.contains("Android") && text.contains("iPad"), "{text}");
    // Then the badges: 6 participants on one page.
    let info = tool("pdfinfo", &[pdf_path]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(str::trim);
    assert_eq!(pages, Some("2"), "{info}");
}

/// `GET path` with this `Host` (the test client sends its own).
async fn asking_for(
    addr: std::net::SocketAddr,
    path: &str,
    host: &str,
) -> meeting_tests::http::Response {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    guard("the redirect", tcp.read_to_end(&mut raw))
        .await
        .unwrap();
    meeting_tests::http::parse_response(&raw).unwrap()
}

/// The DER inside a one-certificate PEM.
fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_a_tablet_reloads_with_the_hub_gone_and_still_reads_the_meeting() {
    let (mut hub, _) = https_hub().await;
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
    let r = hub
        .request(upload(
            &format!("/api/v1/meetings/{}/documents", m.id),
            hub.office_token(),
            &[
                Part::Text("title", "Báo cáo chính trị".into()),
                Part::Text("classification", "internal".into()),
                Part::Text("item", item.clone()),
                Part::Text("readers", String::new()),
                Part::File(
                    "file",
                    "bao-cao.pdf",
                    "application/pdf",
                    &pki::unsigned_pdf(3, 0),
                ),
            ],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let doc = r.json()["document"]["id"].as_str().unwrap().to_owned();

    let me = &m.delegates[0];
    assert!(
        me.join_url.starts_with("https://"),
        "the badge's link is HTTPS: {}",
        me.join_url
    );
    let driver = Driver::start_trusting(&hub.data_dir().join("tls/ca.pem")).await;
    let page = driver.page(TABLET).await;
    page.goto(&me.join_url).await;
    page.wait_text(
        "[data-testid=prefetch-status]",
        "the paper fetched ahead",
        |t| t.contains("1/1") && !t.contains("Đang tải"),
    )
    .await;
    let secure = page
        .eval("return [location.protocol, isSecureContext];")
        .await;
    assert_eq!(secure, json!(["https:", true]), "a secure context");
    until(
        &page,
        "the service worker to control the page and keep the shell",
        "const done = arguments[0];
         (async () => {
           if (!navigator.serviceWorker.controller) return false;
           const c = await caches.open('hub-shell-v2');
           return !!(await c.match('/')) && !!(await c.match('/js/delegate.js'))
             && !!(await c.match('/js/viewer.js'));
         })().then(done, () => done(false));",
    )
    .await;
    until(
        &page,
        "the meeting kept on the tablet",
        "const done = arguments[0];
         done(Object.keys(localStorage).some((k) => k.endsWith('.snapshot')));",
    )
    .await;

    // A vote opens; the hub dies; the delegate votes anyway: the ballot waits to be sent.
    let spec =
        meeting_tests::sealed::spec("Thông qua Nghị quyết", protocol::PollKind::Motion, false);
    let poll = meeting_tests::sealed::open_poll(&hub, m.id, "motion", spec).await;
    let panel = format!("[data-testid=vote-panel][data-poll='{poll}']");
    page.click(&format!("{panel} [data-testid=option-1]")).await;
    hub.kill().await;
    page.wait_text("[data-testid=connection]", "the offline badge", |t| {
        t.contains("Mất kết nối")
    })
    .await;
    page.click(&format!("{panel} [data-testid=vote-submit]"))
        .await;
    page.click("[data-testid=confirm-yes]").await;
    page.wait_for(&format!("{panel} [data-testid=vote-sending]"))
        .await;

    // The tablet reloads, the hub still gone.
    page.eval("location.reload();").await;
    let status = page
        .wait_text("[data-testid=connection]", "the offline badge", |t| {
            t.contains("Mất kết nối")
        })
        .await;
    eprintln!("after the reload: {status}");
    page.wait_text("main", "the agenda from the tablet's copy", |t| {
        t.contains("Thảo luận Báo cáo chính trị")
    })
    .await;
    tap(&page, &format!("[data-document='{doc}']")).await;
    page.wait_for("canvas[data-rendered='1']").await;
    let dark = page.eval(INK).await;
    assert!(dark.as_u64().unwrap() > 500, "read offline: {dark}");
    page.click("[data-testid=viewer-close]").await;
    page.wait_for(&format!("{panel} [data-testid=vote-sending]"))
        .await;
    let pending = page
        .eval("return JSON.parse(localStorage.getItem('hub.pending') ?? '[]').map((p) => p.command.op);")
        .await;
    // The ballot, and the report that the document was opened, wait to be sent.
    assert!(
        pending.as_array().unwrap().contains(&json!("cast_ballot")),
        "the ballot waits to be sent: {pending}"
    );
    page.screenshot("delegate-https-offline-reload").await;
    page.close().await;
}
