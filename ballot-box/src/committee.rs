//! The counting committee's key (khóa của Ban kiểm phiếu): n members, a threshold t, the
//! public key ballots are encrypted to, and each member's public key share, against which
//! their decryption shares are checked.
//!
//! The key comes from the members' devices ([`crate::dkg`]) or, as a documented fallback
//! and for tests, from a dealer ([`deal`]) who holds the whole secret for a moment.

use elastic_elgamal::sharing::{ActiveParticipant, Dealer, Params, PublicKeySet};
use elastic_elgamal::PublicKey;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encoding::{hex, hex32, short_code};
use crate::secret::MemberSecret;
use crate::G;

/// The most members a committee may have: a Ban kiểm phiếu has 3 to 5, 9 leaves room.
pub const MAX_MEMBERS: u8 = 9;

/// What is wrong with a committee, a key or a member's secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "a committee of {members} with threshold {threshold}: it needs 1 to 9 members and a \
         threshold from 1 to the number of members"
    )]
    BadCommittee { members: u8, threshold: u8 },
    #[error("the member keys do not make one committee key: {0}")]
    Inconsistent(String),
    #[error("member {index} is not on this committee of {members}")]
    NotAMember { index: u8, members: u8 },
    #[error("this secret belongs to committee {found}, not to committee {expected}")]
    OtherCommittee { expected: String, found: String },
    #[error("the secret share of member {index} does not match their public key share")]
    ShareDoesNotMatch { index: u8 },
    #[error("not a member secret: {0}")]
    BadText(&'static str),
}

/// Who the committee is: how many members, how many must agree to open a count, and a
/// session id that keeps one key setup's messages out of another (the hub picks it, e.g.
/// SHA-256 of the meeting id and a fresh nonce).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeParams {
    pub members: u8,
    pub threshold: u8,
    #[serde(with = "hex32")]
    pub session: [u8; 32],
}

impl CommitteeParams {
    /// Checked parameters.
    pub fn new(members: u8, threshold: u8, session: [u8; 32]) -> Result<Self, KeyError> {
        let params = Self {
            members,
            threshold,
            session,
        };
        params.check()?;
        Ok(params)
    }

    /// 1 to [`MAX_MEMBERS`] members and a threshold in `1..=members`: parameters that came
    /// over the wire are checked before anything uses them.
    pub fn check(&self) -> Result<(), KeyError> {
        check_shape(self.members, self.threshold)
    }

    /// The crate's parameters; only after [`Self::check`] (`Params::new` panics otherwise).
    pub(crate) fn sharing(&self) -> Params {
        Params::new(self.members.into(), self.threshold.into())
    }
}

fn check_shape(members: u8, threshold: u8) -> Result<(), KeyError> {
    if (1..=MAX_MEMBERS).contains(&members) && (1..=members).contains(&threshold) {
        Ok(())
    } else {
        Err(KeyError::BadCommittee { members, threshold })
    }
}

/// The committee's public key: n, t, the key ballots are encrypted to and every member's
/// public key share. Public; anyone can hold it. Deserializing checks that the member keys
/// are shares of the one committee key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "CommitteeKeyWire", into = "CommitteeKeyWire")]
pub struct CommitteeKey {
    key_set: PublicKeySet<G>,
    fingerprint: [u8; 32],
}

/// `{"members":3,"threshold":2,"public_key":"…","member_keys":["…","…","…"]}`.
#[derive(Clone, Serialize, Deserialize)]
struct CommitteeKeyWire {
    members: u8,
    threshold: u8,
    public_key: PublicKey<G>,
    member_keys: Vec<PublicKey<G>>,
}

impl TryFrom<CommitteeKeyWire> for CommitteeKey {
    type Error = KeyError;

    fn try_from(wire: CommitteeKeyWire) -> Result<Self, KeyError> {
        check_shape(wire.members, wire.threshold)?;
        let params = Params::new(wire.members.into(), wire.threshold.into());
        let key_set = PublicKeySet::from_participants(params, wire.member_keys)
            .map_err(|e| KeyError::Inconsistent(e.to_string()))?;
        if key_set.shared_key() != &wire.public_key {
            return Err(KeyError::Inconsistent(
                "the public key is not the one the member keys share".into(),
            ));
        }
        Ok(Self::new(key_set))
    }
}

impl From<CommitteeKey> for CommitteeKeyWire {
    fn from(key: CommitteeKey) -> Self {
        let params = key.key_set.params();
        Self {
            members: params.shares as u8,
            threshold: params.threshold as u8,
            public_key: key.key_set.shared_key().clone(),
            member_keys: key.key_set.participant_keys().to_vec(),
        }
    }
}

