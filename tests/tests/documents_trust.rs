//! Documents the office can trust, on a real hub: every verdict of a signed PDF (made in
//! the test with an rcgen PKI and `openssl cms`) kept with its version and sent to the
//! tablets; personnel papers kept off the public page and its QR code; each reader served
//! a copy with their name, which `pdftotext` reads, the original kept for the record.

#[path = "../../pdf-trust/tests/common/mod.rs"]
#[allow(unused_imports)]
mod pki;

use meeting_tests::files::{self, upload, Part};
use meeting_tests::http::Request;
use meeting_tests::{MeetingFixture, TestHub, TEST_CONFIG};
use protocol::{Command, Document, DocumentStatus, VerdictStatus};
use serde_json::Value;
use std::time::Instant;

/// A hub that trusts the test PKI's root, as an office configures its national root CA.
async fn hub_trusting(pki: &pki::Pki) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let root = pki.root.cert_pem.display().to_string();
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        format!("[documents]\ntrust_anchors = [{root:?}]\n"),
    )
    .unwrap();
    TestHub::start_in(dir).await
}

/// Uploads as the office; the hub's answer (status, body).
async fn post_document(
    hub: &TestHub,
    m: &MeetingFixture,
    title: &str,
    class: &str,
    readers: &[String],
    name: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let path = format!("/api/v1/meetings/{}/documents", m.id);
    let mut parts = vec![
        Part::Text("title", title.to_owned()),
        Part::Text("classification", class.to_owned()),
        Part::File("file", name, "application/pdf", bytes),
    ];
    if !readers.is_empty() {
        parts.push(Part::Text("readers", readers.join(",")));
    }
    let r = hub.request(upload(&path, hub.office_token(), &parts)).await;
    (r.status, r.json())
}

async fn publish(
    hub: &TestHub,
    m: &MeetingFixture,
    title: &str,
    class: &str,
    readers: &[String],
    bytes: &[u8],
) -> Document {
    let (status, body) = post_document(
        hub,
        m,
        title,
        class,
        readers,
        &format!("{title}.pdf"),
        bytes,
    )
    .await;
    assert_eq!(status, 201, "upload {title}: {body}");
    serde_json::from_value(body["document"].clone()).expect("a document")
}

