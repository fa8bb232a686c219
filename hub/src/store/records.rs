//! What the store keeps besides the wire types: who a token speaks for, what caused an
//! event, and the hash chain that makes the log tamper-evident.

use protocol::{CommandId, Event, MeetingId, ParticipantId, Timestamp};
use ring::digest;
use serde::{Deserialize, Serialize};

/// Who a token speaks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// The hub-wide secretariat token, which can create meetings.
    Office,
    /// One participant of one meeting; their role is in the meeting's state, not here.
    Participant {
        meeting: MeetingId,
        participant: ParticipantId,
    },
    /// A tablet enrolled to a person of the office's directory: it enters each meeting
    /// that summoned the person as their participant there.
    Device {
        person: protocol::PersonId,
        device: protocol::DeviceId,
    },
}

/// What caused an event: who sent which command. Kept in the store (for idempotent
/// re-sends after a restart and for audit), never sent on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub principal: Principal,
    pub command: CommandId,
}

/// One entry of a meeting's log as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub event: Event,
    /// `None` for events the hub made itself (an import, a timer).
    pub origin: Option<Origin>,
    /// Hex SHA-256 over the previous record's chain, this event and this origin; see
    /// [`next_chain`].
    pub chain: String,
}

/// The value in the `meetings` table: only there so meetings can be listed without
/// scanning the log; the time says when the first event was recorded.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct MeetingEntry {
    pub created_at: Timestamp,
}

/// The chain value before a meeting's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// `SHA-256(prev || json(event) || json(origin))`, with `origin` serialized as an
/// `Option` (`null` when absent). Serializing the typed values, not the stored bytes, means
/// a replay recomputes exactly what the append computed. `hub verify` checks a dossier's
/// log with this same function.
pub fn next_chain(
    prev: &[u8; 32],
    event: &Event,
    origin: &Option<Origin>,
) -> Result<[u8; 32], serde_json::Error> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prev);
    ctx.update(&serde_json::to_vec(event)?);
    ctx.update(&serde_json::to_vec(origin)?);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(out)
}

/// Reads a chain back from hex; `None` unless it is exactly 32 bytes of hex.
pub(super) fn chain_from_hex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_reads_back_from_hex_and_junk_does_not() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37);
        }
        let text = hex::encode(bytes);
        assert!(text.starts_with("00254a6f"));
        assert_eq!(chain_from_hex(&text), Some(bytes));
        assert_eq!(chain_from_hex(&text[..62]), None);
        assert_eq!(chain_from_hex(&format!("{}zz", &text[..62])), None);
    }

    #[test]
    fn principals_are_tagged_by_kind() {
        let json = serde_json::to_string(&Principal::Office).unwrap();
        assert_eq!(json, r#"{"kind":"office"}"#);
        let p = Principal::Participant {
            meeting: MeetingId::new_random(),
            participant: ParticipantId::new_random(),
        };
        let back: Principal = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
