//! The native `tablet` against a hub that serves HTTPS, as a hall's hub does by default.
//!
//! With the hub's own CA the badge's QR code carries the CA's SHA-256 (`?ca=`): the tablet
//! joins from that link alone, follows the meeting, downloads a document and votes, all
//! over TLS, trusting that CA only. A hub with another CA is refused with a sentence that
//! says so; a link without the fingerprint does not fall back to "any certificate". An
//! office's own CA is given with `--ca FILE`.

use base64::Engine as _;
use meeting_tests::files;
use meeting_tests::native::{publish, run_tablet, tablet_binary};
use meeting_tests::qr::decode_qr;
use meeting_tests::{guard, TestHub};
use protocol::{Classification, Command, PollKind, PollSpec};
use std::process::Output;
use tokio::io::{AsyncBufReadExt, BufReader};

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Fails unless the program ended with `code` and said `needle` on stderr, as a sentence.
fn ended_with(output: &Output, code: i32, needle: &str) {
    let (out, err) = text(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(err.contains(needle), "stderr lacks “{needle}”: {err}");
    for noise in ["panicked", "backtrace", "Caused by"] {
        assert!(!err.contains(noise), "stderr has “{noise}”: {err}");
    }
}

/// The DER of the first certificate of a PEM file.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("a PEM certificate")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

/// The fingerprint of the CA a hub made in its data directory.
fn ca_pin(hub: &TestHub) -> String {
    let pem = std::fs::read_to_string(hub.data_dir().join("tls/ca.pem")).expect("the hub's CA");
    sha256_hex(&pem_der(&pem))
}

fn motion(title: &str) -> PollSpec {
    PollSpec {
        title: title.into(),
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
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_joins_from_the_badge_follows_downloads_and_votes_over_https() {
    let hub = TestHub::start_https().await;
    let m = hub.meeting_with(2).await;
    hub.office_command(m.id, "session", &Command::StartSession)
        .await;
    let me = &m.delegates[0];

    // The badge: its QR code holds the HTTPS link with the fingerprint of the hall's CA.
    let qr_path = format!("/api/v1/meetings/{}/participants/{}/qr.png", m.id, me.id());
    let qr = hub.get(&qr_path, hub.office_token()).await;
    assert_eq!(qr.status, 200, "{}", qr.text());
    let badge = decode_qr(&qr.body);
    let pin = ca_pin(&hub);
    assert_eq!(
        badge,
        format!(
            "https://127.0.0.1:{}/j/{}?ca={pin}",
            hub.addr().port(),
            me.token
        )
    );
    assert_eq!(badge, me.join_url, "the REST answer gives the same link");

    let profile = tempfile::tempdir().unwrap();
    let joined = run_tablet(profile.path(), &["join", &badge]).await;
    let (out, err) = text(&joined);
    assert!(joined.status.success(), "{out}{err}");
    assert!(out.contains("Đại biểu 1"), "{out}");
    assert!(out.contains("HTTPS, CA SHA-256"), "{out}");

    // Following the meeting: `tablet watch` prints the events and caches every document
    // as it is published, over the same TLS.
    let mut watch = tokio::process::Command::new(tablet_binary())
        .arg("--profile")
        .arg(profile.path())
        .arg("watch")
        .env_remove("TABLET_PROFILE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting tablet watch");
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let first = guard("the watch's first line", lines.next_line()).await;
    assert!(
        matches!(&first, Ok(Some(l)) if l.contains("items")),
        "{first:?}"
    );
    let bytes = files::test_bytes(150_000, 17);
    let doc = publish(
        &hub,
        m.id,
        "Báo cáo chính trị",
        Classification::Internal,
        &[],
        "Báo cáo chính trị.pdf",
        &bytes,
    )
    .await;
    hub.office_command(
        m.id,
        "create",
        &Command::CreatePoll {
            poll: motion("Biểu quyết thông qua Báo cáo chính trị"),
        },
    )
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = view.polls[0].poll.id;
    hub.office_command(m.id, "open", &Command::OpenPoll { poll })
        .await;
    let (mut held, mut opened) = (false, false);
    guard("the watch to cache the document and see the poll", async {
        while !(held && opened) {
            let line = lines.next_line().await.expect("reading the watch");
            let line = line.unwrap_or_else(|| panic!("the watch ended"));
            held |= line.contains("document held");
            opened |= line.contains("Biểu quyết thông qua Báo cáo chính trị");
        }
    })
    .await;
    watch.kill().await.expect("stopping the watch");
    let copy = profile
        .path()
        .join("documents")
        .join(doc.id.to_string())
        .join(format!("{}.pdf", doc.current().unwrap().file.sha256));
    assert_eq!(std::fs::read(&copy).unwrap(), bytes, "the verified copy");

    let voted = run_tablet(profile.path(), &["vote", "1", "Tán thành"]).await;
    let (out, err) = text(&voted);
    assert!(voted.status.success(), "{out}{err}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.polls[0].ballots_in, 1);
    assert_eq!(view.polls[0].tallies.as_deref(), Some(&[1, 0, 0][..]));

    let synced = run_tablet(profile.path(), &["sync"]).await;
    let (out, err) = text(&synced);
    assert!(synced.status.success(), "{out}{err}");
    assert!(out.contains("1 of 1 held"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_with_another_ca_is_refused_and_no_link_means_no_blind_trust() {
    let hall = TestHub::start_https().await;
    let other = TestHub::start_https().await;
    let m = other.meeting_with(1).await;
    let me = &m.delegates[0];
    let (pin, wrong) = (ca_pin(&other), ca_pin(&hall));
    assert_ne!(pin, wrong, "each hub made its own CA");

    // The other hub's link, with the fingerprint of the hall's CA: not the hub it names.
    let forged = me.join_url.replace(&pin, &wrong);
    let profile = tempfile::tempdir().unwrap();
    let refused = run_tablet(profile.path(), &["join", &forged]).await;
    ended_with(&refused, 7, "not the one on the badge");
    ended_with(&refused, 7, "the hall's certificate");
    assert!(
        !profile.path().join("join-url").exists(),
        "nothing is kept from a refused join"
    );

    // Without the fingerprint, the hub's own CA is no public root: refused too.
    let bare = me.join_url.split('?').next().unwrap().to_owned();
    let refused = run_tablet(profile.path(), &["join", &bare]).await;
    ended_with(&refused, 7, "certificate is not trusted");

    // The same link with the hub's CA given by hand (`--ca`, as an office does with its
    // own CA) is trusted, and kept for the next commands.
    let ca_file = other.data_dir().join("tls/ca.pem");
    let ca = ca_file.to_str().unwrap();
    let joined = run_tablet(profile.path(), &["--ca", ca, "join", &bare]).await;
    let (out, err) = text(&joined);
    assert!(joined.status.success(), "{out}{err}");
    let agenda = run_tablet(profile.path(), &["agenda"]).await;
    assert!(agenda.status.success(), "{:?}", text(&agenda));

    // A --ca file of another hub is refused in its turn.
    let hall_ca = hall.data_dir().join("tls/ca.pem");
    let refused = run_tablet(
        profile.path(),
        &["--ca", hall_ca.to_str().unwrap(), "agenda"],
    )
    .await;
    ended_with(&refused, 7, "certificate is not trusted");

    let not_a_cert = profile.path().join("not-a-cert.pem");
    std::fs::write(&not_a_cert, "hello").unwrap();
    let refused = run_tablet(
        profile.path(),
        &["--ca", not_a_cert.to_str().unwrap(), "agenda"],
    )
    .await;
    ended_with(&refused, 2, "holds no certificate");
}
