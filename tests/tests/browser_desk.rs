//! The secretariat's desk in a real browser (headless chromium, a 1280×800 landscape
//! tablet or laptop): import participants from a CSV, with a preview and the hub's
//! line-numbered refusals, then upload a document and watch its progress bar finish.

use meeting_tests::browser::{via, Driver, Page, BROWSER_ZONE};
use meeting_tests::{files, TestHub, TEST_CONFIG};
use protocol::Role;
use serde_json::json;

mod sealed_hall;

const DESK: (u32, u32) = (1280, 800);

/// A CSV as a secretariat writes it in a spreadsheet: line 3 has no name and line 4 a
/// role the hub does not know.
const BAD_CSV: &str = "Họ và tên,Chức vụ,Đơn vị,Vai trò,Số ghế\n\
Hoàng Thị Hạnh,Phó Bí thư Huyện ủy,Đảng bộ huyện,Đại biểu,C-001\n\
,Trưởng ban Tuyên giáo,Ban Tuyên giáo Huyện ủy,Đại biểu,C-002\n\
Vũ Đức Thắng,Giám đốc Trung tâm,Trung tâm Chính trị,khách,C-003\n";

const GOOD_CSV: &str = "Họ và tên,Chức vụ,Đơn vị,Vai trò,Số ghế\n\
Hoàng Thị Hạnh,Phó Bí thư Huyện ủy,Đảng bộ huyện,Đại biểu,C-001\n\
Đỗ Quang Khải,Trưởng ban Tuyên giáo,Ban Tuyên giáo Huyện ủy,Đại biểu,C-002\n\
Vũ Đức Thắng,Giám đốc Trung tâm,Trung tâm Chính trị,Đại biểu,C-003\n";

async fn open_desk(driver: &Driver, hub: &TestHub, join_url: &str) -> Page {
    let page = driver.page(DESK).await;
    page.goto(&via(join_url, hub.addr()).unwrap()).await;
    page.wait_for(".desk #tab-participants").await;
    page
}

async fn type_into(page: &Page, css: &str, text: &str) {
    let el = page
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("finding {css}: {e}"));
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
}

