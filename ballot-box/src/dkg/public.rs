//! What everyone sees of the key setup: the messages the hub relays, the errors, and what
//! anyone (the hub, a verifier) computes from the public messages alone.

use elastic_elgamal::dkg::PublicInfo;
use elastic_elgamal::sharing::PublicKeySet;
use elastic_elgamal::{ProofOfPossession, PublicKey};
use serde::{Deserialize, Serialize};

use crate::committee::{CommitteeKey, CommitteeParams, KeyError};
use crate::encoding::{b64_32, b64_vec, hex32, short_code};
use crate::G;

/// Round 1, broadcast: `{"member":0,"commitment":"<hex>","transport_key":"<b64>"}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Round1 {
    pub member: u8,
    #[serde(with = "hex32")]
    pub commitment: [u8; 32],
    #[serde(with = "b64_32")]
    pub transport_key: [u8; 32],
}

/// Round 2, broadcast: `{"member":0,"info":{"polynomial":[…],"proof_of_possession":{…},
/// "opening":"…"}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Round2 {
    pub member: u8,
    pub info: PublicInfo<'static, G>,
}

/// Round 3, one per pair: `{"from":0,"to":1,"enc":"<b64>","ciphertext":"<b64>"}`; the hub
/// relays it to member `to` and cannot open it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SealedShare {
    pub from: u8,
    pub to: u8,
    #[serde(with = "b64_32")]
    pub enc: [u8; 32],
    #[serde(with = "b64_vec")]
    pub ciphertext: Vec<u8>,
}

/// After the key setup, published: the member holds the share of `committee`'s key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyConfirmation {
    pub member: u8,
    #[serde(with = "hex32")]
    pub committee: [u8; 32],
    pub proof: ProofOfPossession<G>,
}

/// Why a key-setup message or step is refused. Nothing changes when one is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DkgError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("this member's device is at the {found} step; {asked} needs the {expected} step")]
    WrongStep {
        asked: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("a message names member {member}; the committee has members 0 to {}", members - 1)]
    NotAMember { member: u8, members: u8 },
    #[error("two messages from member {member} in one round")]
    Duplicate { member: u8 },
    #[error("no message yet from members {members:?}")]
    Missing { members: Vec<u8> },
    #[error("the message given as this device's own (member {member}) is not what it sent")]
    NotMine { member: u8 },
    #[error("member {member}'s polynomial does not open their round-1 commitment")]
    BadCommitment { member: u8 },
    #[error("member {member}'s polynomial or its proof of possession does not hold")]
    BadPolynomial { member: u8 },
    #[error("member {member}'s transport key is not an X25519 public key")]
    BadTransportKey { member: u8 },
    #[error("a sealed share from member {from} is addressed to member {to}, not to this one")]
    NotForMe { from: u8, to: u8 },
    #[error("the sealed share from member {from} cannot be opened with this device's key")]
    Unreadable { from: u8 },
    #[error("the share from member {from} does not lie on their published polynomial")]
    BadShare { from: u8 },
    #[error("member {member}'s confirmation does not prove they hold their share")]
    BadConfirmation { member: u8 },
    #[error("the key does not come out the same: {0}")]
    Inconsistent(String),
}

/// The messages of one round by member: each member at most once, all named members on
/// the committee, and every member present except possibly this device's own.
pub(super) fn by_member<M>(
    members: u8,
    messages: &[M],
    who: impl Fn(&M) -> u8,
) -> Result<Vec<Option<&M>>, DkgError> {
    let mut slots: Vec<Option<&M>> = vec![None; members.into()];
    for message in messages {
        let member = who(message);
        let slot = slots
            .get_mut(usize::from(member))
            .ok_or(DkgError::NotAMember { member, members })?;
        if slot.replace(message).is_some() {
            return Err(DkgError::Duplicate { member });
        }
    }
    Ok(slots)
}

pub(super) fn missing<M>(slots: &[Option<&M>], except: Option<u8>) -> Result<(), DkgError> {
    let missing: Vec<u8> = (0u8..)
        .zip(slots)
        .filter(|(j, slot)| slot.is_none() && Some(*j) != except)
        .map(|(j, _)| j)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DkgError::Missing { members: missing })
    }
}

/// The committee key from every member's polynomial: each polynomial (with its proof) gives
/// every member a public key share; a member's share of the committee key is the sum of the
/// shares they get from all polynomials (`PublicKey + PublicKey`, the crate's operation).
pub(super) fn key_from_infos(
    params: &CommitteeParams,
    infos: &[PublicInfo<'static, G>],
) -> Result<CommitteeKey, DkgError> {
    let sharing = params.sharing();
    let mut keys: Option<Vec<PublicKey<G>>> = None;
    for (member, info) in (0u8..).zip(infos) {
        if info.polynomial.len() != usize::from(params.threshold) {
            return Err(DkgError::BadPolynomial { member });
        }
        let dealt = PublicKeySet::new(sharing, info.polynomial.clone(), &info.proof_of_possession)
            .map_err(|_| DkgError::BadPolynomial { member })?;
        keys = Some(match keys {
            None => dealt.participant_keys().to_vec(),
            Some(sum) => sum
                .into_iter()
                .zip(dealt.participant_keys())
                .map(|(a, b)| a + b.clone())
                .collect(),
        });
    }
    let keys = keys.ok_or(DkgError::Missing { members: vec![0] })?;
    let key_set = PublicKeySet::from_participants(sharing, keys)
        .map_err(|e| DkgError::Inconsistent(e.to_string()))?;
    Ok(CommitteeKey::new(key_set))
}

impl CommitteeKey {
    /// The committee key from all members' round-2 messages: what the hub (or anyone)
    /// computes without any secret. Each member's polynomial proof is checked.
    pub fn from_round2(
        params: &CommitteeParams,
        round2: &[Round2],
    ) -> Result<CommitteeKey, DkgError> {
        params.check()?;
        let slots = by_member(params.members, round2, |m| m.member)?;
        missing(&slots, None)?;
        let infos: Vec<_> = slots
            .into_iter()
            .flatten()
            .map(|m| m.info.clone())
            .collect();
        key_from_infos(params, &infos)
    }

    /// Checks a member's confirmation: they hold the share of this key's member key.
    pub fn verify_confirmation(&self, confirmation: &KeyConfirmation) -> Result<(), DkgError> {
        let member = confirmation.member;
        self.check_member(member)?;
        if &confirmation.committee != self.fingerprint_bytes() {
            return Err(KeyError::OtherCommittee {
                expected: self.code(),
                found: short_code(&confirmation.committee),
            }
            .into());
        }
        self.key_set()
            .verify_participant(member.into(), &confirmation.proof)
            .map_err(|_| DkgError::BadConfirmation { member })
    }
}
