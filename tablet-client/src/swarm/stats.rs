//! Percentiles and the table the swarm prints.

use std::time::Duration;

/// p50, p99 and max of a set of durations.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Spread {
    pub fn of(mut samples: Vec<Duration>) -> Spread {
        if samples.is_empty() {
            return Spread::default();
        }
        samples.sort_unstable();
        let at = |q: usize| samples[((samples.len() - 1) * q) / 100];
        Spread {
            count: samples.len(),
            p50: at(50),
            p99: at(99),
            max: samples[samples.len() - 1],
        }
    }

    /// `p50 / p99 / max` in milliseconds.
    pub fn ms(&self) -> String {
        if self.count == 0 {
            return "-".into();
        }
        format!(
            "{:.1} / {:.1} / {:.1}",
            ms(self.p50),
            ms(self.p99),
            ms(self.max)
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What one swarm run measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub target: String,
    pub clients: usize,
    /// From the first connect to the last snapshot.
    pub connect: Duration,
    /// From the first connect until every tablet has heard every check-in.
    pub settled: Duration,
    /// From the driver's command to each client's receipt of the event it caused.
    pub fanout: Spread,
    /// The driver's command round trip while the hall follows.
    pub driver_ack: Spread,
    /// Every client's command round trip when all send within a second.
    pub burst_ack: Spread,
    /// Commands refused during the burst (rate or capacity), should be 0.
    pub burst_refused: usize,
    /// From the start of the burst until every client had heard every event it is sent (the
    /// hub sends a delegate only its own ballot; the baseline broadcasts every one).
    pub burst_heard: Option<Duration>,
    /// When the burst was a ballot: the ballots in the hub's result, which must equal the
    /// clients (none lost, none counted twice).
    pub ballots_counted: Option<u64>,
    /// All clients dropped at once: until every one is current again.
    pub storm: Duration,
    pub storm_missed: u64,
    pub storm_duplicates: u64,
    /// Connections the server ended by itself (a lagged tablet), each resumed.
    pub drops: u64,
    /// Server memory per connection, from its resident set size before and after.
    pub kib_per_connection: Option<f64>,
}

/// The table: one column per report, side by side.
pub fn table(reports: &[Report]) -> String {
    let mut out = String::new();
    let header: Vec<String> = reports
        .iter()
        .map(|r| format!("{} ({} clients)", r.target, r.clients))
        .collect();
    out.push_str(&format!("| measure | {} |\n", header.join(" | ")));
    out.push_str(&format!("|---|{}\n", "---|".repeat(reports.len())));
    let row = |name: &str, f: &dyn Fn(&Report) -> String| {
        let cells: Vec<String> = reports.iter().map(f).collect();
        format!("| {name} | {} |\n", cells.join(" | "))
    };
    out.push_str(&row("connect all (a snapshot each), s", &|r| {
        format!("{:.2}", r.connect.as_secs_f64())
    }));
    out.push_str(&row("… until every check-in is heard by all, s", &|r| {
        format!("{:.2}", r.settled.as_secs_f64())
    }));
    out.push_str(&row("event to every client, ms p50 / p99 / max", &|r| {
        r.fanout.ms()
    }));
    // The floor: the same clients against a bare tokio-tungstenite broadcast (the
    // baseline, which shares one serialized frame between all its connections).
    let floor = reports
        .iter()
        .find(|r| r.target == "baseline")
        .map(|b| b.fanout);
    out.push_str(&row(
        "… × the bare tokio-tungstenite broadcast's (baseline), p50 / p99",
        &|r| match floor {
            Some(b) if b.count > 0 && r.fanout.count > 0 => format!(
                "{:.2} / {:.2}",
                r.fanout.p50.as_secs_f64() / b.p50.as_secs_f64().max(1e-6),
                r.fanout.p99.as_secs_f64() / b.p99.as_secs_f64().max(1e-6)
            ),
            _ => "-".into(),
        },
    ));
    out.push_str(&row("driver command ack, ms p50 / p99 / max", &|r| {
        r.driver_ack.ms()
    }));
    out.push_str(&row(
        "all clients vote within 1 s: ack, ms p50 / p99 / max",
        &|r| format!("{} ({} refused)", r.burst_ack.ms(), r.burst_refused),
    ));
    out.push_str(&row(
        "… until every client has heard all it is sent, s",
        &|r| {
            r.burst_heard
                .map_or("-".into(), |d| format!("{:.2}", d.as_secs_f64()))
        },
    ));
    out.push_str(&row("ballots counted by the hub / clients", &|r| {
        r.ballots_counted
            .map_or("-".into(), |b| format!("{b} / {}", r.clients))
    }));
    out.push_str(&row("reconnect storm until all current, s", &|r| {
        format!("{:.2}", r.storm.as_secs_f64())
    }));
    out.push_str(&row("events missed / duplicated in the storm", &|r| {
        format!("{} / {}", r.storm_missed, r.storm_duplicates)
    }));
    out.push_str(&row(
        "connections the server dropped (lagged), resumed",
        &|r| r.drops.to_string(),
    ));
    out.push_str(&row("server memory per connection, KiB", &|r| {
        r.kib_per_connection
            .map_or("-".into(), |k| format!("{k:.0}"))
    }));
    out
}

/// Resident set size of a process, in KiB, from /proc (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time a process has used, user and system, in seconds, from /proc (Linux; every
/// thread of the process; ticks of `USER_HZ`, which Linux fixes at 100 for /proc).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: the fields after it are plain.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// What one election of the election swarm measured.
#[derive(Clone, Debug, Default)]
pub struct ElectionReport {
    pub target: String,
    pub clients: usize,
    /// Every tablet's ballot made before the burst (encrypted and proved for a sealed one).
    pub prepare: Duration,
    /// The swarm's own CPU for that, in seconds.
    pub prepare_cpu: Option<f64>,
    /// Every tablet's round trip, all sending within `window`.
    pub ack: Spread,
    pub window: Duration,
    pub refused: usize,
    /// The hub's CPU from the burst's start until the last ack, in seconds.
    pub hub_burst: Option<f64>,
    /// The ballots in the published result: must equal the tablets.
    pub ballots_counted: u64,
    /// From the close until the result is counted (for a sealed box: opened by the
    /// threshold of members, each of whose devices verified the box first, one after the
    /// other on this machine).
    pub tally: Duration,
    /// Each member's device: download, verify every ballot, add up, give the share.
    pub member_recount: Vec<Duration>,
    /// The hub's CPU from the close until counted, in seconds.
    pub hub_tally: Option<f64>,
    /// Full verification of the published result (all cores).
    pub verify: Duration,
    /// The committee's key made by the member devices through the hub.
    pub key_setup: Option<Duration>,
}

/// The election swarm's table: one column per election.
pub fn election_table(reports: &[ElectionReport]) -> String {
    let mut out = String::new();
    let header: Vec<String> = reports
        .iter()
        .map(|r| format!("{} ({} tablets)", r.target, r.clients))
        .collect();
    out.push_str(&format!("| measure | {} |\n", header.join(" | ")));
    out.push_str(&format!("|---|{}\n", "---|".repeat(reports.len())));
    let row = |name: &str, f: &dyn Fn(&ElectionReport) -> String| {
        let cells: Vec<String> = reports.iter().map(f).collect();
        format!("| {name} | {} |\n", cells.join(" | "))
    };
    let secs = |d: Duration| format!("{:.2}", d.as_secs_f64());
    let per_ballot = |cpu: Option<f64>, n: usize| {
        cpu.map_or("-".into(), |c| {
            format!("{c:.2} ({:.2} ms a ballot)", c * 1000.0 / n.max(1) as f64)
        })
    };
    out.push_str(&row("committee key made by the member devices, s", &|r| {
        r.key_setup.map_or("-".into(), secs)
    }));
    out.push_str(&row(
        "ballots made on the tablets before the burst, s",
        &|r| secs(r.prepare),
    ));
    out.push_str(&row("… their CPU, s", &|r| {
        per_ballot(r.prepare_cpu, r.clients)
    }));
    let window = reports.first().map_or(1.0, |r| r.window.as_secs_f64());
    let within = format!("all vote within {window:.0} s: ack, ms p50 / p99 / max");
    out.push_str(&row(&within, &|r| {
        format!("{} ({} refused)", r.ack.ms(), r.refused)
    }));
    out.push_str(&row("hub CPU until the last ack, s", &|r| {
        per_ballot(r.hub_burst, r.clients)
    }));
    out.push_str(&row("ballots in the published result / tablets", &|r| {
        format!("{} / {}", r.ballots_counted, r.clients)
    }));
    out.push_str(&row(
        "tally: close → counted (sealed: → opened), s",
        &|r| secs(r.tally),
    ));
    out.push_str(&row(
        "… each member device: download, verify, add, share, s",
        &|r| {
            if r.member_recount.is_empty() {
                "-".into()
            } else {
                let each: Vec<String> = r.member_recount.iter().map(|d| secs(*d)).collect();
                each.join(" + ")
            }
        },
    ));
    out.push_str(&row("… hub CPU, s", &|r| {
        r.hub_tally.map_or("-".into(), |c| format!("{c:.2}"))
    }));
    out.push_str(&row("full verification of the published result, s", &|r| {
        secs(r.verify)
    }));
    out.push_str(&row("tally + full verification, s (target ≤ 5)", &|r| {
        secs(r.tally + r.verify)
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_the_sorted_samples() {
        let s = Spread::of((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(s.p50, Duration::from_millis(50));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(Spread::of(vec![]).count, 0);
    }
}
