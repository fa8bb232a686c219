//! `hub verify`, the real program, on the published result of a secret election whose
//! ballots were encrypted on the members' tablets and whose box was opened by two of the
//! three members of the counting committee: the untouched file passes; one altered
//! ciphertext, one altered share, one altered count fail. Each altered file is also signed
//! again with the hub's own key, so the signature is valid and only the sealed box's
//! check can catch it: whoever runs the hub cannot change a secret count either.

use meeting_tests::sealed::{self, Cast};
use meeting_tests::{guard, hub_binary, TestHub};
use protocol::Command;
use std::path::Path;

/// Runs `hub verify FILE --key KEY`; returns success and what it printed.
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

fn altered(bytes: &[u8], change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    change(&mut value);
    let mut out = serde_json::to_vec_pretty(&value).unwrap();
    out.push(b'\n');
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_verify_accepts_a_sealed_result_and_rejects_an_altered_ciphertext_share_or_count() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(8).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let committee = &m.delegates[..3];
    let keys = sealed::make_committee(&hub, m.id, committee, 2).await;
    let poll = sealed::open_poll(
        &hub,
        m.id,
        "e",
        sealed::spec("Bầu Ban Kiểm tra", sealed::election(4, 2), true),
    )
    .await;
    let ballots: [&[u32]; 6] = [&[0, 1], &[0], &[1, 3], &[], &[0, 2], &[2, 3]];
    let mut cast: Vec<Cast> = Vec::new();
    for (d, marks) in m.delegates.iter().zip(ballots) {
        let (mut session, view) = sealed::session(&hub, d).await;
        sealed::until_checked_in(&mut session, &view, d.id()).await;
        cast.push(
            sealed::cast(&mut session, &view, poll, marks)
                .await
                .unwrap()
                .0,
        );
    }
    hub.office_command(m.id, "close", &Command::ClosePoll { poll })
        .await;
    // One member without a device voted on paper, counted in the hall.
    let paper = Command::RecordPaperBallots {
        poll,
        valid: 1,
        invalid: 0,
        tallies: vec![1, 0, 0, 1],
    };
    hub.office_command(m.id, "paper", &paper).await;
    for k in [0, 2] {
        sealed::give_share(&hub, m.id, poll, &committee[k], &keys[k])
            .await
            .expect("a member's share");
    }
    hub.office_command(m.id, "publish", &Command::PublishPoll { poll })
        .await;

    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("signing.pub");
    std::fs::write(&key_path, hub.get("/api/v1/signing-key", "").await.body).unwrap();
    let base = format!("/api/v1/meetings/{}/polls/{poll}", m.id);
    let file = hub
        .get(&format!("{base}/result.json"), &m.delegates[7].token)
        .await;
    let sig = hub
        .get(&format!("{base}/result.json.sig"), &m.delegates[7].token)
        .await;
    assert_eq!((file.status, sig.status), (200, 200), "{}", file.text());
    let path = dir.path().join("result.json");
    let sig_path = dir.path().join("result.json.sig");
    std::fs::write(&path, &file.body).unwrap();
    std::fs::write(&sig_path, &sig.body).unwrap();
    let (ok, said) = verify(&path, &key_path).await;
    assert!(ok, "{said}");
    assert!(
        said.contains("SEALED BOX VALID: 6 encrypted ballots"),
        "{said}"
    );
    assert!(
        said.lines().any(|l| l.starts_with("VALID:")),
        "the signature: {said}"
    );
    let published: serde_json::Value = serde_json::from_slice(&file.body).unwrap();
    assert_eq!(
        published["result"]["tallies"],
        serde_json::json!([4, 2, 2, 3])
    );
    for c in &cast {
        let listed = published["receipts"].as_array().unwrap().iter().any(|l| {
            l["receipt"] == c.receipt.as_str() && l["fingerprint"] == c.fingerprint.as_str()
        });
        assert!(listed, "receipt {} is published", c.receipt);
    }

    let signer = hub::signing::Signer::load_or_create(hub.data_dir()).unwrap();
    let public = std::fs::read_to_string(&key_path).unwrap();
    assert_eq!(public.trim(), signer.public_hex(), "the hub's own key");
    type Change = Box<dyn FnOnce(&mut serde_json::Value)>;
    let changes: Vec<(&str, Change, &str)> = vec![
        (
            "one ciphertext",
            Box::new(|v| {
                let ballots = v["sealed"]["ballots"].as_array_mut().unwrap();
                let ct = ballots[1]["ballot"]["choices"][0]["ct"].clone();
                ballots[0]["ballot"]["choices"][0]["ct"] = ct;
            }),
            "ballot 0",
        ),
        (
            "one share",
            Box::new(|v| {
                let parts = v["sealed"]["shares"][0]["parts"].as_array_mut().unwrap();
                let other = parts[1]["share"].clone();
                parts[0]["share"] = other;
            }),
            "share",
        ),
        (
            "one count of the box",
            Box::new(|v| {
                let c = v["sealed"]["counts"][1].as_u64().unwrap();
                v["sealed"]["counts"][1] = (c + 1).into();
            }),
            "option 1",
        ),
        (
            "one published tally",
            Box::new(|v| {
                let t = v["result"]["tallies"][3].as_u64().unwrap();
                v["result"]["tallies"][3] = (t + 1).into();
            }),
            "option 3",
        ),
    ];
    for (what, change, named) in changes {
        let bytes = altered(&file.body, change);
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(&sig_path, &sig.body).unwrap();
        let (ok, said) = verify(&path, &key_path).await;
        assert!(!ok, "{what} altered passed: {said}");
        assert!(
            said.contains("SEALED BOX INVALID") && said.contains(named),
            "{what}: {said}"
        );
        assert!(!said.contains("SEALED BOX VALID"), "{what}: {said}");
        // Signed again by the hub's own key: the signature holds, the box does not.
        let resigned = signer.sign_hex(&bytes);
        assert_eq!(
            hub::signing::verify(&public, &bytes, &resigned),
            Ok(true),
            "{what}"
        );
        std::fs::write(&sig_path, resigned).unwrap();
        let (ok, said) = verify(&path, &key_path).await;
        assert!(!ok, "{what} altered and signed again passed: {said}");
        assert!(
            said.contains("SEALED BOX INVALID") && said.contains(named),
            "{what}: {said}"
        );
    }
    // The untouched file and its signature pass again: the refusals were the changes'.
    std::fs::write(&path, &file.body).unwrap();
    std::fs::write(&sig_path, &sig.body).unwrap();
    assert!(verify(&path, &key_path).await.0);
}
