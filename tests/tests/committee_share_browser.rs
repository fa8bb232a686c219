//! A counting committee member's share on the web tablet, in real browsers (headless
//! chromium) against a real hub: the key's code is the same on the member's device, the
//! voter's panel and the projector, and is the one the `ballot-box` crate computes from
//! the key; the member keeps the share under a passphrase, a second badge on the same
//! browser finds nothing of it (not even in storage), the member's badge gets it back
//! with the passphrase (not with a wrong one) and opens the count; on another tablet the
//! share comes back from its printed copy's text.

mod sealed_hall;

use ballot_box::CommitteeKey;
use meeting_tests::browser::{Driver, Page, PROJECTOR, TABLET};
use meeting_tests::qr::decode_qr;
use meeting_tests::{MeetingFixture, TestHub};
use sealed_hall::{command, office_view, NativeMembers};
use serde_json::{json, Value};
use std::time::Duration;

const PASSPHRASE: &str = "Hoa sen nở giữa đầm 2026";

async fn office(hub: &TestHub, m: &MeetingFixture, id: &str, c: Value) -> Value {
    command(hub, m, hub.office_token(), id, c).await
}

async fn tap(page: &Page, css: &str) {
    page.wait_for(css).await;
    page.eval(&format!("document.querySelector('{css}').click();"))
        .await;
}

/// Sets a field's value as typing would.
async fn fill(page: &Page, css: &str, text: &str) {
    page.wait_for(css).await;
    page.eval(&format!(
        "const f = document.querySelector('{css}'); f.value = {}; \
         f.dispatchEvent(new Event('input', {{ bubbles: true }}));",
        serde_json::to_string(text).unwrap()
    ))
    .await;
}

async fn join(driver: &Driver, url: &str, size: (u32, u32)) -> Page {
    let page = driver.page(size).await;
    page.goto(url).await;
    page
}

