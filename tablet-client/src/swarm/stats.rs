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
