//! QR codes and badges from a real hub, read back by independent tools: the PNGs by the
//! rqrr decoder, the badge-sheet PDF by poppler's `pdfinfo` and `pdftoppm` (installed by
//! .ci/run), exactly as a printer and a phone would meet them.

use meeting_tests::http::Request;
use meeting_tests::qr::decode_all;
use meeting_tests::TestHub;
use std::path::Path;
use std::process::Command as Process;

fn decode_png(png: &[u8]) -> String {
    let found = decode_all(&image::load_from_memory(png).expect("a PNG").to_luma8());
    assert_eq!(found.len(), 1, "one QR code in the PNG");
    found.into_iter().next().unwrap()
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Process::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_pages(dir: &Path, pdf: &[u8]) -> usize {
    let path = dir.join("badges.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count: {info}"))
}

#[tokio::test]
async fn join_qr_codes_decode_to_the_join_url_and_the_badge_sheet_opens_in_pdfinfo() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(14).await;
    let office = hub.office_token();
    let base = format!("/api/v1/meetings/{}", m.id);
    for member in [&m.chair, &m.delegates[0], &m.delegates[13]] {
        let r = hub
            .get(
                &format!("{base}/participants/{}/qr.png", member.id()),
                office,
            )
            .await;
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some("image/png"))
        );
        assert_eq!(
            decode_png(&r.body),
            member.join_url,
            "{}",
            member.participant.name
        );
    }
    let r = hub
        .get(
            &format!("{base}/participants/{}/qr.png", m.chair.id()),
            &m.delegates[0].token,
        )
        .await;
    assert_eq!(r.status, 403, "delegates do not print badges");

    let dir = tempfile::tempdir().unwrap();
    let sheet = hub
        .get(&format!("{base}/badges.pdf"), &m.secretariat.token)
        .await;
    assert_eq!(
        (sheet.status, sheet.header("content-type")),
        (200, Some("application/pdf"))
    );
    // 17 participants (chair, secretariat, projector, 14 delegates), eight a page.
    assert_eq!(pdf_pages(dir.path(), &sheet.body), 3);

    // Re-issue one token: the old QR stops working, the new badge prints alone.
    let delegate = &m.delegates[0];
    let new_token = hub.reissue_token(m.id, delegate.id()).await;
    let qr = hub
        .get(
            &format!("{base}/participants/{}/qr.png", delegate.id()),
            office,
        )
        .await;
    let new_url = decode_png(&qr.body);
    assert!(new_url.ends_with(&format!("/j/{new_token}")), "{new_url}");
    let old_path = delegate
        .join_url
        .split_once("/j/")
        .map(|(_, t)| format!("/j/{t}"))
        .unwrap();
    let old_badge = hub.request(Request::new("GET", &old_path)).await;
    assert_eq!(old_badge.status, 401);
    // A person scanned it: they get the page that says what to do, not an API error.
    assert!(old_badge
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    assert!(
        old_badge.text().starts_with("<!doctype html>")
            && old_badge.text().contains("liên hệ bộ phận thư ký"),
        "{}",
        old_badge.text()
    );
    let badge = hub
        .get(
            &format!("{base}/participants/{}/badge.pdf", delegate.id()),
            office,
        )
        .await;
    assert_eq!(badge.status, 200);
    assert_eq!(pdf_pages(dir.path(), &badge.body), 1);
    // Printed and scanned: the code on the page is the new join URL.
    let pdf_path = dir.path().join("badges.pdf");
    let png_prefix = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            pdf_path.to_str().unwrap(),
            png_prefix.to_str().unwrap(),
        ],
    );
    let page = image::open(dir.path().join("page-1.png"))
        .unwrap()
        .to_luma8();
    assert_eq!(decode_all(&page), vec![new_url]);

    hub.revoke_token(m.id, delegate.id()).await;
    let gone = hub
        .get(
            &format!("{base}/participants/{}/badge.pdf", delegate.id()),
            office,
        )
        .await;
    assert_eq!(
        (gone.status, gone.error_code().as_deref()),
        (409, Some("invalid_state"))
    );
}

#[tokio::test]
async fn the_public_qr_code_opens_the_public_page() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let link = hub
        .get(
            &format!("/api/v1/meetings/{}/public", m.id),
            hub.office_token(),
        )
        .await
        .json();
    let url = link["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("http://{}/p/", hub.addr())),
        "{url}"
    );
    let qr_path = link["qr_png"]
        .as_str()
        .unwrap()
        .split_once(&hub.addr().to_string())
        .unwrap()
        .1
        .to_owned();
    let png = hub.request(Request::new("GET", &qr_path)).await;
    assert_eq!(png.status, 200);
    assert_eq!(decode_png(&png.body), url);
    let again = hub
        .get(&format!("/api/v1/meetings/{}/public", m.id), &m.chair.token)
        .await
        .json();
    assert_eq!(again["url"], link["url"], "one public link per meeting");
}
