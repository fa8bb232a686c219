//! One WebSocket connection to the hub: JSON text frames in, JSON text frames out.

use crate::error::{ClientError, CommandError};
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientFrame, Command, CommandId, HubFrame, MeetingId};
use std::collections::VecDeque;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A live connection. Frames arrive in the order the hub sent them: [`Connection::command`]
/// keeps whatever arrives before its answer, and [`Connection::recv`] hands those out first.
#[derive(Debug)]
pub struct Connection {
    ws: Ws,
    /// Frames read while waiting for something else, oldest first.
    pending: VecDeque<HubFrame>,
}

impl Connection {
    /// Opens the hub's WebSocket at `ws_url` (e.g. from [`crate::JoinUrl::ws_url`]).
    pub async fn open(ws_url: &str) -> Result<Connection, ClientError> {
        Self::open_with_headers(ws_url, &[]).await
    }

    /// Opens the WebSocket with extra request headers, e.g. the `Origin` a browser sends.
    pub async fn open_with_headers(
        ws_url: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Connection, ClientError> {
        let unreachable = |e| ClientError::Unreachable {
            url: ws_url.to_owned(),
            source: Box::new(e),
        };
        let mut request = ws_url.into_client_request().map_err(unreachable)?;
        for (name, value) in headers {
            let value = HeaderValue::from_str(value)
                .map_err(|e| ClientError::InvalidRequest(format!("header {name}: {e}")))?;
            request.headers_mut().insert(*name, value);
        }
        match tokio_tungstenite::connect_async_with_config(request, None, true).await {
            Ok((ws, _response)) => Ok(Connection {
                ws,
                pending: VecDeque::new(),
            }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(ClientError::UpgradeRefused {
                    url: ws_url.to_owned(),
                    status: response.status().as_u16(),
                })
            }
            Err(e) => Err(unreachable(e)),
        }
    }

    /// Sends `hello` and returns the hub's first answer: a `snapshot`, a `resumed` (the
    /// missed events follow through [`Connection::recv`]) or an `error` such as `bad_token`.
    pub async fn hello(
        &mut self,
        token: &str,
        resume_from: Option<u64>,
        meeting: Option<MeetingId>,
    ) -> Result<HubFrame, ClientError> {
        self.send(&ClientFrame::Hello {
            token: Some(token.to_owned()),
            resume_from,
            meeting,
        })
        .await?;
        self.recv().await
    }

    /// Like [`Connection::hello`], but an `error` answer (a refused token, say) is returned
    /// as [`ClientError::Refused`]: `Ok` is always a `snapshot` or a `resumed`.
    pub async fn join(
        &mut self,
        token: &str,
        resume_from: Option<u64>,
        meeting: Option<MeetingId>,
    ) -> Result<HubFrame, ClientError> {
        match self.hello(token, resume_from, meeting).await? {
            HubFrame::Error(e) => Err(ClientError::Refused(e)),
            frame @ (HubFrame::Snapshot { .. } | HubFrame::Resumed { .. }) => Ok(frame),
            other => Err(ClientError::BadFrame(format!(
                "expected a snapshot or resumed after hello, got {other:?}"
            ))),
        }
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: &ClientFrame) -> Result<(), ClientError> {
        let text = serde_json::to_string(frame).expect("client frames always serialize");
        self.send_text(text).await
    }

    /// Sends raw text as one frame, for clients (and tests) that need to say something the
    /// protocol types cannot: malformed JSON, an unknown type, an oversize frame.
    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<(), ClientError> {
        self.ws.send(Message::text(text.into())).await?;
        Ok(())
    }

    /// The next frame from the hub: first any kept by [`Connection::command`], then the
    /// socket's. Pings are answered on the way; a close or drop is [`ClientError::Closed`].
    pub async fn recv(&mut self) -> Result<HubFrame, ClientError> {
        if let Some(frame) = self.pending.pop_front() {
            return Ok(frame);
        }
        self.read_frame().await
    }

    /// Sends a command and waits for its `ack` (the meeting's seq after it) or its
    /// `error`. Events and other frames that arrive meanwhile are kept for `recv`.
    pub async fn command(&mut self, id: &str, command: Command) -> Result<u64, CommandError> {
        let id = CommandId::try_from(id).map_err(ClientError::from)?;
        self.send(&ClientFrame::Command {
            id: id.clone(),
            command,
            pin: None,
        })
        .await?;
        loop {
            let frame = self.read_frame().await?;
            match frame {
                HubFrame::Ack { id: got, seq, .. } if got == id => return Ok(seq),
                HubFrame::Error(e) if e.id.as_ref() == Some(&id) => {
                    return Err(CommandError::Refused(e))
                }
                other => self.pending.push_back(other),
            }
        }
    }

    /// Frames received but not yet handed out by `recv`.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Closes the connection politely and waits for the hub to close its side.
    pub async fn close(mut self) -> Result<(), ClientError> {
        match self.ws.close(None).await {
            Ok(()) => {}
            Err(e) => return ignore_closed(e.into()),
        }
        while let Some(msg) = self.ws.next().await {
            if let Err(e) = msg {
                return ignore_closed(e.into());
            }
        }
        Ok(())
    }

    /// Reads the socket until a text frame arrives, parsing it.
    async fn read_frame(&mut self) -> Result<HubFrame, ClientError> {
        loop {
            let Some(msg) = self.ws.next().await else {
                return Err(ClientError::Closed { reason: None });
            };
            // tungstenite queues the pong for a ping itself and flushes it on the next read.
            match msg? {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).map_err(|e| {
                        ClientError::BadFrame(format!("{e}: {}", preview(text.as_str())))
                    })
                }
                Message::Binary(_) => {
                    return Err(ClientError::BadFrame("a binary frame".into()));
                }
                Message::Close(frame) => {
                    return Err(ClientError::Closed {
                        reason: frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)),
                    })
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }
}

fn ignore_closed(e: ClientError) -> Result<(), ClientError> {
    match e {
        ClientError::Closed { .. } => Ok(()),
        other => Err(other),
    }
}

fn preview(text: &str) -> String {
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_hub_is_named_in_the_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let url = format!("ws://{addr}/api/v1/ws");
        let err = Connection::open(&url).await.unwrap_err();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with(&format!("cannot reach the hub at {url}: ")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_header_that_cannot_be_sent_is_refused_before_connecting() {
        let err = Connection::open_with_headers("ws://127.0.0.1:9/", &[("Origin", "a\nb")])
            .await
            .unwrap_err();
        assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    }
}