fn verdict_of(doc: &Document) -> &protocol::SignatureVerdict {
    doc.current()
        .and_then(|v| v.file.signatures.as_ref())
        .unwrap_or_else(|| panic!("{} carries no verdict", doc.title))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verdict_of_a_signed_pdf_is_kept_with_its_version_and_reaches_every_tablet() {
    let pki = pki::Pki::new();
    let mut hub = hub_trusting(&pki).await;
    let m = hub.meeting_with(2).await;
    let valid = pki::signed_by(&pki, &pki.signer);
    let mut tampered = valid.clone();
    let at = tampered.windows(5).position(|w| w == b"Hello").unwrap();
    tampered[at] = b'J';
    let stranger = pki::signed_by(&pki, &pki.stranger_signer);
    let expired = pki::signed_by(&pki, &pki.expired_signer);
    let unsigned = pki::unsigned_pdf(2, 0);
    let (edited, _) = pki::append_update(&valid, &["<< /Note (sửa sau khi ký) >>".to_owned()]);
    // SHA-1 is not checked: the verdict says so rather than calling it valid or broken.
    let sha1 = pki::sign(
        &pki::unsigned_pdf(1, 0),
        &pki.signer,
        &[&pki.intermediate],
        "adbe.pkcs7.detached",
        &["-md", "sha1"],
    );
    let cases: [(&str, &[u8], VerdictStatus); 7] = [
        ("Nghị quyết đã ký", &valid, VerdictStatus::Valid),
        (
            "Nghị quyết bị sửa một byte",
            &tampered,
            VerdictStatus::Broken,
        ),
        (
            "Nghị quyết ký bởi CA lạ",
            &stranger,
            VerdictStatus::UntrustedChain,
        ),
        (
            "Nghị quyết ký bằng chứng thư hết hạn",
            &expired,
            VerdictStatus::Expired,
        ),
        ("Nghị quyết chưa ký", &unsigned, VerdictStatus::Unsigned),
        (
            "Nghị quyết sửa sau khi ký",
            &edited,
            VerdictStatus::ModifiedAfterSigning,
        ),
        (
            "Nghị quyết ký bằng SHA-1",
            &sha1,
            VerdictStatus::Unsupported,
        ),
    ];
    let mut published = Vec::new();
    for (title, bytes, want) in cases {
        let started = Instant::now();
        let doc = publish(&hub, &m, title, "internal", &[], bytes).await;
        println!(
            "figure: upload and check of a {} KB signed PDF: {:?}",
            bytes.len() / 1024,
            started.elapsed()
        );
        let verdict = verdict_of(&doc);
        assert_eq!(verdict.status, want, "{title}: {verdict:#?}");
        assert_eq!(verdict.anchors, 1);
        published.push((doc.id, want));
    }
    // Who signed, for whom, when: beside the title on every screen.
    let (_, view) = hub.meeting_state(m.id, &m.delegates[0].token).await;
    let first = view
        .documents
        .iter()
        .find(|d| d.id == published[0].0)
        .unwrap();
    let signature = verdict_of(first).last_signature().unwrap();
    assert_eq!(signature.signer.as_deref(), Some("Nguyễn Thị Hường"));
    assert_eq!(
        signature.organisation.as_deref(),
        Some("UBND huyện Lạc Sơn")
    );
    assert!(signature.signed_at.is_some());
    assert_eq!(signature.chain.len(), 3, "{:?}", signature.chain);
    for (id, want) in &published {
        let doc = view.documents.iter().find(|d| d.id == *id).unwrap();
        assert_eq!(
            verdict_of(doc).status,
            *want,
            "the tablet sees {}",
            doc.title
        );
    }
    let expired = &view.documents[3];
    assert!(
        verdict_of(expired).signatures[0].reason.contains("expired"),
        "{:?}",
        verdict_of(expired).signatures[0].reason
    );
    let sha1 = &verdict_of(&view.documents[6]).signatures[0];
    assert_eq!(sha1.status, protocol::SignatureStatus::Unsupported);
    assert!(sha1.reason.contains("sha1"), "{:?}", sha1.reason);

    // A file that is not a PDF is not checked, and says so; a new version gets its own.
    let (status, body) = post_document(
        &hub,
        &m,
        "Bảng số liệu",
        "internal",
        &[],
        "so-lieu.docx",
        b"PK\x03\x04 not a pdf",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["document"]["versions"][0]["signatures"]["status"],
        "not_pdf"
    );
    let unsigned_doc = published[4].0;
    let path = format!(
        "/api/v1/meetings/{}/documents/{unsigned_doc}/versions",
        m.id
    );
    let r = hub
        .request(upload(
            &path,
            hub.office_token(),
            &[Part::File("file", "ký rồi.pdf", "application/pdf", &valid)],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let versions = &r.json()["document"]["versions"];
    assert_eq!(versions[0]["signatures"]["status"], "unsigned");
    assert_eq!(versions[1]["signatures"]["status"], "valid");

    // The verdict is in the log: it survives a restart as it was.
    let (_, before) = hub.meeting_state(m.id, hub.office_token()).await;
    hub.restart().await;
    let (_, after) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(before.documents, after.documents);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_anchors_configured_a_good_signature_is_an_untrusted_chain() {
    let pki = pki::Pki::new();
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let doc = publish(
        &hub,
        &m,
        "Nghị quyết",
        "public",
        &[],
        &pki::signed_by(&pki, &pki.signer),
    )
    .await;
    let verdict = verdict_of(&doc);
    assert_eq!(verdict.status, VerdictStatus::UntrustedChain);
    assert_eq!(verdict.anchors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personnel_papers_never_reach_the_public_page_its_qr_code_or_public_downloads() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let reader = m.delegates[0].id().to_string();
    let personnel = publish(
        &hub,
        &m,
        "Danh sách nhân sự dự kiến Ban Chấp hành khóa mới",
        "nhân sự",
        std::slice::from_ref(&reader),
        &pki::unsigned_pdf(1, 0),
    )
    .await;
    assert_eq!(
        personnel.classification,
        protocol::Classification::Personnel
    );
    let public = publish(
        &hub,
        &m,
        "Chương trình Đại hội",
        "public",
        &[],
        &pki::unsigned_pdf(1, 0),
    )
    .await;

    // The QR code at the door opens the public page, which lists the public paper only.
    let link = hub
        .get(
            &format!("/api/v1/meetings/{}/public", m.id),
            &m.delegates[1].token,
        )
        .await
        .json();
    let qr_png = link["qr_png"].as_str().unwrap();
    let qr_path = &qr_png[qr_png.find("/p/").unwrap()..];
    let qr = hub.request(Request::new("GET", qr_path)).await;
    assert_eq!(qr.status, 200);
    let img = image::load_from_memory(&qr.body).unwrap().to_luma8();
    let (w, h) = img.dimensions();
    let mut grid = rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
        img.get_pixel(x as u32, y as u32).0[0]
    });
    let (_, url) = grid.detect_grids()[0].decode().unwrap();
    assert_eq!(
        url,
        link["url"].as_str().unwrap(),
        "the QR code holds the public page"
    );
    let page_path = format!("/p/{}", url.rsplit('/').next().unwrap());
    let page = hub.request(Request::new("GET", &page_path)).await.text();
    assert!(page.contains("Chương trình Đại hội"), "{page}");
    assert!(!page.contains("nhân sự"), "{page}");
    assert!(!page.contains(&personnel.id.to_string()), "{page}");
    let got = hub
        .request(Request::new(
            "GET",
            &format!("{page_path}/documents/{}", personnel.id),
        ))
        .await;
    assert_eq!(
        got.status, 404,
        "the public link does not even confirm it exists"
    );
    let got = hub
        .request(Request::new(
            "GET",
            &format!("{page_path}/documents/{}", public.id),
        ))
        .await;
    assert_eq!(got.status, 200);

    // Named readers (and the secretariat) only; the others do not see it listed.
    let path = format!("/api/v1/meetings/{}/documents/{}", m.id, personnel.id);
    assert_eq!(hub.get(&path, &m.delegates[0].token).await.status, 200);
    assert_eq!(hub.get(&path, &m.secretariat.token).await.status, 200);
    assert_eq!(hub.get(&path, &m.delegates[1].token).await.status, 403);
    assert_eq!(hub.get(&path, &m.chair.token).await.status, 403);
    let (_, view) = hub.meeting_state(m.id, &m.delegates[1].token).await;
    assert!(view.documents.iter().all(|d| d.id != personnel.id));

    // Recalled at the close like confidential papers.
    hub.office_command(m.id, "close", &Command::CloseMeeting)
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let doc = view
        .documents
        .iter()
        .find(|d| d.id == personnel.id)
        .unwrap();
    assert_eq!(doc.status, DocumentStatus::Recalled);
    assert_eq!(hub.get(&path, &m.delegates[0].token).await.status, 410);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reader_gets_a_copy_with_their_name_and_the_original_stays_for_the_record() {
    let pki = pki::Pki::new();
    let hub = hub_trusting(&pki).await;
    let m = hub.meeting_with(2).await;
    let (alice, bob) = (&m.delegates[0], &m.delegates[1]);
    let original = pki::signed_by(&pki, &pki.signer);
    let doc = publish(
        &hub,
        &m,
        "Phương án nhân sự (Mật)",
        "confidential",
        &[alice.id().to_string(), bob.id().to_string()],
        &original,
    )
    .await;
    let version = doc.current().unwrap();
    assert!(version.file.watermarked);
    assert_eq!(
        verdict_of(&doc).status,
        VerdictStatus::Valid,
        "the original's verdict"
    );

    let path = format!("/api/v1/meetings/{}/documents/{}/versions/1", m.id, doc.id);
    let started = Instant::now();
    let first = hub.get(&path, &alice.token).await;
    println!(
        "figure: first download of a watermarked copy (drawn): {:?}",
        started.elapsed()
    );
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-watermarked"), Some("1"));
    assert_eq!(
        first.header("x-original-sha256"),
        Some(version.file.sha256.as_str())
    );
    let sha = files::sha256_hex(&first.body);
    assert_eq!(first.header("x-content-sha256"), Some(sha.as_str()));
    assert_eq!(first.header("etag"), Some(format!("\"{sha}\"").as_str()));
    assert_ne!(sha, version.file.sha256);
    let text = pdftotext(&first.body);
    assert!(text.contains("Đại biểu 1"), "the reader's name: {text}");
    assert!(text.contains("ghế B1"), "their seat: {text}");
    assert!(text.contains("Tài liệu mật"), "{text}");

    // The same copy every time: a tablet can resume it and check it.
    let started = Instant::now();
    let again = hub.get(&path, &alice.token).await;
    println!(
        "figure: a later download of the same copy (kept): {:?}",
        started.elapsed()
    );
    assert_eq!(again.body, first.body);
    let tail = hub
        .request(
            Request::new("GET", &path)
                .bearer(&alice.token)
                .header("Range", "bytes=100-"),
        )
        .await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, first.body[100..]);
    let fresh = hub
        .request(
            Request::new("GET", &path)
                .bearer(&alice.token)
                .header("If-None-Match", format!("\"{sha}\"")),
        )
        .await;
    assert_eq!(fresh.status, 304);

    // Another reader gets their own copy; the office gets the original, byte for byte.
    let other = hub.get(&path, &bob.token).await;
    assert_ne!(files::sha256_hex(&other.body), sha);
    let text = pdftotext(&other.body);
    assert!(
        text.contains("Đại biểu 2") && !text.contains("Đại biểu 1"),
        "{text}"
    );
    let record = hub.get(&path, hub.office_token()).await;
    assert_eq!(record.body, original, "the original, intact");
    assert_eq!(record.header("x-watermarked"), None);

    // The tablet reports the copy it checked; the delivery record keeps both hashes.
    let held = Command::ReportHeld {
        document: doc.id,
        version: 1,
        sha256: Some(sha.clone()),
    };
    let r = hub.rest_command(m.id, &alice.token, "held-1", &held).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let delivery = hub
        .get(
            &format!("/api/v1/meetings/{}/documents/{}/delivery", m.id, doc.id),
            hub.office_token(),
        )
        .await
        .json();
    assert_eq!(delivery["sha256"], version.file.sha256, "{delivery}");
    assert_eq!(
        delivery["delivery"]["copies"][0]["sha256"], sha,
        "{delivery}"
    );
    assert_eq!(
        delivery["delivery"]["copies"][0]["participant"],
        alice.id().to_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confidential_pdf_that_cannot_be_watermarked_is_refused_with_the_reason() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let damaged =
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let reader = m.delegates[0].id().to_string();
    let (status, body) = post_document(
        &hub,
        &m,
        "Hồ sơ nhân sự",
        "personnel",
        &[reader],
        "ho-so.pdf",
        damaged,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("cannot be watermarked"), "{message}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert!(view.documents.is_empty(), "nothing was published");
    // The same file as an internal paper is published, marked as not checked.
    let (status, body) =
        post_document(&hub, &m, "Hồ sơ", "internal", &[], "ho-so.pdf", damaged).await;
    assert_eq!(status, 201, "{body}");
    let status = &body["document"]["versions"][0]["signatures"]["status"];
    assert!(status == "unreadable" || status == "unsigned", "{body}");
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
