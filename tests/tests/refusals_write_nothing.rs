//! A refused request writes nothing: not a participant, not a token kept for a badge. The
//! database is read whole (every table, every row) before and after, with the hub
//! stopped, and must be the same; the refusal's answer stays small however large the file.

use hub::store::{Store, DATABASE_FILE};
use meeting_tests::http::Request;
use meeting_tests::TestHub;
use protocol::ParticipantId;

/// Every row of the database and the file's size, read with the hub stopped.
async fn database(hub: &mut TestHub) -> (Vec<(String, Vec<u8>, Vec<u8>)>, u64) {
    hub.stop().await;
    let dir = hub.data_dir();
    let rows = Store::open(dir).unwrap().dump().unwrap();
    let size = std::fs::metadata(dir.join(DATABASE_FILE)).unwrap().len();
    (rows, size)
}

fn delegates(rows: std::ops::Range<usize>) -> String {
    let mut csv = String::from("name,position,unit,role,seat\n");
    for n in rows {
        csv.push_str(&format!("Đại biểu {n},Ủy viên,Đảng bộ xã {n},delegate,\n"));
    }
    csv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_import_and_a_reissue_for_nobody_leave_the_database_as_it_was() {
    let mut hub = TestHub::start().await;
    let m = hub.meeting_with(3).await;
    let before = database(&mut hub).await;
    hub.restart().await;

    // 999 good rows and one whose seat the chair has: refused whole, at the dry run.
    let mut csv = delegates(0..999);
    csv.push_str("Người thứ nghìn,,,delegate,A1\n");
    let r = hub.import_csv(m.id, &csv).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let errors = r.json()["errors"].as_array().expect("errors").clone();
    assert_eq!(errors.len(), 1, "{}", r.text());
    assert_eq!(errors[0]["line"], 1001);

    // A token for a participant the meeting does not have.
    let nobody = ParticipantId::new_random();
    let path = format!("/api/v1/meetings/{}/participants/{nobody}/token", m.id);
    let r = hub
        .request(Request::new("POST", &path).bearer(hub.office_token()))
        .await;
    assert_eq!(r.status, 404, "{}", r.text());

    let after = database(&mut hub).await;
    eprintln!(
        "database before and after the refusals: {} rows, {} bytes / {} rows, {} bytes",
        before.0.len(),
        before.1,
        after.0.len(),
        after.1
    );
    assert_eq!(after.0.len(), before.0.len(), "rows were added");
    assert!(after.0 == before.0, "a row changed");
    assert_eq!(after.1, before.1, "the database file grew");

    // The hub still adds and re-issues whom it should, each token kept for the badge.
    hub.restart().await;
    let member = hub
        .add_participant(m.id, "Đại biểu mới", protocol::Role::Delegate)
        .await;
    let reissued = m.delegates[0].id();
    hub.reissue_token(m.id, reissued).await;
    for p in [member.id(), reissued] {
        let qr = format!("/api/v1/meetings/{}/participants/{p}/qr.png", m.id);
        let r = hub.get(&qr, hub.office_token()).await;
        assert_eq!(r.status, 200, "the join QR code of {p}: {}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_refused_import_gets_a_small_answer() {
    let hub = TestHub::start().await;
    let m = hub.meeting_with(0).await;

    // 8,000 rows (under the 1 MiB a request may carry): past the 5,100 a meeting holds,
    // so 2,900 and more are refused.
    let r = hub.import_csv(m.id, &delegates(0..8_000)).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let body = r.json();
    let errors = body["errors"].as_array().expect("errors");
    let message = body["message"].as_str().unwrap_or_default();
    eprintln!(
        "8,000 rows refused: {} bytes of answer, {} lines listed: {message}",
        r.body.len(),
        errors.len()
    );
    assert_eq!(errors.len(), 100, "only the first lines are listed");
    assert!(message.contains("the first 100"), "{message}");
    assert!(r.body.len() < 32 * 1024, "{} bytes", r.body.len());

    // Rows that do not parse at all: the same bound.
    let bad = delegates(0..8_000).replace(",delegate,", ",đại biểu?,");
    let r = hub.import_csv(m.id, &bad).await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["errors"].as_array().expect("errors").len(), 100);
    assert!(r.body.len() < 32 * 1024, "{} bytes", r.body.len());
    assert!(hub
        .meeting_state(m.id, hub.office_token())
        .await
        .1
        .participants
        .len()
        .eq(&3));
}
