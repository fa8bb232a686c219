//! The office's own records, beside the meetings': its hash-chained log of directory events
//! (`office_log`), each enrolled device's secrets (`devices`: its token's hash, its PIN's
//! salted slow hash, the wrong PINs in a row) and the enrolment codes not yet used
//! (`enrolments`, by their hash). [`Store::write_office`] writes one batch of all of them,
//! with the device tokens' grants and revocations, in one fsynced transaction.

use super::{keys, Principal, Store, StoreError, GENESIS};
use crate::tokens::TokenHash;
use protocol::directory::{DeviceId, PersonId};
use protocol::{OfficeEvent, Timestamp};
use ring::digest;
use serde::{Deserialize, Serialize};

/// What the store keeps of one enrolled device. Never sent anywhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSecret {
    pub person: PersonId,
    /// Hex SHA-256 of the device's token (the token itself is never kept).
    pub token_hash: String,
    /// The PIN's hash, as `crate::pins` writes it (salt and iterations inside).
    pub pin: String,
    /// Wrong PINs since the last right one.
    pub failures: u32,
}

/// A one-time enrolment code waiting to be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub person: PersonId,
    pub expires_at: Timestamp,
}

/// One batch of the office's writes.
#[derive(Clone, Debug, Default)]
pub struct OfficeChanges {
    /// Events continuing the office log.
    pub events: Vec<OfficeEvent>,
    /// Device secrets to write, or (`None`) to delete.
    pub devices: Vec<(DeviceId, Option<DeviceSecret>)>,
    /// Enrolment codes to keep, or (`None`) to spend.
    pub enrolments: Vec<(TokenHash, Option<Enrolment>)>,
    /// Tokens to grant (a device's), after the revocations.
    pub grants: Vec<(TokenHash, Principal)>,
    /// Tokens to delete (a revoked device's).
    pub revoke: Vec<TokenHash>,
}

#[derive(Serialize, Deserialize)]
struct Row {
    event: OfficeEvent,
    chain: String,
}

/// `SHA-256(previous chain || JSON(event))`, from 32 zero bytes.
fn next_chain(prev: &[u8; 32], event: &OfficeEvent) -> Result<[u8; 32], StoreError> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prev);
    ctx.update(&serde_json::to_vec(event)?);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(out)
}

fn corrupt(seq: u64, reason: impl Into<String>) -> StoreError {
    StoreError::OfficeCorrupt {
        seq,
        reason: reason.into(),
    }
}

impl Store {
    /// Writes one office batch, all or nothing, durable when it returns. The events must
    /// continue the log exactly, or nothing is written.
    pub fn write_office(&self, changes: &OfficeChanges) -> Result<(), StoreError> {
        self.write_rows(|rows| {
            let (mut seq, mut chain) = match rows.last(keys::OFFICE_LOG, &[])? {
                None => (0, GENESIS),
                Some((key, value)) => {
                    let row: Row = serde_json::from_slice(&value)?;
                    let chain = super::records::chain_from_hex(&row.chain)
                        .ok_or_else(|| corrupt(row.event.seq, "unreadable chain"))?;
                    (keys::seq_of(&key).unwrap_or(0), chain)
                }
            };
            for event in &changes.events {
                if event.seq != seq + 1 {
                    return Err(corrupt(event.seq, format!("expected seq {}", seq + 1)));
                }
                chain = next_chain(&chain, event)?;
                seq = event.seq;
                let row = serde_json::to_vec(&Row {
                    event: event.clone(),
                    chain: hex::encode(chain),
                })?;
                rows.insert(keys::OFFICE_LOG, &seq.to_be_bytes(), &row)?;
            }
            for (id, secret) in &changes.devices {
                match secret {
                    Some(s) => {
                        rows.insert(keys::DEVICES, id.as_bytes(), &serde_json::to_vec(s)?)?;
                    }
                    None => {
                        rows.remove(keys::DEVICES, id.as_bytes())?;
                    }
                }
            }
            for (hash, enrolment) in &changes.enrolments {
                match enrolment {
                    Some(e) => {
                        rows.insert(keys::ENROLMENTS, &hash.0, &serde_json::to_vec(e)?)?;
                    }
                    None => {
                        rows.remove(keys::ENROLMENTS, &hash.0)?;
                    }
                }
            }
            for hash in &changes.revoke {
                rows.remove(keys::GRANTS, &keys::grant(hash))?;
            }
            for (hash, principal) in &changes.grants {
                rows.insert(
                    keys::GRANTS,
                    &keys::grant(hash),
                    &serde_json::to_vec(principal)?,
                )?;
            }
            Ok(())
        })
    }

