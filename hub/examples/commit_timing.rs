//! Times `Store::commit` for batches like a hall's vote: N events and N ballots per batch.
use hub::engine::SealedBallot;
use hub::store::{Changes, Store};
use protocol::{Event, EventKind, MeetingId, ParticipantId, PollId, ReceiptLine, Timestamp};
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
                line: ReceiptLine {
                    receipt: format!("R{b:03}{k:05}XXXXXX"),
                    choices: vec![0],
                },
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
