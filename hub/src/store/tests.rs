//! Store tests against real redb databases in temporary directories, and (those that are
//! about the store, not about redb's file) against a real PostgreSQL too: each on a fresh
//! database of one scratch server per test process (see `scratch_pg`).

use super::scratch_pg::ScratchPostgres;
use super::*;
use crate::tokens::Token;
use protocol::{CommandId, EventKind, Fraction, ParticipantId, Timestamp};
use ring::digest;
use std::sync::OnceLock;

/// Where a test's store lives: a temporary directory, and on PostgreSQL a database of its
/// own with this test's lease on it.
pub(super) struct Fixture {
    dir: tempfile::TempDir,
    lease: Option<Lease>,
}

/// The test process's PostgreSQL server, started on first use.
pub(super) fn server() -> &'static ScratchPostgres {
    static SERVER: OnceLock<ScratchPostgres> = OnceLock::new();
    SERVER.get_or_init(|| ScratchPostgres::start().expect("a scratch PostgreSQL server"))
}

/// A fresh database on the scratch server: its connection string.
pub(super) fn fresh_database() -> String {
    server().database().expect("a fresh database")
}

impl Fixture {
    pub(super) fn embedded() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            lease: None,
        }
    }

    pub(super) fn postgres() -> Fixture {
        let url = fresh_database();
        let lease = Contender::connect(&url)
            .unwrap()
            .try_take("test")
            .unwrap()
            .expect("nobody else holds a fresh database");
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            lease: Some(lease),
        }
    }

    /// Opens (again) the store of this fixture.
    pub(super) fn open(&self) -> Store {
        match &self.lease {
            Some(lease) => Store::open_postgres(self.dir.path(), lease).unwrap(),
            None => Store::open(self.dir.path()).unwrap(),
        }
    }
}

/// Runs each named test (a `fn(&Fixture)`) once per engine.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn embedded() {
                super::$name(&super::Fixture::embedded());
            }
            #[test]
            fn postgres() {
                super::$name(&super::Fixture::postgres());
            }
        }
    )*};
}

on_both_engines!(
    appended_events_read_back_in_order,
    chain_is_sha256_of_previous_chain_event_and_origin,
    gaps_and_repeats_are_refused_and_write_nothing,
    reopening_sees_the_same_log_and_can_continue,
    tampering_with_a_stored_record_is_detected,
    reissuing_a_participant_token_revokes_the_old_one,
    revoking_a_token_by_hash_clears_both_tables,
    meetings_lists_every_meeting_with_events,
    a_hall_batch_keeps_ballots_sealed_tokens_notes_and_links,
);

/// The store's one write, in the shapes these tests use most.
pub(super) trait Append {
    fn append(
        &self,
        meeting: MeetingId,
        records: &[(Event, Option<Origin>)],
        grants: &[(Token, Principal)],
    ) -> Result<(), StoreError>;
    fn append_revoking(
        &self,
        meeting: MeetingId,
        records: &[(Event, Option<Origin>)],
        grants: &[(Token, Principal)],
        revoke: &[ParticipantId],
    ) -> Result<(), StoreError>;
}

impl Append for Store {
    fn append(
        &self,
        meeting: MeetingId,
        records: &[(Event, Option<Origin>)],
        grants: &[(Token, Principal)],
    ) -> Result<(), StoreError> {
        self.append_revoking(meeting, records, grants, &[])
    }

    fn append_revoking(
        &self,
        meeting: MeetingId,
        records: &[(Event, Option<Origin>)],
        grants: &[(Token, Principal)],
        revoke: &[ParticipantId],
    ) -> Result<(), StoreError> {
        let changes = Changes {
            records: records.to_vec(),
            grants: grants.to_vec(),
            revoke: revoke.to_vec(),
            ..Changes::default()
        };
        self.write(meeting, &changes)
    }
}

fn event(seq: u64, title: &str) -> Event {
    Event {
        seq,
        at: Timestamp(1_700_000_000_000 + seq as i64),
        event: EventKind::MeetingUpdated {
            title: title.to_owned(),
            venue: "Hội trường A".to_owned(),
            starts_at: None,
            quorum: Fraction::TWO_THIRDS,
        },
    }
}

