//! Times `Store::commit` for batches like a hall's vote: N events and N ballots per batch.
use hub::engine::SealedBallot;
use hub::store::{Changes, Store};
use protocol::{Event, EventKind, MeetingId, ParticipantId, PollId, Sealed, Timestamp};
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let per: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(100);
    let store = Store::open(std::path::Path::new(&dir)).unwrap();
    let m = MeetingId::new_random();
    let poll = PollId::new_random();
    // One real 15-of-20 ballot (about 10 KB) under many fingerprints: the store's work
    // without the tablets' encryption.
    let mut rng = ballot_box::rng_from_seed([7; 32]);
    let committee = ballot_box::CommitteeParams::new(1, 1, [3; 32]).unwrap();
    let (key, _) = ballot_box::deal(committee, &mut rng).unwrap();
    let params = ballot_box::BallotParams::at_most([5; 32], 20, 15);
    let encrypted = ballot_box::encrypt(&key, &params, &[0, 3, 9], &mut rng).unwrap();
    let verified = Arc::new(ballot_box::verify(&key, &params, &encrypted).unwrap());
    let ballot = Sealed(serde_json::to_value(&encrypted).unwrap());
    let mut seq = 0u64;
    let mut times = Vec::new();
    for b in 0..60 {
        let mut changes = Changes::default();
        for k in 0..per {
            seq += 1;
            let e = Event {
                seq,
                at: Timestamp(seq as i64),
                event: EventKind::BallotCast {
                    poll,
                    voter: Some(ParticipantId::new_random()),
                    choices: None,
                    proxy: false,
                    shown: false,
                },
            };
            changes.records.push((e, None));
            changes.ballots.push(SealedBallot {
                poll,
                receipt: format!("R{b:03}{k:05}XX"),
                fingerprint: format!("{:064x}", b * 100_000 + k),
                ballot: ballot.clone(),
                verified: verified.clone(),
            });
        }
        let t = Instant::now();
        store.commit(m, &changes).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{per} per batch: p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        times[30], times[54], times[59]
    );
}
