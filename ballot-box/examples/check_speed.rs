//! Where a sealed ballot's check goes, per ballot, on one thread: parsing its JSON, its
//! fingerprint, its proofs, and the whole box's check as `hub verify` does it.
//!
//! `cargo run --release -p ballot-box --example check_speed [ballots]` prints the CPU time
//! of this thread (Linux's schedstat) per ballot for a 15-of-20 election: the figures that a
//! loaded machine disturbs less than wall time.

use std::num::NonZeroUsize;

use ballot_box::rand_core::{RngCore, SeedableRng};
use ballot_box::{
    deal, encrypt, open, verify, verify_share, BallotParams, ChaCha20Rng, CheckOptions,
    CommitteeParams, EncryptedBallot, EncryptedSum, SealedTally,
};

const OPTIONS: u32 = 20;
const SEATS: u32 = 15;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("{n} ballots, 15 of 20; load {}", load.trim());
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let committee = CommitteeParams::new(3, 2, [1; 32]).unwrap();
    let (key, secrets) = deal(committee, &mut rng).unwrap();
    let election = BallotParams::at_most([2; 32], OPTIONS, SEATS);
    let ballots: Vec<EncryptedBallot> = (0..n)
        .map(|i| {
            let mut marks: Vec<u32> = Vec::new();
            while marks.len() < 12 + i % 4 {
                let m = rng.next_u32() % OPTIONS;
                if !marks.contains(&m) {
                    marks.push(m);
                }
            }
            encrypt(&key, &election, &marks, &mut rng).unwrap()
        })
        .collect();
    let json: Vec<String> = ballots.iter().map(|b| b.to_json()).collect();

    per_ballot("parse the JSON", n, || {
        for j in &json {
            std::hint::black_box(EncryptedBallot::from_json(j.as_bytes()).unwrap());
        }
    });
    per_ballot("fingerprint", n, || {
        for b in &ballots {
            std::hint::black_box(b.fingerprint());
        }
    });
    per_ballot("verify (one call per ballot)", n, || {
        for b in &ballots {
            std::hint::black_box(verify(&key, &election, b).unwrap());
        }
    });
    let one = CheckOptions {
        threads: NonZeroUsize::new(1),
        progress: None,
    };
    per_ballot(
        "verify_ballots (the poll's statement prepared once)",
        n,
        || {
            std::hint::black_box(
                ballot_box::verify_ballots(&key, &election, &ballots, &one).unwrap(),
            );
        },
    );
    let verified = ballot_box::verify_ballots(&key, &election, &ballots, &one).unwrap();
    let sum = EncryptedSum::of(&election, &verified).unwrap();
    let shares: Vec<_> = secrets[..2]
        .iter()
        .map(|s| s.decryption_share(&key, &sum, &mut rng).unwrap())
        .collect();
    let checked: Vec<_> = shares
        .iter()
        .map(|s| verify_share(&key, &sum, s).unwrap())
        .collect();
    let counts = open(&key, &sum, &checked).unwrap();
    let tally = SealedTally::new(key, election, ballots, sum, shares, counts);
    per_ballot("full verification of the box, 1 thread", n, || {
        tally.verify_with(&one).unwrap()
    });
    let all = CheckOptions::default();
    let wall = std::time::Instant::now();
    tally.verify_with(&all).unwrap();
    println!(
        "| full verification of the box, all cores, wall | {:.2} |",
        wall.elapsed().as_secs_f64() * 1e3 / n as f64
    );
}

fn per_ballot(label: &str, n: usize, f: impl FnOnce()) {
    let cpu = thread_cpu_ms();
    f();
    println!("| {label} | {:.3} |", (thread_cpu_ms() - cpu) / n as f64);
}

/// This thread's time on a CPU (Linux's schedstat, in ns); 0 elsewhere.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}
