//! One simulated tablet of the swarm: a raw WebSocket that greets, follows events and
//! reports each sequence number with the moment it arrived. Frames are read loosely (type,
//! seq, id) so the same client measures the hub and the baseline server alike.

use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use serde::Deserialize;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::either::Either;

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
    endpoint: Endpoint,
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
        let Some(mut ws) = connect(&endpoint, client, &reports).await else {
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

/// A simulated tablet's WebSocket: plain TCP, or TLS over it.
pub(super) type Socket = tokio_tungstenite::WebSocketStream<crate::connector::HubStream>;

/// Where the swarm's sockets go: the WebSocket URL (`ws://` or `wss://`) and, for `wss://`,
/// the one TLS configuration every simulated tablet shares (it holds the pinned hall CA:
/// made once, not once per tablet, as 5,000 handshakes come from one process).
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub url: String,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

/// Connects, retrying with jittered backoff: a storm of reconnects meets a full accept
/// queue, as a hall's tablets would.
async fn connect(
    endpoint: &Endpoint,
    client: usize,
    reports: &mpsc::UnboundedSender<Report>,
) -> Option<Socket> {
    let mut delay = Duration::from_millis(20);
    let mut last = String::new();
    for _ in 0..30 {
        match open(endpoint, Some(client)).await {
            Ok(ws) => return Some(ws),
            Err(e) => {
                // A hub the pinned CA does not vouch for stays so: say why at once.
                if let Some(why) = crate::connector::untrusted(&e) {
                    last = why;
                    break;
                }
                last = e.to_string();
                let jitter = Duration::from_millis((client as u64 * 7919) % 50);
                tokio::time::sleep(delay + jitter).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
        }
    }
    let _ = reports.send(Report::Failed {
        client,
        why: format!("could not connect to {}: {last}", endpoint.url),
    });
    None
}

/// Opens a socket to `target`, as tablet `client` if given. Against a hub on this
/// machine's loopback, each tablet comes from its own address of 127.0.0.0/8, as a hall's
/// tablets each have theirs: the hub's limit of pending connections per address is then
/// what it is in a hall, and the ports of one address do not run out at 5,000 tablets and
/// their reconnects.
pub(super) async fn open(endpoint: &Endpoint, client: Option<usize>) -> Result<Socket, WsError> {
    let request = endpoint.url.as_str().into_client_request()?;
    let uri = request.uri();
    let tls = match uri.scheme_str() {
        Some("wss") => Some(endpoint.tls.clone().ok_or_else(|| {
            invalid(format!(
                "{} is wss:// and the swarm has no TLS trust for it",
                endpoint.url
            ))
        })?),
        Some("ws") => None,
        _ => return Err(invalid(format!("{} is not ws:// or wss://", endpoint.url))),
    };
    let host = uri
        .host()
        .ok_or_else(|| invalid(format!("{} names no host", endpoint.url)))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if tls.is_some() { 443 } else { 80 });
    let loopback = host.parse::<Ipv4Addr>().ok() == Some(Ipv4Addr::LOCALHOST);
    let tcp = match client {
        Some(client) if loopback => {
            let source = Ipv4Addr::new(127, 1, (client / 250) as u8, (client % 250) as u8 + 1);
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind((source, 0).into())?;
            socket.connect((Ipv4Addr::LOCALHOST, port).into()).await?
        }
        _ => tokio::net::TcpStream::connect((host.as_str(), port)).await?,
    };
    tcp.set_nodelay(true)?;
    let stream = match tls {
        Some(config) => {
            let name = ServerName::try_from(host).map_err(|e| invalid(e.to_string()))?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await?;
            Either::Right(tls)
        }
        None => Either::Left(tcp),
    };
    tokio_tungstenite::client_async_with_config(request, stream, None)
        .await
        .map(|(ws, _)| ws)
}

fn invalid(why: String) -> WsError {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, why).into()
}
