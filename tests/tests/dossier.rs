//! The dossier of a closed meeting (hồ sơ cuộc họp) and `hub verify`: the real binary
//! accepts the dossier as the hub built it, and rejects each alteration, naming the file
//! and what failed: a document's bytes, an event of the log, an event removed, a signed
//! result, the manifest, one byte anywhere in the archive.

use meeting_tests::files::{self, Part};
use meeting_tests::{guard, hub_binary, TestHub};
use protocol::{Classification, Command, MeetingId, PollKind, PollSpec};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

async fn upload(
    hub: &TestHub,
    meeting: MeetingId,
    title: &str,
    class: Classification,
    readers: &[String],
    bytes: &[u8],
) -> protocol::Document {
    let path = format!("/api/v1/meetings/{meeting}/documents");
    let parts = [
        Part::Text("title", title.to_owned()),
        Part::Text("classification", class.as_str().to_owned()),
        Part::Text("readers", readers.join(",")),
        Part::File("file", "Dự thảo.pdf", "application/pdf", bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload {title}: {}", r.text());
    serde_json::from_value(r.json()["document"].clone()).expect("a document")
}

/// Runs `hub verify FILE --key KEY`; success and what it printed.
async fn verify(file: &Path, key: &Path) -> (bool, String) {
    let out = guard(
        "hub verify",
        tokio::process::Command::new(hub_binary())
            .arg("verify")
            .arg(file)
            .arg("--key")
            .arg(key)
            .output(),
    )
    .await
    .expect("running hub verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Every entry of a zip, in order: (name, bytes).
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().to_owned(), bytes)
        })
        .collect()
}

