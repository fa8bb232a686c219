//! The baseline: a minimal tokio-tungstenite broadcast server with no logic — no engine, no
//! store, no roles — speaking just enough of the protocol for the swarm (hello → snapshot
//! or resumed + missed events; command → one event to everyone, then an ack). What the
//! swarm measures on it is the most this machine can do; the hub's gap to it is the cost
//! of its logic and durability.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

#[derive(Debug)]
struct Hall {
    /// Every event frame sent, for resumes. Serialized once and shared by every
    /// connection, as a bare broadcast server does: writing one is not a copy of its text.
    log: Mutex<Vec<Utf8Bytes>>,
    live: broadcast::Sender<(u64, Utf8Bytes)>,
}

/// Serves until the process ends.
pub async fn serve(listener: TcpListener) -> anyhow::Result<()> {
    // Room for a whole hall's burst (every tablet's command broadcast to all): a smaller
    // ring drops the connections that fall behind it, the driver's among them.
    let (live, _) = broadcast::channel(1 << 16);
    let hall = Arc::new(Hall {
        log: Mutex::default(),
        live,
    });
    loop {
        let (stream, _) = listener.accept().await?;
        // The same socket option as the hub, so the comparison is of the servers.
        stream.set_nodelay(true)?;
        let hall = hall.clone();
        tokio::spawn(async move {
            let _ = connection(stream, hall).await;
        });
    }
}

async fn connection(stream: TcpStream, hall: Arc<Hall>) -> anyhow::Result<()> {
    let ws = tokio_tungstenite::accept_async(stream).await?;
    let (mut sink, mut stream) = ws.split();
    let Some(Ok(Message::Text(hello))) = stream.next().await else {
        return Ok(());
    };
    let hello: serde_json::Value = serde_json::from_str(&hello)?;
    let mut live = hall.live.subscribe();
    let (seq, missed) = {
        let log = hall.log.lock().unwrap_or_else(|p| p.into_inner());
        let from = hello["resume_from"].as_u64();
        let missed: Vec<Utf8Bytes> =
            from.map_or_else(Vec::new, |f| log.iter().skip(f as usize).cloned().collect());
        (log.len() as u64, (from, missed))
    };
    let first = match missed.0 {
        Some(from) => json!({"type": "resumed", "protocol": 1, "from": from, "seq": seq}),
        None => json!({"type": "snapshot", "protocol": 1, "seq": seq}),
    };
    sink.send(Message::Text(first.to_string().into())).await?;
    for event in missed.1 {
        sink.send(Message::Text(event)).await?;
    }
    let mut last = seq;
    loop {
        tokio::select! {
            event = live.recv() => match event {
                Ok((s, text)) if s > last => {
                    last = s;
                    sink.send(Message::Text(text)).await?;
                }
                Ok(_) => {}
                Err(_) => return Ok(()),
            },
            message = stream.next() => {
                let Some(Ok(message)) = message else { return Ok(()) };
                let Message::Text(text) = message else { continue };
                let frame: serde_json::Value = serde_json::from_str(&text)?;
                if frame["type"] == "command" {
                    let seq = {
                        let mut log = hall.log.lock().unwrap_or_else(|p| p.into_inner());
                        let seq = log.len() as u64 + 1;
                        let event: Utf8Bytes = json!({
                            "type": "event", "seq": seq, "at": 0,
                            "event": {"kind": "agenda_item_updated", "item": "00000000-0000-0000-0000-000000000000",
                                      "title": "Thảo luận", "description": frame["command"]["description"]},
                        })
                        .to_string()
                        .into();
                        log.push(event.clone());
                        let _ = hall.live.send((seq, event));
                        seq
                    };
                    let ack = json!({"type": "ack", "id": frame["id"], "seq": seq});
                    sink.send(Message::Text(ack.to_string().into())).await?;
                }
            }
        }
    }
}
