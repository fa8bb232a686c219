//! `hub import` with `[[document]]` entries: the files are stored, published with the
//! meeting in one step, and served by the hub to exactly those who may read them.

use meeting_tests::files;
use meeting_tests::{guard, hub_binary, TestHub};
use protocol::{Classification, Document};
use std::path::Path;

const CSV: &str = "Họ và tên,Chức vụ,Đơn vị,Vai trò,Số ghế\n\
    Nguyễn Văn Hùng,Bí thư,Đảng bộ xã,Chủ tọa,A-001\n\
    Trần Thị Hà,Chánh Văn phòng,Văn phòng,Thư ký,TK-01\n\
    Phạm Văn Đức,Phó Bí thư,Đảng bộ xã,Đại biểu,A-002\n\
    Đặng Thị Hương,Bí thư Chi bộ,Chi bộ thôn,Đại biểu,B-001\n";

const TOML: &str = r#"
title = "Hội nghị Ban Chấp hành Đảng bộ xã"
[[agenda]]
title = "Khai mạc"
[[agenda]]
title = "Báo cáo chính trị"

[[document]]
title = "Chương trình hội nghị"
file = "tai-lieu/chuong-trinh.pdf"
classification = "công khai"

[[document]]
title = "Dự thảo Báo cáo chính trị"
file = "./tai-lieu/Dự thảo báo cáo.pdf"
classification = "internal"
item = 2

[[document]]
title = "Nhân sự (Mật)"
file = "tai-lieu/nhan-su.pdf"
classification = "mật"
readers = ["A-002", "Nguyễn Văn Hùng"]
"#;

async fn import(package: &Path, data: &Path) -> std::process::Output {
    let run = tokio::process::Command::new(hub_binary())
        .arg("import")
        .arg(package)
        .arg("--data")
        .arg(data)
        .kill_on_drop(true)
        .output();
    guard("hub import", run).await.expect("running hub import")
}

fn write_package(dir: &Path, toml: &str) {
    std::fs::create_dir_all(dir.join("tai-lieu")).unwrap();
    std::fs::write(dir.join("meeting.toml"), toml).unwrap();
    std::fs::write(dir.join("participants.csv"), CSV).unwrap();
    for (name, seed) in [
        ("chuong-trinh.pdf", 1),
        ("Dự thảo báo cáo.pdf", 2),
        ("nhan-su.pdf", 3),
    ] {
        std::fs::write(
            dir.join("tai-lieu").join(name),
            files::test_bytes(10_000, seed),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_brings_its_documents_and_their_readers() {
    let package = tempfile::tempdir().unwrap();
    write_package(package.path(), TOML);
    let data = tempfile::tempdir().unwrap();
    let out = import(package.path(), data.path()).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hub = TestHub::start_in(data).await;
    let list = hub.get("/api/v1/meetings", hub.office_token()).await.json();
    let meeting = list["meetings"][0]["meeting"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, view) = hub
        .meeting_state(meeting.parse().unwrap(), hub.office_token())
        .await;
    let docs: &Vec<Document> = &view.documents;
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0].classification, Classification::Public);
    assert_eq!(docs[1].item, Some(view.agenda[1].id));
    assert_eq!(
        docs[1].current().unwrap().file.file_name,
        "Dự thảo báo cáo.pdf"
    );
    let secret = &docs[2];
    let seat = |s: &str| {
        view.participants
            .iter()
            .find(|p| p.seat.as_deref() == Some(s))
            .unwrap()
            .id
    };
    assert_eq!(secret.readers, vec![seat("A-002"), seat("A-001")]);
    let bytes = files::test_bytes(10_000, 3);
    assert_eq!(
        secret.current().unwrap().file.sha256,
        files::sha256_hex(&bytes)
    );
    let stored = hub
        .get(
            &format!("/api/v1/meetings/{meeting}/documents/{}", secret.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(stored.body, bytes);
    // The tokens the import issued were kept for printing: the badges print at once.
    let badge = format!(
        "/api/v1/meetings/{meeting}/participants/{}/qr.png",
        seat("A-002")
    );
    let qr = hub.get(&badge, hub.office_token()).await;
    assert_eq!(
        (qr.status, qr.header("content-type")),
        (200, Some("image/png"))
    );
    let sheet = hub
        .get(
            &format!("/api/v1/meetings/{meeting}/badges.pdf"),
            hub.office_token(),
        )
        .await;
    assert_eq!(sheet.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_outside_the_package_or_an_unknown_reader_fails_the_import_whole() {
    for (bad, expect) in [
        (
            TOML.replace("tai-lieu/nhan-su.pdf", "../nhan-su.pdf"),
            "inside the package",
        ),
        (TOML.replace("\"A-002\"", "\"Z-999\""), "Z-999"),
        (TOML.replace("item = 2", "item = 7"), "item 7"),
        (
            TOML.replace("tai-lieu/chuong-trinh.pdf", "tai-lieu/khong-co.pdf"),
            "khong-co.pdf",
        ),
    ] {
        let package = tempfile::tempdir().unwrap();
        write_package(package.path(), &bad);
        let data = tempfile::tempdir().unwrap();
        let out = import(package.path(), data.path()).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{expect}: the import should fail");
        assert!(
            stderr.contains(expect) && stderr.contains("meeting.toml"),
            "{expect}: {stderr}"
        );
    }
}
