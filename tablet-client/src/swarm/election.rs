//! `tablet swarm --election`: the hall elects 15 of 20 candidates twice, in the open and by
//! sealed secret ballot, with the same ballots from the same N simulated tablets.
//!
//! For the sealed election a counting committee of simulated member devices (3 members,
//! 2 needed, by default) makes its key through the hub first. Each tablet's ballot is
//! encrypted and proved before the burst, from that tablet's own seed (the swarm's
//! threads do the tablets' work), then every tablet sends its ballot within one second
//! (`--vote-within` for a longer spell, as a hall votes);
//! the hub checks every proof before the ack. At the close the members' devices each
//! download the box, verify every ballot and add them up themselves, and give their
//! shares; the published result is then downloaded and verified in full. The open election
//! is measured the same way and is the baseline.

use super::client::{self, Order, Report as Heard};
use super::driver::Driver;
use super::stats::{cpu_seconds, ElectionReport, Spread};
use super::{burst, next, settle};
use crate::sealed::{self, fetch_box, make_key, KeyDevice, KeyHooks, KeyLog, MemberKey, PollSeal};
use crate::{Follower, JoinUrl, Session};
use anyhow::{bail, ensure, Context as _};
use protocol::{HubFrame, MeetingView, ParticipantId, PollId};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

const CANDIDATES: u32 = 20;
const SEATS: u32 = 15;

/// A committee member's simulated device: who, and their badge.
#[derive(Clone, Debug)]
pub struct MemberDevice {
    pub id: ParticipantId,
    pub join: JoinUrl,
}

/// What the election swarm needs: the hall, the secretariat, the committee.
#[derive(Clone, Debug)]
pub struct ElectionPlan {
    pub endpoint: super::Endpoint,
    pub tablets: Vec<String>,
    pub driver: String,
    pub members: Vec<MemberDevice>,
    pub threshold: u32,
    /// Every tablet votes within this, at a random moment of it.
    pub window: Duration,
    pub hub_pid: Option<u32>,
    /// Where to write each published result (`open-result.json`, `sealed-result.json` and
    /// their `.sig`) for `hub verify`.
    pub save: Option<PathBuf>,
}

