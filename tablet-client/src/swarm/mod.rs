//! `tablet swarm`: many simulated tablets against a running hub (or the baseline server),
//! measuring what a full hall feels: how fast an event reaches every tablet, how fast
//! commands are answered when everyone acts at once, how a reconnect storm recovers, and
//! what each connection costs the server.

mod baseline;
mod client;
mod driver;
mod election;
mod stats;

pub use baseline::serve as serve_baseline;
pub use election::{election_plan, marks_of, run_election, ElectionPlan, MemberDevice};
pub use stats::{election_table, table, ElectionReport, Report, Spread};

use anyhow::{bail, Context as _};
pub use client::Endpoint;

use crate::connector::websocket_tls;
use crate::join::JoinUrl;
use client::{Continuity, Order, Report as Heard};
use driver::Driver;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How the swarm drives its target.
#[derive(Clone, Debug)]
pub struct Plan {
    /// A name for the table's column.
    pub target: String,
    /// The hub's WebSocket (`ws://`, or `wss://` with the hall's CA), or the baseline's.
    pub endpoint: Endpoint,
    /// One token per simulated tablet.
    pub tablets: Vec<String>,
    /// The secretariat's token: its commands make the events every tablet must receive.
    pub driver: String,
    /// The command the driver sends each round, with `{id}` and `{round}` to fill in.
    pub driver_command: String,
    /// The command every tablet sends in the burst, all within [`BURST_WINDOW`], if the
    /// target has one. `{poll}` in it names the poll the driver opened for the burst.
    pub burst_command: Option<String>,
    /// The burst is a ballot: the driver creates and opens a motion poll first, closes it
    /// after, and the hub's count of ballots is checked against the acks.
    pub ballot: bool,
    pub rounds: usize,
    /// The server's process id, to read its memory.
    pub server_pid: Option<u32>,
}

/// Runs the plan and returns what it measured.
pub async fn run(plan: Plan) -> anyhow::Result<Report> {
    let n = plan.tablets.len();
    let baseline_rss = plan.server_pid.and_then(stats::rss_kib);
    let (report_tx, mut heard) = mpsc::unbounded_channel();
    let (orders, watcher) = watch::channel(Order::Follow);

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for (i, token) in plan.tablets.iter().enumerate() {
        let task = client::run(
            i,
            plan.endpoint.clone(),
            token.clone(),
            report_tx.clone(),
            watcher.clone(),
        );
        tasks.push(tokio::spawn(task));
    }
    drop(report_tx);
    let mut ready = 0;
    while ready < n {
        match next(&mut heard).await? {
            Heard::Ready => ready += 1,
            Heard::Event { .. } => {}
            Heard::Failed { client, why } => bail!("tablet {client}: {why}"),
            Heard::Answer { .. } => {}
        }
    }
    let connect = started.elapsed();
    // The hub checks each member in as they join and every tablet hears of each check-in:
    // wait until that wave has passed (a second without events) before measuring.
    settle(&mut heard).await?;
    let settled = started.elapsed();
    let kib_per_connection = match (plan.server_pid.and_then(stats::rss_kib), baseline_rss) {
        (Some(after), Some(before)) if n > 0 => {
            Some(after.saturating_sub(before) as f64 / n as f64)
        }
        _ => None,
    };

    let mut driver = Driver::open(&plan.endpoint, &plan.driver, &plan.driver_command).await?;
    let mut fanout = Vec::with_capacity(n * plan.rounds);
    let mut driver_ack = Vec::with_capacity(plan.rounds);
    for round in 0..plan.rounds {
        let sent = Instant::now();
        let seq = driver
            .command(round)
            .await
            .with_context(|| format!("the driver's command of round {round}"))?;
        driver_ack.push(sent.elapsed());
        let mut reached: HashMap<usize, Instant> = HashMap::new();
        while reached.len() < n {
            if let Heard::Event { client, seq: s, at } = next(&mut heard).await? {
                if s >= seq {
                    reached.entry(client).or_insert(at);
                }
            }
        }
        fanout.extend(
            reached
                .values()
                .map(|at| at.saturating_duration_since(sent)),
        );
    }

    let mut ballots_counted = None;
    let burst_start = Instant::now();
    let (burst_ack, burst_refused) = match &plan.burst_command {
        Some(template) if plan.ballot => {
            let poll = driver.open_poll().await.context("opening the poll")?;
            let template = template.replace("{poll}", &poll);
            let outcome = burst(&orders, &mut heard, n, vec![template], 0, BURST_WINDOW).await?;
            ballots_counted = Some(driver.close_poll(&poll).await.context("closing the poll")?);
            outcome
        }
        Some(template) => {
            burst(
                &orders,
                &mut heard,
                n,
                vec![template.clone()],
                0,
                BURST_WINDOW,
            )
            .await?
        }
        None => (Vec::new(), 0),
    };
    // Every tablet hears every ballot (or broadcast): let that wave pass before the storm.
    // The hub answers a ballot after the events before it reached that tablet's queue; the
    // baseline answers at once: the time until all have heard all is the fair comparison.
    let last_heard = settle(&mut heard).await?;
    let burst_heard = plan
        .burst_command
        .as_ref()
        .map(|_| last_heard.saturating_duration_since(burst_start));

    // The storm: every tablet drops at once and resumes, while the meeting goes on.
    let storm_start = Instant::now();
    orders.send_replace(Order::Reconnect(1));
    let mut last = 0;
    for round in 0..3 {
        last = driver
            .command(plan.rounds + round)
            .await
            .context("a command during the reconnect storm")?;
    }
    let mut current: HashMap<usize, ()> = HashMap::new();
    while current.len() < n {
        if let Heard::Event { client, seq, .. } = next(&mut heard).await? {
            if seq >= last {
                current.insert(client, ());
            }
        }
    }
    let storm = storm_start.elapsed();
    drop(orders);
    let mut missed = 0;
    let mut duplicates = 0;
    let mut drops = 0;
    for task in tasks {
        let c: Continuity = task.await.context("a tablet task failed")?;
        missed += c.missed;
        duplicates += c.duplicates;
        drops += c.drops;
    }
    Ok(Report {
        target: plan.target,
        clients: n,
        connect,
        settled,
        fanout: Spread::of(fanout),
        driver_ack: Spread::of(driver_ack),
        burst_ack: Spread::of(burst_ack),
        burst_refused,
        burst_heard,
        ballots_counted,
        storm,
        storm_missed: missed,
        storm_duplicates: duplicates,
        drops,
        kib_per_connection,
    })
}

