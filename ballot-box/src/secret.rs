//! A committee member's secret: their index and their share of the committee's secret key.
//! It lives on the member's own device (and, if they wish, on paper as a QR code of
//! [`MemberSecret::to_text`]); never in the hub's data.

use elastic_elgamal::group::{Ristretto, ScalarOps};
use elastic_elgamal::sharing::ActiveParticipant;
use elastic_elgamal::SecretKey;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::committee::{CommitteeKey, KeyError};
use crate::count::{CountError, DecryptionShare, EncryptedSum, SharePart};
use crate::encoding::{crockford, hex, hex32, normalize_code, short_code};
use crate::G;

/// What a member's text form starts with: Ban Kiểm Phiếu, version 1.
const TEXT_PREFIX: &str = "BKP1";

/// A member's share of the committee's secret key, with their index and the fingerprint of
/// the committee it belongs to. JSON: `{"committee":"<64 hex>","member":0,"share":"<b64>"}`.
/// `Debug` does not show the share; the share is zeroized when dropped.
#[derive(Clone, Serialize, Deserialize)]
pub struct MemberSecret {
    #[serde(with = "hex32")]
    committee: [u8; 32],
    member: u8,
    share: SecretKey<G>,
}

impl std::fmt::Debug for MemberSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberSecret")
            .field("committee", &hex(&self.committee))
            .field("member", &self.member)
            .field("share", &"(secret)")
            .finish()
    }
}

impl MemberSecret {
    pub(crate) fn new(key: &CommitteeKey, member: u8, share: SecretKey<G>) -> Self {
        Self {
            committee: *key.fingerprint_bytes(),
            member,
            share,
        }
    }

    /// The member's 0-based index on the committee.
    pub fn index(&self) -> u8 {
        self.member
    }

    /// The fingerprint of the committee this secret belongs to.
    pub fn committee(&self) -> String {
        hex(&self.committee)
    }

    /// Checks that this secret is member `index`'s share of `key`: the right committee, and a
    /// share whose public key is that member's public key share.
    pub fn check(&self, key: &CommitteeKey) -> Result<(), KeyError> {
        self.participant(key).map(drop)
    }

    fn participant(&self, key: &CommitteeKey) -> Result<ActiveParticipant<G>, KeyError> {
        if &self.committee != key.fingerprint_bytes() {
            return Err(KeyError::OtherCommittee {
                expected: key.code(),
                found: short_code(&self.committee),
            });
        }
        key.check_member(self.member)?;
        ActiveParticipant::new(
            key.key_set().clone(),
            self.member.into(),
            self.share.clone(),
        )
        .map_err(|_| KeyError::ShareDoesNotMatch { index: self.member })
    }

    /// A short text for a printed QR code (uppercase, so QR's compact alphanumeric mode
    /// holds it): `BKP1-<index>-<committee code>-<share in Crockford base32>`, e.g.
    /// `BKP1-0-7K3M9Q2XWA-…` (69 characters). Whoever holds it holds the member's share.
    pub fn to_text(&self) -> String {
        let mut bytes = [0u8; 32];
        Ristretto::serialize_scalar(self.share.expose_scalar(), &mut bytes);
        let text = format!(
            "{TEXT_PREFIX}-{}-{}-{}",
            self.member,
            short_code(&self.committee),
            crockford().encode(&bytes)
        );
        zeroize::Zeroize::zeroize(&mut bytes);
        text
    }