fn office(command: &str) -> Option<Origin> {
    Some(Origin {
        principal: Principal::Office,
        command: CommandId::try_from(command).unwrap(),
    })
}

/// Events `from..=to`, titled `title-<seq>`, every other one with an origin.
pub(super) fn batch(from: u64, to: u64) -> Vec<(Event, Option<Origin>)> {
    (from..=to)
        .map(|seq| {
            let origin = (seq % 2 == 1)
                .then(|| office(&format!("c-{seq}")))
                .flatten();
            (event(seq, &format!("title-{seq}")), origin)
        })
        .collect()
}

fn events_of(records: &[(Event, Option<Origin>)]) -> Vec<Event> {
    records.iter().map(|(e, _)| e.clone()).collect()
}

fn participant(meeting: MeetingId) -> Principal {
    Principal::Participant {
        meeting,
        participant: ParticipantId::new_random(),
    }
}

/// Raw access to the tables, for tests that play someone editing the file.
impl Store {
    fn raw_get(&self, table: keys::Table, key: &[u8]) -> Option<Vec<u8>> {
        self.read_rows(|r| r.get(table, key)).unwrap()
    }

    /// Puts (`Some`) or removes (`None`) one row behind the hub's back.
    fn raw_put(&self, table: keys::Table, key: &[u8], value: Option<&[u8]>) {
        self.write_rows(|w| match value {
            Some(value) => w.insert(table, key, value),
            None => w.remove(table, key),
        })
        .unwrap();
    }

    fn rows(&self, table: keys::Table) -> u64 {
        self.read_rows(|r| r.range(table, &[], None)).unwrap().len() as u64
    }
}

fn appended_events_read_back_in_order(fx: &Fixture) {
    let store = fx.open();
    let (m, other) = (MeetingId::new_random(), MeetingId::new_random());
    let all = batch(1, 5);
    store.append(m, &all[..2], &[]).unwrap();
    store.append(m, &all[2..], &[]).unwrap();
    store.append(other, &batch(1, 1), &[]).unwrap();

    assert_eq!(store.last_seq(m).unwrap(), 5);
    assert_eq!(store.last_seq(other).unwrap(), 1);
    assert_eq!(store.last_seq(MeetingId::new_random()).unwrap(), 0);
    assert_eq!(store.read(m, 0, 5).unwrap(), events_of(&all));
    assert_eq!(store.read(m, 0, u64::MAX).unwrap(), events_of(&all));
    assert_eq!(store.read(m, 1, 3).unwrap(), events_of(&all[1..3]));
    assert!(store.read(m, 5, 9).unwrap().is_empty());
    assert!(store.read(m, 3, 3).unwrap().is_empty());
    assert_eq!(store.read(other, 0, 9).unwrap().len(), 1);

    let replayed = store.replay(m).unwrap();
    assert_eq!(replayed.len(), 5);
    for (record, (event, origin)) in replayed.iter().zip(&all) {
        assert_eq!(&record.event, event);
        assert_eq!(&record.origin, origin);
    }
}

fn chain_is_sha256_of_previous_chain_event_and_origin(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    let all = batch(1, 2);
    store.append(m, &all, &[]).unwrap();
    let records = store.replay(m).unwrap();

    let mut prev = [0u8; 32];
    for (record, (event, origin)) in records.iter().zip(&all) {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&prev);
        ctx.update(&serde_json::to_vec(event).unwrap());
        ctx.update(&serde_json::to_vec(origin).unwrap());
        prev.copy_from_slice(ctx.finish().as_ref());
        assert_eq!(record.chain, hex::encode(prev));
    }
    // The second event has no origin, hashed as JSON `null`.
    assert_eq!(all[1].1, None);
}

