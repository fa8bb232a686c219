//! What can go wrong between a tablet and the hub, in words a person can act on.

use protocol::{ErrorCode, ErrorFrame};

/// A failure of the connection itself, or of something the client was given.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The join URL is not one the hub prints on a badge.
    #[error(
        "'{url}' is not a join URL ({reason}); expected https://HOST:PORT/j/TOKEN?ca=… or \
         http://HOST:PORT/j/TOKEN"
    )]
    BadJoinUrl { url: String, reason: String },
    /// TLS refused the hub: its certificate is not from the CA the badge (or `--ca`) names.
    /// Not retried: waiting does not make a wrong hub the right one.
    #[error("refusing the hub at {url}: {reason}")]
    Untrusted { url: String, reason: String },
    /// The `--ca` file cannot be used.
    #[error("the CA file {path}: {reason}", path = .path.display())]
    BadCaFile {
        path: std::path::PathBuf,
        reason: String,
    },
    /// No WebSocket could be opened: wrong address, hub down, network gone.
    #[error("cannot reach the hub at {url}: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    /// The hub answered the upgrade with an HTTP error, e.g. 403 for a foreign origin.
    #[error("the hub refused the connection to {url} with HTTP {status}")]
    UpgradeRefused { url: String, status: u16 },
    /// The hub answered with an `error` frame where the client needed something else,
    /// e.g. a refused token in answer to `hello`.
    #[error("the hub refused: {} ({})", .0.message, .0.code)]
    Refused(ErrorFrame),
    /// The hub closed the connection (or it dropped) while the client waited.
    #[error("the hub closed the connection{}", reason_suffix(.reason))]
    Closed { reason: Option<String> },
    /// The hub sent something this client does not understand.
    #[error("the hub sent an unreadable frame: {0}")]
    BadFrame(String),
    /// The WebSocket request could not be built (e.g. a header value with a line break).
    #[error("cannot build the request: {0}")]
    InvalidRequest(String),
    /// A command id that the protocol does not allow.
    #[error(transparent)]
    BadCommandId(#[from] protocol::ids::BadCommandId),
    /// Reading or writing the WebSocket failed.
    #[error("WebSocket error: {0}")]
    WebSocket(#[source] Box<tokio_tungstenite::tungstenite::Error>),
}

fn reason_suffix(reason: &Option<String>) -> String {
    match reason {
        Some(r) if !r.is_empty() => format!(": {r}"),
        _ => String::new(),
    }
}

impl ClientError {
    /// The hub's error code, when the hub itself refused.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Refused(frame) => Some(frame.code),
            _ => None,
        }
    }
}

impl From<tokio_tungstenite::tungstenite::Error> for ClientError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::Error as WsError;
        match e {
            WsError::ConnectionClosed | WsError::AlreadyClosed => {
                ClientError::Closed { reason: None }
            }
            WsError::Io(io) if is_drop(&io) => ClientError::Closed {
                reason: Some(io.to_string()),
            },
            WsError::Protocol(p) => ClientError::Closed {
                reason: Some(p.to_string()),
            },
            other => ClientError::WebSocket(Box::new(other)),
        }
    }
}

fn is_drop(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
    )
}

/// Why a command got no `ack`.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The hub answered the command with an `error` frame: nothing changed.
    #[error("command refused: {} ({})", .0.message, .0.code)]
    Refused(ErrorFrame),
    /// The connection failed before the answer came: the command may or may not have been
    /// recorded; re-send it with the same id on a new connection.
    #[error(transparent)]
    Connection(#[from] ClientError),
}

impl CommandError {
    /// The hub's error code, when the hub answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            CommandError::Refused(frame) => Some(frame.code),
            CommandError::Connection(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_sentences_with_their_code() {
        let e = ClientError::Refused(ErrorFrame {
            id: None,
            code: ErrorCode::BadToken,
            message: "this badge was revoked".into(),
        });
        assert_eq!(
            e.to_string(),
            "the hub refused: this badge was revoked (bad_token)"
        );
        assert_eq!(e.code(), Some(ErrorCode::BadToken));
        let closed = ClientError::Closed {
            reason: Some("1001 shutting down".into()),
        };
        assert_eq!(
            closed.to_string(),
            "the hub closed the connection: 1001 shutting down"
        );
        let quiet = ClientError::Closed { reason: None };
        assert_eq!(quiet.to_string(), "the hub closed the connection");
        assert_eq!(CommandError::from(quiet).code(), None);
    }
}
