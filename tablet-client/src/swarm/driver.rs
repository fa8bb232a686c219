//! The swarm's driver: the secretariat's raw WebSocket, whose commands make the events
//! every simulated tablet waits for, and which opens, closes and publishes the polls.

use anyhow::{bail, Context as _};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::client::{open as open_socket, Endpoint, Socket};

/// The secretariat's connection, whose commands make the events everyone waits for. A task
/// of its own reads it all the time: the driver hears every ballot and check-in, and a hub
/// drops a connection that stops reading (lagged) or never answers its pings (idle).
pub(super) struct Driver {
    sink: futures_util::stream::SplitSink<Socket, Message>,
    frames: mpsc::UnboundedReceiver<serde_json::Value>,
    template: String,
    /// Commands sent, to keep every id unique: the hub answers a known id with its first
    /// outcome.
    sent: u64,
}

impl Driver {
    /// Connects as `token`; `template` is the command [`Driver::command`] sends each round.
    pub(super) async fn open(
        endpoint: &Endpoint,
        token: &str,
        template: &str,
    ) -> anyhow::Result<Driver> {
        let mut ws = open_socket(endpoint, None)
            .await
            .with_context(|| format!("connecting the driver to {}", endpoint.url))?;
        let hello = serde_json::json!({"type": "hello", "token": token});
        ws.send(Message::Text(hello.to_string().into())).await?;
        let (sink, mut stream) = ws.split();
        let (tx, frames) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            // Reading also sends the pongs tungstenite queued for the hub's pings.
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message {
                    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                        continue;
                    };
                    if tx.send(value).is_err() {
                        break;
                    }
                }
            }
        });
        Ok(Driver {
            sink,
            frames,
            template: template.to_owned(),
            sent: 0,
        })
    }

    /// Sends the round's command and waits for its ack; returns the seq it names.
    pub(super) async fn command(&mut self, round: usize) -> anyhow::Result<u64> {
        let command = self.template.clone();
        let (seq, _) = self
            .send(
                &format!("round-{round}"),
                &command.replace("{round}", &round.to_string()),
            )
            .await?;
        Ok(seq)
    }

    /// Creates and opens a motion poll that needs no quorum; returns its id.
    pub(super) async fn open_poll(&mut self) -> anyhow::Result<String> {
        let spec = serde_json::json!({
            "title": format!("Biểu quyết thông qua chương trình (thử tải {})", std::process::id()),
            "kind": {"type": "motion"},
            "quorum": "0/1",
        });
        let poll = self.create_poll(spec).await?;
        self.act(
            "open-poll",
            serde_json::json!({"op": "open_poll", "poll": poll}),
        )
        .await?;
        Ok(poll)
    }

    /// Creates a poll of `spec` (a `PollSpec` as JSON); returns its id.
    pub(super) async fn create_poll(&mut self, spec: serde_json::Value) -> anyhow::Result<String> {
        let create = serde_json::json!({"op": "create_poll", "poll": spec});
        let (_, heard) = self.act("create-poll", create).await?;
        Ok(heard
            .iter()
            .find(|v| v["event"]["kind"] == "poll_created")
            .and_then(|v| v["event"]["poll"]["id"].as_str())
            .context("no poll_created event before the ack of create_poll")?
            .to_owned())
    }

    /// Sends one command (its JSON, `{"op": …}`) and waits for its ack; returns the seq and
    /// the events heard before it.
    pub(super) async fn act(
        &mut self,
        name: &str,
        command: serde_json::Value,
    ) -> anyhow::Result<(u64, Vec<serde_json::Value>)> {
        let frame = serde_json::json!({"type": "command", "id": "{id}", "command": command});
        self.send(name, &frame.to_string()).await
    }

    /// Closes the poll; returns how many ballots the hub counted in its result.
    pub(super) async fn close_poll(&mut self, poll: &str) -> anyhow::Result<u64> {
        let close = serde_json::json!({"op": "close_poll", "poll": poll});
        let (_, heard) = self.act("close-poll", close).await?;
        heard
            .iter()
            .find(|v| v["event"]["kind"] == "poll_closed")
            .and_then(|v| v["event"]["result"]["ballots"].as_u64())
            .context("no poll_closed event with a result before the ack of close_poll")
    }

    /// Sends a command (`{id}` in it filled with a unique id) and waits for its ack;
    /// returns the seq it names and the events heard before it (the command's own).
    pub(super) async fn send(
        &mut self,
        name: &str,
        template: &str,
    ) -> anyhow::Result<(u64, Vec<serde_json::Value>)> {
        self.sent += 1;
        let id = format!("driver-{name}-{}-{}", std::process::id(), self.sent);
        let text = template.replace("{id}", &id);
        self.sink.send(Message::Text(text.into())).await?;
        let mut heard = Vec::new();
        loop {
            let value = tokio::time::timeout(Duration::from_secs(120), self.frames.recv())
                .await
                .context("the driver's command got no answer in 120 s")?
                .context("the driver's connection ended")?;
            match value["type"].as_str() {
                Some("ack") if value["id"] == id.as_str() => {
                    let seq = value["seq"].as_u64().context("an ack without seq")?;
                    return Ok((seq, heard));
                }
                Some("error") if value["id"] == id.as_str() => {
                    bail!("the driver's command was refused: {}", value["message"]);
                }
                Some("event") => heard.push(value),
                Some("error") => bail!("the hub ended the driver's connection: {value}"),
                _ => {}
            }
        }
    }
}