fn gaps_and_repeats_are_refused_and_write_nothing(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    let token = Token::generate();
    let grant = [(token.clone(), participant(m))];

    // A new meeting must start at 1.
    let err = store.append(m, &batch(2, 2), &grant).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::OutOfOrder {
                expected: 1,
                got: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(store.meetings().unwrap().is_empty());

    store.append(m, &batch(1, 2), &[]).unwrap();
    let gap = store.append(m, &batch(4, 4), &grant).unwrap_err();
    assert!(
        matches!(
            gap,
            StoreError::OutOfOrder {
                expected: 3,
                got: 4,
                ..
            }
        ),
        "{gap:?}"
    );
    let repeat = store.append(m, &batch(2, 3), &grant).unwrap_err();
    assert!(matches!(
        repeat,
        StoreError::OutOfOrder {
            expected: 3,
            got: 2,
            ..
        }
    ));
    // A good event followed by a bad one in the same batch: the good one is not kept.
    let mut mixed = batch(3, 3);
    mixed.push((event(5, "skip"), None));
    let err = store.append(m, &mixed, &grant).unwrap_err();
    assert!(matches!(
        err,
        StoreError::OutOfOrder {
            expected: 4,
            got: 5,
            ..
        }
    ));

    assert_eq!(store.last_seq(m).unwrap(), 2);
    assert_eq!(store.read(m, 0, 99).unwrap().len(), 2);
    assert_eq!(store.grant(&token.hash()).unwrap(), None);
    // The log still continues where it was.
    store.append(m, &batch(3, 3), &[]).unwrap();
    assert_eq!(store.replay(m).unwrap().len(), 3);
}

fn reopening_sees_the_same_log_and_can_continue(fx: &Fixture) {
    let m = MeetingId::new_random();
    let token = Token::generate();
    let before = {
        let store = fx.open();
        store
            .append(m, &batch(1, 3), &[(token.clone(), Principal::Office)])
            .unwrap();
        store.replay(m).unwrap()
        // Dropped here: every write was durable when it returned.
    };
    let store = fx.open();
    assert_eq!(store.last_seq(m).unwrap(), 3);
    assert_eq!(store.replay(m).unwrap(), before);
    assert_eq!(store.grant(&token.hash()).unwrap(), Some(Principal::Office));
    assert_eq!(store.meetings().unwrap(), vec![m]);

    // The chain continues from the stored tail, not from scratch.
    assert!(store.append(m, &batch(3, 3), &[]).is_err());
    store.append(m, &batch(4, 5), &[]).unwrap();
    let after = store.replay(m).unwrap();
    assert_eq!(after.len(), 5);
    assert_eq!(&after[..3], &before[..]);
}

fn tampering_with_a_stored_record_is_detected(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    store.append(m, &batch(1, 4), &[]).unwrap();
    let key = keys::event(m, 2);

    // Valid JSON, different content: only the chain can tell.
    let raw = store.raw_get(keys::EVENTS, &key).unwrap();
    let text = String::from_utf8(raw).unwrap();
    assert!(text.contains("title-2"));
    let forged = text.replace("title-2", "title-X");
    store.raw_put(keys::EVENTS, &key, Some(forged.as_bytes()));
    match store.replay(m).unwrap_err() {
        StoreError::Corrupt {
            meeting,
            seq,
            reason,
        } => {
            assert_eq!((meeting, seq), (m, 2));
            assert!(reason.contains("chain"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    // Garbage bytes, and a deleted record, are caught too.
    store.raw_put(keys::EVENTS, &key, Some(b"{not json"));
    assert!(matches!(
        store.replay(m),
        Err(StoreError::Corrupt { seq: 2, .. })
    ));
    store.raw_put(keys::EVENTS, &key, None);
    match store.replay(m).unwrap_err() {
        StoreError::Corrupt { seq, reason, .. } => {
            assert_eq!(seq, 3);
            assert!(reason.contains("missing"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

fn reissuing_a_participant_token_revokes_the_old_one(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    let alice = participant(m);
    let (t1, t2, t3) = (Token::generate(), Token::generate(), Token::generate());

    store
        .append(m, &batch(1, 1), &[(t1.clone(), alice.clone())])
        .unwrap();
    assert_eq!(store.grant(&t1.hash()).unwrap(), Some(alice.clone()));

    store.put_grant(t2.hash(), alice.clone()).unwrap();
    assert_eq!(store.grant(&t1.hash()).unwrap(), None);
    assert_eq!(store.grant(&t2.hash()).unwrap(), Some(alice.clone()));

    // Re-issue through an append as well.
    store
        .append(m, &batch(2, 2), &[(t3.clone(), alice.clone())])
        .unwrap();
    assert_eq!(store.grant(&t2.hash()).unwrap(), None);
    assert_eq!(store.grant(&t3.hash()).unwrap(), Some(alice.clone()));
    assert_eq!(store.rows(keys::GRANTS), 1);
    assert_eq!(store.rows(keys::PARTICIPANT_GRANTS), 1);

    let Principal::Participant { participant, .. } = alice else {
        unreachable!()
    };
    assert!(store.revoke_participant(m, participant).unwrap());
    assert_eq!(store.grant(&t3.hash()).unwrap(), None);
    assert!(!store.revoke_participant(m, participant).unwrap());
    assert_eq!(store.rows(keys::GRANTS), 0);
}

fn revoking_a_token_by_hash_clears_both_tables(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    let (office_token, bob_token) = (Token::generate(), Token::generate());
    let bob = participant(m);
    store
        .put_grant(office_token.hash(), Principal::Office)
        .unwrap();
    store.put_grant(bob_token.hash(), bob.clone()).unwrap();
    assert_eq!(
        store.grant(&office_token.hash()).unwrap(),
        Some(Principal::Office)
    );

    assert!(store.revoke(&office_token.hash()).unwrap());
    assert!(!store.revoke(&office_token.hash()).unwrap());
    assert_eq!(store.grant(&office_token.hash()).unwrap(), None);
    assert_eq!(store.grant(&bob_token.hash()).unwrap(), Some(bob.clone()));

    assert!(store.revoke(&bob_token.hash()).unwrap());
    assert_eq!(store.rows(keys::PARTICIPANT_GRANTS), 0);
    let Principal::Participant { participant, .. } = bob else {
        unreachable!()
    };
    assert!(!store.revoke_participant(m, participant).unwrap());
}

#[test]
fn a_second_open_of_the_same_directory_is_refused_while_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    match &err {
        StoreError::InUse(path) => assert_eq!(path, dir.path()),
        other => panic!("expected InUse, got {other:?}"),
    }
    assert!(err.to_string().contains("in use by a running hub"), "{err}");
    drop(first);
    Store::open(dir.path()).expect("free again once the first store is dropped");
}

fn meetings_lists_every_meeting_with_events(fx: &Fixture) {
    let store = fx.open();
    assert!(store.meetings().unwrap().is_empty());
    let mut ids: Vec<MeetingId> = (0..3).map(|_| MeetingId::new_random()).collect();
    for id in &ids {
        store.append(*id, &batch(1, 2), &[]).unwrap();
    }
    // A grants-only append does not make a meeting.
    let ghost = MeetingId::new_random();
    store
        .append(ghost, &[], &[(Token::generate(), participant(ghost))])
        .unwrap();
    ids.sort();
    assert_eq!(store.meetings().unwrap(), ids);
}

#[cfg(unix)]
#[test]
fn a_new_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let _store = Store::open(&dir).unwrap();
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(dir.join(DATABASE_FILE).exists());
}

#[tokio::test]
async fn a_commit_can_be_awaited_from_a_spawned_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let m = MeetingId::new_random();
    let changes = Changes {
        records: batch(1, 3),
        ..Changes::default()
    };
    // Spawning proves the store and its commit future are Send, as the live tasks need.
    let clone = store.clone();
    tokio::spawn(async move { clone.commit(m, &changes).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.last_seq(m).unwrap(), 3);
    assert_eq!(store.flush_count(), 1);
}

/// `n` ballots of a 15-of-20 election as the box keeps them: one real encrypted ballot
/// (about 10 KB) under `n` different fingerprints, since encrypting each would take longer
/// than the store's work.
fn sealed_ballots(poll: protocol::PollId, from: u64, n: u64) -> Vec<SealedBallot> {
    let mut rng = ballot_box::rng_from_seed([7; 32]);
    let committee = ballot_box::CommitteeParams::new(1, 1, [3; 32]).unwrap();
    let (key, _) = ballot_box::deal(committee, &mut rng).unwrap();
    let params = ballot_box::BallotParams::at_most([5; 32], 20, 15);
    let ballot = ballot_box::encrypt(&key, &params, &[0, 3, 9], &mut rng).unwrap();
    let verified = std::sync::Arc::new(ballot_box::verify(&key, &params, &ballot).unwrap());
    let json = protocol::Sealed(serde_json::to_value(&ballot).unwrap());
    (0..n)
        .map(|k| SealedBallot {
            poll,
            receipt: format!("R{from:04}{k:05}"),
            fingerprint: format!("{:064x}", from * 100_000 + k),
            ballot: json.clone(),
            verified: verified.clone(),
        })
        .collect()
}

/// A batch like a hall voting: events, grants (each with a sealed token) and ballots.
fn hall_batch(m: MeetingId, from: u64, n: u64) -> Changes {
    let poll = protocol::PollId::new_random();
    Changes {
        records: batch(from, from + n - 1),
        grants: (0..n / 2)
            .map(|_| (Token::generate(), participant(m)))
            .collect(),
        ballots: sealed_ballots(poll, from, n),
        ..Changes::default()
    }
}

#[tokio::test]
async fn one_fsync_makes_a_whole_batch_durable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let backend = power_loss::Backend::open(&path).unwrap();
    let syncs = backend.syncs();
    let store = Store::open_on(dir.path(), backend).unwrap();
    let m = MeetingId::new_random();
    // redb syncs a few times more when a batch makes the file grow (500 sealed ballots are
    // about 5 MB); it grows the file in ever larger steps, so some batch soon fits.
    let mut steady = None;
    for round in 0..40 {
        let size = std::fs::metadata(&path).unwrap().len();
        let before = syncs.load(Ordering::Relaxed);
        store
            .commit(m, &hall_batch(m, round * 500 + 1, 500))
            .await
            .unwrap();
        let fsyncs = syncs.load(Ordering::Relaxed) - before;
        assert!((1..=12).contains(&fsyncs), "{fsyncs} fsyncs for one batch");
        if std::fs::metadata(&path).unwrap().len() == size {
            steady = Some(fsyncs);
            break;
        }
    }
    assert_eq!(
        steady,
        Some(1),
        "500 events, 250 grants and 500 ballots in one fsync once the file has room"
    );
    let events = store.replay(m).unwrap().len();
    assert_eq!(events % 500, 0);
    assert_eq!(store.ballots(m).unwrap().len(), events);
    assert_eq!(store.rows(keys::KEPT_TOKENS) as usize, events / 2);
}

fn a_hall_batch_keeps_ballots_sealed_tokens_notes_and_links(fx: &Fixture) {
    let store = fx.open();
    let m = MeetingId::new_random();
    let changes = hall_batch(m, 1, 20);
    store.write(m, &changes).unwrap();
    assert_eq!(store.replay(m).unwrap().len(), 20);
    assert_eq!(store.ballots(m).unwrap().len(), 20);
    assert_eq!(store.rows(keys::KEPT_TOKENS), 10);
    let link = store.public_link(m).unwrap();
    assert_eq!(store.public_link(m).unwrap(), link);
    assert_eq!(store.public_meeting(&link).unwrap(), Some(m));

    let author = ParticipantId::new_random();
    let note = protocol::notes::Note {
        id: protocol::NoteId::new_random(),
        document: "Tờ trình số 1".to_owned(),
        page: Some(2),
        text: "Đề nghị làm rõ khoản 3".to_owned(),
        updated_at: Timestamp(1_700_000_000_000),
    };
    let put = Changes {
        notes: vec![crate::engine::NoteChange::Put {
            owner: author,
            note: note.clone(),
        }],
        ..Changes::default()
    };
    store.write(m, &put).unwrap();
    assert_eq!(store.notes(m, author).unwrap(), vec![note.clone()]);
    assert_eq!(store.note_ids(m).unwrap(), vec![(author, note.id)]);

    // Opened again (on PostgreSQL: as the standby would), the tokens kept for the badges
    // still open, and the notes are there.
    drop(store);
    let store = fx.open();
    for (token, principal) in &changes.grants {
        let Principal::Participant {
            meeting,
            participant,
        } = principal
        else {
            unreachable!()
        };
        let kept = store.kept_token(*meeting, *participant).unwrap();
        assert_eq!(kept.as_ref().map(Token::as_str), Some(token.as_str()));
    }
    let delete = Changes {
        notes: vec![crate::engine::NoteChange::Delete {
            owner: author,
            note: note.id,
        }],
        ..Changes::default()
    };
    store.write(m, &delete).unwrap();
    assert!(store.notes(m, author).unwrap().is_empty());
}