/// A plan against `hub demo`: its first `clients` delegates vote, the first `members` of
/// them also sit on the counting committee with their own devices.
pub fn election_plan(
    path: &std::path::Path,
    clients: usize,
    members: usize,
    threshold: u32,
    window: Duration,
    hub_pid: Option<u32>,
    save: Option<PathBuf>,
) -> anyhow::Result<ElectionPlan> {
    let base = super::demo_plan(path, clients, 0, hub_pid)?;
    let text = std::fs::read_to_string(path)?;
    let demo: serde_json::Value = serde_json::from_str(&text)?;
    let hub = demo["hub_url"]
        .as_str()
        .context("demo.json has no hub_url")?;
    let delegates: Vec<&serde_json::Value> = demo["participants"]
        .as_array()
        .context("demo.json has no participants")?
        .iter()
        .filter(|p| p["role"] == "delegate")
        .take(members.min(clients))
        .collect();
    ensure!(
        delegates.len() == members && (1..=members).contains(&(threshold as usize)),
        "a committee of {members} with threshold {threshold} among {clients} tablets"
    );
    let members = delegates
        .iter()
        .map(|p| {
            let id = p["id"]
                .as_str()
                .context("demo.json names no participant ids")?;
            let token = p["token"]
                .as_str()
                .context("a participant without a token")?;
            Ok(MemberDevice {
                id: id.parse().context("a participant id")?,
                // The badge's link carries the hall's CA (`ca=`) over HTTPS.
                join: match p["join_url"].as_str() {
                    Some(link) => JoinUrl::parse(link)?,
                    None => JoinUrl::parse(&format!("{}/j/{token}", hub.trim_end_matches('/')))?,
                },
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ElectionPlan {
        endpoint: base.endpoint,
        tablets: base.tablets,
        driver: base.driver,
        members,
        threshold,
        window,
        hub_pid,
        save,
    })
}

/// Voter `i`'s ballot: 12 to 15 of the 20 names, skewed so candidates differ in votes.
pub fn marks_of(i: usize) -> Vec<u32> {
    let keep = 12 + i % 4;
    let shift = (i as u32 * 7) % 5;
    let mut names: Vec<u32> = (0..CANDIDATES)
        .map(|c| (c + shift) % CANDIDATES)
        .take(keep)
        .collect();
    names.sort_unstable();
    names
}

/// Runs both elections; the open one first.
pub async fn run_election(plan: ElectionPlan) -> anyhow::Result<Vec<ElectionReport>> {
    let n = plan.tablets.len();
    let (report_tx, mut heard) = mpsc::unbounded_channel();
    let (orders, watcher) = watch::channel(Order::Follow);
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
            Heard::Failed { client, why } => bail!("tablet {client}: {why}"),
            _ => {}
        }
    }
    settle(&mut heard).await?;
    let mut driver = Driver::open(&plan.endpoint, &plan.driver, "").await?;
    let started = Instant::now();
    let keys = make_committee(&mut driver, &plan).await?;
    let key_setup = started.elapsed();
    eprintln!(
        "swarm: the committee's key is made ({} members, {key_setup:.1?})",
        keys.len()
    );
    let marks: Vec<Vec<u32>> = (0..n).map(marks_of).collect();
    let meeting = join(&plan.members[0].join).await?.1.meeting.id;
    let mut reports = Vec::new();
    for secret in [false, true] {
        let mut hall = Hall {
            plan: &plan,
            meeting,
            driver: &mut driver,
            orders: &orders,
            heard: &mut heard,
            marks: &marks,
        };
        let mut report = hall.election(secret, &keys).await?;
        report.key_setup = secret.then_some(key_setup);
        reports.push(report);
    }
    drop(orders);
    for task in tasks {
        task.await.context("a tablet task failed")?;
    }
    Ok(reports)
}

/// Names the committee and runs every member device's key setup at once, as the rounds
/// come through the hub.
async fn make_committee(
    driver: &mut Driver,
    plan: &ElectionPlan,
) -> anyhow::Result<Vec<MemberKey>> {
    let ids: Vec<String> = plan.members.iter().map(|m| m.id.to_string()).collect();
    let set = serde_json::json!({"op": "set_counting_committee", "members": ids,
        "threshold": plan.threshold});
    driver.act("committee", set).await?;
    let devices = plan.members.iter().map(|member| {
        let member = member.clone();
        tokio::spawn(async move {
            let (mut session, view) = join(&member.join).await?;
            let committee = view.committee.context("no committee in the snapshot")?;
            let mut device = KeyDevice::start(&committee, member.id, &mut sealed::os_rng()?)?;
            let mut log = KeyLog::from_view(&committee);
            let key = make_key(&mut session, &mut device, &mut log, &mut Unattended).await?;
            anyhow::Ok(key)
        })
    });
    let mut keys = Vec::new();
    for device in devices.collect::<Vec<_>>() {
        keys.push(device.await.context("a member device failed")??);
    }
    Ok(keys)
}

/// A simulated member's device: nothing is kept, every member sees the same code.
struct Unattended;

impl KeyHooks for Unattended {
    fn save(&mut self, _device: &KeyDevice) -> std::io::Result<()> {
        Ok(())
    }
    fn compare(&mut self, _code: &str) -> bool {
        true
    }
}

/// A session of `join` and the meeting as its snapshot shows it.
async fn join(join: &JoinUrl) -> anyhow::Result<(Session, MeetingView)> {
    let mut session = Session::join(join.clone(), Follower::new(), Duration::from_secs(30)).await?;
    match session.next().await? {
        HubFrame::Snapshot { view, .. } => Ok((session, view)),
        other => bail!("expected a snapshot, got {other:?}"),
    }
}

/// One election's moving parts.
struct Hall<'a> {
    plan: &'a ElectionPlan,
    meeting: protocol::MeetingId,
    driver: &'a mut Driver,
    orders: &'a watch::Sender<Order>,
    heard: &'a mut mpsc::UnboundedReceiver<Heard>,
    marks: &'a [Vec<u32>],
}

