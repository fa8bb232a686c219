//! One simulated tablet of the swarm: a raw WebSocket that greets, follows events and
//! reports each sequence number with the moment it arrived. Frames are read loosely (type,
//! seq, id) so the same client measures the hub and the baseline server alike.

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// What a simulated tablet tells the swarm.
#[derive(Debug)]
pub enum Report {
    /// Greeted: snapshot or resumed.
    Ready,
    /// An event arrived.
    Event {
        client: usize,
        seq: u64,
        at: Instant,
    },
    /// A command was answered: when it was sent, when the answer came.
    Answer {
        client: usize,
        ok: bool,
        sent: Instant,
        at: Instant,
    },
    /// The connection could not be made or ended; the client gives up.
    Failed { client: usize, why: String },
}

/// What the swarm tells its tablets.
#[derive(Clone, Debug, PartialEq)]
pub enum Order {
    Follow,
    /// Drop the connection and resume from the last seq (a reconnect storm).
    Reconnect(u64),
    /// Send a command text (the `{id}` in it replaced by a unique id), each of `of`
    /// tablets at its own moment spread evenly over `window`, as a hall votes. Tablet `i`
    /// sends `texts[i]`, or `texts[0]` when there is one text for all.
    Send {
        round: u64,
        texts: Arc<Vec<String>>,
        window: Duration,
        of: usize,
    },
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    seq: Option<u64>,
    /// The command an `ack` or `error` answers; none on an error that ends the connection.
    #[serde(default)]
    id: Option<String>,
}

/// Seqs seen, for the storm's "nothing missed, nothing twice".
#[derive(Debug, Default, Clone, Copy)]
pub struct Continuity {
    pub last: u64,
    pub missed: u64,
    pub duplicates: u64,
    /// Connections the hub ended (lagged, say), not the swarm's storm; each was resumed.
    pub drops: u64,
}

impl Continuity {
    /// Counts gaps afresh from the storm on. Before it, a delegate's gaps are the other
    /// delegates' ballots, which the hub does not send a tablet (PROTOCOL.md §5.4); after
    /// it, every event (the secretariat's agenda changes) is for every tablet.
    fn start_storm(&mut self) {
        self.missed = 0;
    }

    fn see(&mut self, seq: u64) {
        if seq <= self.last {
            self.duplicates += 1;
        } else {
            if self.last > 0 {
                self.missed += seq - self.last - 1;
            }
            self.last = seq;
        }
    }
}

