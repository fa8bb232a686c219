//! `hub demo`: it publishes realistic documents (one confidential, named for a few
//! delegates), prints where the badge sheet and the public QR code are, and `demo.json`
//! gives scripts every URL they need, each of which works.

use meeting_tests::demo::DemoHub;
use meeting_tests::files;
use meeting_tests::http::Request;
use serde_json::Value;

/// The path and query of a URL the hub printed.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").expect("an absolute URL").1;
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_publishes_its_documents_and_demo_json_names_every_url() {
    let demo = DemoHub::start(12).await;
    let (addr, info, printed) = (demo.addr, &demo.info, &demo.printed);
    for key in ["public_url", "public_qr_url", "badges_url"] {
        let url = info[key].as_str().unwrap();
        assert!(printed.contains(url), "{key} {url} is printed:\n{printed}");
    }
    let get = |path: String, token: Option<String>| async move {
        let mut r = Request::new("GET", Box::leak(path.into_boxed_str()));
        if let Some(t) = token {
            r = r.bearer(&t);
        }
        r.send(addr).await.unwrap()
    };
    let people = info["participants"].as_array().unwrap();
    let token_of = |role: &str| {
        people.iter().find(|p| p["role"] == role).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let secretariat = token_of("secretariat");

    let docs = info["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    let secret: Vec<&Value> = docs
        .iter()
        .filter(|d| d["classification"] == "confidential")
        .collect();
    assert_eq!(secret.len(), 1);
    let readers: Vec<&str> = secret[0]["readers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(readers.len(), 5, "the chair and four delegates");
    let named = people.iter().find(|p| p["name"] == readers[1]).unwrap()["token"]
        .as_str()
        .unwrap();
    let unnamed = people
        .iter()
        .find(|p| p["role"] == "delegate" && !readers.contains(&p["name"].as_str().unwrap()))
        .unwrap()["token"]
        .as_str()
        .unwrap();
    let secret_path = path_of(secret[0]["download_url"].as_str().unwrap());
    let r = get(secret_path.clone(), Some(named.to_owned())).await;
    assert_eq!(r.status, 200);
    // A confidential PDF reaches its reader as their own watermarked copy, drawn from
    // the original the demo published.
    assert_eq!(r.header("x-watermarked"), Some("1"));
    assert_eq!(r.header("x-original-sha256"), secret[0]["sha256"].as_str());
    assert_eq!(
        r.header("x-content-sha256"),
        Some(files::sha256_hex(&r.body).as_str())
    );
    assert!(r.body.starts_with(b"%PDF-"));
    assert_eq!(get(secret_path, Some(unnamed.to_owned())).await.status, 403);

    let page = get(path_of(info["public_url"].as_str().unwrap()), None)
        .await
        .text();
    for d in docs {
        let listed = page.contains(d["title"].as_str().unwrap());
        assert_eq!(
            listed,
            d["classification"] == "public",
            "{} on the public page",
            d["title"]
        );
        if let Some(url) = d["public_download_url"].as_str() {
            let r = get(path_of(url), None).await;
            assert_eq!(files::sha256_hex(&r.body), d["sha256"].as_str().unwrap());
        }
    }
    let qr = get(path_of(info["public_qr_url"].as_str().unwrap()), None).await;
    assert_eq!(
        (qr.status, qr.header("content-type")),
        (200, Some("image/png"))
    );
    let badge_qr = get(
        path_of(people[5]["qr_url"].as_str().unwrap()),
        Some(secretariat.clone()),
    )
    .await;
    assert_eq!(badge_qr.status, 200);
    let sheet = get(
        path_of(info["badges_url"].as_str().unwrap()),
        Some(secretariat),
    )
    .await;
    assert_eq!(
        (sheet.status, sheet.header("content-type")),
        (200, Some("application/pdf"))
    );
    assert!(sheet.body.starts_with(b"%PDF-"));

    // The standing committee's opinion request and petition carry real files.
    let body = &info["body"];
    let member = body["participants"][0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let meeting = body["meeting"].as_str().unwrap();
    let view = get(format!("/api/v1/meetings/{meeting}"), Some(member.clone()))
        .await
        .json();
    let request = view["view"]["opinions"][0]["request"]["id"]
        .as_str()
        .unwrap();
    let item = view["view"]["incoming"][0]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/meetings/{meeting}/opinions/{request}/attachments/1"),
        format!("/api/v1/meetings/{meeting}/opinions/{request}/attachments/2"),
        format!("/api/v1/meetings/{meeting}/incoming/{item}/file"),
    ] {
        let r = get(path.clone(), Some(member.clone())).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(r.body.starts_with(b"%PDF-"), "{path} is a PDF");
    }
}
