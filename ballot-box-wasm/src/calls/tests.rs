//! The JSON calls end to end on the host: a committee made by three "devices" through the
//! calls, ballots cast and a box opened, and the refusals JavaScript will see as messages.

use super::*;
use ballot_box::{open, verify_share, DecryptionShare};

fn call(f: fn(&[u8]) -> Outcome, input: Value) -> Value {
    f(input.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(f: fn(&[u8]) -> Outcome, input: Value) -> String {
    f(input.to_string().as_bytes()).unwrap_err()
}

fn seed(n: u8) -> String {
    hex(&[n; 32])
}

#[test]
fn a_committee_made_through_the_calls_opens_a_box() {
    let params = json!({ "members": 3, "threshold": 2, "session": hex(&[5; 32]) });
    let started: Vec<Value> = (0..3)
        .map(|m| {
            call(
                dkg_start,
                json!({ "params": params, "member": m, "seed": seed(m) }),
            )
        })
        .collect();
    let round1: Vec<&Value> = started.iter().map(|s| &s["round1"]).collect();
    let second: Vec<Value> = started
        .iter()
        .map(|s| call(dkg_round2, json!({ "state": s["state"], "round1": round1 })))
        .collect();
    assert!(second
        .iter()
        .all(|s| s["check_code"] == second[0]["check_code"]));
    let round2: Vec<&Value> = second.iter().map(|s| &s["round2"]).collect();
    let third: Vec<Value> = second
        .iter()
        .map(|s| {
            call(
                dkg_round3,
                json!({ "state": s["state"], "round2": round2, "seed": seed(9) }),
            )
        })
        .collect();
    let sealed: Vec<&Value> = third
        .iter()
        .flat_map(|t| t["sealed"].as_array().unwrap())
        .collect();
    let finished: Vec<Value> = (0..3)
        .map(|m| {
            let mine: Vec<&&Value> = sealed.iter().filter(|s| s["to"] == m).collect();
            call(
                dkg_finish,
                json!({ "state": third[m]["state"], "sealed": mine, "seed": seed(10) }),
            )
        })
        .collect();
    let committee = &finished[0]["committee"];
    assert!(finished.iter().all(|f| &f["committee"] == committee));

    let poll = json!({ "context": hex(&[7; 32]), "options": 3, "min": 1, "max": 1 });
    let ballots: Vec<Value> = [2u8, 0, 2]
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            // A seed per ballot: the same seed twice would make the same ballot twice.
            let cast = call(ballot_encrypt, json!({ "committee": committee, "params": poll, "marks": [m], "seed": seed(20 + i as u8) }));
            assert_eq!(cast["receipt"].as_str().unwrap().len(), 10);
            let checked = call(ballot_verify, json!({ "committee": committee, "params": poll, "ballot": cast["ballot"] }));
            assert_eq!(checked["fingerprint"], cast["fingerprint"]);
            cast["ballot"].clone()
        })
        .collect();

    let without_box = json!({ "committee": committee, "secret": finished[0]["secret"], "sum": hex(&[0; 32]), "seed": seed(1) });
    assert!(refused(decryption_share, without_box).contains("verify the box first"));

    let calls = std::sync::atomic::AtomicUsize::new(0);
    let progress = |_: usize, _: usize| {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let input = json!({ "committee": committee, "params": poll, "ballots": ballots });
    let verified = box_verify(input.to_string().as_bytes(), Some(&progress)).unwrap();
    assert_eq!(verified["ballots"], 3);
    assert_eq!(calls.into_inner(), 3);

    // The same box in two stretches, as two workers verify it, joined in a third place.
    let parts: Vec<Value> = [(0usize, 2usize), (2, 3)]
        .iter()
        .map(|&(from, to)| {
            let part = json!({ "committee": committee, "params": poll, "ballots": ballots[from..to], "first": from });
            box_verify_part(part.to_string().as_bytes(), None).unwrap()
        })
        .collect();
    let joined = call(
        box_join,
        json!({ "params": poll, "parts": parts, "total": 3 }),
    );
    assert_eq!(joined["digest"], verified["digest"]);
    assert_eq!(joined["ballots"], 3);
    let gap = json!({ "params": poll, "parts": [parts[1]], "total": 3 });
    assert!(refused(box_join, gap).contains("ballot 0 comes next"));
    let bad = json!({ "committee": committee, "params": poll, "ballots": [ballots[1], ballots[1]], "first": 5 });
    let err = box_verify_part(bad.to_string().as_bytes(), None).unwrap_err();
    assert!(err.contains("ballots 5 and 6 are the same ballot"), "{err}");

    // One member by the JSON secret, one by the text form on the printed card.
    let shares: Vec<DecryptionShare> = [finished[0]["secret"].clone(), finished[2]["secret_text"].clone()]
        .into_iter()
        .map(|secret| {
            let share = call(decryption_share, json!({ "committee": committee, "secret": secret, "sum": verified["digest"], "seed": seed(30) }));
            serde_json::from_value(share).unwrap()
        })
        .collect();
    let key: CommitteeKey = serde_json::from_value(committee.clone()).unwrap();

    // The code the hall compares is the key's own, whoever computes it.
    let code = call(committee_code, json!({ "committee": committee }));
    assert_eq!(code["fingerprint"], key.fingerprint());
    assert_eq!(code["code"].as_str().unwrap().replace('-', ""), key.code());
    assert_eq!(code["code"].as_str().unwrap().len(), 11);
    // The printed copy's QR code holds the text form, which reads back as the share.
    let printed = call(secret_qr, json!({ "secret": finished[1]["secret"] }));
    assert_eq!(printed["text"], finished[1]["secret_text"]);
    assert!(printed["svg"].as_str().unwrap().starts_with("<?xml"));
    let back = call(
        secret_from_text,
        json!({ "text": printed["text"], "committee": committee }),
    );
    assert_eq!(back["secret"], finished[1]["secret"]);
    let sum: EncryptedSum = serde_json::from_value(verified["sum"].clone()).unwrap();
    let checked: Vec<_> = shares
        .iter()
        .map(|s| verify_share(&key, &sum, s).unwrap())
        .collect();
    assert_eq!(open(&key, &sum, &checked).unwrap(), [1, 0, 2]);
}

#[test]
fn refusals_come_back_as_messages() {
    let params = json!({ "members": 3, "threshold": 2, "session": hex(&[5; 32]) });
    assert!(refused(
        dkg_start,
        json!({ "params": params, "member": 0, "seed": "00" })
    )
    .contains("seed"));
    assert!(refused(
        dkg_start,
        json!({ "params": params, "member": 4, "seed": seed(1) })
    )
    .contains("member 4"));
    assert!(dkg_start(b"not json").unwrap_err().contains("not valid"));
    let bad = json!({ "members": 3, "threshold": 4, "session": hex(&[5; 32]) });
    assert!(refused(
        dkg_start,
        json!({ "params": bad, "member": 0, "seed": seed(1) })
    )
    .contains("threshold 4"));
}