impl CommitteeKey {
    /// Wraps a key set whose shape was checked (at most [`MAX_MEMBERS`]).
    pub(crate) fn new(key_set: PublicKeySet<G>) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"ballot-box/committee/v1\n");
        let params = key_set.params();
        hash.update([params.shares as u8, params.threshold as u8]);
        hash.update(key_set.shared_key().as_bytes());
        for key in key_set.participant_keys() {
            hash.update(key.as_bytes());
        }
        Self {
            fingerprint: hash.finalize().into(),
            key_set,
        }
    }

    /// How many members the committee has.
    pub fn members(&self) -> u8 {
        self.key_set.params().shares as u8
    }

    /// How many members must give their shares to open a count.
    pub fn threshold(&self) -> u8 {
        self.key_set.params().threshold as u8
    }

    /// The key ballots are encrypted to.
    pub fn public_key(&self) -> &PublicKey<G> {
        self.key_set.shared_key()
    }

    /// Member `index`'s public key share (0-based; show `index + 1` to people).
    pub fn member_key(&self, index: u8) -> Option<&PublicKey<G>> {
        self.key_set.participant_key(index.into())
    }

    /// SHA-256 of the key's canonical bytes, hex: names this committee in members' secrets,
    /// in ballots' proofs and in published results.
    pub fn fingerprint(&self) -> String {
        hex(&self.fingerprint)
    }

    /// Ten Crockford characters of the fingerprint, for members to compare by eye.
    pub fn code(&self) -> String {
        short_code(&self.fingerprint)
    }

    pub(crate) fn fingerprint_bytes(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    pub(crate) fn key_set(&self) -> &PublicKeySet<G> {
        &self.key_set
    }

    /// `Err(NotAMember)` unless `index` names a member.
    pub(crate) fn check_member(&self, index: u8) -> Result<(), KeyError> {
        if index < self.members() {
            Ok(())
        } else {
            Err(KeyError::NotAMember {
                index,
                members: self.members(),
            })
        }
    }
}

/// Sets a committee up with a dealer (Feldman's verifiable secret sharing): one machine
/// makes the whole secret key, hands each member a share and forgets it.
///
/// The fallback when members' devices cannot run the key generation together
/// ([`crate::dkg`]): whoever runs this holds the key that opens every ballot for as long as
/// it runs, so run it on a machine the committee trusts. The dealer's polynomial (whose
/// constant term is the secret key) is dropped before this returns, and elastic-elgamal
/// zeroizes secret keys on drop. Each returned [`MemberSecret`] must go to its member only.
pub fn deal<R: CryptoRng + RngCore>(
    params: CommitteeParams,
    rng: &mut R,
) -> Result<(CommitteeKey, Vec<MemberSecret>), KeyError> {
    params.check()?;
    let sharing = params.sharing();
    let dealer = Dealer::<G>::new(sharing, rng);
    let (polynomial, proof) = dealer.public_info();
    let key_set = PublicKeySet::new(sharing, polynomial, proof)
        .map_err(|e| KeyError::Inconsistent(e.to_string()))?;
    let key = CommitteeKey::new(key_set.clone());
    let secrets = (0..params.members)
        .map(|index| {
            let share = dealer.secret_share_for_participant(index.into());
            let member = ActiveParticipant::new(key_set.clone(), index.into(), share)
                .map_err(|_| KeyError::ShareDoesNotMatch { index })?;
            Ok(MemberSecret::new(
                &key,
                index,
                member.secret_share().clone(),
            ))
        })
        .collect::<Result<Vec<_>, KeyError>>();
    // The whole secret key lives in the dealer's polynomial: gone (zeroized) from here on.
    drop(dealer);
    Ok((key, secrets?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rng;

    #[test]
    fn committee_shapes_are_checked() {
        assert!(CommitteeParams::new(3, 2, [0; 32]).is_ok());
        assert!(CommitteeParams::new(1, 1, [0; 32]).is_ok());
        assert!(CommitteeParams::new(9, 9, [0; 32]).is_ok());
        for (n, t) in [(0, 0), (3, 0), (3, 4), (10, 2)] {
            assert_eq!(
                CommitteeParams::new(n, t, [0; 32]),
                Err(KeyError::BadCommittee {
                    members: n,
                    threshold: t
                })
            );
        }
    }

    #[test]
    fn a_committee_key_survives_json_and_refuses_a_foreign_member_key() {
        let params = CommitteeParams::new(3, 2, [1; 32]).unwrap();
        let (key, _) = deal(params, &mut rng(1)).unwrap();
        let json = serde_json::to_value(&key).unwrap();
        assert_eq!(json["members"], 3);
        assert_eq!(json["member_keys"].as_array().unwrap().len(), 3);
        let back: CommitteeKey = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back.fingerprint(), key.fingerprint());

        let (other, _) = deal(params, &mut rng(2)).unwrap();
        let other = serde_json::to_value(&other).unwrap();
        let mut mixed = json.clone();
        mixed["member_keys"][2] = other["member_keys"][2].clone();
        let err = serde_json::from_value::<CommitteeKey>(mixed).unwrap_err();
        assert!(
            err.to_string().contains("do not make one committee key"),
            "{err}"
        );

        let mut wrong_key = json;
        wrong_key["public_key"] = other["public_key"].clone();
        assert!(serde_json::from_value::<CommitteeKey>(wrong_key).is_err());
    }
}
