//! The archive's search on a real hub (issue 18, part 4): words without diacritics find a
//! phrase inside a PDF published meetings ago, the hit names its page and opens it; a
//! reader who may not read a document gets no hit and no snippet; the index is rebuilt
//! from the log and the blobs when its directory is lost or damaged.

use hub::badges::pdf::PdfDoc;
use meeting_tests::files::{self, Part};
use meeting_tests::{MeetingFixture, TestHub, GUARD};
use protocol::{Classification, Command, MeetingId};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The phrase on page 2 of the resolution, and the words someone types for it.
const PHRASE: &str = "phát triển kinh tế biển xanh bền vững";
const TYPED: &str = "phat trien kinh te bien xanh";
/// The personnel paper's phrase, and its typed form.
const PERSONNEL: &str = "Quy hoạch cán bộ diện Ban Thường vụ quản lý";
const PERSONNEL_TYPED: &str = "quy hoach can bo dien ban thuong vu";

/// A PDF of `pages`, each page's lines drawn in the hub's own font (real Vietnamese text).
fn pdf(title: &str, pages: &[&[&str]]) -> Vec<u8> {
    let mut doc = PdfDoc::new();
    for lines in pages {
        doc.new_page();
        for (n, line) in lines.iter().enumerate() {
            doc.text(64.0, 760.0 - 18.0 * n as f32, 12.0, line);
        }
    }
    doc.finish(title)
}