/// Runs one tablet until the orders channel closes; returns its continuity record.
pub async fn run(
    client: usize,
    url: String,
    token: String,
    reports: mpsc::UnboundedSender<Report>,
    mut orders: watch::Receiver<Order>,
) -> Continuity {
    let mut seen = Continuity::default();
    let mut resume: Option<u64> = None;
    // A command waiting for its moment; one sent and not yet answered, re-sent under the
    // same id after a reconnect as a real tablet does; when it first went out.
    let mut due: Option<(Instant, String)> = None;
    let mut unanswered: Option<String> = None;
    let mut sent = Instant::now();
    'connection: loop {
        let Some(mut ws) = connect(&url, client, &reports).await else {
            return seen;
        };
        let hello = match resume {
            Some(from) => serde_json::json!({"type": "hello", "token": token, "resume_from": from}),
            None => serde_json::json!({"type": "hello", "token": token}),
        };
        if ws
            .send(Message::Text(hello.to_string().into()))
            .await
            .is_err()
        {
            let _ = reports.send(Report::Failed {
                client,
                why: "hello not sent".into(),
            });
            return seen;
        }
        let mut greeted = false;
        loop {
            let moment = due.as_ref().map(|(at, _)| *at);
            tokio::select! {
                () = sleep_until(moment), if moment.is_some() => {
                    let Some((_, text)) = due.take() else { continue };
                    sent = Instant::now();
                    unanswered = Some(text.clone());
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        seen.drops += 1;
                        resume = Some(seen.last);
                        continue 'connection;
                    }
                }
                changed = orders.changed() => {
                    if changed.is_err() {
                        let _ = ws.close(None).await;
                        return seen;
                    }
                    let order = orders.borrow_and_update().clone();
                    match order {
                        Order::Follow => {}
                        Order::Reconnect(_) => {
                            seen.start_storm();
                            drop(ws);
                            resume = Some(seen.last);
                            continue 'connection;
                        }
                        Order::Send { round, texts, window, of } => {
                            let Some(template) = texts.get(client).or(texts.first()) else {
                                continue;
                            };
                            // Unique across runs: the hub answers a known id with its first outcome.
                            let id = format!("c{client}-r{round}-{}", std::process::id());
                            let offset = window.mul_f64(client as f64 / of.max(1) as f64);
                            due = Some((Instant::now() + offset, template.replace("{id}", &id)));
                        }
                    }
                }
                message = ws.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(_)) => continue,
                        _ => {
                            seen.drops += 1;
                            resume = Some(seen.last);
                            continue 'connection;
                        }
                    };
                    let at = Instant::now();
                    let Ok(head) = serde_json::from_str::<Head>(&text) else { continue };
                    match head.kind.as_str() {
                        "snapshot" | "resumed" if !greeted => {
                            greeted = true;
                            if let Some(seq) = head.seq.filter(|_| head.kind == "snapshot") {
                                seen.last = seen.last.max(seq);
                            }
                            let _ = reports.send(Report::Ready);
                            if let Some(text) = unanswered.clone() {
                                if ws.send(Message::Text(text.into())).await.is_err() {
                                    seen.drops += 1;
                                    continue 'connection;
                                }
                            }
                        }
                        "event" => {
                            if let Some(seq) = head.seq {
                                seen.see(seq);
                                let _ = reports.send(Report::Event { client, seq, at });
                            }
                        }
                        "ack" | "error" if head.id.is_some() && unanswered.is_some() => {
                            unanswered = None;
                            let ok = head.kind == "ack";
                            let _ = reports.send(Report::Answer { client, ok, sent, at });
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

async fn sleep_until(moment: Option<Instant>) {
    if let Some(at) = moment {
        tokio::time::sleep_until(at.into()).await;
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects, retrying with jittered backoff: a storm of reconnects meets a full accept
/// queue, as a hall's tablets would.
async fn connect(
    url: &str,
    client: usize,
    reports: &mpsc::UnboundedSender<Report>,
) -> Option<Socket> {
    let mut delay = Duration::from_millis(20);
    for _ in 0..30 {
        match open(url, client).await {
            Ok(ws) => return Some(ws),
            Err(_) => {
                let jitter = Duration::from_millis((client as u64 * 7919) % 50);
                tokio::time::sleep(delay + jitter).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
        }
    }
    let _ = reports.send(Report::Failed {
        client,
        why: format!("could not connect to {url}"),
    });
    None
}

/// Opens tablet `client`'s socket. Against a hub on this machine's loopback, each tablet
/// comes from its own address of 127.0.0.0/8, as a hall's tablets each have theirs: the
/// hub's limit of pending connections per address is then what it is in a hall, and the
/// ports of one address do not run out at 5,000 tablets and their reconnects.
async fn open(url: &str, client: usize) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let target = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|host| host.parse::<std::net::SocketAddr>().ok())
        .filter(|addr| addr.ip() == std::net::Ipv4Addr::LOCALHOST);
    let Some(target) = target else {
        return tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .map(|(ws, _)| ws);
    };
    let source = std::net::Ipv4Addr::new(127, 1, (client / 250) as u8, (client % 250) as u8 + 1);
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind((source, 0).into())?;
    let stream = socket.connect(target).await?;
    stream.set_nodelay(true)?;
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    tokio_tungstenite::client_async_with_config(url, stream, None)
        .await
        .map(|(ws, _)| ws)
}
