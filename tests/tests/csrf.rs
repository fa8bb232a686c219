//! Cross-site request forgery (issue 13, finding 2): a page on another site, or on another
//! port of the hub's host, makes the secretariat's browser send requests with the
//! `hub_token` cookie. Every state-changing route refuses them with 403 and changes
//! nothing; the hub's own pages (same Origin) and Bearer-token programs go on working.

use meeting_tests::files::{multipart, Part};
use meeting_tests::http::{Request, Response};
use meeting_tests::TestHub;

const EVIL: &str = "http://evil.example";

/// A request signed in by the cookie alone, as a browser sends it, from `origin`.
fn with_cookie<'a>(method: &'a str, path: &'a str, token: &str, origin: &str) -> Request<'a> {
    Request::new(method, path)
        .header("Cookie", format!("hub_joined=1; hub_token={token}"))
        .header("Origin", origin.to_owned())
}

fn refused(what: &str, r: &Response) {
    assert_eq!(r.status, 403, "{what}: HTTP {} {}", r.status, r.text());
    assert_eq!(r.error_code().as_deref(), Some("forbidden"), "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_requests_from_another_site_are_refused_and_change_nothing() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let secretariat = &m.secretariat.token;
    let victim = &m.delegates[0];
    let before = hub.meeting_state(m.id, hub.office_token()).await;

    // The four forged requests of the finding, each also from the same host on another
    // port (SameSite=Lax lets that cookie through).
    let import = format!("/api/v1/meetings/{}/participants/import", m.id);
    let reissue = format!(
        "/api/v1/meetings/{}/participants/{}/token",
        m.id,
        victim.id()
    );
    let documents = format!("/api/v1/meetings/{}/documents", m.id);
    let files = format!("/api/v1/meetings/{}/files", m.id);
    let other_port = format!("http://{}:1", hub.addr().ip());
    let (form_type, form) = multipart(&[
        Part::Text("title", "Giả mạo".into()),
        Part::Text("classification", "public".into()),
        Part::File("file", "gia-mao.pdf", "application/pdf", b"%PDF-1.4 forged"),
    ]);
    for origin in [EVIL, other_port.as_str(), "null"] {
        let csv = "name,role\nKẻ giả mạo,secretariat\n";
        let r = hub
            .request(
                with_cookie("POST", &import, secretariat, origin)
                    .body("text/plain", csv.as_bytes().to_vec()),
            )
            .await;
        refused(&format!("import from {origin}"), &r);
        let r = hub
            .request(with_cookie("POST", &reissue, secretariat, origin))
            .await;
        refused(&format!("token reissue from {origin}"), &r);
        let r = hub
            .request(with_cookie("DELETE", &reissue, secretariat, origin))
            .await;
        refused(&format!("token revoke from {origin}"), &r);
        for path in [&documents, &files] {
            let r = hub
                .request(
                    with_cookie("POST", path, secretariat, origin).body(&form_type, form.clone()),
                )
                .await;
            refused(&format!("upload to {path} from {origin}"), &r);
        }
        let command = serde_json::json!({"id": "forged-1", "command": {"op": "close_meeting"}});
        let r = hub
            .request(
                with_cookie(
                    "POST",
                    &format!("/api/v1/meetings/{}/commands", m.id),
                    secretariat,
                    origin,
                )
                .json(&command),
            )
            .await;
        refused(&format!("command from {origin}"), &r);
    }
    // A cookie request that does not say where it comes from is refused too; so is one a
    // browser marks as cross-site.
    let r = hub
        .request(
            Request::new("POST", &reissue).header("Cookie", format!("hub_token={secretariat}")),
        )
        .await;
    refused("a cookie POST without Origin", &r);
    let own = format!("http://{}", hub.addr());
    let r = hub
        .request(
            with_cookie("POST", &reissue, secretariat, &own).header("Sec-Fetch-Site", "cross-site"),
        )
        .await;
    refused("Sec-Fetch-Site: cross-site", &r);

    let after = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(after.0, before.0, "no event was written");
    assert_eq!(after.1.participants, before.1.participants);
    assert!(after.1.documents.is_empty(), "no document was published");
    // The victim's badge still works: its token was neither replaced nor withdrawn.
    let (_, first) = hub.join(&victim.token, None).await;
    meeting_tests::expect_snapshot(first);

    // The hub's own page (same Origin) works with the cookie; reads need no Origin.
    let r = hub
        .request(with_cookie("POST", &import, secretariat, &own).body(
            "text/plain",
            "name,role\nĐại biểu mới,delegate\n".as_bytes().to_vec(),
        ))
        .await;
    assert_eq!(r.status, 201, "same-origin import: {}", r.text());
    let r = hub
        .request(
            with_cookie("POST", &reissue, secretariat, &own)
                .header("Sec-Fetch-Site", "same-origin"),
        )
        .await;
    assert_eq!(r.status, 200, "same-origin reissue: {}", r.text());
    let r = hub
        .request(
            Request::new("GET", &format!("/api/v1/meetings/{}", m.id))
                .header("Cookie", format!("hub_token={secretariat}")),
        )
        .await;
    assert_eq!(r.status, 200, "a cookie read: {}", r.text());
    // A program with the Bearer token needs no Origin, and a stray one does not matter.
    let r = hub
        .request(
            Request::new("POST", &files)
                .bearer(secretariat)
                .header("Origin", EVIL)
                .body(&form_type, form.clone()),
        )
        .await;
    assert_eq!(r.status, 201, "Bearer upload: {}", r.text());
}