/// A plan against `hub demo`: its delegates' tokens, its secretariat as the driver.
pub fn demo_plan(
    path: &std::path::Path,
    clients: usize,
    rounds: usize,
    server_pid: Option<u32>,
) -> anyhow::Result<Plan> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let demo: serde_json::Value = serde_json::from_str(&text).context("demo.json is not JSON")?;
    let participants = demo["participants"]
        .as_array()
        .context("demo.json has no participants")?;
    let of_role = |role: &'static str| participants.iter().filter(move |p| p["role"] == role);
    let tablets: Vec<String> = of_role("delegate")
        .filter_map(|p| p["token"].as_str().map(str::to_owned))
        .take(clients)
        .collect();
    if tablets.len() < clients {
        anyhow::bail!(
            "the demo has {} delegates; start it with `hub demo --delegates {clients}`",
            tablets.len()
        );
    }
    let driver = of_role("secretariat")
        .find_map(|p| p["token"].as_str())
        .context("the demo has no secretariat")?;
    let hub = demo["hub_url"]
        .as_str()
        .context("demo.json has no hub_url")?;
    let endpoint = hub_endpoint(hub, participants)?;
    let item = first_item(&demo)?;
    let driver_command = format!(
        r#"{{"type":"command","id":"{{id}}","command":{{"op":"update_agenda_item","item":"{item}","description":"Vòng {{round}}"}}}}"#
    );
    // Tán thành (agree): choice 0 of a motion.
    let ballot = r#"{"type":"command","id":"{id}","command":{"op":"cast_ballot","poll":"{poll}","choices":[0]}}"#;
    Ok(Plan {
        target: "hub".into(),
        endpoint,
        tablets,
        driver: driver.to_owned(),
        driver_command,
        burst_command: Some(ballot.into()),
        ballot: true,
        rounds,
        server_pid,
    })
}

