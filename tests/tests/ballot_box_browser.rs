//! The sealed ballot box in a real browser (headless chromium) against a real hub: the page
//! loads `/vendor/ballot-box.wasm` through `/js/ballot-box.js` under the app shell's CSP, a
//! committee member's device takes part in the key setup with two native devices, a voter
//! encrypts ballots, the member verifies the box and gives a share; every result is checked
//! here natively with the `ballot-box` crate. A larger box is verified on every core the
//! browser reports, in stretches, and joined in the worker that decrypts.

use ballot_box::rand_core::SeedableRng;
use ballot_box::{
    deal, encrypt, open, verify, verify_share, BallotParams, ChaCha20Rng, CommitteeKey,
    CommitteeParams, DecryptionShare, DkgMember, EncryptedBallot, EncryptedSum, KeyConfirmation,
    MemberSecret, Round1, Round2, SealedShare,
};
use meeting_tests::browser::{Driver, Page, TABLET};
use meeting_tests::http::Request;
use meeting_tests::TestHub;
use serde_json::{json, Value};

/// Runs `body` (an async function body over `bb`, the imported module, and `args`) in the
/// page and returns what it returns; a thrown error fails the test with its message.
async fn in_page(page: &Page, body: &str, args: Value) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const args = arguments[0];
         (async () => {{
           window.bb ??= await import('/js/ballot-box.js');
           const bb = window.bb;
           {body}
         }})().then((value) => done({{ value }}), (e) => done({{ error: String(e && e.message || e) }}));"
    );
    let answer = page
        .client
        .execute_async(&script, vec![args])
        .await
        .unwrap_or_else(|e| panic!("running in the page: {e}"));
    if let Some(error) = answer.get("error") {
        panic!("the page threw: {error}");
    }
    answer["value"].clone()
}

fn from<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

