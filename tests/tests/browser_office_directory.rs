//! The office's directory screen (Danh bạ) in a real browser (headless chromium, a
//! 1440×900 desktop): a CSV with one bad row is refused with that line marked and nobody
//! imported; fixed, its people are listed on the page and in REST; a person's details are
//! corrected and a body's members changed on the page; a person's tablet is
//! enrolled from the page with the one-time link it shows (and its QR code); the tablet
//! then shows in the page's devices and on the person's line; locked by five wrong PINs,
//! it shows locked there and is unlocked from the page; revoking it there (after a
//! confirmation) deletes it in REST and shuts its token out. A workbook (.xlsx) chosen as the file imports too.

use base64::Engine;
use meeting_tests::browser::{Driver, Page};
use meeting_tests::http::Request;
use meeting_tests::qr::decode_qr;
use meeting_tests::TestHub;
use serde_json::{json, Value};

const DESKTOP: (u32, u32) = (1440, 900);
const PIN: &str = "730194";

/// Line 3 has no name: the hub refuses the whole file.
const BAD_CSV: &str = "Họ và tên,Chức vụ,Đơn vị,Liên hệ,Ban\n\
Nguyễn Văn An,Phó Bí thư Tỉnh ủy,Tỉnh ủy,0912 000 111,Ban Thường vụ; Ban Chấp hành\n\
,Ủy viên Ban Thường vụ,Ủy ban Kiểm tra,,Ban Chấp hành\n\
Lê Văn Cường,Tỉnh ủy viên,Sở Tư pháp,,Ban Chấp hành\n";

const GOOD_CSV: &str = "Họ và tên,Chức vụ,Đơn vị,Liên hệ,Ban\n\
Nguyễn Văn An,Phó Bí thư Tỉnh ủy,Tỉnh ủy,0912 000 111,Ban Thường vụ; Ban Chấp hành\n\
Trần Thị Bình,Ủy viên Ban Thường vụ,Ủy ban Kiểm tra,,Ban Chấp hành\n\
Lê Văn Cường,Tỉnh ủy viên,Sở Tư pháp,,Ban Chấp hành\n";

/// Puts `text` into the paste box as if typed, so the page previews it.
async fn paste(page: &Page, text: &str) {
    page.eval(&format!(
        "const el = document.querySelector('#dir-import-text'); el.value = {}; \
         el.dispatchEvent(new Event('input')); return 1",
        json!(text)
    ))
    .await;
}