/// The hub's WebSocket as the demo's badges reach it: over HTTPS (`hub_url` is https://)
/// trusting the hall's CA by the `ca=` of the join links, as a tablet does; one TLS
/// configuration for every simulated tablet.
fn hub_endpoint(hub: &str, participants: &[serde_json::Value]) -> anyhow::Result<Endpoint> {
    let url = format!(
        "{}/api/v1/ws",
        hub.trim_end_matches('/').replacen("http", "ws", 1)
    );
    if !hub.starts_with("https://") {
        return Ok(Endpoint { url, tls: None });
    }
    let join = participants
        .iter()
        .find_map(|p| p["join_url"].as_str())
        .context("demo.json has no join_url to take the hall's CA from")?;
    let join = JoinUrl::parse(join).context("a join_url of demo.json")?;
    let tls = websocket_tls(join.trust())
        .map_err(|e| anyhow::anyhow!("the TLS configuration for {url}: {e}"))?;
    Ok(Endpoint {
        url,
        tls: Some(tls),
    })
}

fn first_item(demo: &serde_json::Value) -> anyhow::Result<String> {
    demo["agenda"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .context("demo.json lists no agenda (a newer hub writes it)")
}

/// A plan against the baseline server.
pub fn baseline_plan(url: String, clients: usize, rounds: usize, server_pid: Option<u32>) -> Plan {
    let command = r#"{"type":"command","id":"{id}","command":{"op":"update_agenda_item","description":"Vòng {round}"}}"#;
    Plan {
        target: "baseline".into(),
        // The floor: no logic and no TLS, whatever the hub speaks.
        endpoint: Endpoint { url, tls: None },
        tablets: (0..clients).map(|i| format!("tablet-{i}")).collect(),
        driver: "driver".into(),
        driver_command: command.into(),
        burst_command: Some(command.into()),
        ballot: false,
        rounds,
        server_pid,
    }
}

/// How long the whole hall takes to vote in the burst.
pub const BURST_WINDOW: Duration = Duration::from_secs(1);

/// Every tablet sends one command, all within `window` (at random moments of it); each
/// answer's round trip.
/// Each burst of a run needs its own `round`: the command ids are made from it, and a hub
/// answers a known id with its first outcome without doing the command again.
async fn burst(
    orders: &watch::Sender<Order>,
    heard: &mut mpsc::UnboundedReceiver<Heard>,
    n: usize,
    texts: Vec<String>,
    round: u64,
    window: Duration,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    orders.send_replace(Order::Send {
        round,
        texts: std::sync::Arc::new(texts),
        window,
        of: n,
    });
    let mut answered = HashMap::new();
    let mut refused = 0;
    while answered.len() < n {
        if let Heard::Answer {
            client,
            ok,
            sent,
            at,
        } = next(heard).await?
        {
            if answered
                .insert(client, at.saturating_duration_since(sent))
                .is_none()
                && !ok
            {
                refused += 1;
            }
        }
    }
    orders.send_replace(Order::Follow);
    Ok((answered.into_values().collect(), refused))
}

async fn next(heard: &mut mpsc::UnboundedReceiver<Heard>) -> anyhow::Result<Heard> {
    match tokio::time::timeout(Duration::from_secs(60), heard.recv()).await {
        Ok(Some(h)) => Ok(h),
        Ok(None) => bail!("every tablet stopped"),
        Err(_) => bail!("nothing heard from the tablets for 60 s"),
    }
}

/// How long a wave may go on before the run is judged stuck. The baseline's vote is an N²
/// wave (every ballot broadcast to every tablet): 25 million frames at 5,000, which took
/// two minutes on 2 shared cores, so a fixed two minutes cut its column off.
const SETTLE_LIMIT: Duration = Duration::from_secs(600);

/// Waits until no tablet has heard anything for a second (at most [`SETTLE_LIMIT`]);
/// returns when the last report came.
async fn settle(heard: &mut mpsc::UnboundedReceiver<Heard>) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + SETTLE_LIMIT;
    let mut last = Instant::now();
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(1), heard.recv()).await {
            Err(_) => return Ok(last),
            Ok(None) => bail!("every tablet stopped"),
            Ok(Some(Heard::Failed { client, why })) => bail!("tablet {client}: {why}"),
            Ok(Some(_)) => last = Instant::now(),
        }
    }
    bail!(
        "the tablets were still hearing events after {} s",
        SETTLE_LIMIT.as_secs()
    )
}
