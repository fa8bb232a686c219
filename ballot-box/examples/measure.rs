//! How long the sealed ballot box takes, and how large its messages are, for the
//! `tablet swarm` case: a 15-of-20 election in a 3-of-5 committee, 2,000 ballots.
//!
//! `cargo run --release -p ballot-box --example measure` prints a table: the median wall
//! clock, and the mean CPU time (of this thread; of the whole process for the run on all
//! cores), which other work on a loaded machine disturbs less (Linux: read from /proc).

use std::num::NonZeroUsize;
use std::time::Instant;

use ballot_box::rand_core::{RngCore, SeedableRng};
use ballot_box::{
    deal, encrypt, open, verify, verify_ballots, verify_share, BallotParams, ChaCha20Rng,
    CheckOptions, CommitteeKey, CommitteeParams, DkgMember, EncryptedBallot, EncryptedSum,
    SealedTally,
};

const BALLOTS: usize = 2_000;
const OPTIONS: u32 = 20;
const SEATS: u32 = 15;

fn main() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    println!(
        "ballot-box on elastic-elgamal 0.3.1 (Ristretto255); {cores} cores; load {}",
        load.trim()
    );
    println!();
    println!("| operation | wall ms | CPU ms | runs |");
    println!("|---|---:|---:|---:|");

    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let committee = CommitteeParams::new(5, 3, [1; 32]).unwrap();
    time("DKG 3-of-5, all five devices in one process", 5, || {
        dkg(committee)
    });
    let (key, secrets) = deal(committee, &mut rng).unwrap();
    let election = BallotParams::at_most([2; 32], OPTIONS, SEATS);
    let motion = BallotParams::exactly_one([3; 32], 3);

    let full: Vec<u32> = (0..SEATS).collect();
    time("encrypt + prove, election 15 of 20 (15 marks)", 30, || {
        encrypt(&key, &election, &full, &mut rng).unwrap()
    });
    let ballot = encrypt(&key, &election, &full, &mut rng).unwrap();
    time("verify, election 15 of 20", 30, || {
        verify(&key, &election, &ballot).unwrap()
    });
    time("encrypt + prove, motion 1 of 3", 100, || {
        encrypt(&key, &motion, &[1], &mut rng).unwrap()
    });
    let vote = encrypt(&key, &motion, &[1], &mut rng).unwrap();
    time("verify, motion 1 of 3", 100, || {
        verify(&key, &motion, &vote).unwrap()
    });

    let started = Instant::now();
    let ballots = cast_many(&key, &election, cores);
    let cast_ms = ms(started);
    let verified = verify_ballots(&key, &election, &ballots, &CheckOptions::default()).unwrap();
    time("sum 2,000 verified ballots", 10, || {
        EncryptedSum::of(&election, &verified).unwrap()
    });
    let sum = EncryptedSum::of(&election, &verified).unwrap();
    time("decryption share, 20 options (one member)", 20, || {
        secrets[0].decryption_share(&key, &sum, &mut rng).unwrap()
    });
    let shares: Vec<_> = secrets[..3]
        .iter()
        .map(|s| s.decryption_share(&key, &sum, &mut rng).unwrap())
        .collect();
    time("verify one member's share, 20 options", 20, || {
        verify_share(&key, &sum, &shares[0]).unwrap()
    });
    let checked: Vec<_> = shares
        .iter()
        .map(|s| verify_share(&key, &sum, s).unwrap())
        .collect();
    time("open with 3 verified shares (table 0..=2,000)", 10, || {
        open(&key, &sum, &checked).unwrap()
    });
    let counts = open(&key, &sum, &checked).unwrap();

    let tally = SealedTally::new(
        key.clone(),
        election,
        ballots.clone(),
        sum.clone(),
        shares.clone(),
        counts,
    );
    let one = CheckOptions {
        threads: NonZeroUsize::new(1),
        progress: None,
    };
    time(
        "full verification of the box, 2,000 ballots, 1 thread",
        1,
        || tally.verify_with(&one).unwrap(),
    );
    let all = CheckOptions::default();
    let (wall, cpu) = (Instant::now(), process_cpu_ms());
    tally.verify_with(&all).unwrap();
    println!(
        "| full verification of the box, 2,000 ballots, {cores} threads | {:.0} | {:.0} (all threads) | 1 |",
        ms(wall),
        process_cpu_ms() - cpu
    );
    println!("| (casting the 2,000 ballots, {cores} threads) | {cast_ms:.0} | | 1 |");

    println!();
    println!("| JSON | bytes |");
    println!("|---|---:|");
    size("ballot, election 15 of 20", &ballot);
    size("ballot, motion 1 of 3", &vote);
    size("committee key 3-of-5", &key);
    size("member secret (JSON)", &secrets[0]);
    println!(
        "| member secret (text for a QR code) | {} |",
        secrets[0].to_text().len()
    );
    size("encrypted sum, 20 options", &sum);
    size("decryption share, 20 options", &shares[0]);
    let (round1, round2) = dkg_messages(committee);
    size("DKG round 1 message", &round1);
    size("DKG round 2 message (t = 3)", &round2);
    size("published box, 2,000 ballots", &tally);
}

