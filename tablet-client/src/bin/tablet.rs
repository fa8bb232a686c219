//! `tablet`: the native delegate client, and the load generator that measures the hub.
#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tablet_client::swarm::{self, Plan};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "The meeting hub's native tablet client and load generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Connect many simulated tablets to a running hub and print what a full hall feels.
    Swarm {
        /// The demo.json that `hub demo` wrote: the hub's address and every token.
        #[arg(long)]
        demo: Option<PathBuf>,
        /// The baseline broadcast server (`tablet baseline`), measured after the hub with the
        /// same load and printed beside it (ws://HOST:PORT).
        #[arg(long)]
        baseline: Option<String>,
        /// Simulated tablets.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// Events the driver sends, each awaited on every tablet.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        /// The hub's process id, to read its memory per connection.
        #[arg(long)]
        hub_pid: Option<u32>,
        /// The baseline's process id, likewise.
        #[arg(long)]
        baseline_pid: Option<u32>,
    },
    /// Run the baseline: a broadcast server with no logic, for `swarm --baseline`.
    Baseline {
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Cmd::Swarm {
            demo,
            baseline,
            clients,
            rounds,
            hub_pid,
            baseline_pid,
        } => {
            let mut plans = Vec::new();
            if let Some(demo) = demo {
                plans.push(demo_plan(&demo, clients, rounds, hub_pid)?);
            }
            if let Some(url) = baseline {
                plans.push(baseline_plan(url, clients, rounds, baseline_pid));
            }
            if plans.is_empty() {
                anyhow::bail!(
                    "name a target: --demo hub-data/demo.json and/or --baseline ws://HOST:PORT"
                );
            }
            let mut reports = Vec::new();
            for plan in plans {
                eprintln!(
                    "swarm: {} tablets against {} …",
                    plan.tablets.len(),
                    plan.target
                );
                reports.push(swarm::run(plan).await?);
            }
            print!("{}", swarm::table(&reports));
            Ok(())
        }
        Cmd::Baseline { listen } => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("baseline listening on ws://{}", listener.local_addr()?);
            swarm::serve_baseline(listener).await
        }
    }
}

fn demo_plan(
    path: &PathBuf,
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
    let ws_url = format!("{}/api/v1/ws", hub.replacen("http", "ws", 1));
    let item = first_item(&demo)?;
    let driver_command = format!(
        r#"{{"type":"command","id":"{{id}}","command":{{"op":"update_agenda_item","item":"{item}","description":"Vòng {{round}}"}}}}"#
    );
    Ok(Plan {
        target: "hub".into(),
        ws_url,
        tablets,
        driver: driver.to_owned(),
        driver_command,
        burst_command: None,
        rounds,
        server_pid,
    })
}

fn first_item(demo: &serde_json::Value) -> anyhow::Result<String> {
    demo["agenda"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .context("demo.json lists no agenda (a newer hub writes it)")
}

fn baseline_plan(url: String, clients: usize, rounds: usize, server_pid: Option<u32>) -> Plan {
    let command = r#"{"type":"command","id":"{id}","command":{"op":"update_agenda_item","description":"Vòng {round}"}}"#;
    Plan {
        target: "baseline".into(),
        ws_url: url,
        tablets: (0..clients).map(|i| format!("tablet-{i}")).collect(),
        driver: "driver".into(),
        driver_command: command.into(),
        burst_command: Some(command.into()),
        rounds,
        server_pid,
    }
}
