//! `hub import`: a meeting package (meeting.toml + participants.csv) becomes a meeting whose
//! badges work on the served hub; a package with a bad row is refused whole.

use meeting_tests::http::Request;
use meeting_tests::{expect_snapshot, guard, hub_binary, TestHub};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use tablet_client::JoinUrl;

fn example_package() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/example-package");
    assert!(
        dir.join("meeting.toml").is_file(),
        "no example package at {}",
        dir.display()
    );
    dir
}

async fn run_import(package: &Path, data: &Path) -> Output {
    let run = tokio::process::Command::new(hub_binary())
        .arg("import")
        .arg(package)
        .arg("--data")
        .arg(data)
        .kill_on_drop(true)
        .output();
    guard("hub import", run).await.expect("running hub import")
}

/// The `title = "…"` of meeting.toml's top level.
fn toml_title(toml: &str) -> String {
    let line = toml
        .lines()
        .find(|l| l.trim_start().starts_with("title"))
        .expect("meeting.toml has a title");
    let value = line.split_once('=').expect("title = \"…\"").1.trim();
    value.trim_matches('"').to_owned()
}

/// Data rows of a CSV file: non-empty lines after the header (the example has no
/// line breaks inside quotes).
fn csv_rows(csv: &str) -> usize {
    csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_badges_work_on_the_served_hub() {
    let package = example_package();
    let toml = std::fs::read_to_string(package.join("meeting.toml")).unwrap();
    let csv = std::fs::read_to_string(package.join("participants.csv")).unwrap();
    let data = tempfile::tempdir().unwrap();

    let out = run_import(&package, data.path()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "hub import failed: {}\n{stdout}\n{stderr}",
        out.status
    );
    let joins: Vec<JoinUrl> = stdout
        .split_whitespace()
        .filter(|w| w.contains("/j/"))
        .map(|w| JoinUrl::parse(w).unwrap_or_else(|e| panic!("printed join URL: {e}")))
        .collect();
    assert_eq!(
        joins.len(),
        csv_rows(&csv),
        "one join URL per participant:\n{stdout}"
    );
    let tokens: HashSet<&str> = joins.iter().map(JoinUrl::token).collect();
    assert_eq!(tokens.len(), joins.len(), "every badge has its own token");

    let hub = TestHub::start_in(data).await;
    let list = hub.get("/api/v1/meetings", hub.office_token()).await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(
        list.json()["meetings"].as_array().map(Vec::len),
        Some(1),
        "{}",
        list.text()
    );

    let mut seen = HashSet::new();
    for join in &joins {
        let (_, first) = hub.join(join.token(), None).await;
        let (_, me, view) = expect_snapshot(first);
        assert!(
            csv.contains(&me.name),
            "{} is not in participants.csv",
            me.name
        );
        assert!(seen.insert(me.participant), "two badges for {}", me.name);
        assert_eq!(view.meeting.title, toml_title(&toml));
        assert_eq!(view.agenda.len(), toml.matches("[[agenda]]").count());
        let path = format!("/j/{}", join.token());
        let page = hub.request(Request::new("GET", &path)).await;
        assert!(
            page.status < 400,
            "GET /j/TOKEN: HTTP {} {}",
            page.status,
            page.text()
        );
    }
    let (_, first) = hub.join(joins[0].token(), None).await;
    let (_, me, _) = expect_snapshot(first);
    let view = hub.meeting_state(me.meeting, hub.office_token()).await.1;
    assert_eq!(view.participants.len(), joins.len());
}

/// A copy of the example package whose participants.csv has an unknown role on line 3.
fn package_with_bad_row(into: &Path) -> u64 {
    let package = example_package();
    for file in ["meeting.toml", "participants.csv"] {
        std::fs::copy(package.join(file), into.join(file)).unwrap();
    }
    let csv = std::fs::read_to_string(into.join("participants.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let header: Vec<String> = lines[0]
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    let role = header
        .iter()
        .position(|h| h.contains("role") || h.contains("vai trò"))
        .expect("a role column");
    let mut row = vec![String::new(); header.len()];
    row[0] = "Người lạ".into();
    row[role] = "khách du lịch".into();
    lines.insert(2, row.join(","));
    std::fs::write(into.join("participants.csv"), lines.join("\n") + "\n").unwrap();
    3
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_fails_the_import_with_its_line_and_creates_nothing() {
    let package = tempfile::tempdir().unwrap();
    let bad_line = package_with_bad_row(package.path());
    let data = tempfile::tempdir().unwrap();

    let out = run_import(package.path(), data.path()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the import should fail:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("line {bad_line}")),
        "stderr should name line {bad_line}:\n{stderr}"
    );
    assert!(
        !stdout.contains("/j/"),
        "no join URLs for a refused package:\n{stdout}"
    );

    let hub = TestHub::start_in(data).await;
    let list = hub.get("/api/v1/meetings", hub.office_token()).await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(
        list.json()["meetings"],
        serde_json::json!([]),
        "a refused import created a meeting"
    );
}

/// The example package with one more poll that the engine refuses: an election of more
/// members than it has candidates. `hub import` used to panic on it (the poll's index was
/// taken for a document's and indexed past the end of the documents).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_the_engine_refuses_fails_the_import_by_name_without_a_panic() {
    let package = tempfile::tempdir().unwrap();
    for file in ["meeting.toml", "participants.csv"] {
        std::fs::copy(example_package().join(file), package.path().join(file)).unwrap();
    }
    let mut toml = std::fs::read_to_string(package.path().join("meeting.toml")).unwrap();
    let polls = toml.matches("[[polls]]").count();
    toml.push_str(
        "\n[[polls]]\ntitle = \"Bầu Ban Kiểm tra\"\nkind = \"election\"\n\
         candidates = [\"Nguyễn Văn An\", \"Trần Thị Bích\"]\nseats = 5\n",
    );
    std::fs::write(package.path().join("meeting.toml"), toml).unwrap();
    let data = tempfile::tempdir().unwrap();

    let out = run_import(package.path(), data.path()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the import should fail:\n{stdout}\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "hub import panicked:\n{stderr}"
    );
    let named = format!("poll {} (Bầu Ban Kiểm tra)", polls + 1);
    assert!(
        stderr.contains(&named),
        "stderr should name {named}:\n{stderr}"
    );
    assert!(
        stderr.contains("nothing was imported"),
        "stderr should say nothing was imported:\n{stderr}"
    );
    assert!(!stdout.contains("/j/"), "no join URLs:\n{stdout}");
}