#[tokio::test]
async fn the_browser_sets_up_the_key_encrypts_and_shares_and_rust_agrees() {
    let hub = TestHub::start().await;
    let wasm = hub
        .request(Request::new("GET", "/vendor/ballot-box.wasm"))
        .await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(
        wasm.header("etag").map(str::len),
        Some(66),
        "a quoted SHA-256"
    );
    assert_eq!(&wasm.body[..4], b"\0asm");
    eprintln!("ballot-box.wasm: {} bytes", wasm.body.len());

    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let mut rng = ChaCha20Rng::seed_from_u64(1);

    // The key setup: member 0 is the browser, members 1 and 2 are native devices.
    let params = CommitteeParams::new(3, 2, [42; 32]).unwrap();
    let started = in_page(
        &page,
        "const r = await bb.dkgStart(args.params, 0); window.dkg = r.state; return r.round1;",
        json!({ "params": params }),
    )
    .await;
    let mut round1: Vec<Round1> = vec![from(&started)];
    let mut natives: Vec<DkgMember> = vec![];
    for member in 1..3 {
        let (device, message) = DkgMember::start(params, member, &mut rng).unwrap();
        natives.push(device);
        round1.push(message);
    }
    let second = in_page(
        &page,
        "const r = await bb.dkgRound2(window.dkg, args.round1); window.dkg = r.state;
         return { round2: r.round2, code: r.check_code };",
        json!({ "round1": round1 }),
    )
    .await;
    let mut round2: Vec<Round2> = vec![from(&second["round2"])];
    for device in natives.iter_mut() {
        let (next, message) = device.round2(&round1).unwrap();
        assert_eq!(
            Some(second["code"].as_str().unwrap()),
            next.check_code(),
            "the same code"
        );
        *device = next;
        round2.push(message);
    }
    let third = in_page(
        &page,
        "const r = await bb.dkgRound3(window.dkg, args.round2); window.dkg = r.state; return r.sealed;",
        json!({ "round2": round2 }),
    )
    .await;
    let mut sealed: Vec<SealedShare> = from(&third);
    for device in natives.iter_mut() {
        let (next, shares) = device.round3(&round2, &mut rng).unwrap();
        *device = next;
        sealed.extend(shares);
    }
    let to = |m: u8| -> Vec<SealedShare> { sealed.iter().filter(|s| s.to == m).cloned().collect() };
    let finished = in_page(
        &page,
        "const r = await bb.dkgFinish(window.dkg, args.sealed); delete window.dkg;
         window.secret = r.secret_text; return r;",
        json!({ "sealed": to(0) }),
    )
    .await;
    let key = CommitteeKey::from_round2(&params, &round2).unwrap();
    let in_browser: CommitteeKey = from(&finished["committee"]);
    assert_eq!(in_browser.fingerprint(), key.fingerprint());
    key.verify_confirmation(&from::<KeyConfirmation>(&finished["confirmation"]))
        .unwrap();
    let native_secret = natives[1].finish(&to(2), &mut rng).unwrap().secret;

    // The voter: ballots encrypted in the page verify here; a mark out of range is refused.
    let poll = BallotParams::at_most([7; 32], 20, 15);
    let cast = in_page(
        &page,
        "const t0 = performance.now();
         const cast = await bb.encryptBallot(args.committee, args.poll, args.marks);
         const encryptMs = performance.now() - t0;
         let refused = null;
         try { await bb.encryptBallot(args.committee, args.poll, [20]); } catch (e) { refused = e.message; }
         return { cast, refused, encryptMs };",
        json!({ "committee": key, "poll": poll, "marks": (0..15).collect::<Vec<u32>>() }),
    )
    .await;
    let ballot: EncryptedBallot = from(&cast["cast"]["ballot"]);
    let verified = verify(&key, &poll, &ballot).unwrap();
    assert_eq!(cast["cast"]["fingerprint"], verified.fingerprint());
    assert_eq!(cast["cast"]["receipt"], verified.receipt());
    let refused = cast["refused"].as_str().unwrap_or_default();
    assert!(refused.contains("option 20 does not exist"), "{refused}");
    eprintln!(
        "in chromium: encrypt + prove 15 of 20: {:.0} ms",
        cast["encryptMs"].as_f64().unwrap()
    );

    // The member: verifies a box of the page's ballot and native ones, with progress, and
    // gives a share of the sum it added up; with a native member's share it opens.
    let mut ballots = vec![ballot];
    let mut expected = vec![0u64; 20];
    expected[..15].fill(1);
    for i in 0..19u32 {
        let marks: Vec<u32> = (0..i % 16).map(|k| (k * 7 + i) % 20).collect();
        for &m in &marks {
            expected[m as usize] += 1;
        }
        ballots.push(encrypt(&key, &poll, &marks, &mut rng).unwrap());
    }
    let counted = in_page(
        &page,
        "const progress = [];
         const t0 = performance.now();
         const box = await bb.verifyBox(args.committee, args.poll, args.ballots, (d, t) => progress.push([d, t]));
         const verifyMs = performance.now() - t0;
         const share = await bb.decryptionShare(args.committee, window.secret, box.digest);
         let refused = null;
         try { await bb.decryptionShare(args.committee, window.secret, '00'.repeat(32)); } catch (e) { refused = e.message; }
         return { box, progress, share, refused, verifyMs };",
        json!({ "committee": key, "poll": poll, "ballots": ballots }),
    )
    .await;
    let sum = EncryptedSum::verified_from(&key, &poll, &ballots, None).unwrap();
    assert_eq!(counted["box"]["digest"], data_hex(&sum.digest()));
    assert_eq!(counted["progress"].as_array().unwrap().len(), 20);
    assert_eq!(counted["progress"][19], json!([20, 20]));
    assert!(counted["refused"]
        .as_str()
        .unwrap_or_default()
        .contains("not verified here"));
    let share: DecryptionShare = from(&counted["share"]);
    assert_eq!(share.member, 0);
    let shares = [
        verify_share(&key, &sum, &share).unwrap(),
        verify_share(
            &key,
            &sum,
            &native_secret
                .decryption_share(&key, &sum, &mut rng)
                .unwrap(),
        )
        .unwrap(),
    ];
    assert_eq!(open(&key, &sum, &shares).unwrap(), expected);
    let ms = counted["verifyMs"].as_f64().unwrap();
    eprintln!(
        "in chromium: verify a box of 20 ballots (15 of 20): {ms:.0} ms, {:.0} ms a ballot",
        ms / 20.0
    );
}

fn data_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A dealt committee of 3 (2 needed) and `n` ballots of a 2-of-5 poll, with the counts.
fn dealt_box(
    n: u32,
) -> (
    CommitteeKey,
    Vec<MemberSecret>,
    BallotParams,
    Vec<EncryptedBallot>,
    Vec<u64>,
) {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (key, secrets) = deal(CommitteeParams::new(3, 2, [9; 32]).unwrap(), &mut rng).unwrap();
    let poll = BallotParams::at_most([8; 32], 5, 2);
    let mut counts = vec![0u64; 5];
    let ballots = (0..n)
        .map(|i| {
            let marks = [i % 5, (i / 5 + 1 + i) % 5];
            let marks: &[u32] = if marks[0] == marks[1] {
                &marks[..1]
            } else {
                &marks
            };
            for &m in marks {
                counts[m as usize] += 1;
            }
            encrypt(&key, &poll, marks, &mut rng).unwrap()
        })
        .collect();
    (key, secrets, poll, ballots, counts)
}

/// Verifies `ballots` through the page's `verifyBox` (box-worker.js: every core, joined in the
/// page's worker) and gives `secret`'s share of the sum; returns what the page saw.
const VERIFY_ON_CORES: &str = "
    const bw = await import('/js/box-worker.js');
    const progress = [];
    const t0 = performance.now();
    const box = await bw.verifyBox(args.committee, args.poll, args.ballots, (d, t) => progress.push([d, t]));
    const verifyMs = performance.now() - t0;
    const share = await bw.box('decryptionShare', args.committee, args.secret, box.digest);
    return { box, progress, share, verifyMs, cores: navigator.hardwareConcurrency };";

