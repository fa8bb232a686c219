//! The frame envelope: one JSON object per WebSocket text frame, tagged by `"type"`.
//! Unknown fields are ignored; an unknown `type` is answered with an `unknown_type` error.

use crate::command::Command;
use crate::error::{ErrorCode, ErrorFrame};
use crate::event::Event;
use crate::ids::{CommandId, MeetingId, ParticipantId};
use crate::model::{MeetingView, Role};
use serde::{Deserialize, Serialize};

/// Frames a client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A frame is parsed, handled and dropped at once; boxing its command would only add an
// allocation to every command.
#[allow(clippy::large_enum_variant)]
pub enum ClientFrame {
    /// The first frame of every connection.
    Hello {
        /// The participant's token. A browser that opened its join URL may leave it out:
        /// the hub then reads the token from the cookie that URL set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// The last sequence number this client has seen; the hub then sends only what
        /// came after it, when it still can.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume_from: Option<u64>,
        /// Which meeting to follow; needed only with the hub-wide secretariat token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meeting: Option<MeetingId>,
    },
    /// Ask the hub to do something; answered by `ack` or `error` with the same id.
    Command {
        id: CommandId,
        command: Command,
        /// The person's PIN, from an enrolled device: a ballot, an opinion answer or a
        /// direction needs it (`pin_required`, `pin_wrong`, `device_locked`). Badges send none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    /// Keep-alive; answered by `pong`.
    Ping,
}

/// Who the hub takes this connection to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// `null` for the hub-wide secretariat token, which belongs to no meeting.
    pub participant: Option<ParticipantId>,
    pub role: Role,
    pub name: String,
    pub meeting: MeetingId,
}

/// Frames the hub sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// A snapshot is built once per connection and serialised at once; boxing its view would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum HubFrame {
    /// The whole meeting as of `seq`, filtered for this client; live events follow.
    Snapshot {
        protocol: u32,
        seq: u64,
        me: Me,
        view: MeetingView,
    },
    /// The hub can resume from the client's `resume_from`: the events after it follow,
    /// up to `seq`, then live events.
    Resumed {
        protocol: u32,
        from: u64,
        seq: u64,
        me: Me,
    },
    /// One event of the meeting's log.
    Event(Event),
    /// The command `id` is recorded; `seq` is the meeting's sequence number after it (the
    /// last event it produced, or the current one if it changed nothing).
    Ack {
        id: CommandId,
        seq: u64,
        /// For an accepted secret ballot only: the voter's receipt, to find their ballot in
        /// the list published after the close. Sent to the voter alone, never stored with them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt: Option<String>,
    },
    /// Something was refused. With an `id`, it answers that command and nothing changed.
    Error(ErrorFrame),
    Pong,
    /// This participant's private notes: all of them (`replace: true`, after every
    /// `snapshot` or `resumed`) or those that changed. Sent to the author only; not part of
    /// the log, so it has no seq.
    Notes {
        replace: bool,
        notes: Vec<crate::notes::Note>,
        #[serde(default)]
        deleted: Vec<crate::ids::NoteId>,
    },
    /// The hall's counters of attendance (delegates and the projector, who do not hear
    /// other people's `checked_in` / `checked_out`): sent at a bounded rate while they
    /// change, and after a `resumed`. Not an event: it has no seq and replaces the
    /// counters of the view (`present_ids` is untouched).
    Attendance {
        summoned: u32,
        present: u32,
        quorum: crate::model::Fraction,
        quorum_reached: bool,
    },
    /// Delegates the hall must now be able to name (a speaker), which the view of a
    /// delegate or the projector did not carry: add them to the view's `participants`.
    /// Sent just before the event that names them. Not an event: it has no seq.
    People {
        participants: Vec<crate::model::Participant>,
    },
}

impl HubFrame {
    pub fn error(id: Option<CommandId>, code: ErrorCode, message: impl Into<String>) -> Self {
        HubFrame::Error(ErrorFrame {
            id,
            code,
            message: message.into(),
        })
    }
}

const CLIENT_TYPES: [&str; 3] = ["hello", "command", "ping"];

impl ClientFrame {
    /// Parses a text frame, telling malformed JSON, unknown types and bad contents apart.
    /// A refused command still names its id when the id itself could be read, so the
    /// client can match the error to what it sent.
    pub fn parse(text: &str) -> Result<ClientFrame, ErrorFrame> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ErrorFrame {
            id: None,
            code: ErrorCode::BadFrame,
            message: format!("the frame is not valid JSON: {e}"),
        })?;
        let Some(kind) = value
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
        else {
            return Err(ErrorFrame {
                id: None,
                code: ErrorCode::BadFrame,
                message: "a frame is a JSON object with a \"type\" field".into(),
            });
        };
        if !CLIENT_TYPES.contains(&kind.as_str()) {
            return Err(ErrorFrame {
                id: None,
                code: ErrorCode::UnknownType,
                message: format!(
                    "unknown frame type '{}': expected hello, command or ping",
                    kind.chars().take(40).collect::<String>()
                ),
            });
        }
        let id = value
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| CommandId::try_from(s).ok());
        serde_json::from_value(value).map_err(|e| ErrorFrame {
            id,
            code: ErrorCode::BadFrame,
            message: format!("invalid {kind} frame: {e}"),
        })
    }
}

#[cfg(test)]
#[path = "frame_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_with_resume_parses() {
        let f =
            ClientFrame::parse(r#"{"type":"hello","token":"abc","resume_from":12,"x":1}"#).unwrap();
        assert_eq!(
            f,
            ClientFrame::Hello {
                token: Some("abc".into()),
                resume_from: Some(12),
                meeting: None
            }
        );
    }

    #[test]
    fn command_frames_carry_their_id() {
        let f = ClientFrame::parse(r#"{"type":"command","id":"c1","command":{"op":"adjourn"}}"#)
            .unwrap();
        assert_eq!(
            f,
            ClientFrame::Command {
                id: CommandId::try_from("c1").unwrap(),
                command: Command::Adjourn,
                pin: None
            }
        );
    }

    #[test]
    fn malformed_and_unknown_frames_get_distinct_codes() {
        assert_eq!(
            ClientFrame::parse("{not json").unwrap_err().code,
            ErrorCode::BadFrame
        );
        assert_eq!(
            ClientFrame::parse("[1,2]").unwrap_err().code,
            ErrorCode::BadFrame
        );
        assert_eq!(
            ClientFrame::parse(r#"{"type":"vote_twice"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UnknownType
        );
        let e = ClientFrame::parse(r#"{"type":"command","id":"c9","command":{"op":"nope"}}"#)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::BadFrame);
        assert_eq!(e.id.unwrap().as_str(), "c9");
    }

    #[test]
    fn hub_frames_are_tagged_by_type() {
        let f = HubFrame::Ack {
            id: CommandId::try_from("c1").unwrap(),
            seq: 3,
            receipt: None,
        };
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"type":"ack","id":"c1","seq":3}"#
        );
        let e = HubFrame::error(None, ErrorCode::BadToken, "revoked");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"error","code":"bad_token","message":"revoked"}"#
        );
        let back: HubFrame = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
