//! The way out to one client: a writer task behind a bounded queue. The session never
//! waits on a slow socket, and a client that stops reading is found as soon as its queue
//! is full, not when some write finally times out.

use super::session::Ending;
use crate::live::Outgoing;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use protocol::{ErrorCode, HubFrame};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A write the client does not take within this long means the client is gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a full queue may stay full. A burst (a whole batch of votes broadcast at
/// once) drains in milliseconds; a tablet that stopped reading does not.
const LAG_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(super) struct Outbox {
    queue: mpsc::Sender<Outgoing>,
    writer: JoinHandle<()>,
}

impl Outbox {
    /// Starts the writer; `capacity` items (a frame, or a batch's frames) may wait for a
    /// slow client.
    pub fn start(mut sink: SplitSink<WebSocket, Message>, capacity: usize) -> Outbox {
        let (queue, mut rx) = mpsc::channel::<Outgoing>(capacity.max(1));
        let writer = tokio::spawn(async move {
            while let Some(item) = rx.recv().await {
                let closing = matches!(item, Outgoing::Control(Message::Close(_)));
                // A batch's frames are shared with every connection of its view: each is
                // handed to the socket as it is, without a copy of its text.
                let write = async {
                    match item {
                        Outgoing::Text(text) => sink.send(Message::Text(text)).await,
                        Outgoing::Texts(texts) => {
                            for text in texts.iter() {
                                sink.feed(Message::Text(text.clone())).await?;
                            }
                            sink.flush().await
                        }
                        Outgoing::Control(message) => sink.send(message).await,
                    }
                };
                match tokio::time::timeout(WRITE_TIMEOUT, write).await {
                    Ok(Ok(())) if !closing => {}
                    _ => break,
                }
            }
            let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.close()).await;
        });
        Outbox { queue, writer }
    }

    /// The queue itself, for the meeting's task to hand frames to (`MeetingHandle::listen`).
    pub fn queue(&self) -> mpsc::Sender<Outgoing> {
        self.queue.clone()
    }

    /// Queues a frame. A queue that stays full for [`LAG_GRACE`] means the client has
    /// stopped reading: it is dropped and will resume from its last sequence number.
    pub async fn push(&self, frame: &HubFrame) -> Result<(), Ending> {
        self.push_encoded(encode(frame)?).await
    }

    pub async fn ping(&self) -> Result<(), Ending> {
        self.push_encoded(Outgoing::Control(Message::Ping(Default::default())))
            .await
    }

    /// [`Outbox::push`] for a frame already encoded.
    pub async fn push_encoded(&self, message: Outgoing) -> Result<(), Ending> {
        let message = match self.queue.try_send(message) {
            Ok(()) => return Ok(()),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(Ending::quiet()),
            Err(mpsc::error::TrySendError::Full(message)) => message,
        };
        match tokio::time::timeout(LAG_GRACE, self.queue.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Ending::quiet()),
            Err(_) => Err(Ending::lagged()),
        }
    }

    /// Queues a frame, waiting for room: for the catch-up after `hello`, which may be
    /// longer than the queue and is the client's own to read at its pace.
    pub async fn send(&self, frame: &HubFrame) -> Result<(), Ending> {
        let message = encode(frame)?;
        match tokio::time::timeout(WRITE_TIMEOUT, self.queue.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Ending::quiet()),
        }
    }

    /// Ends the conversation: the last word and the close frame go out if the client
    /// still reads; a client that stopped reading is cut off at once.
    pub async fn close(self, ending: Ending) {
        let Outbox { queue, mut writer } = self;
        let mut queued = !ending.lagged;
        if let (Some(frame), true) = (&ending.frame, queued) {
            queued = encode(frame).is_ok_and(|m| queue.try_send(m).is_ok());
        }
        let close = CloseFrame {
            code: ending.close_code,
            reason: "".into(),
        };
        queued = queued
            && queue
                .try_send(Outgoing::Control(Message::Close(Some(close))))
                .is_ok();
        drop(queue);
        if !queued
            || tokio::time::timeout(WRITE_TIMEOUT, &mut writer)
                .await
                .is_err()
        {
            writer.abort();
        }
    }
}

pub(super) fn encode(frame: &HubFrame) -> Result<Outgoing, Ending> {
    serde_json::to_string(frame)
        .map(|t| Outgoing::Text(t.into()))
        .map_err(|_| Ending::with(ErrorCode::Internal, "a frame could not be encoded"))
}
