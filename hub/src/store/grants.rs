//! Token grants: which token hash speaks for whom.
//!
//! Two trees move together, always inside one transaction: `grants` (hash → principal),
//! which answers "who is this?", and `participant_grants` (participant → hash), which knows
//! each participant's one current token so it can be replaced or revoked without the token.

use super::{keys, Principal, Store, StoreError};
use crate::tokens::TokenHash;
use protocol::{MeetingId, ParticipantId};
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionalTree,
};
use sled::Transactional as _;

/// A grant with its principal already in JSON.
pub(super) type EncodedGrant<'a> = (TokenHash, &'a Principal, Vec<u8>);

impl Store {
    /// Records that `hash` speaks for `principal`. For a participant this replaces (and
    /// revokes) their previous token.
    pub fn put_grant(&self, hash: TokenHash, principal: Principal) -> Result<(), StoreError> {
        let json = serde_json::to_vec(&principal)?;
        (&self.grants, &self.participant_grants)
            .transaction(|(gr, pg)| write_grant(gr, pg, &hash, &principal, &json))?;
        Ok(())
    }

    /// Revokes a participant's current token; `true` if they had one.
    pub fn revoke_participant(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<bool, StoreError> {
        let key = keys::participant(meeting, participant);
        let revoked = (&self.grants, &self.participant_grants).transaction(|(gr, pg)| {
            let Some(hash) = pg.remove(&key[..])? else {
                return Ok(false);
            };
            gr.remove(hash)?;
            Ok(true)
        })?;
        Ok(revoked)
    }

    /// Revokes one token, whoever it speaks for; `true` if it was granted.
    pub fn revoke(&self, hash: &TokenHash) -> Result<bool, StoreError> {
        let revoked = (&self.grants, &self.participant_grants).transaction(|(gr, pg)| {
            let Some(old) = gr.remove(&keys::grant(hash)[..])? else {
                return Ok(false);
            };
            unlink(pg, hash, &old)?;
            Ok(true)
        })?;
        Ok(revoked)
    }

    /// Makes `hash` the one hub-wide secretariat token: any other is revoked, so replacing
    /// the token file really retires the old token.
    pub fn replace_office_grant(&self, hash: TokenHash) -> Result<(), StoreError> {
        let office = serde_json::to_vec(&Principal::Office)?;
        let mut retired = Vec::new();
        for kv in self.grants.iter() {
            let (key, value) = kv?;
            if value.as_ref() == office.as_slice() && key.as_ref() != hash.0 {
                retired.push(key);
            }
        }
        self.grants.transaction(|gr| {
            for key in &retired {
                gr.remove(key.clone())?;
            }
            gr.insert(&keys::grant(&hash)[..], &office[..])?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })?;
        Ok(())
    }

    /// Whom a token speaks for, if anyone.
    pub fn grant(&self, hash: &TokenHash) -> Result<Option<Principal>, StoreError> {
        match self.grants.get(keys::grant(hash))? {
            Some(json) => Ok(Some(serde_json::from_slice(&json)?)),
            None => Ok(None),
        }
    }
}

/// Encodes grants before a transaction, so its closure (which sled may re-run) cannot fail
/// on them.
pub(super) fn encode_grants(
    grants: &[(TokenHash, Principal)],
) -> Result<Vec<EncodedGrant<'_>>, StoreError> {
    grants
        .iter()
        .map(|(hash, principal)| Ok((*hash, principal, serde_json::to_vec(principal)?)))
        .collect()
}

/// Writes one grant inside a transaction, keeping `participant_grants` pointing at each
/// participant's one current token.
pub(super) fn write_grant(
    gr: &TransactionalTree,
    pg: &TransactionalTree,
    hash: &TokenHash,
    principal: &Principal,
    json: &[u8],
) -> ConflictableTransactionResult<(), StoreError> {
    // A hash that already spoke for someone else stops being their current token.
    if let Some(old) = gr.get(keys::grant(hash))? {
        unlink(pg, hash, &old)?;
    }
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(*meeting, *participant);
        if let Some(previous) = pg.insert(&key[..], &hash.0[..])? {
            // Re-issuing a participant's token revokes the one it replaces.
            if previous.as_ref() != hash.0 {
                gr.remove(previous)?;
            }
        }
    }
    gr.insert(&keys::grant(hash)[..], json)?;
    Ok(())
}

/// Drops the `participant_grants` entry for the principal in `principal_json` if it points
/// at `hash` (it may already point at a newer token, which must stay).
fn unlink(
    pg: &TransactionalTree,
    hash: &TokenHash,
    principal_json: &[u8],
) -> ConflictableTransactionResult<(), StoreError> {
    let principal: Principal = serde_json::from_slice(principal_json)
        .map_err(|e| ConflictableTransactionError::Abort(StoreError::Json(e)))?;
    if let Principal::Participant {
        meeting,
        participant,
    } = principal
    {
        let key = keys::participant(meeting, participant);
        if pg.get(key)?.and_then(|h| keys::hash_from(&h)) == Some(*hash) {
            pg.remove(&key[..])?;
        }
    }
    Ok(())
}
