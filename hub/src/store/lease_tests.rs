//! The lease on PostgreSQL: fencing a deposed hub, refusing writes once the lease is lost,
//! and the document bytes a standby fetches from the database. Each test has a database of
//! its own on the scratch server of `tests`.

use super::tests::{batch, fresh_database, server, Append};
use super::*;

/// Takes the lease on `url`, waiting (up to 10 s) for PostgreSQL to let go of a holder
/// whose connection just closed.
fn take_lease(url: &str, holder: &str) -> Lease {
    let mut contender = Contender::connect(url).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match contender.try_take(holder).unwrap() {
            Ok(lease) => return lease,
            Err(back) => contender = back,
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lease never came free"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_deposed_hub_writes_nothing_once_another_took_the_hall() {
    let url = fresh_database();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = take_lease(&url, "a");
    let a = Store::open_postgres(dir_a.path(), &first).unwrap();
    let m = MeetingId::new_random();
    a.append(m, &batch(1, 2), &[]).unwrap();

    // While the first holds it, nobody else gets the lease.
    let contender = Contender::connect(&url).unwrap();
    assert!(contender.try_take("b").unwrap().is_err(), "held by a");

    // The first hub's lease connection ends (as when its process is killed); its store's
    // own connections live on, and would write if nothing fenced them.
    let first_epoch = first.epoch();
    drop(first);
    let second = take_lease(&url, "b");
    assert_eq!(second.epoch(), first_epoch + 1);
    let row = server()
        .psql(&url, "SELECT epoch, holder FROM hub_lease")
        .unwrap();
    assert_eq!(row.trim(), format!("{}|b", first_epoch + 1));
    let err = a.append(m, &batch(3, 3), &[]).unwrap_err();
    assert!(
        matches!(err, StoreError::Fenced { held, current } if held == first_epoch && current == first_epoch + 1),
        "{err:?}"
    );

    let b = Store::open_postgres(dir_b.path(), &second).unwrap();
    assert_eq!(b.last_seq(m).unwrap(), 2, "the refused batch left nothing");
    b.append(m, &batch(3, 3), &[]).unwrap();
    assert_eq!(b.replay(m).unwrap().len(), 3);
}

#[test]
fn a_hub_that_lost_its_lease_refuses_writes_at_once() {
    let url = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let lease = take_lease(&url, "a");
    let store = Store::open_postgres(dir.path(), &lease).unwrap();
    let m = MeetingId::new_random();
    store.append(m, &batch(1, 1), &[]).unwrap();
    lease.check().expect("the lease connection answers");
    lease.mark_lost();
    let err = store.append(m, &batch(2, 2), &[]).unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost), "{err:?}");
    assert_eq!(store.last_seq(m).unwrap(), 1);
}

#[tokio::test]
async fn a_document_stored_by_one_hub_is_served_by_the_other() {
    let url = fresh_database();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sha = {
        let lease = take_lease(&url, "a");
        let a = Store::open_postgres(dir_a.path(), &lease).unwrap();
        let parts: Vec<Result<Vec<u8>, String>> =
            bytes.chunks(100_000).map(|c| Ok(c.to_vec())).collect();
        let stored = a
            .blobs()
            .store(futures_util::stream::iter(parts), 10_000_000)
            .await
            .unwrap();
        stored.sha256
    };
    let lease = take_lease(&url, "b");
    let b = Store::open_postgres(dir_b.path(), &lease).unwrap();
    let path = b.blobs().path(&sha).expect("fetched from PostgreSQL");
    assert!(path.starts_with(dir_b.path()));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(
        b.blobs().path(&"0".repeat(64)).is_none(),
        "not stored anywhere"
    );
}
