//! Token grants: which token hash speaks for whom.
//!
//! Two tables move together, always inside one transaction: `grants` (hash → principal),
//! which answers "who is this?", and `participant_grants` (participant → hash), which knows
//! each participant's one current token so it can be replaced or revoked without the token.

use super::rows::WriteRows;
use super::{keys, Principal, Store, StoreError};
use crate::tokens::{Token, TokenHash};
use protocol::{MeetingId, ParticipantId};

/// A grant ready to write: its principal in JSON and, for a participant, the `kept_tokens`
/// row that keeps the token sealed for their badge.
pub(super) struct Encoded<'a> {
    pub hash: TokenHash,
    pub principal: &'a Principal,
    pub json: Vec<u8>,
    pub kept: Option<([u8; 32], Vec<u8>)>,
}

/// Encodes and seals grants before their transaction.
pub(super) fn encode<'a>(
    store: &Store,
    grants: &'a [(Token, Principal)],
) -> Result<Vec<Encoded<'a>>, StoreError> {
    grants
        .iter()
        .map(|(token, principal)| {
            let kept = match principal {
                Principal::Participant {
                    meeting,
                    participant,
                } => Some(store.seal(*meeting, *participant, token)?),
                Principal::Office | Principal::Device { .. } => None,
            };
            Ok(Encoded {
                hash: token.hash(),
                principal,
                json: serde_json::to_vec(principal)?,
                kept,
            })
        })
        .collect()
}

impl Store {
    /// Records that `hash` speaks for `principal`. For a participant this replaces (and
    /// revokes) their previous token. Durable when it returns.
    pub fn put_grant(&self, hash: TokenHash, principal: Principal) -> Result<(), StoreError> {
        let json = serde_json::to_vec(&principal)?;
        self.write_rows(|rows| write(rows, &hash, &principal, &json))
    }

    /// Revokes a participant's current token; `true` if they had one.
    pub fn revoke_participant(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<bool, StoreError> {
        self.write_rows(|rows| revoke_participant(rows, meeting, participant))
    }

    /// Revokes one token, whoever it speaks for; `true` if it was granted.
    pub fn revoke(&self, hash: &TokenHash) -> Result<bool, StoreError> {
        self.write_rows(
            |rows| match rows.remove(keys::GRANTS, &keys::grant(hash))? {
                Some(old) => {
                    unlink(rows, hash, &old)?;
                    Ok(true)
                }
                None => Ok(false),
            },
        )
    }

    /// Makes `hash` the one hub-wide secretariat token: any other is revoked, so replacing
    /// the token file really retires the old token.
    pub fn replace_office_grant(&self, hash: TokenHash) -> Result<(), StoreError> {
        let office = serde_json::to_vec(&Principal::Office)?;
        self.write_rows(|rows| {
            for (key, value) in rows.range(keys::GRANTS, &[], None)? {
                if value == office && key != hash.0 {
                    rows.remove(keys::GRANTS, &key)?;
                }
            }
            rows.insert(keys::GRANTS, &keys::grant(&hash), &office)?;
            Ok(())
        })
    }

    /// Whom a token speaks for, if anyone.
    pub fn grant(&self, hash: &TokenHash) -> Result<Option<Principal>, StoreError> {
        match self.read_rows(|rows| rows.get(keys::GRANTS, &keys::grant(hash)))? {
            Some(json) => Ok(Some(serde_json::from_slice(&json)?)),
            None => Ok(None),
        }
    }
}

/// Writes one grant inside a transaction, keeping `participant_grants` pointing at each
/// participant's one current token.
pub(super) fn write(
    rows: &mut dyn WriteRows,
    hash: &TokenHash,
    principal: &Principal,
    json: &[u8],
) -> Result<(), StoreError> {
    // A hash that already spoke for someone else stops being their current token.
    if let Some(old) = rows.get(keys::GRANTS, &keys::grant(hash))? {
        unlink(rows, hash, &old)?;
    }
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(*meeting, *participant);
        let previous = rows.insert(keys::PARTICIPANT_GRANTS, &key, &hash.0)?;
        // Re-issuing a participant's token revokes the one it replaces.
        if let Some(previous) = previous.filter(|p| p.as_slice() != hash.0) {
            rows.remove(keys::GRANTS, &previous)?;
        }
    }
    rows.insert(keys::GRANTS, &keys::grant(hash), json)?;
    Ok(())
}

/// Deletes a participant's current token inside a transaction; `true` if they had one.
pub(super) fn revoke_participant(
    rows: &mut dyn WriteRows,
    meeting: MeetingId,
    participant: ParticipantId,
) -> Result<bool, StoreError> {
    let key = keys::participant(meeting, participant);
    let Some(hash) = rows.remove(keys::PARTICIPANT_GRANTS, &key)? else {
        return Ok(false);
    };
    rows.remove(keys::GRANTS, &hash)?;
    Ok(true)
}

/// Drops the `participant_grants` entry for the principal in `principal_json` if it points
/// at `hash` (it may already point at a newer token, which must stay).
fn unlink(
    rows: &mut dyn WriteRows,
    hash: &TokenHash,
    principal_json: &[u8],
) -> Result<(), StoreError> {
    let principal: Principal = serde_json::from_slice(principal_json)?;
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(meeting, participant);
        let current = rows
            .get(keys::PARTICIPANT_GRANTS, &key)?
            .and_then(|h| keys::hash_from(&h));
        if current == Some(*hash) {
            rows.remove(keys::PARTICIPANT_GRANTS, &key)?;
        }
    }
    Ok(())
}
