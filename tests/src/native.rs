//! Support for the native client's tests: the `tablet` program under test, and documents
//! published the way the secretariat publishes them.

use crate::files::{self, Part};
use crate::TestHub;
use protocol::{Classification, Document, MeetingId};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The `tablet` program under test: this package's `tablet-under-test` binary, which cargo
/// builds before it runs this package's tests.
pub fn tablet_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable is in target/<profile>/deps");
    let bin = profile_dir.join(format!("tablet-under-test{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "the tablet program is missing at {}: run the tests with `cargo test`",
        bin.display()
    );
    bin
}

/// The passphrase a committee member's tablet keeps its share under, in these tests
/// (`TABLET_PASSPHRASE`: there is no terminal to type it on).
pub const PASSPHRASE: &str = "mật khẩu của thành viên";

/// Runs `tablet --profile PROFILE ARGS…` to its end, with no terminal and no input, and
/// the member's passphrase [`PASSPHRASE`].
pub async fn run_tablet(profile: &Path, args: &[&str]) -> Output {
    run_tablet_with(profile, args, PASSPHRASE).await
}

/// [`run_tablet`] with another passphrase.
pub async fn run_tablet_with(profile: &Path, args: &[&str], passphrase: &str) -> Output {
    let run = tokio::process::Command::new(tablet_binary())
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env_remove("TABLET_PROFILE")
        .env("TABLET_PASSPHRASE", passphrase)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    crate::guard("the tablet program to finish", run)
        .await
        .expect("running the tablet program")
}

/// Uploads a document as the office; returns it as the hub published it.
pub async fn publish(
    hub: &TestHub,
    meeting: MeetingId,
    title: &str,
    class: Classification,
    readers: &[String],
    file_name: &str,
    bytes: &[u8],
) -> Document {
    let path = format!("/api/v1/meetings/{meeting}/documents");
    let parts = [
        Part::Text("title", title.to_owned()),
        Part::Text("classification", class.as_str().to_owned()),
        Part::Text("readers", readers.join(",")),
        Part::File("file", file_name, "application/pdf", bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload {title}: {}", r.text());
    serde_json::from_value(r.json()["document"].clone()).expect("a document")
}
