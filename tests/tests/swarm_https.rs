//! `tablet swarm` against a hub that serves HTTPS, as a hall's hub does by default: its
//! simulated tablets take the hall's CA from the `ca=` of the demo's join links and speak
//! TLS to the hub, the driver too; a pin of another CA stops the swarm with the sentence
//! a delegate would read.

use meeting_tests::demo::{DemoHub, Scheme};
use meeting_tests::guard;
use meeting_tests::native::tablet_binary;
use std::path::Path;
use std::process::Stdio;

async fn swarm(demo: &Path, clients: usize) -> std::process::Output {
    let run = tokio::process::Command::new(tablet_binary())
        .arg("swarm")
        .arg("--demo")
        .arg(demo)
        .args(["--clients", &clients.to_string(), "--rounds", "3"])
        .env_remove("TABLET_PROFILE")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    guard("tablet swarm to end", run)
        .await
        .expect("running tablet swarm")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_swarm_speaks_tls_to_a_hall_hub_pinning_its_ca() {
    let hub = DemoHub::start_with(24, Scheme::Https).await;
    let demo_path = hub.demo_json();
    let demo = &hub.info;
    let hub_url = demo["hub_url"].as_str().unwrap();
    assert!(hub_url.starts_with("https://"), "{hub_url}");
    let join = demo["participants"][0]["join_url"].as_str().unwrap();
    assert!(join.contains("?ca="), "{join}");

    let out = swarm(&demo_path, 24).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    // The table's column for the hub: every tablet connected, heard every round, voted
    // and was counted (the swarm itself fails otherwise), and came back from the storm.
    assert!(stdout.contains("| hub"), "{stdout}");
    assert!(stdout.contains("24"), "{stdout}");

    // Another CA's pin: the swarm stops with the reason a delegate would read.
    let other = "ab".repeat(32);
    let (_, pin) = join.split_once("?ca=").unwrap();
    let text = std::fs::read_to_string(&demo_path)
        .unwrap()
        .replace(pin, &other);
    let scratch = tempfile::tempdir().unwrap();
    let wrong = scratch.path().join("wrong-ca.json");
    std::fs::write(&wrong, text).unwrap();
    let out = swarm(&wrong, 2).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("certificate authority is not the one on the badge"),
        "{stderr}"
    );
}