impl Hall<'_> {
    async fn election(
        &mut self,
        secret: bool,
        keys: &[MemberKey],
    ) -> anyhow::Result<ElectionReport> {
        let n = self.marks.len();
        let kind = if secret { "sealed" } else { "open" };
        let candidates: Vec<String> = (1..=CANDIDATES)
            .map(|c| format!("Ứng cử viên {c:02}"))
            .collect();
        let spec = serde_json::json!({
            "title": format!("Bầu Ban Chấp hành ({kind}, thử tải {})", std::process::id()),
            "kind": {"type": "election", "candidates": candidates, "seats": SEATS},
            "secret": secret,
            "quorum": "0/1",
        });
        let poll = self.driver.create_poll(spec).await?;
        self.driver
            .act("open", serde_json::json!({"op": "open_poll", "poll": poll}))
            .await?;
        let poll: PollId = poll.parse().context("a poll id")?;

        eprintln!("swarm: {kind} election: preparing {n} ballots …");
        let prepared = Instant::now();
        let cpu = cpu_seconds(std::process::id());
        let texts = if secret {
            let (_, view) = join(&self.plan.members[0].join).await?;
            let seal = PollSeal::of(&view, poll)?;
            tokio::task::block_in_place(|| seal_all(&seal, self.marks))?
        } else {
            self.marks
                .iter()
                .map(|m| {
                    let command = protocol::Command::CastBallot {
                        poll,
                        choices: m.clone(),
                        on_behalf_of: None,
                    };
                    frame(&command)
                })
                .collect()
        };
        let prepare = prepared.elapsed();
        let prepare_cpu = delta(cpu, cpu_seconds(std::process::id()));

        let window = self.plan.window;
        eprintln!(
            "swarm: {kind} election: {n} tablets vote within {:.0} s …",
            window.as_secs_f64()
        );
        let hub_before = self.plan.hub_pid.and_then(cpu_seconds);
        // The open election is round 0, the sealed one round 1: with the same command ids
        // the hub would answer the sealed ballots with the open ones' acks.
        let (acks, refused) =
            burst(self.orders, self.heard, n, texts, u64::from(secret), window).await?;
        let hub_burst = delta(hub_before, self.plan.hub_pid.and_then(cpu_seconds));
        settle(self.heard).await?;

        let closed = Instant::now();
        let hub_before = self.plan.hub_pid.and_then(cpu_seconds);
        self.driver
            .act(
                "close",
                serde_json::json!({"op": "close_poll", "poll": poll}),
            )
            .await?;
        let mut member_recount = Vec::new();
        if secret {
            // The members open the count at the same time, each on their own device, as a
            // hall's committee does: not one after another.
            let opening: Vec<_> = self
                .plan
                .members
                .iter()
                .zip(keys)
                .take(self.plan.threshold as usize)
                .map(|(member, key)| {
                    tokio::spawn(open_as_member(member.clone(), key.clone(), poll))
                })
                .collect();
            for device in opening {
                member_recount.push(device.await.context("a member device failed")??);
            }
        }
        let tally = closed.elapsed();
        let hub_tally = delta(hub_before, self.plan.hub_pid.and_then(cpu_seconds));
        self.driver
            .act(
                "publish",
                serde_json::json!({"op": "publish_poll", "poll": poll}),
            )
            .await?;

        let join = &self.plan.members[0].join;
        let meeting = self.meeting;
        let path = format!("api/v1/meetings/{meeting}/polls/{poll}/result.json");
        let bytes = crate::http::get(join, &path, ballot_box::tally::MAX_TALLY_JSON).await?;
        let verified = Instant::now();
        let tallies = tokio::task::block_in_place(|| verify(&bytes, secret))?;
        let verify = verified.elapsed();
        let mut expected = vec![0u64; CANDIDATES as usize];
        for m in self.marks {
            for &c in m {
                expected[c as usize] += 1;
            }
        }
        ensure!(
            tallies.1 == expected,
            "the {kind} election's published tallies are not the tally of the ballots sent"
        );
        if let Some(dir) = &self.plan.save {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("{kind}-result.json")), &bytes)?;
            let sig = crate::http::get(join, &format!("{path}.sig"), 1024).await?;
            std::fs::write(dir.join(format!("{kind}-result.json.sig")), sig)?;
        }
        Ok(ElectionReport {
            target: format!("{kind} election"),
            clients: n,
            prepare,
            prepare_cpu,
            ack: Spread::of(acks),
            window,
            refused,
            hub_burst,
            ballots_counted: tallies.0,
            tally,
            member_recount,
            hub_tally,
            verify,
            key_setup: None,
        })
    }
}