#[tokio::test]
async fn a_large_box_is_verified_on_every_core_and_decrypted_by_the_worker_that_joined_it() {
    let hub = TestHub::start().await;
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let (key, secrets, poll, ballots, counts) = dealt_box(120);

    let args = json!({ "committee": key, "poll": poll, "ballots": ballots, "secret": secrets[0] });
    let seen = in_page(&page, VERIFY_ON_CORES, args).await;
    // 120 ballots are worth two workers of 60 where the browser has two cores or more.
    let cores = seen["cores"].as_u64().unwrap();
    assert_eq!(seen["box"]["workers"].as_u64().unwrap(), cores.clamp(1, 2));
    let sum = EncryptedSum::verified_from(&key, &poll, &ballots, None).unwrap();
    assert_eq!(seen["box"]["digest"], data_hex(&sum.digest()));
    assert_eq!(seen["box"]["ballots"], 120);
    let progress: Vec<(u64, u64)> = from(&seen["progress"]);
    assert_eq!(progress.len(), 120, "once per ballot, over the whole box");
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(progress.last(), Some(&(120, 120)));
    // The share the page's worker gave opens the count with a native member's.
    let share: DecryptionShare = from(&seen["share"]);
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let shares = [
        verify_share(&key, &sum, &share).unwrap(),
        verify_share(
            &key,
            &sum,
            &secrets[2].decryption_share(&key, &sum, &mut rng).unwrap(),
        )
        .unwrap(),
    ];
    assert_eq!(open(&key, &sum, &shares).unwrap(), counts);

    // A bad ballot in the second stretch is named by its place in the whole box, and the
    // page's worker still decrypts nothing it did not add up.
    let mut tampered = ballots.clone();
    tampered[101].choices[1].ct = tampered[101].choices[0].ct;
    let refused = in_page(
        &page,
        "const bw = await import('/js/box-worker.js');
         try { await bw.verifyBox(args.committee, args.poll, args.ballots); return null; } catch (e) { return e.message; }",
        json!({ "committee": key, "poll": poll, "ballots": tampered }),
    )
    .await;
    let refused = refused.as_str().expect("the tampered box is refused");
    assert!(refused.contains("ballot 101 "), "{refused}");
    eprintln!(
        "in chromium: a box of 120 ballots (2 of 5) on {} workers: {:.0} ms",
        seen["box"]["workers"],
        seen["verifyMs"].as_f64().unwrap()
    );
}

/// `cargo test --release -p meeting-tests --test ballot_box_browser -- --ignored --nocapture`
/// (BALLOTS=2000 for a congress): a committee member's box of 15-of-20 ballots verified in
/// headless chromium on one worker and then on every core, as `verifyBox` shares it out.
#[tokio::test]
#[ignore = "a benchmark: run with --ignored --nocapture on a release build"]
async fn bench_a_members_box_in_chromium_one_worker_and_every_core() {
    let n: usize = std::env::var("BALLOTS")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(400);
    let hub = TestHub::start().await;
    let driver = Driver::start().await;
    let page = driver.page(TABLET).await;
    page.goto(&format!("http://{}/", hub.addr())).await;
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (key, secrets) = deal(CommitteeParams::new(3, 2, [9; 32]).unwrap(), &mut rng).unwrap();
    let poll = BallotParams::at_most([8; 32], 20, 15);
    let ballots: Vec<EncryptedBallot> = (0..n)
        .map(|i| {
            let marks: Vec<u32> = (0..12 + i as u32 % 4)
                .map(|k| (k * 7 + i as u32) % 20)
                .collect();
            encrypt(&key, &poll, &marks, &mut rng).unwrap()
        })
        .collect();
    let one = in_page(
        &page,
        "const bw = await import('/js/box-worker.js');
         const t0 = performance.now();
         await bw.box('verifyBox', args.committee, args.poll, args.ballots);
         return performance.now() - t0;",
        json!({ "committee": key, "poll": poll, "ballots": ballots }),
    )
    .await;
    let args = json!({ "committee": key, "poll": poll, "ballots": ballots, "secret": secrets[0] });
    let all = in_page(&page, VERIFY_ON_CORES, args).await;
    let (one, every) = (one.as_f64().unwrap(), all["verifyMs"].as_f64().unwrap());
    println!("| a member's box of {n} ballots (15 of 20), headless chromium | s | ms a ballot |");
    println!("|---|---:|---:|");
    println!("| one worker | {:.1} | {:.1} |", one / 1e3, one / n as f64);
    println!(
        "| {} workers ({} cores) | {:.1} | {:.1} |",
        all["box"]["workers"],
        all["cores"],
        every / 1e3,
        every / n as f64
    );
    println!("| speed-up | {:.2}× | |", one / every);
}
