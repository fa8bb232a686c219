//! The chair's console in a real browser (headless chromium, 1280×800 landscape): the
//! quorum at a glance, the agenda, the speakers' queue, and a vote prepared, opened,
//! watched as delegates' tablets (real WebSocket clients) vote, closed and published.

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
