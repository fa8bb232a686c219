//! The chair's console in a real browser (headless chromium, 1280×800 landscape): the
//! quorum at a glance, the agenda, the speakers' queue, and a vote prepared, opened,
//! watched as delegates' tablets (real WebSocket clients) vote, closed and published; the
//! counting committee named from the console, and a new round started on a tie.

mod sealed_hall;

use meeting_tests::browser::{via, Driver};
use meeting_tests::{guard, TestHub};
use protocol::{Command, EventKind, HubFrame, PollId};

const CONSOLE: (u32, u32) = (1280, 800);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_runs_a_vote_and_sees_turnout_rise_as_delegates_vote() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let item = hub
        .post(
            &format!("/api/v1/meetings/{}/agenda", m.id),
            hub.office_token(),
            &serde_json::json!({"title": "Thông qua Nghị quyết Đại hội", "description": ""}),
        )
        .await;
    assert_eq!(item.status, 201, "{}", item.text());
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;

    let driver = Driver::start().await;
    let page = driver.page(CONSOLE).await;
    page.goto(&via(&m.chair.join_url, hub.addr()).unwrap())
        .await;
    // The chair checked in by opening the console: 1 of 4 members, no quorum at 2/3.
    page.wait_text(
        ".chair-attendance .present-count",
        "the chair present",
        |t| t == "1",
    )
    .await;
    let quorum = page.wait_for(".chair-attendance .quorum-state").await;
    assert!(quorum.contains("Chưa đủ"), "{quorum}");

    // Three delegates' tablets join: each is checked in on arrival.
    let mut tablets = Vec::new();
    for d in &m.delegates {
        let (tablet, _) = hub.join(&d.token, None).await;
        tablets.push(tablet);
    }
    page.wait_text(
        ".chair-attendance .present-count",
        "everyone present",
        |t| t == "4",
    )
    .await;
    let quorum = page.wait_for(".chair-attendance .quorum-state").await;
    assert!(quorum.contains("Đủ số lượng"), "{quorum}");

    // The agenda: start the item from the console.
    page.click(".chair-agenda-list li.agenda-pending .btn")
        .await;
    page.wait_for(".chair-agenda-list li.agenda-current").await;

    // A delegate asks to speak; the chair gives the floor to the next in the queue.
    tablets[2]
        .ok("speak-1", Command::RequestToSpeak { item: None })
        .await;
    page.wait_text(".speaker-queue", "the request in the queue", |t| {
        t.contains("Đại biểu 3")
    })
    .await;
    page.click(".next-speaker").await;
    page.wait_text(".now-speaking .who", "the speaker", |t| t == "Đại biểu 3")
        .await;
    page.wait_text(".speech-timer", "the speech timer", |t| {
        t.contains("/ 05:00")
    })
    .await;

    // Prepare a motion and open it.
    let title = page
        .client
        .find(fantoccini::Locator::Css("#chair-poll-title"))
        .await
        .unwrap();
    title
        .send_keys("Biểu quyết thông qua Nghị quyết Đại hội")
        .await
        .unwrap();
    page.click("#chair-poll-create").await;
    page.click(".poll-card.poll-draft .open-poll").await;
    page.wait_text(".poll-card.poll-open .turnout-count", "an open poll", |t| {
        t == "0/4"
    })
    .await;
    let id = page
        .eval("return document.querySelector('.poll-card.poll-open').dataset.poll;")
        .await;
    let poll: PollId = serde_json::from_value(id).expect("a poll id on the card");

    // Delegates vote over their sockets; the console's turnout follows each ballot.
    for (n, tablet) in tablets.iter_mut().enumerate() {
        let choice = if n == 1 { 1 } else { 0 };
        tablet
            .ok(
                &format!("ballot-{n}"),
                Command::CastBallot {
                    poll,
                    choices: vec![choice],
                    on_behalf_of: None,
                },
            )
            .await;
        let want = format!("{}/4", n + 1);
        page.wait_text(".poll-card.poll-open .turnout-count", "the turnout", |t| {
            t == want
        })
        .await;
        if n == 1 {
            // The running tally, an open ballot: one for, one against.
            let tally = page.wait_for(".poll-card.poll-open table.tally").await;
            assert!(tally.contains("Tán thành"), "{tally}");
            page.screenshot("chair-console").await;
        }
    }

    page.click(".poll-card.poll-open .close-poll").await;
    page.click("[data-testid=confirm-yes]").await;
    let verdict = page.wait_for(".poll-card.poll-closed .verdict").await;
    assert_eq!(
        verdict, "Không được thông qua",
        "2 of 4 summoned is not more than half"
    );
    page.click(".poll-card.poll-closed .publish-poll").await;
    page.wait_for(".poll-card.poll-published .exports").await;
    page.screenshot("chair-result").await;

    // English, as a choice: the whole console, its forms included.
    page.click(".chair-top .lang").await;
    page.wait_text("#chair-polls-h", "the console in English", |t| {
        t == "Votes and elections"
    })
    .await;
    let create = page.wait_for("#chair-poll-create").await;
    assert_eq!(create, "Create the vote");

    // The secretariat's desk shows the same result, with its signed exports.
    let desk = driver.page(CONSOLE).await;
    desk.goto(&via(&m.secretariat.join_url, hub.addr()).unwrap())
        .await;
    desk.click("#tab-polls").await;
    let card = desk.wait_for("#desk-polls .poll-card.poll-published").await;
    assert!(card.contains("result.csv.sig"), "{card}");
    desk.screenshot("desk-polls").await;
    desk.close().await;

    // The hall learns the result from the hub, not from the page.
    guard("the published result on a delegate's tablet", async {
        loop {
            if let HubFrame::Event(e) = tablets[0].frame().await {
                if let EventKind::PollPublished { result, .. } = e.event {
                    assert_eq!(result.tallies, vec![2, 1, 0]);
                    break;
                }
            }
        }
    })
    .await;
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_names_the_counting_committee_and_starts_a_new_round_on_a_tie() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let mut tablets = Vec::new();
    for d in &m.delegates {
        let (tablet, _) = hub.join(&d.token, None).await;
        tablets.push(tablet);
    }
    let driver = Driver::start().await;
    let page = driver.page(CONSOLE).await;
    page.goto(&via(&m.chair.join_url, hub.addr()).unwrap())
        .await;
    let none = page.wait_for("[data-testid=committee-status]").await;
    assert!(none.contains("Chưa lập Ban kiểm phiếu"), "{none}");

    // Two delegates, both needed to open a count.
    page.click(".committee-new summary").await;
    for d in &m.delegates[..2] {
        page.click(&format!(
            "#chair-committee-members input[value='{}']",
            d.id()
        ))
        .await;
    }
    page.click("#chair-committee-set").await;
    page.wait_text(
        "[data-testid=committee-status]",
        "the key being made",
        |t| t.contains("Đại biểu 1") && t.contains("bước 1/4"),
    )
    .await;
    let mut members =
        sealed_hall::NativeMembers::named(&[&m.delegates[0], &m.delegates[1]], &[true, true]);
    members.make_key(&hub, &m).await;
    page.wait_text("[data-testid=committee-status]", "the key ready", |t| {
        t.contains("sẵn sàng")
    })
    .await;
    page.screenshot("chair-committee").await;

    // A secret election where all three candidates tie for the two seats.
    sealed_hall::command(
        &hub,
        &m,
        hub.office_token(),
        "poll",
        serde_json::json!({"op": "create_poll", "poll": {"title": "Bầu Ban Thường vụ",
            "kind": {"type": "election", "candidates": ["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường"], "seats": 2},
            "secret": true, "eligible": m.delegates.iter().map(|d| d.id()).collect::<Vec<_>>()}}),
    )
    .await;
    let view = sealed_hall::office_view(&hub, &m).await;
    let poll_id = view["polls"][0]["poll"]["id"].as_str().unwrap().to_owned();
    sealed_hall::command(
        &hub,
        &m,
        hub.office_token(),
        "open",
        serde_json::json!({"op": "open_poll", "poll": poll_id}),
    )
    .await;
    for (i, marks) in [[0, 1], [0, 2], [1, 2]].iter().enumerate() {
        sealed_hall::cast_sealed(&hub, &m, &m.delegates[i], &poll_id, marks, i as u64 + 1).await;
    }
    sealed_hall::command(
        &hub,
        &m,
        hub.office_token(),
        "close",
        serde_json::json!({"op": "close_poll", "poll": poll_id}),
    )
    .await;
    page.wait_text(
        ".chair-polls [data-testid=sealed-box]",
        "the box waiting",
        |t| t.contains("0/2"),
    )
    .await;
    members.give_share(&hub, &m, 0, &poll_id).await;
    members.give_share(&hub, &m, 1, &poll_id).await;
    let tied = page.wait_for(".chair-polls [data-testid=poll-tied]").await;
    assert!(
        tied.contains("Lê Văn An") && tied.contains("Phạm Văn Cường"),
        "{tied}"
    );
    page.screenshot("chair-tie").await;
    page.click(".chair-polls .start-runoff").await;
    page.click("[data-testid=confirm-yes]").await;
    let mut runoff = serde_json::Value::Null;
    for _ in 0..50 {
        let view = sealed_hall::office_view(&hub, &m).await;
        if let Some(p) = view["polls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| !p["poll"]["runoff"].is_null())
        {
            runoff = p.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(runoff["poll"]["runoff"]["of"], poll_id.as_str(), "{runoff}");
    assert_eq!(runoff["status"], "open", "{runoff}");
    assert_eq!(
        page.count(".chair-polls .start-runoff").await,
        0,
        "one round only"
    );
    drop(tablets);
}