/// A command as the swarm's tablets send it, `{id}` to fill in.
fn frame(command: &protocol::Command) -> String {
    serde_json::json!({"type": "command", "id": "{id}", "command": command}).to_string()
}

/// Every tablet's ballot encrypted and proved with a fresh seed of its own, on all cores.
fn seal_all(seal: &PollSeal, marks: &[Vec<u32>]) -> anyhow::Result<Vec<String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let size = marks.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = marks
            .chunks(size)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|m| Ok(frame(&seal.encrypt(m, &mut sealed::os_rng()?)?.command())))
                        .collect::<Result<Vec<String>, sealed::SealedError>>()
                })
            })
            .collect();
        let mut texts = Vec::with_capacity(marks.len());
        for h in handles {
            texts.extend(h.join().expect("an encrypting thread panicked")?);
        }
        Ok(texts)
    })
}

/// A member's device opens the count: downloads the box, verifies and adds every ballot
/// itself, gives its share. Returns how long the device worked. The swarm's members share
/// its machine's cores, where a hall's members each have their own device.
async fn open_as_member(
    member: MemberDevice,
    key: MemberKey,
    poll: PollId,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let (mut session, view) = join(&member.join).await?;
    let file = fetch_box(&member.join, view.meeting.id, poll).await?;
    let recount = tokio::task::block_in_place(|| sealed::recount(&key, &view, poll, &file, None))?;
    let command = key.share(&recount, &mut sealed::os_rng()?)?;
    session.command(command).await?;
    Ok(started.elapsed())
}

/// Checks a published result in full: a sealed box's every proof, sum, share and count
/// (`SealedTally::verify`, all cores), or an open poll's named ballots against its
/// tallies. Returns the ballots counted and the tallies.
fn verify(bytes: &[u8], secret: bool) -> anyhow::Result<(u64, Vec<u64>)> {
    let value: serde_json::Value = serde_json::from_slice(bytes)?;
    let tallies: Vec<u64> = serde_json::from_value(value["result"]["tallies"].clone())?;
    let ballots = value["result"]["ballots"]
        .as_u64()
        .context("no ballots in the result")?;
    if secret {
        let sealed = serde_json::to_vec(&value["sealed"])?;
        let tally = ballot_box::SealedTally::from_json(&sealed)?;
        tally.verify()?;
        ensure!(
            tally.counts == tallies,
            "the opened box is not the published tallies"
        );
    } else {
        let mut recount = vec![0u64; tallies.len()];
        for b in value["ballots"].as_array().context("no named ballots")? {
            for c in b["choices"]
                .as_array()
                .context("a ballot without choices")?
            {
                let c = c.as_u64().context("a choice")? as usize;
                *recount.get_mut(c).context("a choice out of range")? += 1;
            }
        }
        ensure!(
            recount == tallies,
            "the named ballots do not add up to the tallies"
        );
    }
    Ok((ballots, tallies))
}

fn delta(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    Some(after? - before?)
}