    /// Reads [`Self::to_text`] back for committee `key`, refusing a secret of another
    /// committee, of a member the committee does not have, or one that is not that member's
    /// share (a typo, or a card from another meeting).
    pub fn from_text(text: &str, key: &CommitteeKey) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.len() > 100 {
            return Err(KeyError::BadText("longer than a member secret"));
        }
        let mut parts = text.split('-');
        let (Some(prefix), Some(member), Some(code), Some(share), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(KeyError::BadText(
                "expected BKP1-<member>-<committee>-<share>",
            ));
        };
        if !prefix.eq_ignore_ascii_case(TEXT_PREFIX) {
            return Err(KeyError::BadText("it does not start with BKP1"));
        }
        let member: u8 = member
            .parse()
            .map_err(|_| KeyError::BadText("the member number is not a number"))?;
        let code =
            normalize_code(code).ok_or(KeyError::BadText("the committee code is not base32"))?;
        if code != key.code() {
            return Err(KeyError::OtherCommittee {
                expected: key.code(),
                found: code,
            });
        }
        let bytes = zeroize::Zeroizing::new(
            crockford()
                .decode(share.as_bytes())
                .map_err(|_| KeyError::BadText("the share is not base32"))?,
        );
        let share = SecretKey::<G>::from_bytes(&bytes)
            .ok_or(KeyError::BadText("the share is not 32 bytes of a key"))?;
        let secret = Self::new(key, member, share);
        secret.check(key)?;
        Ok(secret)
    }

    /// This member's decryption share of `sum`, one per option, each with its proof
    /// (a `LogEqualityProof` against the member's public key share).
    ///
    /// Refused unless `sum` was recomputed on this device from ballots it verified
    /// ([`EncryptedSum::verified_from`] or [`EncryptedSum::of`]): a sum received from the hub
    /// could be one ballot, and decrypting it would open that ballot.
    pub fn decryption_share<R: CryptoRng + RngCore>(
        &self,
        key: &CommitteeKey,
        sum: &EncryptedSum,
        rng: &mut R,
    ) -> Result<DecryptionShare, CountError> {
        if !sum.recomputed_here() {
            return Err(CountError::SumNotRecomputed);
        }
        let participant = self.participant(key)?;
        let parts = sum
            .ciphertexts()
            .iter()
            .map(|ciphertext| {
                let (share, proof) = participant.decrypt_share(*ciphertext, rng);
                SharePart {
                    share: share.into(),
                    proof,
                }
            })
            .collect();
        Ok(DecryptionShare {
            member: self.member,
            sum: sum.digest(),
            parts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::{deal, CommitteeParams};
    use crate::testing::rng;

    #[test]
    fn the_text_form_round_trips_and_refuses_a_wrong_import() {
        let params = CommitteeParams::new(3, 2, [7; 32]).unwrap();
        let (key, secrets) = deal(params, &mut rng(3)).unwrap();
        let text = secrets[1].to_text();
        assert!(text.starts_with("BKP1-1-"), "{text}");
        assert!(text.len() <= 70, "{} characters: {text}", text.len());
        assert!(text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'));
        let back = MemberSecret::from_text(&text.to_lowercase(), &key).unwrap();
        assert_eq!(back.index(), 1);
        assert_eq!(back.to_text(), text);

        let (other, _) = deal(params, &mut rng(4)).unwrap();
        assert!(matches!(
            MemberSecret::from_text(&text, &other),
            Err(KeyError::OtherCommittee { .. })
        ));
        let as_member_two = text.replacen("BKP1-1-", "BKP1-2-", 1);
        assert_eq!(
            MemberSecret::from_text(&as_member_two, &key).unwrap_err(),
            KeyError::ShareDoesNotMatch { index: 2 }
        );
        let as_member_nine = text.replacen("BKP1-1-", "BKP1-9-", 1);
        assert_eq!(
            MemberSecret::from_text(&as_member_nine, &key).unwrap_err(),
            KeyError::NotAMember {
                index: 9,
                members: 3
            }
        );
        assert!(matches!(
            MemberSecret::from_text("BKP1-1-XYZ", &key),
            Err(KeyError::BadText(_))
        ));
        let debug = format!("{:?}", secrets[0]);
        assert!(
            debug.contains("(secret)") && !debug.contains(&text[20..]),
            "{debug}"
        );
    }

    #[test]
    fn a_secret_survives_json() {
        let params = CommitteeParams::new(2, 2, [7; 32]).unwrap();
        let (key, secrets) = deal(params, &mut rng(5)).unwrap();
        let json = serde_json::to_string(&secrets[0]).unwrap();
        let back: MemberSecret = serde_json::from_str(&json).unwrap();
        back.check(&key).unwrap();
        assert_eq!(back.committee(), key.fingerprint());
    }
}
