//! The record from the desk in a real browser (headless chromium): the secretariat fills
//! the minutes' details and an item's conclusion, gives an absent member's reason on the
//! participants tab, clicks the minutes' export and gets the file (its Vietnamese name,
//! a PDF poppler reads with what was typed); after the close, the dossier with its
//! progress, and the office's start page lists the closed meeting with its dossier. The
//! chair console offers the minutes too.

use meeting_tests::browser::{via, Driver, Page};
use meeting_tests::tools::pdftotext;
use meeting_tests::{guard, TestHub};
use protocol::{Command, HeaderKind};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DESK: (u32, u32) = (1280, 800);

/// Waits until a finished download whose name starts with `prefix` is in `dir`.
async fn downloaded(dir: &Path, prefix: &str) -> PathBuf {
    guard(&format!("a download {prefix}…"), async {
        loop {
            let found = std::fs::read_dir(dir).unwrap().flatten().find(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(prefix) && !name.ends_with(".crdownload")
            });
            if let Some(e) = found {
                return e.path();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

async fn type_into(page: &Page, css: &str, text: &str) {
    page.type_into(css, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_writes_the_minutes_exports_them_and_offers_the_dossier_after_the_close() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let add = Command::AddAgendaItem {
        title: "Thông qua Nghị quyết hội nghị".into(),
        description: String::new(),
    };
    hub.office_command(m.id, "item", &add).await;
    hub.office_command(m.id, "start", &Command::StartSession)
        .await;
    let (_, view) = hub.meeting_state(m.id, hub.office_token()).await;
    let item = view.agenda[0].id;
    let absent = m.delegates[2].clone();

    let driver = Driver::start().await;
    let downloads = tempfile::tempdir().unwrap();
    let page = driver.page_with_downloads(DESK, downloads.path()).await;
    page.goto(&via(&m.secretariat.join_url, hub.addr()).unwrap())
        .await;
    page.wait_for(".desk #tab-exports").await;

    // The absent member's reason, on the participants tab.
    page.click("#tab-participants").await;
    let reason = format!("#absence-{}", absent.id());
    type_into(&page, &reason, "Đi công tác tỉnh\u{E007}").await;
    guard("the reason to be recorded", async {
        loop {
            let (_, v) = hub.meeting_state(m.id, hub.office_token()).await;
            let r = v.record.expect("the office sees the record");
            if r.absences.iter().any(|a| a.participant == absent.id()) {
                assert_eq!(r.absences[0].reason, "Đi công tác tỉnh");
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;

    // The minutes' details and the item's conclusion, on the exports tab.
    page.click("#tab-exports").await;
    page.wait_text("#minutes-draft-note", "the draft note", |t| {
        t.contains("dự thảo")
    })
    .await;
    page.eval("document.querySelector('#minutes-header').value = 'state';")
        .await;
    type_into(&page, "#minutes-body", "Ủy ban nhân dân huyện Gia Bình").await;
    type_into(&page, "#minutes-number", "15/BB-UBND").await;
    page.click("#minutes-details-save").await;
    let conclusion = format!("#conclusion-{item}");
    type_into(
        &page,
        &conclusion,
        "Hội nghị nhất trí thông qua Nghị quyết.",
    )
    .await;
    page.click(&format!("button[data-item='{item}']")).await;
    guard("the details and the conclusion to be recorded", async {
        loop {
            let (_, v) = hub.meeting_state(m.id, hub.office_token()).await;
            let r = v.record.unwrap();
            if r.details.number == "15/BB-UBND" && !r.conclusions.is_empty() {
                assert_eq!(r.details.header, HeaderKind::State);
                assert_eq!(r.details.body, "Ủy ban nhân dân huyện Gia Bình");
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;

    // The minutes: clicked, saved under their Vietnamese name, a PDF with what was typed.
    page.click("#export-minutes-pdf").await;
    let said = page
        .wait_text("#export-minutes-pdf-status", "the saved file", |t| {
            t.starts_with("Đã lưu")
        })
        .await;
    assert!(
        said.contains("Dự thảo biên bản") && said.contains("KB"),
        "{said}"
    );
    let pdf = downloaded(downloads.path(), "Dự thảo biên bản - Đại hội").await;
    assert!(pdf.to_string_lossy().ends_with(".pdf"));
    let text = pdftotext(&pdf);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ỦY BAN NHÂN DÂN HUYỆN GIA BÌNH",
        "Số: 15/BB-UBND",
        "DỰ THẢO",
        "Hội nghị nhất trí thông qua Nghị quyết.",
        "Đi công tác tỉnh",
    ] {
        assert!(
            text.contains(expected),
            "the minutes lack {expected:?}:\n{text}"
        );
    }
    page.eval("document.querySelector('#export-minutes-pdf').scrollIntoView({block: 'start'});")
        .await;
    page.screenshot("desk-record").await;

    // No dossier before the close; after it, the desk offers it, with its progress.
    assert_eq!(page.count("#export-dossier").await, 0);
    hub.office_command(m.id, "close", &Command::CloseMeeting)
        .await;
    page.click("#export-dossier").await;
    page.wait_text("#export-dossier-status", "the saved dossier", |t| {
        t.starts_with("Đã lưu")
    })
    .await;
    let zip = downloaded(downloads.path(), "Hồ sơ cuộc họp - ").await;
    assert!(std::fs::read(&zip).unwrap().starts_with(b"PK\x03\x04"));
    page.close().await;

    // The chair console offers the minutes too.
    let chair = driver.page(DESK).await;
    chair
        .goto(&via(&m.chair.join_url, hub.addr()).unwrap())
        .await;
    chair.wait_for("#chair-record #chair-minutes-pdf").await;
    chair.close().await;

    // The office's start page lists the closed meeting with its dossier.
    let office = driver.page(DESK).await;
    office
        .goto(&format!("http://{}/j/{}", hub.addr(), hub.office_token()))
        .await;
    office
        .wait_for(&format!(
            "#office-dossiers [data-dossier='{}'] #dossier-{}",
            m.id, m.id
        ))
        .await;
    office.close().await;
}