/// Scrolls the element into the middle of the viewport, for a screenshot that shows it.
async fn show(page: &Page, css: &str) {
    page.eval(&format!(
        "document.querySelector({}).scrollIntoView({{block: 'center'}});",
        json!(css)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretariat_imports_a_csv_after_fixing_the_lines_the_hub_refused() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-participants").await;

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("dai-bieu.csv");
    std::fs::write(&csv, BAD_CSV).unwrap();
    type_into(&page, "#import-file", csv.to_str().unwrap()).await;
    // The preview numbers rows by their line in the file, the header being line 1.
    let row = page.wait_for("#import-preview tr[data-line='4']").await;
    assert!(row.contains("Vũ Đức Thắng"), "{row}");
    show(&page, "#import-preview").await;
    page.screenshot("desk-import-preview").await;

    page.click("#import-submit").await;
    let errors = page
        .wait_text("#import-errors", "the refused lines", |t| {
            t.contains("Dòng 3")
        })
        .await;
    assert!(
        errors.contains("Dòng 4"),
        "both bad lines are named: {errors}"
    );
    assert!(
        errors.contains("khách"),
        "the unknown role is quoted: {errors}"
    );
    assert_eq!(
        page.count("#import-preview tr.bad").await,
        2,
        "the two bad rows are marked"
    );
    show(&page, "#import-preview").await;
    page.screenshot("desk-import-errors").await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.participants.len(), 5, "a refused import adds nobody");

    // Fix the file in the page and import again.
    page.eval(&format!(
        "const t = document.getElementById('import-text'); t.value = {}; t.dispatchEvent(new Event('input'));",
        json!(GOOD_CSV)
    ))
    .await;
    page.wait_text("#import-errors", "the refusals cleared", |t| t.is_empty())
        .await;
    page.click("#import-submit").await;
    page.wait_text("#import-done", "the import to finish", |t| t.contains("3"))
        .await;
    page.wait_text("#participants-table", "the new names listed", |t| {
        t.contains("Đỗ Quang Khải") && t.contains("C-003")
    })
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.participants.len(), 8);
    let khai = view
        .participants
        .iter()
        .find(|p| p.name == "Đỗ Quang Khải")
        .expect("imported with the Vietnamese marks intact");
    assert_eq!(khai.role, Role::Delegate);
    page.screenshot("desk-participants").await;
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretariat_uploads_a_document_and_sees_it_delivered_to_the_list() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-documents").await;

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("Dự thảo Nghị quyết Đại hội.pdf");
    let bytes = files::test_bytes(3 * 1024 * 1024, 7);
    std::fs::write(&pdf, &bytes).unwrap();
    type_into(&page, "#doc-file", pdf.to_str().unwrap()).await;
    // The title is taken from the file name, marks and all.
    let title = page
        .eval("return document.getElementById('doc-title').value;")
        .await;
    assert_eq!(title, "Dự thảo Nghị quyết Đại hội");
    page.click("#doc-submit").await;
    let status = page
        .wait_text("#upload-status.done", "the upload to finish", |t| {
            t.contains("Đã tải lên")
        })
        .await;
    assert!(status.contains("3 MB"), "{status}");
    let progress = page
        .eval("return document.getElementById('upload-progress').value;")
        .await;
    assert_eq!(progress, 100, "the progress bar is full");
    page.wait_text("#doc-list", "the document listed", |t| {
        t.contains("Dự thảo Nghị quyết Đại hội") && t.contains("Nội bộ")
    })
    .await;
    // Delivery: nobody holds it yet, of the three members (the chair and two delegates).
    let delivery = page.wait_for("#doc-list td.delivery").await;
    assert_eq!(delivery, "0/3");
    page.screenshot("desk-documents").await;

    let r = hub
        .get(
            &format!("/api/v1/meetings/{}/documents", m.id),
            hub.office_token(),
        )
        .await;
    let docs = r.json()["documents"].clone();
    assert_eq!(docs.as_array().map(Vec::len), Some(1), "{docs}");
    assert_eq!(docs[0]["versions"][0]["size"], bytes.len());
    assert_eq!(
        docs[0]["versions"][0]["sha256"],
        files::sha256_hex(&bytes),
        "the hub holds exactly the bytes chosen"
    );
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_hubs_limit_says_why_it_failed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(TEST_CONFIG),
        "[limits]\nmax_upload_bytes = 65536\n",
    )
    .unwrap();
    let hub = TestHub::start_in(dir).await;
    let m = hub.meeting_with(1).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-documents").await;
    let files_dir = tempfile::tempdir().unwrap();
    let big = files_dir.path().join("Phụ lục lớn.pdf");
    std::fs::write(&big, files::test_bytes(2 * 1024 * 1024, 3)).unwrap();
    type_into(&page, "#doc-file", big.to_str().unwrap()).await;
    page.click("#doc-submit").await;
    let why = page
        .wait_text("#upload-status.failed", "the failure", |t| !t.is_empty())
        .await;
    assert!(why.contains("quá lớn"), "the message names the size: {why}");
    let r = hub
        .get(
            &format!("/api/v1/meetings/{}/documents", m.id),
            hub.office_token(),
        )
        .await;
    assert_eq!(r.json()["documents"], json!([]), "nothing was published");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_asks_for_opinions_and_forwards_an_incoming_petition() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;

    // An opinion request to every member (all ticked by default), due in 2030.
    page.click("#tab-opinions").await;
    type_into(&page, "#op-title", "Xin ý kiến dự thảo Quy chế làm việc").await;
    type_into(&page, "#op-questions", "Đồng ý với dự thảo?").await;
    page.eval("document.getElementById('op-deadline').value = '2030-01-15T17:00';")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("Dự thảo Quy chế.pdf");
    let draft_bytes = files::test_bytes(200 * 1024, 5);
    std::fs::write(&draft, &draft_bytes).unwrap();
    type_into(&page, "#op-files", draft.to_str().unwrap()).await;
    page.click("#op-form button[type=submit]").await;
    page.wait_text("#op-list", "the request listed", |t| {
        t.contains("đã trả lời 0/3") && t.contains("Dự thảo Quy chế.pdf")
    })
    .await;
    let (mut tablet, _) = hub.join(&m.delegates[0].token, None).await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let request = view.opinions[0].request.id;
    let attachments = &view.opinions[0].request.attachments;
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0].sha256.as_deref(),
        Some(files::sha256_hex(&draft_bytes).as_str())
    );
    let href = page
        .eval("return document.querySelector('#op-list a.file').getAttribute('href');")
        .await;
    assert_eq!(
        href,
        format!("/api/v1/meetings/{}/opinions/{request}/attachments/1", m.id)
    );
    tablet
        .ok(
            "answer-1",
            serde_json::from_value(json!({
                "op": "answer_opinion_request", "request": request,
                "answers": [{"question": 1, "choice": "agree"}]
            }))
            .unwrap(),
        )
        .await;
    page.wait_text("#op-list", "the answer counted", |t| {
        t.contains("đã trả lời 1/3") && t.contains("Đồng ý 1")
    })
    .await;

    // A petition registered, then forwarded to the chair.
    page.click("#tab-incoming").await;
    type_into(&page, "#in-sender", "Ông Nguyễn Văn Bình, xã Hòa Bình").await;
    type_into(&page, "#in-subject", "Đề nghị xem xét việc cấp đất").await;
    page.eval("document.getElementById('in-kind').value = 'petition';")
        .await;
    // With the scanned petition, uploaded first to the hub's file store.
    let scan = dir.path().join("Đơn đề nghị cấp đất.pdf");
    let bytes = files::test_bytes(600 * 1024, 11);
    std::fs::write(&scan, &bytes).unwrap();
    type_into(&page, "#in-file", scan.to_str().unwrap()).await;
    page.click("#in-form button[type=submit]").await;
    page.wait_text("#in-list", "the petition registered", |t| {
        t.contains("Mới đến") && t.contains("Đơn đề nghị cấp đất.pdf")
    })
    .await;
    let status = page.wait_for("#in-file-status.done").await;
    assert!(status.contains("Đơn đề nghị cấp đất.pdf"), "{status}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let file = view.incoming[0]
        .file
        .clone()
        .expect("the item names its file");
    assert_eq!(file.name, "Đơn đề nghị cấp đất.pdf");
    assert_eq!(
        file.sha256.as_deref(),
        Some(files::sha256_hex(&bytes).as_str()),
        "the hub holds exactly the bytes chosen"
    );
    // The list's link downloads those bytes, with the desk's own cookie.
    let href = page
        .eval("return document.querySelector('#in-list a.file').getAttribute('href');")
        .await;
    let href = href.as_str().unwrap().to_owned();
    assert_eq!(
        href,
        format!(
            "/api/v1/meetings/{}/incoming/{}/file",
            m.id, view.incoming[0].id
        )
    );
    let got = page
        .eval(&format!(
            "return (async () => {{ const r = await fetch({}); const b = new Uint8Array(await r.arrayBuffer()); \
             const d = new Uint8Array(await crypto.subtle.digest('SHA-256', b)); \
             return [r.status, [...d].map((x) => x.toString(16).padStart(2, '0')).join('')]; }})();",
            json!(href)
        ))
        .await;
    assert_eq!(got, json!([200, files::sha256_hex(&bytes)]));
    show(&page, "#in-list").await;
    page.screenshot("desk-incoming").await;
    page.click("#in-list details summary").await;
    page.click(&format!("#in-list input[value='{}']", m.chair.id()))
        .await;
    page.click("#in-list details .btn.primary").await;
    page.wait_text("#in-list", "the petition forwarded", |t| {
        t.contains("Chờ chỉ đạo") && t.contains("Nguyễn Văn Chủ")
    })
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.incoming.len(), 1);
    assert_eq!(view.incoming[0].forwarded_to, vec![m.chair.id()]);
    assert_eq!(view.incoming[0].subject, "Đề nghị xem xét việc cấp đất");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_creates_a_meeting_and_opens_its_desk() {
    let hub = TestHub::start().await;
    let first = hub.create_meeting("Hội nghị Ban Chấp hành lần thứ 5").await;
    let driver = Driver::start().await;
    let page = driver.page(DESK).await;
    // The office token's join link, as printed for the hub's office.
    page.goto(&format!("http://{}/j/{}", hub.addr(), hub.office_token()))
        .await;
    page.wait_text("#office-meetings", "the hub's meetings", |t| {
        t.contains("Hội nghị Ban Chấp hành lần thứ 5")
    })
    .await;
    assert_eq!(page.count(&format!("[data-meeting='{first}']")).await, 1);
    type_into(
        &page,
        "#new-title",
        "Hội nghị Ban Thường vụ Huyện ủy tháng 12",
    )
    .await;
    type_into(&page, "#new-venue", "Phòng họp số 1").await;
    page.click("#new-meeting button[type=submit]").await;
    page.wait_text("#office-meetings", "the new meeting listed", |t| {
        t.contains("Ban Thường vụ Huyện ủy tháng 12")
    })
    .await;
    page.click("#new-meeting-link").await;
    page.wait_text(".desk-top h1", "the new meeting's desk", |t| {
        t == "Hội nghị Ban Thường vụ Huyện ủy tháng 12"
    })
    .await;
    let r = hub.get("/api/v1/meetings", hub.office_token()).await;
    assert_eq!(r.json()["meetings"].as_array().map(Vec::len), Some(2));
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_ballots_counted_in_the_hall_are_added_from_the_desk_to_a_secret_vote() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    hub.office_command(m.id, "start", &protocol::Command::StartSession)
        .await;
    // The Ban kiểm phiếu: the two delegates, their devices native; both open the box.
    let mut committee = sealed_hall::NativeMembers::name(
        &hub,
        &m,
        &[&m.delegates[0], &m.delegates[1]],
        &[true, true],
        2,
    )
    .await;
    committee.make_key(&hub, &m).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-polls").await;
    page.wait_text(
        "#desk-polls [data-testid=committee-status]",
        "the committee",
        |t| t.contains("sẵn sàng"),
    )
    .await;

    // A secret motion for the two delegates only, with no quorum check.
    type_into(&page, "#desk-poll-title", "Thông qua Nghị quyết Đại hội").await;
    page.click("#desk-poll-secret").await;
    page.eval("document.getElementById('desk-poll-quorum').value = '0/1';")
        .await;
    page.click("#desk-poll-form details.eligible summary").await;
    page.click(&format!(
        "#desk-poll-eligible input[value='{}']",
        m.chair.id()
    ))
    .await;
    page.click("#desk-poll-create").await;
    page.wait_for("#desk-polls .poll-card.poll-draft").await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = &view.polls[0].poll;
    let mut eligible = poll.eligible.clone().expect("a list of voters");
    eligible.sort();
    let mut delegates: Vec<_> = m.delegates.iter().map(|d| d.id()).collect();
    delegates.sort();
    assert_eq!(eligible, delegates, "the chair was left out");
    assert_eq!(
        serde_json::to_value(poll.quorum).unwrap(),
        json!("0/1"),
        "no quorum check"
    );

    page.click("#desk-polls .open-poll").await;
    page.wait_for("#desk-polls .poll-card.poll-open").await;
    // While the poll is open there is no paper form: a count of one would show a vote.
    assert_eq!(page.count("#desk-polls form.paper-ballots").await, 0);
    // One member votes from a tablet (encrypted there); the other on paper, spoilt.
    let (_tablet, _) = hub.join(&m.delegates[0].token, None).await;
    let poll_id = poll.id.to_string();
    sealed_hall::cast_sealed(&hub, &m, &m.delegates[0], &poll_id, &[0], 1).await;
    page.wait_text("#desk-polls .turnout-count", "the tablet's ballot", |t| {
        t == "1/2"
    })
    .await;
    page.click("#desk-polls .close-poll").await;
    page.click("[data-testid=confirm-yes]").await;

    // Closed, the box not yet opened: the paper ballots counted in the hall are added.
    page.wait_for("#desk-polls .poll-card.poll-closed details.poll-tools")
        .await;
    page.wait_text(
        "#desk-polls [data-testid=sealed-box]",
        "the box's state",
        |t| t.contains("0/2"),
    )
    .await;
    page.click("#desk-polls details.poll-tools summary").await;
    page.eval(
        "const f = document.querySelector('#desk-polls form.paper-ballots'); \
         const set = (sel, v) => { f.querySelector(sel).value = v; }; \
         set(\"input[id$='paper-valid']\", '0'); set(\"input[id$='paper-invalid']\", '1');",
    )
    .await;
    // What is typed survives the card being redrawn: a latecomer's tablet checks in.
    let (_latecomer, _) = hub.join(&m.delegates[1].token, None).await;
    page.wait_text(".desk-summary", "the latecomer present", |t| {
        t.contains("có mặt 2/3")
    })
    .await;
    let kept = page
        .eval("return document.querySelector(\"#desk-polls input[id$='paper-invalid']\").value;")
        .await;
    assert_eq!(kept, "1");
    show(&page, "#desk-polls form.paper-ballots").await;
    page.screenshot("desk-paper-ballots").await;
    page.click("#desk-polls form.paper-ballots button[type=submit]")
        .await;
    page.wait_text("#desk-polls .turnout-count", "the paper ballots in", |t| {
        t == "2/2"
    })
    .await;

    // The committee opens the box: the desk sees it member by member, then the result.
    committee.give_share(&hub, &m, 0, &poll_id).await;
    page.wait_text("#desk-polls [data-testid=sealed-box]", "one member", |t| {
        t.contains("1/2")
    })
    .await;
    committee.give_share(&hub, &m, 1, &poll_id).await;
    let result = page
        .wait_text("#desk-polls .poll-card .result", "the result", |t| {
            t.contains("không hợp lệ 1")
        })
        .await;
    assert!(result.contains("hợp lệ 1"), "{result}");
    assert_eq!(page.count("#desk-polls form.paper-ballots").await, 0);
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let r = view.polls[0].result.clone().expect("counted");
    assert_eq!((r.ballots, r.valid, r.invalid), (2, 1, 1));
    assert_eq!(r.tallies, vec![1, 0, 0]);
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_records_a_ballot_on_behalf_of_a_member_without_a_tablet() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    hub.office_command(m.id, "start", &protocol::Command::StartSession)
        .await;
    // Checked in by the desk (no tablet), as a member at the door would be.
    for (n, d) in m.delegates.iter().enumerate() {
        hub.office_command(
            m.id,
            &format!("in-{n}"),
            &protocol::Command::CheckIn {
                participant: d.id(),
            },
        )
        .await;
    }
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-polls").await;
    type_into(&page, "#desk-poll-title", "Thông qua chương trình hội nghị").await;
    page.click("#desk-poll-create").await;
    page.click("#desk-polls .open-poll").await;
    page.wait_for("#desk-polls .poll-card.poll-open details.poll-tools")
        .await;
    page.click("#desk-polls details.poll-tools summary").await;
    let who = m.delegates[1].id();
    page.eval(&format!(
        "document.querySelector('#desk-polls form.on-behalf select').value = {};",
        json!(who)
    ))
    .await;
    // No choice at all: the hub refuses, and the form says why in Vietnamese, with the
    // hub's own words apart after it.
    page.click("#desk-polls form.on-behalf button[type=submit]")
        .await;
    let why = page
        .wait_text(
            "#desk-polls form.on-behalf .form-error .refusal-why",
            "the refusal",
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(why, "Thông tin chưa hợp lệ.");
    let detail = page
        .eval("const d = document.querySelector('#desk-polls form.on-behalf .refusal-detail'); return [d.lang, d.textContent];")
        .await;
    assert_eq!(detail[0], "en", "{detail}");
    assert!(
        detail[1].as_str().is_some_and(|t| t.contains("choice")),
        "the hub's detail names the fault: {detail}"
    );
    show(&page, "#desk-polls form.on-behalf").await;
    page.screenshot("desk-refusal").await;
    page.eval(&format!(
        "document.querySelector('#desk-polls form.on-behalf select').value = {};",
        json!(who)
    ))
    .await;
    page.click("#desk-polls form.on-behalf input[value='1']")
        .await;
    page.click("#desk-polls form.on-behalf button[type=submit]")
        .await;
    page.wait_text("#desk-polls .turnout-count", "the ballot in", |t| {
        t == "1/3"
    })
    .await;
    // Whoever has voted is no longer offered.
    let offered = page
        .eval("return [...document.querySelectorAll('#desk-polls form.on-behalf select option')].map((o) => o.value);")
        .await;
    assert!(!offered.to_string().contains(&who.to_string()), "{offered}");
    page.click("#desk-polls .close-poll").await;
    page.click("[data-testid=confirm-yes]").await;
    let result = page
        .wait_text("#desk-polls .poll-card .result", "the result", |t| {
            t.contains("phiếu thư ký bỏ hộ")
        })
        .await;
    assert!(result.contains("trong đó 1 phiếu"), "{result}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let r = view.polls[0].result.clone().expect("counted");
    assert_eq!((r.ballots, r.proxy), (1, 1));
    assert_eq!(r.tallies, vec![0, 1, 0]);
    assert_eq!(view.polls[0].voters, Some(vec![who]));
    page.close().await;
}

/// Sets a `datetime-local` input to `HH:MM` of today in Viet Nam. The desk reads such a
/// field as Viet Nam's wall clock, whatever the browser's own zone (the test browsers run
/// in Los Angeles: see `browser.rs`).
async fn set_vn_time(page: &Page, css: &str, hhmm: &str) {
    page.eval(&format!(
        "const vn = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10); \
         document.querySelector({}).value = `${{vn}}T{hhmm}`;",
        json!(css)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_keeps_the_work_calendar_and_posts_an_announcement() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-calendar").await;
    page.wait_for("#cal-days .cal-day.today").await;
    // The browser is far from Viet Nam: the times below are right only if the desk reads
    // and shows them on Viet Nam's clock.
    let zone = page
        .eval("return Intl.DateTimeFormat().resolvedOptions().timeZone;")
        .await;
    assert_eq!(zone, BROWSER_ZONE);

    // An end before the start is refused in the form, and nothing is added.
    type_into(&page, "#cal-title", "Giao ban Thường trực Huyện ủy").await;
    set_vn_time(&page, "#cal-starts", "09:00").await;
    set_vn_time(&page, "#cal-ends", "08:00").await;
    page.click("#cal-form button[type=submit]").await;
    let why = page
        .wait_text("#cal-form .form-error", "the refusal", |t| !t.is_empty())
        .await;
    assert!(why.contains("trước giờ bắt đầu"), "{why}");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert!(view.calendar.is_empty());

    set_vn_time(&page, "#cal-ends", "11:30").await;
    type_into(&page, "#cal-location", "Phòng họp số 1").await;
    type_into(&page, "#cal-host", "Đồng chí Bí thư chủ trì").await;
    page.click("#cal-form button[type=submit]").await;
    let today = page
        .wait_text("#cal-days .cal-day.today", "the event on today", |t| {
            t.contains("Giao ban Thường trực Huyện ủy")
        })
        .await;
    assert!(today.contains("09:00–11:30"), "{today}");
    assert!(today.contains("Phòng họp số 1"), "{today}");
    assert_eq!(page.count("#cal-days .cal-day").await, 7, "a whole week");
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.calendar.len(), 1);
    assert_eq!(view.calendar[0].title, "Giao ban Thường trực Huyện ủy");

    // By day: today only.
    page.click("#desk-calendar .cal-mode").await;
    page.wait_text("#cal-days", "one day", |t| t.contains("Giao ban"))
        .await;
    assert_eq!(page.count("#cal-days .cal-day").await, 1);
    page.click("#desk-calendar .cal-mode").await;

    type_into(&page, "#ann-title", "Thay đổi giờ họp").await;
    type_into(&page, "#ann-text", "Phiên chiều bắt đầu lúc 14:00.").await;
    page.click("#ann-form button[type=submit]").await;
    page.wait_text("#ann-list", "the announcement listed", |t| {
        t.contains("Thay đổi giờ họp") && t.contains("14:00")
    })
    .await;
    show(&page, "#cal-days").await;
    page.screenshot("desk-calendar").await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert_eq!(view.announcements.len(), 1);
    assert_eq!(view.announcements[0].text, "Phiên chiều bắt đầu lúc 14:00.");

    page.click("#cal-days li.cal-event .btn").await;
    page.wait_text("#cal-days .cal-day.today", "the event removed", |t| {
        !t.contains("Giao ban")
    })
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    assert!(view.calendar.is_empty());
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_language_keeps_what_was_typed_in_the_desks_forms() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-incoming").await;
    type_into(&page, "#in-sender", "Bà Trần Thị Lý, thị trấn Minh Sơn").await;
    page.eval("document.getElementById('in-kind').value = 'petition';")
        .await;
    // A form on a tab not shown, too.
    page.click("#tab-polls").await;
    type_into(&page, "#desk-poll-title", "Bầu Ban Kiểm tra").await;
    page.eval(
        "const k = document.getElementById('desk-poll-kind'); k.value = 'election'; \
         k.dispatchEvent(new Event('change'));",
    )
    .await;
    type_into(&page, "#desk-poll-options", "Lê Văn An\nTrần Thị Bình").await;

    page.click(".desk-top .lang").await;
    page.wait_text("#tab-polls", "the English labels", |t| t == "Votes")
        .await;
    let kept = page
        .eval(
            "const v = (id) => document.getElementById(id).value; \
             return [v('desk-poll-title'), v('desk-poll-kind'), v('desk-poll-options'), \
                     document.getElementById('desk-poll-count').closest('.field').hidden];",
        )
        .await;
    assert_eq!(
        kept,
        json!([
            "Bầu Ban Kiểm tra",
            "election",
            "Lê Văn An\nTrần Thị Bình",
            false
        ])
    );
    page.click("#tab-incoming").await;
    let kept = page
        .eval("return [document.getElementById('in-sender').value, document.getElementById('in-kind').value];")
        .await;
    assert_eq!(
        kept,
        json!(["Bà Trần Thị Lý, thị trấn Minh Sơn", "petition"])
    );
    let label = page.wait_for("label[for='in-sender']").await;
    assert_eq!(label, "Sender");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_leaves_the_rows_of_a_big_participants_table_as_they_are() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(2).await;
    // Three hundred more members, imported as a secretariat would.
    let mut csv = String::from("Họ và tên,Chức vụ,Đơn vị,Vai trò,Số ghế\n");
    for n in 1..=300 {
        csv += &format!("Đại biểu số {n},Bí thư chi bộ,Đảng bộ xã Tân Lập {n},Đại biểu,D-{n:03}\n");
    }
    let imported = hub.import_csv(m.id, &csv).await;
    assert_eq!(imported.status, 201, "{}", imported.text());
    let office = |id: &'static str, command: serde_json::Value| {
        let hub = &hub;
        async move {
            let path = format!("/api/v1/meetings/{}/commands", m.id);
            let r = hub
                .post(
                    &path,
                    hub.office_token(),
                    &json!({"id": id, "command": command}),
                )
                .await;
            assert_eq!(r.status, 200, "{id}: {}", r.text());
        }
    };
    office("start", json!({"op": "start_session"})).await;
    office(
        "in-0",
        json!({"op": "check_in", "participant": m.delegates[0].id()}),
    )
    .await;
    office(
        "poll",
        json!({"op": "create_poll", "poll": {"title": "Thông qua Quy chế làm việc", "kind": {"type": "motion"}, "quorum": "0/1"}}),
    )
    .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let poll = view.polls[0].poll.id;
    office("open", json!({"op": "open_poll", "poll": poll})).await;

    let driver = Driver::start().await;
    let page = open_desk(&driver, &hub, &m.secretariat.join_url).await;
    page.click("#tab-participants").await;
    page.wait_text(
        "#desk-participants h2 .count",
        "every participant listed",
        |t| t == "(305)",
    )
    .await;
    assert_eq!(page.count("#participants-table tbody tr").await, 305);
    // Keep the rows as they are now, and note every row the table gains or loses.
    page.eval(
        "window.rowsBefore = [...document.querySelectorAll('#participants-table tbody tr')]; \
         window.rowChanges = []; \
         new MutationObserver((records) => { for (const r of records) for (const n of [...r.addedNodes, ...r.removedNodes]) \
           window.rowChanges.push(n.dataset?.participant ?? n.nodeName); }) \
           .observe(document.querySelector('#participants-table tbody'), { childList: true, subtree: true, characterData: true });",
    )
    .await;

    // A ballot: an event the desk hears and draws, with nothing to change in this table.
    let ballot = hub
        .rest_command(
            m.id,
            &m.delegates[0].token,
            "ballot",
            &serde_json::from_value(json!({"op": "cast_ballot", "poll": poll, "choices": [0]}))
                .unwrap(),
        )
        .await;
    assert_eq!(ballot.status, 200, "{}", ballot.text());
    // Then a check-in, which changes one row; events arrive in order, so once it shows,
    // the ballot was drawn before it.
    let latecomer = m.delegates[1].id();
    office("in-1", json!({"op": "check_in", "participant": latecomer})).await;
    page.wait_text(
        &format!("#participants-table tr[data-participant='{latecomer}'] td:nth-child(6)"),
        "the latecomer checked in",
        |t| t == "✓",
    )
    .await;
    let kept = page
        .eval(
            "const now = [...document.querySelectorAll('#participants-table tbody tr')]; \
             const changed = [...new Set(window.rowChanges)]; \
             return [now.length, now.filter((tr, i) => tr === window.rowsBefore[i]).length, \
                     changed.length, changed.slice(0, 3)];",
        )
        .await;
    assert_eq!(
        kept,
        json!([305, 304, 1, [latecomer.to_string()]]),
        "[rows, rows kept, rows drawn again, the first of those]: only the latecomer's row \
         is drawn again"
    );
    page.close().await;
}