fn cast_many(key: &CommitteeKey, params: &BallotParams, threads: usize) -> Vec<EncryptedBallot> {
    let per = BALLOTS.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(100 + t as u64);
                    (0..per.min(BALLOTS - t * per))
                        .map(|i| {
                            // 0 to 15 marks, on options the generator picks.
                            let mut marks: Vec<u32> = Vec::new();
                            while marks.len() < (t * per + i) % (SEATS as usize + 1) {
                                let m = rng.next_u32() % OPTIONS;
                                if !marks.contains(&m) {
                                    marks.push(m);
                                }
                            }
                            encrypt(key, params, &marks, &mut rng).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// All members of a committee run the key setup in this process.
fn dkg(params: CommitteeParams) {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (members, round1): (Vec<_>, Vec<_>) = (0..params.members)
        .map(|i| DkgMember::start(params, i, &mut rng).unwrap())
        .unzip();
    let (members, round2): (Vec<_>, Vec<_>) =
        members.iter().map(|m| m.round2(&round1).unwrap()).unzip();
    let (members, sealed): (Vec<_>, Vec<_>) = members
        .iter()
        .map(|m| m.round3(&round2, &mut rng).unwrap())
        .unzip();
    let sealed: Vec<_> = sealed.into_iter().flatten().collect();
    for m in &members {
        let mine: Vec<_> = sealed
            .iter()
            .filter(|s| s.to == m.member())
            .cloned()
            .collect();
        m.finish(&mine, &mut rng).unwrap();
    }
}

fn dkg_messages(params: CommitteeParams) -> (ballot_box::Round1, ballot_box::Round2) {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let (members, round1): (Vec<_>, Vec<_>) = (0..params.members)
        .map(|i| DkgMember::start(params, i, &mut rng).unwrap())
        .unzip();
    let (_, round2) = members[0].round2(&round1).unwrap();
    (round1[0].clone(), round2)
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    std::hint::black_box(f());
    let cpu = thread_cpu_ms();
    let mut wall: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            ms(started)
        })
        .collect();
    // The scheduler's CPU clock moves in steps: a mean over all runs, not a median.
    let cpu = (thread_cpu_ms() - cpu) / runs as f64;
    wall.sort_by(f64::total_cmp);
    println!("| {label} | {:.2} | {cpu:.2} | {runs} |", wall[runs / 2]);
}

/// This thread's time on a CPU (Linux's schedstat, in ns); 0 elsewhere.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

/// The whole process's user + system time (Linux, clock ticks of 10 ms); 0 elsewhere.
fn process_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) end with `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) * 10.0
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

fn size<T: serde::Serialize>(label: &str, value: &T) {
    println!("| {label} | {} |", serde_json::to_vec(value).unwrap().len());
}