    /// The whole office log, every link of its chain checked.
    pub fn office_log(&self) -> Result<Vec<OfficeEvent>, StoreError> {
        let all = self.read_rows(|rows| rows.range(keys::OFFICE_LOG, &[], None))?;
        let mut chain = GENESIS;
        let mut events = Vec::new();
        for (key, value) in all {
            let expected = events.len() as u64 + 1;
            let seq = keys::seq_of(&key).unwrap_or(0);
            let row: Row = serde_json::from_slice(&value)
                .map_err(|e| corrupt(seq, format!("unreadable record: {e}")))?;
            if seq != expected || row.event.seq != expected {
                return Err(corrupt(seq, format!("expected seq {expected}")));
            }
            chain = next_chain(&chain, &row.event)?;
            if row.chain != hex::encode(chain) {
                return Err(corrupt(seq, "the hash chain does not match"));
            }
            events.push(row.event);
        }
        Ok(events)
    }

    /// One device's secrets, if it is enrolled.
    pub fn device_secret(&self, device: DeviceId) -> Result<Option<DeviceSecret>, StoreError> {
        let value = self.read_rows(|rows| rows.get(keys::DEVICES, device.as_bytes()))?;
        Ok(value.map(|v| serde_json::from_slice(&v)).transpose()?)
    }

    /// An enrolment code's entry, if the code is waiting (expired or not).
    pub fn enrolment(&self, code: &TokenHash) -> Result<Option<Enrolment>, StoreError> {
        let value = self.read_rows(|rows| rows.get(keys::ENROLMENTS, &code.0))?;
        Ok(value.map(|v| serde_json::from_slice(&v)).transpose()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::directory::{OfficeEventKind, Person};

    fn added(seq: u64) -> OfficeEvent {
        OfficeEvent {
            seq,
            at: Timestamp(seq as i64),
            kind: OfficeEventKind::PersonAdded {
                person: Person {
                    id: PersonId::new_random(),
                    name: format!("Người {seq}"),
                    position: String::new(),
                    unit: String::new(),
                    contact: String::new(),
                },
            },
        }
    }

    #[test]
    fn the_office_log_continues_reopens_and_refuses_a_gap() {
        let dir = tempfile::tempdir().unwrap();
        let device = DeviceId::new_random();
        let hash = TokenHash([7; 32]);
        let person = PersonId::new_random();
        {
            let store = Store::open(dir.path()).unwrap();
            let batch = OfficeChanges {
                events: vec![added(1), added(2)],
                devices: vec![(
                    device,
                    Some(DeviceSecret {
                        person,
                        token_hash: hex::encode(hash.0),
                        pin: "x".into(),
                        failures: 0,
                    }),
                )],
                grants: vec![(hash, Principal::Device { person, device })],
                ..OfficeChanges::default()
            };
            store.write_office(&batch).unwrap();
            let gap = OfficeChanges {
                events: vec![added(4)],
                revoke: vec![hash],
                ..OfficeChanges::default()
            };
            assert!(store.write_office(&gap).is_err());
            assert!(
                store.grant(&hash).unwrap().is_some(),
                "a refused batch writes nothing"
            );
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.office_log().unwrap().len(), 2);
        assert_eq!(store.device_secret(device).unwrap().unwrap().person, person);
        assert_eq!(
            store.grant(&hash).unwrap(),
            Some(Principal::Device { person, device })
        );
        store
            .write_office(&OfficeChanges {
                events: vec![added(3)],
                devices: vec![(device, None)],
                revoke: vec![hash],
                ..OfficeChanges::default()
            })
            .unwrap();
        assert_eq!(store.office_log().unwrap().len(), 3);
        assert!(store.device_secret(device).unwrap().is_none());
        assert!(store.grant(&hash).unwrap().is_none());
    }

    #[test]
    fn an_edited_office_log_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write_office(&OfficeChanges {
                events: vec![added(1), added(2)],
                ..OfficeChanges::default()
            })
            .unwrap();
        // Rewrite event 1 behind the store's back, keeping its chain value.
        store
            .write_rows(|rows| {
                let v = rows.get(keys::OFFICE_LOG, &1u64.to_be_bytes())?.unwrap();
                let old: Row = serde_json::from_slice(&v)?;
                let forged = Row {
                    event: OfficeEvent {
                        at: Timestamp(99),
                        ..old.event
                    },
                    chain: old.chain,
                };
                rows.insert(
                    keys::OFFICE_LOG,
                    &1u64.to_be_bytes(),
                    &serde_json::to_vec(&forged)?,
                )?;
                Ok(())
            })
            .unwrap();
        let err = store.office_log().unwrap_err().to_string();
        assert!(err.contains("chain"), "{err}");
    }
}