/// A copy of the dossier with `change` applied to its entries, as a well-formed zip (so
/// only `hub verify`'s own checks can find the change).
fn rewritten(
    dir: &Path,
    name: &str,
    zip: &[u8],
    change: impl FnOnce(&mut Vec<(String, Vec<u8>)>),
) -> PathBuf {
    let mut all = entries(zip);
    change(&mut all);
    let path = dir.join(name);
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (name, bytes) in all {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap();
    path
}

fn entry<'a>(all: &'a mut [(String, Vec<u8>)], prefix: &str) -> &'a mut (String, Vec<u8>) {
    all.iter_mut()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no entry {prefix}…"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_verify_accepts_the_dossier_and_names_each_alteration() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(6).await;
    let draft_pdf = files::test_bytes(40_000, 1);
    let doc = upload(
        &hub,
        m.id,
        "Dự thảo Nghị quyết Đại hội",
        Classification::Internal,
        &[],
        &draft_pdf,
    )
    .await;
    let secret = upload(
        &hub,
        m.id,
        "Danh sách nhân sự (Mật)",
        Classification::Confidential,
        &[m.delegates[0].id().to_string()],
        &files::test_bytes(20_000, 2),
    )
    .await;
    let revise = format!("/api/v1/meetings/{}/documents/{}/versions", m.id, doc.id);
    let r = hub
        .request(files::upload(
            &revise,
            hub.office_token(),
            &[Part::File(
                "file",
                "Dự thảo v2.pdf",
                "application/pdf",
                &files::test_bytes(30_000, 3),
            )],
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let spec = PollSpec {
        title: "Thông qua Nghị quyết".into(),
        item: None,
        kind: PollKind::Motion,
        secret: false,
        preset: None,
        base: None,
        threshold: None,
        quorum: Some("0/1".parse().unwrap()),
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
    };
    hub.office_command(m.id, "p", &Command::CreatePoll { poll: spec })
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = view.polls[0].poll.id;
    hub.office_command(m.id, "p-open", &Command::OpenPoll { poll })
        .await;
    for (n, d) in m.delegates.iter().enumerate().take(4) {
        hub.office_command(
            m.id,
            &format!("in-{n}"),
            &Command::CheckIn {
                participant: d.id(),
            },
        )
        .await;
        hub.office_command(
            m.id,
            &format!("v-{n}"),
            &Command::CastBallot {
                poll,
                choices: vec![0],
                on_behalf_of: Some(d.id()),
            },
        )
        .await;
    }
    hub.office_command(m.id, "p-close", &Command::ClosePoll { poll })
        .await;
    hub.office_command(m.id, "p-pub", &Command::PublishPoll { poll })
        .await;

    let path = format!("/api/v1/meetings/{}/record/dossier.zip", m.id);
    let early = hub.get(&path, hub.office_token()).await;
    assert_eq!(
        (early.status, early.error_code().as_deref()),
        (409, Some("invalid_state")),
        "{}",
        early.text()
    );
    hub.office_command(m.id, "close", &Command::CloseMeeting)
        .await;
    let chair = hub.get(&path, &m.chair.token).await;
    assert_eq!(
        chair.status, 403,
        "the dossier holds every confidential document"
    );
    let r = hub.get(&path, &m.secretariat.token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let zip = r.body;
    let again = hub.get(&path, hub.office_token()).await;
    assert_eq!(again.body, zip, "the same log gives the same dossier");

    let names: Vec<String> = entries(&zip).into_iter().map(|(n, _)| n).collect();
    for expected in [
        "manifest.json",
        "manifest.json.sig",
        "nhat-ky/nhat-ky-su-kien.jsonl",
        "signing.pub",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let documents = names.iter().filter(|n| n.starts_with("tai-lieu/")).count();
    assert_eq!(documents, 3, "every version of every document: {names:?}");
    assert!(names
        .iter()
        .any(|n| n.starts_with("bien-ban/") && n.ends_with(".pdf")));
    assert!(names
        .iter()
        .any(|n| n.starts_with("bien-ban/") && n.ends_with(".docx")));
    assert!(names
        .iter()
        .any(|n| n.starts_with("ket-qua/") && n.ends_with(".json.sig")));
    let secret_file = names
        .iter()
        .find(|n| n.contains("Danh sách nhân sự"))
        .expect("the confidential document is kept for the archive");
    let _ = secret.id;

    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("signing.pub");
    std::fs::write(&key, hub.get("/api/v1/signing-key", "").await.body).unwrap();
    let good = dir.path().join("ho-so.zip");
    std::fs::write(&good, &zip).unwrap();
    let (ok, said) = verify(&good, &key).await;
    assert!(ok && said.contains("VALID"), "{said}");

    // An altered document.
    let bad = rewritten(dir.path(), "doc.zip", &zip, |all| {
        let (_, bytes) = entry(all, secret_file);
        bytes[100] ^= 1;
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(!ok, "{said}");
    assert!(
        said.contains("ALTERED") && said.contains(secret_file.as_str()) && said.contains("SHA-256"),
        "{said}"
    );

    // An altered event: a title in the log.
    let log = "nhat-ky/nhat-ky-su-kien.jsonl";
    let bad = rewritten(dir.path(), "event.zip", &zip, |all| {
        let (_, bytes) = entry(all, log);
        let text = String::from_utf8(bytes.clone()).unwrap();
        *bytes = text
            .replacen("Thông qua Nghị quyết", "Thông qua Nghị quyết (sửa)", 1)
            .into_bytes();
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(!ok, "{said}");
    assert!(
        said.contains(log) && said.contains("does not match its hash chain"),
        "{said}"
    );

    // A removed event, from the middle of the log.
    let bad = rewritten(dir.path(), "removed.zip", &zip, |all| {
        let (_, bytes) = entry(all, log);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(lines.len() / 2);
        *bytes = (lines.join("\n") + "\n").into_bytes();
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(!ok, "{said}");
    assert!(
        said.contains(log) && said.contains("events were removed"),
        "{said}"
    );

    // The last event removed: the chain still holds, the signed manifest does not.
    let bad = rewritten(dir.path(), "last.zip", &zip, |all| {
        let (_, bytes) = entry(all, log);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.pop();
        *bytes = (lines.join("\n") + "\n").into_bytes();
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(
        !ok && said.contains(log) && said.contains("manifest"),
        "{said}"
    );

    // An altered result.
    let bad = rewritten(dir.path(), "result.zip", &zip, |all| {
        let (name, bytes) = entry(all, "ket-qua/");
        assert!(name.ends_with(".json"), "{name}");
        let text = String::from_utf8(bytes.clone()).unwrap();
        *bytes = text
            .replacen("\"passed\": true", "\"passed\": false", 1)
            .into_bytes();
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(!ok, "{said}");
    assert!(
        said.contains("ket-qua/") && said.contains(".json"),
        "{said}"
    );

    // The manifest itself, re-hashed to match an altered file: its signature fails.
    let bad = rewritten(dir.path(), "manifest.zip", &zip, |all| {
        let (_, bytes) = entry(all, "manifest.json");
        let text = String::from_utf8(bytes.clone()).unwrap();
        *bytes = text.replacen("\"size\": ", "\"size\": 1", 1).into_bytes();
    });
    let (ok, said) = verify(&bad, &key).await;
    assert!(
        !ok && said.contains("manifest.json") && said.contains("signature"),
        "{said}"
    );

    // Another hub's key.
    let other = dir.path().join("other.pub");
    std::fs::write(&other, format!("{}\n", "ab".repeat(32))).unwrap();
    let (ok, said) = verify(&good, &other).await;
    assert!(!ok && said.contains("manifest.json"), "{said}");

    // One byte flipped anywhere in the archive: every tenth byte in turn, and the first
    // entry's time in its zip header, which no file's hash covers.
    for at in (0..zip.len()).step_by(zip.len() / 10).skip(1).chain([10]) {
        let mut flipped = zip.clone();
        flipped[at] ^= 0x20;
        let bad = dir.path().join("flipped.zip");
        std::fs::write(&bad, &flipped).unwrap();
        let (ok, said) = verify(&bad, &key).await;
        assert!(!ok && said.contains("ALTERED"), "byte {at}: {said}");
    }
    let mut flipped = zip.clone();
    flipped[10] ^= 0x01;
    std::fs::write(dir.path().join("header.zip"), &flipped).unwrap();
    let (_, said) = verify(&dir.path().join("header.zip"), &key).await;
    assert!(
        said.contains("byte 10 (the entry README.txt)"),
        "the header's byte is named: {said}"
    );
}
