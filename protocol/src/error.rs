//! Error codes. Every refusal names one of these, so a client can act on it (retry, resume,
//! ask the secretariat) without parsing the message, which is for people.

use crate::ids::CommandId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why the hub refused a frame, a command or a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not JSON, or not a valid frame of a known type.
    BadFrame,
    /// The frame's `type` is not one the hub knows.
    UnknownType,
    /// The frame is larger than the hub accepts.
    FrameTooLarge,
    /// A command or ping came before a successful `hello`.
    HelloRequired,
    /// `hello` was sent twice on one connection.
    AlreadyGreeted,
    /// The token is unknown, malformed or revoked. Ask the secretariat for a new badge.
    BadToken,
    /// The sender's role may not do this.
    Forbidden,
    /// The meeting, item or participant does not exist.
    NotFound,
    /// Not allowed in the meeting's current state (e.g. starting an item before the session).
    InvalidState,
    /// The command's content is invalid (empty title, unknown item in a reorder, …).
    Invalid,
    /// Too many commands too fast from this sender (all of its connections and REST calls
    /// together); slow down and re-send with the same id.
    RateLimited,
    /// The sender has used up a quota (notes, comments, uploads per hour); the message
    /// names the limit. Re-sending will not help until something is deleted or time passes.
    Quota,
    /// The hub is saturated; re-send the same command later.
    Busy,
    /// This client fell too far behind the live events and is disconnected; reconnect and
    /// resume from the last sequence number received.
    Lagged,
    /// The hub is shutting down; reconnect and resume.
    ShuttingDown,
    /// The hub failed; the command may not have been recorded; re-send it (same id).
    Internal,
    /// An enrolled device must send the person's PIN with this command (a ballot, an
    /// opinion answer, a direction).
    PinRequired,
    /// The PIN was wrong; the message says how many tries are left.
    PinWrong,
    /// Five wrong PINs locked this device; the office unlocks it.
    DeviceLocked,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::AlreadyGreeted => "already_greeted",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::Invalid => "invalid",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Quota => "quota",
            ErrorCode::Busy => "busy",
            ErrorCode::Lagged => "lagged",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
            ErrorCode::PinRequired => "pin_required",
            ErrorCode::PinWrong => "pin_wrong",
            ErrorCode::DeviceLocked => "device_locked",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of an `error` frame (and of REST error responses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFrame {
    /// The command this answers, when it answers one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CommandId>,
    pub code: ErrorCode,
    pub message: String,
}
