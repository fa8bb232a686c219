//! The way out to one client: a writer task behind a bounded queue. The session never
//! waits on a slow socket, and a client that stops reading is found as soon as its queue
//! is full, not when some write finally times out.

use super::session::Ending;
use super::WebSocket;
use crate::live::Outgoing;
use futures_util::stream::SplitSink;
use futures_util::{Sink, SinkExt};
use protocol::{ErrorCode, HubFrame};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};
use tokio_tungstenite::tungstenite::{self, Bytes, Message, Utf8Bytes};

/// A write the client does not take within this long means the client is gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a full queue may stay full. A burst (a whole batch of votes broadcast at
/// once) drains in milliseconds; a tablet that stopped reading does not.
const LAG_GRACE: Duration = Duration::from_secs(2);
/// A text longer than this goes out as a fragmented message (RFC 6455 §5.4) of frames
/// this long. tungstenite's write buffer keeps the capacity of the largest frame it wrote,
/// for the socket's life: whole, a delegate's 11 KB snapshot would stay resident for every
/// idle tablet, and a console's snapshot of a congress (megabytes) for every console.
pub(super) const FRAGMENT_BYTES: usize = 4 * 1024;

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
                        Outgoing::Text(text) => {
                            feed_text(&mut sink, text).await?;
                            sink.flush().await
                        }
                        Outgoing::Texts(texts) => {
                            for text in texts.iter() {
                                feed_text(&mut sink, text.clone()).await?;
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
            code: ending.close_code.into(),
            reason: Utf8Bytes::from_static(""),
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

/// Queues one text message, in fragments of [`FRAGMENT_BYTES`] when it is longer (shared
/// bytes, no copy). A fragment may end inside a character: the message, not the frame, is
/// what must be UTF-8.
async fn feed_text<S>(sink: &mut S, text: Utf8Bytes) -> Result<(), tungstenite::Error>
where
    S: Sink<Message, Error = tungstenite::Error> + Unpin,
{
    if text.len() <= FRAGMENT_BYTES {
        return sink.feed(Message::Text(text)).await;
    }
    let bytes = Bytes::from(text);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT_BYTES).min(bytes.len());
        let opcode = match start {
            0 => OpCode::Data(Data::Text),
            _ => OpCode::Data(Data::Continue),
        };
        let frame = Frame::message(bytes.slice(start..end), opcode, end == bytes.len());
        sink.feed(Message::Frame(frame)).await?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_tungstenite::WebSocketStream;

    fn vietnamese_text() -> String {
        "Nghị quyết Đại hội đại biểu lần thứ XXIII; ".repeat(FRAGMENT_BYTES / 20)
    }

    /// On the wire: a text frame that is not final, continuation frames, the last one final,
    /// none longer than [`FRAGMENT_BYTES`], together the whole text. Read as raw bytes (a
    /// WebSocket client would reassemble them and hide whether the hub fragmented at all).
    #[tokio::test]
    async fn a_long_text_is_written_as_a_fragmented_message() {
        use tokio::io::AsyncReadExt;
        let (hub_end, mut tablet_end) = tokio::io::duplex(64 * 1024);
        let mut hub = WebSocketStream::from_raw_socket(hub_end, Role::Server, None).await;
        let long = vietnamese_text();
        feed_text(&mut hub, Utf8Bytes::from(long.clone()))
            .await
            .unwrap();
        hub.flush().await.unwrap();
        drop(hub);
        let mut wire = Vec::new();
        tablet_end.read_to_end(&mut wire).await.unwrap();

        // (final, opcode, payload) of each frame; a server's frames are not masked.
        let mut frames = Vec::new();
        let mut at = 0;
        while at < wire.len() {
            let (fin, opcode) = (wire[at] & 0x80 != 0, wire[at] & 0x0f);
            let (len, header) = match wire[at + 1] & 0x7f {
                126 => (u16::from_be_bytes([wire[at + 2], wire[at + 3]]) as usize, 4),
                127 => panic!("no fragment needs a 64-bit length"),
                n => (n as usize, 2),
            };
            frames.push((fin, opcode, &wire[at + header..at + header + len]));
            at += header + len;
        }
        assert!(frames.len() >= 4, "{} frames", frames.len());
        assert_eq!(
            (frames[0].0, frames[0].1),
            (false, 0x1),
            "a text frame opens it"
        );
        for (fin, opcode, payload) in &frames[1..] {
            assert_eq!(*opcode, 0x0, "then continuation frames");
            assert!(payload.len() <= FRAGMENT_BYTES);
            assert_eq!(*fin, std::ptr::eq(*payload, frames.last().unwrap().2));
        }
        let joined: Vec<u8> = frames.iter().flat_map(|f| f.2.iter().copied()).collect();
        assert_eq!(joined, long.as_bytes());
    }

    /// A text several fragments long, with Vietnamese letters of 2 and 3 bytes falling on
    /// the fragments' edges, arrives whole and unchanged; a short one after it too.
    #[tokio::test]
    async fn a_long_text_goes_in_fragments_and_arrives_whole() {
        let (hub_end, tablet_end) = tokio::io::duplex(64 * 1024);
        let mut hub = WebSocketStream::from_raw_socket(hub_end, Role::Server, None).await;
        let mut tablet = WebSocketStream::from_raw_socket(tablet_end, Role::Client, None).await;
        let long = vietnamese_text();
        assert!(long.len() > 3 * FRAGMENT_BYTES);
        let cut_inside_a_letter = (0..long.len() / FRAGMENT_BYTES)
            .any(|k| !long.is_char_boundary((k + 1) * FRAGMENT_BYTES));
        assert!(cut_inside_a_letter, "the test should split a letter");

        let send = async {
            feed_text(&mut hub, Utf8Bytes::from(long.clone())).await?;
            feed_text(&mut hub, Utf8Bytes::from_static("ngắn")).await?;
            hub.flush().await
        };
        let receive = async {
            let first = tablet.next().await.unwrap().unwrap();
            let second = tablet.next().await.unwrap().unwrap();
            (first, second)
        };
        let (sent, (first, second)) = tokio::join!(send, receive);
        sent.unwrap();
        assert_eq!(first, Message::Text(long.into()));
        assert_eq!(second, Message::Text("ngắn".into()));
    }
}
