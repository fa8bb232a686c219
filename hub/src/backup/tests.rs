//! Backups of a real store in a temporary directory: made while a writer goes on, checked,
//! restored, and refused when altered.

use super::*;
use crate::store::Changes;
use protocol::{Event, EventKind, Fraction, MeetingId, Timestamp};

fn event(seq: u64) -> Event {
    Event {
        seq,
        at: Timestamp(1_700_000_000_000 + seq as i64),
        event: EventKind::MeetingUpdated {
            title: format!("Kỳ họp {seq}"),
            venue: "Hội trường A".to_owned(),
            starts_at: None,
            quorum: Fraction::TWO_THIRDS,
        },
    }
}

fn append(store: &Store, meeting: MeetingId, from: u64, to: u64) {
    let changes = Changes {
        records: (from..=to).map(|s| (event(s), None)).collect(),
        ..Changes::default()
    };
    store.write(meeting, &changes).unwrap();
}

#[test]
fn a_backup_made_while_writes_go_on_restores_to_a_log_that_verifies() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let meeting = MeetingId::new_random();
    append(&store, meeting, 1, 50);
    std::fs::create_dir_all(data.path().join("blobs/ab")).unwrap();
    std::fs::write(data.path().join("blobs/ab/abcdef"), b"bytes").unwrap();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for seq in 51..=300 {
                append(&store, meeting, seq, seq);
            }
        })
    };
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("b1");
    let made = make(&store, data.path(), &backup).unwrap();
    writer.join().unwrap();
    assert!(made.files >= 3, "{made:?}");
    let last = last(data.path()).expect("the desk's note of it");
    assert_eq!(last.made_at_ms, made.made_at_ms);

    let manifest = check(&backup).unwrap();
    let end = &manifest.logs[0];
    assert!((50..=300).contains(&end.last_seq), "{end:?}");
    assert!(manifest.files.iter().any(|f| f.path == "blobs/ab/abcdef"));
    assert!(manifest.files.iter().any(|f| f.path == "token.key"));
    assert!(!manifest.files.iter().any(|f| f.path == LAST_BACKUP_FILE));

    let target = out.path().join("restored");
    let restored = restore(&backup, &target).unwrap();
    assert_eq!(restored.logs, manifest.logs);
    let reopened = Store::open(&target).unwrap();
    assert_eq!(reopened.last_seq(meeting).unwrap(), end.last_seq);
}

#[test]
fn an_altered_backup_is_refused_and_restores_nothing() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    append(&store, MeetingId::new_random(), 1, 5);
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("b");
    make(&store, data.path(), &backup).unwrap();
    std::fs::write(backup.join("token.key"), [0u8; 32]).unwrap();
    let err = format!("{:#}", check(&backup).unwrap_err());
    assert!(err.contains("token.key"), "{err}");
    let target = out.path().join("restored");
    assert!(restore(&backup, &target).is_err());
    assert!(
        !target.exists() || std::fs::read_dir(&target).unwrap().next().is_none(),
        "nothing restored"
    );
}

#[test]
fn a_backup_goes_into_a_new_directory_only() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("something"), b"x").unwrap();
    let err = make(&store, data.path(), out.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn a_manifest_cannot_name_a_file_outside_the_backup() {
    for path in ["../etc/passwd", "/etc/passwd", "", "a/../../b"] {
        assert!(files::safe_relative(path).is_err(), "{path}");
    }
    assert!(files::safe_relative("blobs/ab/cd").is_ok());
}