/// Every key and value of the page's localStorage, as one text.
async fn storage(page: &Page) -> String {
    page.eval(
        "const out = []; for (let i = 0; i < localStorage.length; i++) { \
         const k = localStorage.key(i); out.push(k + '=' + localStorage.getItem(k)); } \
         return out.join('\\n');",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn code_in(page: &Page, css: &str) -> String {
    page.wait_text(css, "the committee key's code", |t| t.len() == 11)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_share_is_kept_for_that_member_only_and_the_key_code_matches_everywhere() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(4).await;
    office(&hub, &m, "session", json!({"op": "start_session"})).await;
    for (n, p) in [&m.chair, &m.delegates[1], &m.delegates[2], &m.delegates[3]]
        .iter()
        .enumerate()
    {
        office(
            &hub,
            &m,
            &format!("in-{n}"),
            json!({"op": "check_in", "participant": p.id()}),
        )
        .await;
    }
    let driver = Driver::start().await;
    let member = &m.delegates[0];
    let tablet = join(&driver, &member.join_url, TABLET).await;
    tablet.wait_for("[data-testid=agenda]").await;

    // The key: member 0 is the browser, members 1 and 2 native devices; 2 of 3 open.
    let mut natives = NativeMembers::name(
        &hub,
        &m,
        &[member, &m.chair, &m.delegates[1]],
        &[false, true, true],
        2,
    )
    .await;
    tap(&tablet, "[data-testid=tab-committee]").await;
    for _ in 0..2 {
        natives.step(&hub, &m).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tablet.wait_for("[data-testid=committee-code]").await;
    natives.step(&hub, &m).await;
    tap(&tablet, "[data-testid=committee-code-ok]").await;
    let mut ready = false;
    for _ in 0..40 {
        if natives.step(&hub, &m).await == "ready" {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ready, "{}", office_view(&hub, &m).await["committee"]);
    tablet.wait_for("[data-testid=committee-ready]").await;

    // The code the hall compares: the crate's, from the key, on every screen.
    let key: CommitteeKey =
        serde_json::from_value(office_view(&hub, &m).await["committee"]["key"].clone()).unwrap();
    let expected = format!("{}-{}", &key.code()[..5], &key.code()[5..]);
    let on_member = code_in(&tablet, "[data-testid=committee-key-code] strong").await;
    assert_eq!(on_member, expected, "the member's device");
    let projector = join(&driver, &m.projector.join_url, PROJECTOR).await;
    let on_projector = code_in(&projector, "[data-testid=proj-key-code] strong").await;
    assert_eq!(on_projector, expected, "the projector");
    office(
        &hub,
        &m,
        "poll",
        json!({"op": "create_poll", "poll": {"title": "Bầu Trưởng Ban kiểm tra", "kind": {"type": "motion"}, "secret": true, "quorum": "0/1"}}),
    )
    .await;
    let poll = office_view(&hub, &m).await["polls"][0]["poll"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    office(&hub, &m, "open", json!({"op": "open_poll", "poll": poll})).await;
    let voter = join(&driver, &m.delegates[3].join_url, TABLET).await;
    let on_vote_panel = code_in(&voter, "[data-testid=vote-key-code] strong").await;
    assert_eq!(on_vote_panel, expected, "the voter's panel");
    voter.screenshot("vote-panel-key-code").await;
    voter.click("[data-testid=option-0]").await;
    voter.click("[data-testid=vote-submit]").await;
    voter.click("[data-testid=confirm-yes]").await;
    voter.wait_for("[data-testid=vote-recorded]").await;
    sealed_hall::cast_sealed(&hub, &m, &m.chair, &poll, &[1], 41).await;
    sealed_hall::cast_sealed(&hub, &m, &m.delegates[1], &poll, &[0], 42).await;

    // The member keeps the share under a passphrase; a short one is refused.
    tap(&tablet, "[data-testid=tab-committee]").await;
    tap(&tablet, ".secret-copy summary").await;
    let secret = tablet
        .wait_text("[data-testid=committee-secret]", "the share's text", |t| {
            t.len() > 20
        })
        .await;
    fill(&tablet, "[data-testid=committee-passphrase]", "ngắn").await;
    tap(&tablet, "[data-testid=committee-keep]").await;
    tablet.wait_for("[data-testid=committee-vault-error]").await;
    fill(&tablet, "[data-testid=committee-passphrase]", PASSPHRASE).await;
    tap(&tablet, "[data-testid=committee-keep]").await;
    tablet.wait_for("[data-testid=committee-kept]").await;
    let scalar = secret.rsplit('-').next().unwrap().to_owned();
    let kept = storage(&tablet).await;
    assert!(
        !kept.contains(&scalar),
        "kept under a passphrase: not in clear any more"
    );
    assert!(kept.contains("hub.vault."), "{kept}");
    // The printed copy is drawn on the device: a QR code and the same text.
    tap(&tablet, "[data-testid=committee-print]").await;
    let printed = tablet
        .wait_text("[data-testid=committee-print-copy] code", "the copy", |t| {
            !t.is_empty()
        })
        .await;
    assert_eq!(printed, secret);
    let png = tablet.screenshot("committee-printed-copy").await;
    assert_eq!(
        decode_qr(&png),
        secret,
        "the QR code holds the share's text"
    );
    tap(&tablet, "[data-testid=committee-print-close]").await;

    // Another delegate's badge on the same browser: nothing of the share, anywhere.
    tablet.goto(&m.delegates[2].join_url).await;
    tablet.wait_for("[data-testid=agenda]").await;
    tablet
        .wait_text(
            "[data-testid=vote-panel]",
            "the second badge's vote panel",
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(
        tablet.count("[data-testid=tab-committee]").await,
        0,
        "not a member"
    );
    assert_eq!(tablet.count("[data-testid=committee-secret]").await, 0);
    let kept = storage(&tablet).await;
    assert!(!kept.contains(&secret), "the share in clear: {kept}");
    assert!(!kept.contains(&scalar), "the share's scalar in clear");
    assert!(kept.contains("hub.vault."), "the sealed copy stays: {kept}");
    assert!(
        !view_text(&hub, &m).await.contains(&scalar),
        "the hub never saw it"
    );

    // The member's badge again: the passphrase opens the sealed copy, a wrong one does not.
    tablet.goto(&member.join_url).await;
    tablet.wait_for("[data-testid=agenda]").await;
    tap(&tablet, "[data-testid=tab-committee]").await;
    tablet.wait_for("[data-testid=committee-no-secret]").await;
    fill(
        &tablet,
        "[data-testid=committee-unlock-passphrase]",
        "không phải mật khẩu",
    )
    .await;
    tap(&tablet, "[data-testid=committee-unlock]").await;
    tablet
        .wait_text("[data-testid=committee-vault-error]", "a refusal", |t| {
            !t.is_empty()
        })
        .await;
    fill(
        &tablet,
        "[data-testid=committee-unlock-passphrase]",
        PASSPHRASE,
    )
    .await;
    tap(&tablet, "[data-testid=committee-unlock]").await;
    tablet.wait_for("[data-testid=committee-vault-ok]").await;
    tap(&tablet, ".secret-copy summary").await;
    let back = tablet
        .wait_text("[data-testid=committee-secret]", "the share back", |t| {
            t.len() > 20
        })
        .await;
    assert_eq!(back, secret);

    // With it the member opens the count; a native member's share completes it.
    office(&hub, &m, "close", json!({"op": "close_poll", "poll": poll})).await;
    tap(&tablet, "[data-testid=tab-committee]").await;
    tap(&tablet, "[data-testid=committee-open]").await;
    tablet.wait_for("[data-testid=committee-given]").await;
    natives.give_share(&hub, &m, 1, &poll).await;
    let v = office_view(&hub, &m).await;
    assert_eq!(
        v["polls"][0]["result"]["tallies"],
        json!([2, 1, 0]),
        "{}",
        v["polls"][0]
    );

    // A new tablet for the member: the share comes back from the printed copy's text; a
    // text that is not this member's share is refused.
    let other = join(&driver, &member.join_url, TABLET).await;
    other.wait_for("[data-testid=agenda]").await;
    tap(&other, "[data-testid=tab-committee]").await;
    other.wait_for("[data-testid=committee-no-secret]").await;
    assert_eq!(other.count("[data-testid=committee-unlock]").await, 0);
    fill(
        &other,
        "[data-testid=committee-import-text]",
        "HUBSECRET-0-XXXX",
    )
    .await;
    tap(&other, "[data-testid=committee-import]").await;
    other.wait_for("[data-testid=committee-vault-error]").await;
    fill(&other, "[data-testid=committee-import-text]", &secret).await;
    tap(&other, "[data-testid=committee-import]").await;
    other.wait_for("[data-testid=committee-vault-ok]").await;
    let code = code_in(&other, "[data-testid=committee-key-code] strong").await;
    assert_eq!(code, expected);
    for page in [tablet, other, voter, projector] {
        page.close().await;
    }
}

async fn view_text(hub: &TestHub, m: &MeetingFixture) -> String {
    office_view(hub, m).await.to_string()
}