/// Clicks `css` once it is scrolled to the middle of the screen and the last action's toast
/// (4 s) has gone, as a person reads it before the next click.
async fn press(page: &Page, css: &str) {
    page.wait_for(css).await;
    meeting_tests::guard("the toasts to go", async {
        while page.count(".toasts .toast").await > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    page.eval(&format!(
        "document.querySelector({}).scrollIntoView({{block: 'center'}}); return 1",
        json!(css)
    ))
    .await;
    page.click(css).await;
}

async fn office_json(hub: &TestHub, path: &str) -> Value {
    let r = hub.get(path, hub.office_token()).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_imports_its_directory_enrols_a_tablet_and_revokes_it_from_the_page() {
    let hub = TestHub::start().await;
    let driver = Driver::start().await;
    let page = driver.page(DESKTOP).await;
    // The office token's join link, as printed for the hub's office.
    page.goto(&format!("http://{}/j/{}", hub.addr(), hub.office_token()))
        .await;
    page.wait_for("#office-directory #directory-empty").await;
    page.wait_for("#directory-devices #devices-none").await;
    page.screenshot("office-directory-empty").await;

    // A file with one bad row: that line is marked with the hub's reason, nobody imported.
    paste(&page, BAD_CSV).await;
    page.wait_text("#dir-import-preview", "the preview", |t| {
        t.contains("Lê Văn Cường")
    })
    .await;
    press(&page, "#dir-import-submit").await;
    let why = page
        .wait_text(
            "#dir-import-preview tr.bad[data-line='3'] td.why",
            "line 3 marked",
            |t| !t.is_empty(),
        )
        .await;
    assert!(why.contains("is empty"), "{why}");
    assert_eq!(page.count("#dir-import-preview tr.bad").await, 1);
    let said = page.wait_for("#dir-import-errors").await;
    assert!(said.contains("chưa nhập người nào"), "{said}");
    page.screenshot("office-directory-refused").await;
    assert_eq!(
        office_json(&hub, "/api/v1/office/people").await["people"],
        json!([]),
        "a refused file imports nobody"
    );

    // Fixed: the people are listed on the page and in REST, with their bodies.
    paste(&page, GOOD_CSV).await;
    assert_eq!(page.count("#dir-import-preview tr.bad").await, 0);
    press(&page, "#dir-import-submit").await;
    page.wait_text("#dir-import-done", "the import's count", |t| {
        t.contains('3')
    })
    .await;
    page.wait_text("#directory-table", "the people listed", |t| {
        t.contains("Trần Thị Bình") && t.contains("Lê Văn Cường")
    })
    .await;
    let people = office_json(&hub, "/api/v1/office/people").await;
    let people = people["people"].as_array().expect("people").clone();
    let names: Vec<&str> = people.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]);
    let bodies = page.wait_for("#directory-bodies").await;
    assert!(bodies.contains("Ban Chấp hành · 3"), "{bodies}");
    let an = people[0]["id"].as_str().unwrap().to_owned();
    let row = page
        .wait_for(&format!("#directory-table tr[data-person='{an}']"))
        .await;
    assert!(row.contains("Ban Thường vụ; Ban Chấp hành"), "{row}");

    // Bình's details corrected on the page; then the standing committee's members: Bình
    // added from its list, An taken off it. Each change is the directory's in REST.
    let binh = people[1]["id"].as_str().unwrap().to_owned();
    press(
        &page,
        &format!("#directory-table tr[data-person='{binh}'] [data-action=edit]"),
    )
    .await;
    page.wait_text("#dir-person-heading", "the edit form", |t| {
        t.contains("Trần Thị Bình")
    })
    .await;
    page.eval(
        "const el = document.querySelector('#dir-unit'); el.value = 'Văn phòng Tỉnh ủy'; return 1",
    )
    .await;
    press(&page, "#dir-person-submit").await;
    page.wait_text(
        &format!("#directory-table tr[data-person='{binh}']"),
        "the new unit listed",
        |t| t.contains("Văn phòng Tỉnh ủy"),
    )
    .await;
    let listed = office_json(&hub, "/api/v1/office/people").await;
    assert_eq!(listed["people"][1]["unit"], "Văn phòng Tỉnh ủy");
    assert_eq!(listed["people"][1]["position"], "Ủy viên Ban Thường vụ");
    let standing = |bodies: &Value| -> Vec<String> {
        bodies["bodies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == "Ban Thường vụ")
            .expect("the standing committee")["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    };
    let bodies = office_json(&hub, "/api/v1/office/bodies").await;
    assert_eq!(standing(&bodies), vec![an.clone()]);
    let body = bodies["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "Ban Thường vụ")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = format!("#directory-bodies li[data-body='{body}']");
    page.eval(&format!(
        "const el = document.querySelector({}); el.value = {}; return 1",
        json!(format!("{item} .body-member-add select")),
        json!(binh)
    ))
    .await;
    press(&page, &format!("{item} .body-member-add button")).await;
    page.wait_text(&item, "Bình a member", |t| t.contains("Trần Thị Bình"))
        .await;
    assert_eq!(
        standing(&office_json(&hub, "/api/v1/office/bodies").await),
        [an.clone(), binh.clone()]
    );
    press(&page, &format!("{item} li[data-member='{an}'] button")).await;
    page.wait_text(&format!("{item} .body-members"), "An off the list", |t| {
        !t.contains("Nguyễn Văn An")
    })
    .await;
    assert_eq!(
        standing(&office_json(&hub, "/api/v1/office/bodies").await),
        vec![binh.clone()]
    );

    // A tablet for An: the link shown is a working one-time code, with its QR code.
    press(
        &page,
        &format!("#directory-table tr[data-person='{an}'] .row-actions button:first-child"),
    )
    .await;
    let link = page.wait_for("[data-testid=enrol-link]").await;
    let (base, code) = link.rsplit_once("/e/").expect("an /e/CODE link");
    assert!(base.starts_with("http"), "{link}");
    assert_eq!(code.len(), 43, "{link}");
    page.wait_text("[data-testid=enrol-sheet]", "the secret's warning", |t| {
        t.contains("bí mật") && t.contains("hết hạn")
    })
    .await;
    // The QR code on the sheet holds the very link shown: one code, not two.
    let png = page
        .eval(
            "const img = document.querySelector('[data-testid=enrol-qr]'); \
             return img.decode().then(() => { \
               const c = document.createElement('canvas'); \
               c.width = img.naturalWidth; c.height = img.naturalHeight; \
               c.getContext('2d').drawImage(img, 0, 0); \
               return c.toDataURL('image/png').split(',')[1]; })",
        )
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().expect("the PNG as base64"))
        .expect("base64");
    assert_eq!(decode_qr(&png), link, "the QR code holds the link shown");
    page.screenshot("office-directory-enrol").await;
    let r = hub
        .request(Request::new("POST", "/api/v1/enrol").json(&json!({ "code": code, "pin": PIN })))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let enrolled = r.json();
    let token = enrolled["token"].as_str().unwrap().to_owned();
    let device = enrolled["device"].as_str().unwrap().to_owned();
    assert_eq!(hub.get("/api/v1/me", &token).await.status, 200);

    // Five wrong PINs in a meeting that summoned An lock the tablet: the page shows it
    // locked, on its line and An's, and unlocks it.
    let r = hub
        .post(
            "/api/v1/meetings",
            hub.office_token(),
            &json!({ "title": "Hội nghị Ban Thường vụ", "quorum": "1/2" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let meeting = r.json()["id"].as_str().unwrap().to_owned();
    let r = hub
        .post(
            &format!("/api/v1/meetings/{meeting}/summon"),
            hub.office_token(),
            &json!({ "people": [an] }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    for n in 0..5 {
        let ballot = json!({ "id": format!("w{n}"), "command": { "op": "cast_ballot", "poll": "00000000-0000-4000-8000-000000000000", "choices": [0] }, "pin": "000000" });
        let r = hub
            .post(
                &format!("/api/v1/meetings/{meeting}/commands"),
                &token,
                &ballot,
            )
            .await;
        assert_ne!(r.status, 200, "a wrong PIN: {}", r.text());
    }
    press(&page, "[data-testid=enrol-close]").await;
    press(&page, "#devices-reload").await;
    let row = format!("#devices-table tr[data-device='{device}']");
    page.wait_for(&format!("{row} .tag.bad")).await;
    let listed = page.wait_for(&row).await;
    assert!(listed.contains("Nguyễn Văn An"), "{listed}");
    let cell = format!("#directory-table tr[data-person='{an}'] td.tablets");
    page.wait_for(&format!("{cell}[data-tablets='1'] .tag.bad"))
        .await;
    page.screenshot("office-directory-locked").await;
    press(&page, &format!("{row} .row-actions button:not(.danger)")).await;
    meeting_tests::guard("the tablet to be unlocked", async {
        while page.count(&format!("{row} .tag.bad")).await > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    let devices = office_json(&hub, "/api/v1/office/devices").await;
    assert_eq!(
        devices["devices"][0]["device"]["locked"], false,
        "{devices}"
    );
    assert_eq!(page.count(&format!("{cell} .tag.bad")).await, 0);

    // The tablet is in the page's devices; revoked there, after a confirmation.
    press(&page, "#devices-reload").await;
    let listed = page
        .wait_for(&format!("#devices-table tr[data-device='{device}']"))
        .await;
    assert!(listed.contains("Nguyễn Văn An"), "{listed}");
    // …and counted on An's line of the directory.
    page.wait_for(&format!("{cell}[data-tablets='1']")).await;
    press(
        &page,
        &format!("#devices-table tr[data-device='{device}'] button.danger"),
    )
    .await;
    page.wait_for("dialog[open]").await;
    page.screenshot("office-directory-revoke").await;
    page.click("[data-testid=confirm-yes]").await;
    page.wait_for("#directory-devices #devices-none").await;
    page.wait_for(&format!("{cell}[data-tablets='0']")).await;
    page.screenshot("office-directory-empty").await;
    assert_eq!(
        office_json(&hub, "/api/v1/office/devices").await["devices"],
        json!([])
    );
    assert_eq!(hub.get("/api/v1/me", &token).await.status, 401);

    // A workbook chosen as the file is sent as it is and read by the hub.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("danh-ba.xlsx");
    std::fs::write(&path, workbook()).unwrap();
    page.type_into("#dir-import-file", path.to_str().unwrap())
        .await;
    page.wait_text("#dir-import-preview", "the workbook named", |t| {
        t.contains("danh-ba.xlsx")
    })
    .await;
    press(&page, "#dir-import-submit").await;
    page.wait_text("#directory-table", "the workbook's person listed", |t| {
        t.contains("Phạm Thị Dung")
    })
    .await;
    let people = office_json(&hub, "/api/v1/office/people").await;
    assert_eq!(people["people"].as_array().map(Vec::len), Some(4));
    page.close().await;
}

/// A one-person directory as an Excel workbook.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["Họ và tên", "Chức vụ", "Đơn vị", "Ban"],
        ["Phạm Thị Dung", "Tỉnh ủy viên", "Sở Y tế", "Ban Chấp hành"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}
