//! Token grants: which token hash speaks for whom.
//!
//! Two tables move together, always inside one transaction: `grants` (hash → principal),
//! which answers "who is this?", and `participant_grants` (participant → hash), which knows
//! each participant's one current token so it can be replaced or revoked without the token.

use super::{keys, Principal, Store, StoreError};
use crate::tokens::{Token, TokenHash};
use protocol::{MeetingId, ParticipantId};
use redb::{ReadableTable, Table};

/// A table open in a write transaction.
type Rows<'t> = Table<'t, &'static [u8], &'static [u8]>;

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
        let txn = self.begin()?;
        {
            let mut gr = txn.open_table(keys::GRANTS)?;
            let mut pg = txn.open_table(keys::PARTICIPANT_GRANTS)?;
            write(&mut gr, &mut pg, &hash, &principal, &json)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Revokes a participant's current token; `true` if they had one.
    pub fn revoke_participant(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<bool, StoreError> {
        let txn = self.begin()?;
        let revoked = {
            let mut gr = txn.open_table(keys::GRANTS)?;
            let mut pg = txn.open_table(keys::PARTICIPANT_GRANTS)?;
            revoke_participant(&mut gr, &mut pg, meeting, participant)?
        };
        txn.commit()?;
        Ok(revoked)
    }

    /// Revokes one token, whoever it speaks for; `true` if it was granted.
    pub fn revoke(&self, hash: &TokenHash) -> Result<bool, StoreError> {
        let txn = self.begin()?;
        let revoked = {
            let mut gr = txn.open_table(keys::GRANTS)?;
            let mut pg = txn.open_table(keys::PARTICIPANT_GRANTS)?;
            let old = gr
                .remove(&keys::grant(hash)[..])?
                .map(|v| v.value().to_vec());
            match old {
                Some(old) => {
                    unlink(&mut pg, hash, &old)?;
                    true
                }
                None => false,
            }
        };
        txn.commit()?;
        Ok(revoked)
    }

    /// Makes `hash` the one hub-wide secretariat token: any other is revoked, so replacing
    /// the token file really retires the old token.
    pub fn replace_office_grant(&self, hash: TokenHash) -> Result<(), StoreError> {
        let office = serde_json::to_vec(&Principal::Office)?;
        let txn = self.begin()?;
        {
            let mut gr = txn.open_table(keys::GRANTS)?;
            let mut retired = Vec::new();
            for row in gr.range::<&[u8]>(..)? {
                let (key, value) = row?;
                if value.value() == office.as_slice() && key.value() != hash.0 {
                    retired.push(key.value().to_vec());
                }
            }
            for key in &retired {
                gr.remove(&key[..])?;
            }
            gr.insert(&keys::grant(&hash)[..], &office[..])?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Whom a token speaks for, if anyone.
    pub fn grant(&self, hash: &TokenHash) -> Result<Option<Principal>, StoreError> {
        let txn = self.reader()?;
        let gr = txn.open_table(keys::GRANTS)?;
        let json = gr.get(&keys::grant(hash)[..])?;
        match json {
            Some(json) => Ok(Some(serde_json::from_slice(json.value())?)),
            None => Ok(None),
        }
    }
}

/// Writes one grant inside a transaction, keeping `participant_grants` pointing at each
/// participant's one current token.
pub(super) fn write(
    gr: &mut Rows<'_>,
    pg: &mut Rows<'_>,
    hash: &TokenHash,
    principal: &Principal,
    json: &[u8],
) -> Result<(), StoreError> {
    // A hash that already spoke for someone else stops being their current token.
    let old = gr.get(&keys::grant(hash)[..])?.map(|v| v.value().to_vec());
    if let Some(old) = old {
        unlink(pg, hash, &old)?;
    }
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(*meeting, *participant);
        let previous = pg
            .insert(&key[..], &hash.0[..])?
            .map(|v| v.value().to_vec());
        // Re-issuing a participant's token revokes the one it replaces.
        if let Some(previous) = previous.filter(|p| p.as_slice() != hash.0) {
            gr.remove(&previous[..])?;
        }
    }
    gr.insert(&keys::grant(hash)[..], json)?;
    Ok(())
}

/// Deletes a participant's current token inside a transaction; `true` if they had one.
pub(super) fn revoke_participant(
    gr: &mut Rows<'_>,
    pg: &mut Rows<'_>,
    meeting: MeetingId,
    participant: ParticipantId,
) -> Result<bool, StoreError> {
    let key = keys::participant(meeting, participant);
    let hash = pg.remove(&key[..])?.map(|v| v.value().to_vec());
    let Some(hash) = hash else {
        return Ok(false);
    };
    gr.remove(&hash[..])?;
    Ok(true)
}

/// Drops the `participant_grants` entry for the principal in `principal_json` if it points
/// at `hash` (it may already point at a newer token, which must stay).
fn unlink(pg: &mut Rows<'_>, hash: &TokenHash, principal_json: &[u8]) -> Result<(), StoreError> {
    let principal: Principal = serde_json::from_slice(principal_json)?;
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(meeting, participant);
        let current = pg.get(&key[..])?.and_then(|h| keys::hash_from(h.value()));
        if current == Some(*hash) {
            pg.remove(&key[..])?;
        }
    }
    Ok(())
}