/// Publishes `bytes` as the office; returns the document's id.
async fn publish(
    hub: &TestHub,
    meeting: MeetingId,
    title: &str,
    class: Classification,
    readers: &[String],
    bytes: &[u8],
) -> String {
    let path = format!("/api/v1/meetings/{meeting}/documents");
    let parts = [
        Part::Text("title", title.to_owned()),
        Part::Text("classification", class.as_str().to_owned()),
        Part::Text("readers", readers.join(",")),
        Part::File("file", "tai-lieu.pdf", "application/pdf", bytes),
    ];
    let r = hub
        .request(files::upload(&path, hub.office_token(), &parts))
        .await;
    assert_eq!(r.status, 201, "upload {title}: {}", r.text());
    r.json()["document"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

async fn close(hub: &TestHub, meeting: MeetingId) {
    let (_, view) = hub.meeting_state(meeting, hub.office_token()).await;
    if view.meeting.status == protocol::MeetingStatus::Draft {
        hub.office_command(meeting, "open", &Command::OpenMeeting)
            .await;
    }
    hub.office_command(meeting, "start", &Command::StartSession)
        .await;
    hub.office_command(meeting, "close", &Command::CloseMeeting)
        .await;
}

/// `GET /api/v1/search` as `token`.
async fn search(hub: &TestHub, token: &str, q: &str) -> Value {
    let q: String = q
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let r = hub.get(&format!("/api/v1/search?q={q}"), token).await;
    assert_eq!(r.status, 200, "search: {}", r.text());
    r.json()
}

/// Searches until the index has caught up with every meeting (it is written off the
/// meetings' tasks), then answers the hits.
async fn settled(hub: &TestHub, token: &str, q: &str) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let answer = search(hub, token, q).await;
        if answer["indexing"] == false {
            return answer["hits"].as_array().expect("hits").clone();
        }
        assert!(started.elapsed() < GUARD, "the index never caught up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Searches until `q` finds something for the office (the index follows the meetings a
/// moment later), and answers the hits.
async fn found(hub: &TestHub, q: &str) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let hits = settled(hub, hub.office_token(), q).await;
        if !hits.is_empty() {
            return hits;
        }
        assert!(started.elapsed() < GUARD, "{q:?} was never found");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Three closed meetings: the first holds the resolution with the phrase on page 2, the
/// two after it other papers; and the meeting of today (open), with a personnel paper for
/// its first delegate only (closing a meeting recalls its personnel papers).
struct Year {
    first: MeetingFixture,
    resolution: String,
    today: MeetingFixture,
    personnel: String,
}

async fn three_meetings(hub: &TestHub) -> Year {
    let first = hub.meeting_with(2).await;
    let resolution = publish(
        hub,
        first.id,
        "Dự thảo Nghị quyết về kinh tế biển",
        Classification::Internal,
        &[],
        &pdf(
            "Dự thảo Nghị quyết",
            &[
                &["NGHỊ QUYẾT", "Hội nghị Ban Thường vụ Tỉnh ủy"],
                &["Điều 1. Mục tiêu", PHRASE, "đến năm 2030, tầm nhìn 2045."],
                &["Điều 2. Tổ chức thực hiện"],
            ],
        ),
    )
    .await;
    close(hub, first.id).await;
    for title in ["Giao ban tuần 2", "Giao ban tuần 3"] {
        let m = hub.create_meeting(title).await;
        publish(
            hub,
            m,
            "Chương trình công tác tháng",
            Classification::Internal,
            &[],
            &pdf(title, &[&["Chương trình công tác", "Kiểm tra, giám sát"]]),
        )
        .await;
        close(hub, m).await;
    }
    let today = hub.meeting_with(2).await;
    let personnel = publish(
        hub,
        today.id,
        "Tờ trình nhân sự (Mật)",
        Classification::Personnel,
        &[today.delegates[0].id().to_string()],
        &pdf("Tờ trình nhân sự", &[&[PERSONNEL, "nhiệm kỳ 2025–2030"]]),
    )
    .await;
    Year {
        first,
        resolution,
        today,
        personnel,
    }
}

#[tokio::test]
async fn words_without_diacritics_find_a_phrase_in_a_pdf_two_meetings_ago_and_open_its_page() {
    let hub = TestHub::start().await;
    let year = three_meetings(&hub).await;

    let hits = found(&hub, TYPED).await;
    let pages: Vec<&Value> = hits.iter().filter(|h| h["kind"] == "page").collect();
    assert_eq!(pages.len(), 1, "one page holds the phrase: {hits:#?}");
    let hit = pages[0];
    assert_eq!(hit["meeting"], year.first.id.to_string());
    assert_eq!(hit["meeting_title"], "Đại hội đại biểu lần thứ XV");
    assert_eq!(hit["target"], year.resolution.as_str());
    assert_eq!(hit["page"], 2, "the phrase is on page 2: {hit:#}");
    assert_eq!(hit["title"], "Dự thảo Nghị quyết về kinh tế biển");
    let snippet = hit["snippet"].as_str().expect("a snippet");
    assert!(
        snippet.contains("<b>phát</b> <b>triển</b>") && snippet.contains("<b>xanh</b>"),
        "the snippet shows the words as written, marked: {snippet}"
    );

    // The hit opens the document at its page: its bytes, and that page holds the phrase.
    let open = hit["open"].as_str().expect("where it opens");
    let (path, fragment) = open.split_once('#').expect("a page fragment");
    assert_eq!(fragment, "page=2");
    let r = hub.get(path, hub.office_token()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = lopdf::Document::load_mem(&r.body).expect("a PDF");
    assert!(doc
        .extract_text(&[2])
        .expect("page 2")
        .contains("kinh tế biển xanh"));

    // A delegate of that meeting may read the internal resolution: the same hit.
    let delegate = &year.first.delegates[1];
    let theirs = settled(&hub, &delegate.token, TYPED).await;
    assert!(
        theirs
            .iter()
            .any(|h| h["target"] == year.resolution.as_str() && h["page"] == 2),
        "{theirs:#?}"
    );
    // With diacritics, the same page.
    let written = settled(&hub, &delegate.token, PHRASE).await;
    assert!(written
        .iter()
        .any(|h| h["target"] == year.resolution.as_str()));
}

#[tokio::test]
async fn a_reader_who_may_not_read_a_paper_gets_no_hit_and_no_snippet() {
    let hub = TestHub::start().await;
    let year = three_meetings(&hub).await;
    found(&hub, PERSONNEL_TYPED).await;

    let named = &year.today.delegates[0];
    let hits = settled(&hub, &named.token, PERSONNEL_TYPED).await;
    assert!(
        hits.iter()
            .any(|h| h["target"] == year.personnel.as_str() && h["page"] == 1),
        "the named reader finds it: {hits:#?}"
    );

    let other = &year.today.delegates[1];
    let answer = search(&hub, &other.token, PERSONNEL_TYPED).await;
    assert_eq!(answer["hits"], serde_json::json!([]), "{answer:#}");
    let text = answer.to_string();
    for word in ["Quy hoạch", "quy hoach", "Tờ trình", &year.personnel] {
        assert!(!text.contains(word), "{word:?} leaked: {text}");
    }
    // Nor by its title, nor by asking for its meeting by name.
    let by_title = search(&hub, &other.token, "to trinh nhan su").await;
    assert_eq!(by_title["hits"], serde_json::json!([]), "{by_title:#}");

    // A participant's token searches its own meeting only.
    let elsewhere = search(&hub, &other.token, "chuong trinh cong tac").await;
    assert_eq!(elsewhere["hits"], serde_json::json!([]), "{elsewhere:#}");
    let r = hub
        .get(
            &format!("/api/v1/search?q=nghi&meeting={}", MeetingId::new_random()),
            &other.token,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
}

#[tokio::test]
async fn a_lost_or_damaged_index_is_rebuilt_from_the_log_and_the_blobs() {
    let mut hub = TestHub::start().await;
    let year = three_meetings(&hub).await;
    let before = found(&hub, TYPED).await;

    hub.stop().await;
    let index = hub.data_dir().join("search");
    std::fs::remove_dir_all(&index).expect("the index is in DATA/search");
    hub.restart().await;
    let after = found(&hub, TYPED).await;
    assert_eq!(after, before, "the same hits from the rebuilt index");
    assert_eq!(after[0]["target"], year.resolution.as_str());

    // Damaged: its list of segments overwritten.
    hub.stop().await;
    std::fs::write(index.join("meta.json"), b"{ not json").expect("damage the index");
    hub.restart().await;
    assert_eq!(found(&hub, TYPED).await, before);
}

#[tokio::test]
async fn bad_queries_are_refused_clearly() {
    let hub = TestHub::start().await;
    for q in ["", "%20%20"] {
        let r = hub
            .get(&format!("/api/v1/search?q={q}"), hub.office_token())
            .await;
        assert_eq!(r.status, 422, "{}", r.text());
    }
    let long = "a".repeat(201);
    let r = hub
        .get(&format!("/api/v1/search?q={long}"), hub.office_token())
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("200"), "{}", r.text());
    let r = hub.get("/api/v1/search?q=nghi", "not-a-token").await;
    assert_eq!(r.status, 401, "{}", r.text());
    // Query syntax a person might type by accident is searched, not refused.
    let r = hub
        .get(
            "/api/v1/search?q=%22nghi%20quyet%3A%20(",
            hub.office_token(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn the_library_reaches_every_reader_through_the_documents_own_path() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(1).await;
    let r = hub
        .post(
            "/api/v1/library/shelves",
            hub.office_token(),
            &serde_json::json!({"title": "Thư viện văn kiện"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let shelf: MeetingId = serde_json::from_value(r.json()["meeting"].clone()).expect("an id");
    // A delegate may not make shelves.
    let r = hub
        .post(
            "/api/v1/library/shelves",
            &m.delegates[0].token,
            &serde_json::json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());

    let bytes = pdf(
        "Chỉ thị 05",
        &[&[
            "CHỈ THỊ",
            "về tăng cường công tác chuyển đổi số trong cơ quan Đảng",
        ]],
    );
    let item = publish(
        &hub,
        shelf,
        "Chỉ thị số 05-CT/TU",
        Classification::Internal,
        &[],
        &bytes,
    )
    .await;
    hub.office_command(
        shelf,
        "news-1",
        &Command::PostAnnouncement {
            title: "Tin tức: Hội nghị sơ kết 6 tháng".into(),
            text: "Ban Thường vụ họp sơ kết công tác 6 tháng đầu năm.".into(),
        },
    )
    .await;

    // A delegate of another meeting sees the shelf, its item and its news, and downloads it.
    let reader = &m.delegates[0];
    let r = hub.get("/api/v1/library", &reader.token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let library = r.json();
    let shelves = library["shelves"].as_array().expect("shelves");
    assert_eq!(shelves.len(), 1, "{library:#}");
    assert_eq!(shelves[0]["title"], "Thư viện văn kiện");
    assert_eq!(shelves[0]["documents"][0]["id"], item.as_str());
    assert_eq!(
        shelves[0]["news"][0]["title"],
        "Tin tức: Hội nghị sơ kết 6 tháng"
    );
    let path = format!("/api/v1/library/{shelf}/documents/{item}");
    let r = hub.get(&path, &reader.token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, bytes);
    let r = hub.get(&path, "not-a-token").await;
    assert_eq!(r.status, 401, "{}", r.text());
    // The shelf is no meeting of theirs: its roll and its commands stay closed to them.
    let r = hub
        .get(&format!("/api/v1/meetings/{shelf}"), &reader.token)
        .await;
    assert_eq!(r.status, 403, "{}", r.text());

    // Search finds the item's text and the news for the reader.
    found(&hub, "chuyen doi so").await;
    let hits = settled(&hub, &reader.token, "chuyen doi so").await;
    let hit = hits
        .iter()
        .find(|h| h["target"] == item.as_str() && h["page"] == 1)
        .unwrap_or_else(|| panic!("{hits:#?}"));
    let open = hit["open"].as_str().expect("where it opens");
    assert_eq!(open, format!("{path}#page=1"), "through the library");
    let news = settled(&hub, &reader.token, "so ket 6 thang").await;
    assert!(news.iter().any(|h| h["kind"] == "news"), "{news:#?}");

    // A shelf is not a closed meeting of the archive.
    let archive = hub.get("/api/v1/archive", hub.office_token()).await.json();
    assert_eq!(archive["meetings"], serde_json::json!([]), "{archive:#}");

    // Withdrawn: gone from the list, the download and the search.
    hub.office_command(
        shelf,
        "withdraw",
        &Command::WithdrawDocument {
            document: item.parse().unwrap(),
        },
    )
    .await;
    let library = hub.get("/api/v1/library", &reader.token).await.json();
    assert_eq!(library["shelves"][0]["documents"], serde_json::json!([]));
    assert_ne!(hub.get(&path, &reader.token).await.status, 200);
    let hits = settled(&hub, &reader.token, "chuyen doi so").await;
    assert!(hits.is_empty(), "{hits:#?}");
}

#[tokio::test]
async fn the_archive_lists_closed_meetings_by_year_and_title() {
    let hub = TestHub::start().await;
    let year = three_meetings(&hub).await;
    let open = hub.create_meeting("Hội nghị đang họp").await;
    let all = hub.get("/api/v1/archive", hub.office_token()).await.json();
    let titles: Vec<&str> = all["meetings"]
        .as_array()
        .expect("meetings")
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "the three closed meetings: {all:#}");
    assert!(!titles.contains(&"Hội nghị đang họp"));
    let _ = open;
    let some = hub
        .get("/api/v1/archive?q=giao%20ban", hub.office_token())
        .await
        .json();
    assert_eq!(some["meetings"].as_array().unwrap().len(), 2, "{some:#}");
    // A participant sees the closed meeting they took part in, and no other.
    let theirs = hub
        .get("/api/v1/archive", &year.first.delegates[0].token)
        .await
        .json();
    assert_eq!(
        theirs["meetings"].as_array().unwrap().len(),
        1,
        "{theirs:#}"
    );
    assert_eq!(theirs["meetings"][0]["id"], year.first.id.to_string());
}

/// The office's directory: two bodies; An in both, Cường in the executive committee only.
const DIRECTORY: &str = "STT;Họ và tên;Chức vụ;Đơn vị;Ban\n\
    1;Nguyễn Văn An;Phó Bí thư Tỉnh ủy;Tỉnh ủy;\"Ban Chấp hành; Ban Thường vụ\"\n\
    2;Lê Văn Cường;Tỉnh ủy viên;Sở Tư pháp;Ban Chấp hành\n";

/// Imports [`DIRECTORY`]; returns the people's and the bodies' ids by name.
async fn directory(hub: &TestHub) -> (Value, Value) {
    let r = hub
        .request(
            meeting_tests::http::Request::new("POST", "/api/v1/office/people/import")
                .bearer(hub.office_token())
                .body("text/csv", DIRECTORY),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let people = hub
        .get("/api/v1/office/people", hub.office_token())
        .await
        .json();
    let bodies = hub
        .get("/api/v1/office/bodies", hub.office_token())
        .await
        .json();
    (people, bodies)
}

fn id_of<'a>(list: &'a Value, key: &str, name: &str) -> &'a str {
    list[key]
        .as_array()
        .expect("a list")
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list:#}"))["id"]
        .as_str()
        .expect("an id")
}

/// Enrols a tablet for `person`; returns its token.
async fn enrol(hub: &TestHub, person: &str) -> String {
    let r = hub
        .post(
            &format!("/api/v1/office/people/{person}/enrolment"),
            hub.office_token(),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let code = r.json()["code"].as_str().expect("a code").to_owned();
    let r = hub
        .request(
            meeting_tests::http::Request::new("POST", "/api/v1/enrol")
                .json(&serde_json::json!({ "code": code, "pin": "90417263" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn a_bodys_shelf_reaches_its_members_tablets_and_nobody_else() {
    let hub = TestHub::start().await;
    let (people, bodies) = directory(&hub).await;
    let standing = id_of(&bodies, "bodies", "Ban Thường vụ");
    let an = enrol(&hub, id_of(&people, "people", "Nguyễn Văn An")).await;
    let cuong = enrol(&hub, id_of(&people, "people", "Lê Văn Cường")).await;
    let badge = hub.meeting_with(1).await.delegates[0].token.clone();

    let r = hub
        .post(
            "/api/v1/library/shelves",
            hub.office_token(),
            &serde_json::json!({"title": "Tài liệu Ban Thường vụ", "audience": {"type": "body", "body": standing}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let shelf: MeetingId = serde_json::from_value(r.json()["meeting"].clone()).expect("an id");
    let r = hub
        .post(
            "/api/v1/library/shelves",
            hub.office_token(),
            &serde_json::json!({"title": "x", "audience": {"type": "body", "body": MeetingId::new_random()}}),
        )
        .await;
    assert_eq!(r.status, 422, "an unknown body: {}", r.text());
    let bytes = pdf(
        "Kết luận",
        &[&["KẾT LUẬN", "về công tác luân chuyển cán bộ chủ chốt"]],
    );
    let item = publish(
        &hub,
        shelf,
        "Kết luận số 12-KL/TU",
        Classification::Internal,
        &[],
        &bytes,
    )
    .await;
    let path = format!("/api/v1/library/{shelf}/documents/{item}");

    // A member of the body: the shelf, the item, its bytes, and search finds it.
    let listed = hub.get("/api/v1/library", &an).await.json();
    assert_eq!(
        listed["shelves"][0]["documents"][0]["id"],
        item.as_str(),
        "{listed:#}"
    );
    let r = hub.get(&path, &an).await;
    assert_eq!((r.status, r.body.len()), (200, bytes.len()), "{}", r.text());
    found(&hub, "luan chuyen can bo").await;
    let hits = settled(&hub, &an, "luan chuyen can bo").await;
    assert!(
        hits.iter().any(|h| h["target"] == item.as_str()),
        "{hits:#?}"
    );

    // Not a member, and a badge of one meeting: nothing of it.
    for token in [&cuong, &badge] {
        let listed = hub.get("/api/v1/library", token).await.json();
        assert_eq!(listed["shelves"], serde_json::json!([]), "{listed:#}");
        let r = hub.get(&path, token).await;
        assert_eq!(r.status, 403, "{}", r.text());
        let hits = settled(&hub, token, "luan chuyen can bo").await;
        assert!(hits.is_empty(), "{hits:#?}");
    }

    // The archive by body: a closed meeting the standing committee was summoned to is in
    // An's archive under its body, and not in Cường's.
    let meeting = hub.create_meeting("Hội nghị Ban Thường vụ tháng 11").await;
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/summon"),
            hub.office_token(),
            &serde_json::json!({ "body": standing }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    close(&hub, meeting).await;
    let theirs = hub.get("/api/v1/archive", &an).await.json();
    assert_eq!(
        theirs["meetings"][0]["id"],
        meeting.to_string(),
        "{theirs:#}"
    );
    assert_eq!(theirs["meetings"][0]["body"]["name"], "Ban Thường vụ");
    assert_eq!(theirs["bodies"][0]["id"], standing);
    let by_body = hub
        .get(
            &format!("/api/v1/archive?body={standing}"),
            hub.office_token(),
        )
        .await
        .json();
    assert_eq!(
        by_body["meetings"].as_array().unwrap().len(),
        1,
        "{by_body:#}"
    );
    let not_theirs = hub.get("/api/v1/archive", &cuong).await.json();
    assert_eq!(
        not_theirs["meetings"],
        serde_json::json!([]),
        "{not_theirs:#}"
    );
}
