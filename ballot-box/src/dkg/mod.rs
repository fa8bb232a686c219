//! The committee's key, made together by the members' devices (distributed key generation,
//! elastic-elgamal's committed Pedersen DKG); the hub only relays messages, and no device,
//! nor the hub, ever holds the whole secret key.
//!
//! Each member's device runs a [`DkgMember`], whose state is serde (it holds secrets while in
//! progress: keep it on the device). Every step takes all messages of the previous round
//! (the member's own may be among them) and returns the next state, leaving the old one
//! valid, so a refused set of messages can be retried:
//! 1. [`DkgMember::start`] → [`Round1`]: a commitment to the member's public key share and a
//!    transport public key (X25519, for HPKE). Broadcast.
//! 2. [`DkgMember::round2`] (all `Round1`) → [`Round2`]: the member's public polynomial with
//!    its proof of possession and the commitment's opening. Broadcast. From here
//!    [`DkgMember::check_code`] shows a code over all round-1 messages: the members compare it
//!    aloud before going on, which is what stops a hub that swaps transport keys.
//! 3. [`DkgMember::round3`] (all `Round2`) → one [`SealedShare`] per other member: its
//!    secret share sealed with HPKE to that member's transport key. The hub relays each to
//!    its addressee.
//! 4. [`DkgMember::finish`] (the sealed shares addressed to this member) → the member's
//!    [`MemberSecret`], the [`CommitteeKey`] and a [`KeyConfirmation`] (proof of
//!    possession of the share) to publish.
//!
//! Anyone computes the committee key from the round-2 messages alone
//! ([`CommitteeKey::from_round2`]) and checks each confirmation
//! ([`CommitteeKey::verify_confirmation`]); the key is ready once all n confirmations hold
//! against the key the hub computed, and the members have read its [`CommitteeKey::code`]
//! aloud: a member (not the hub, which cannot forge proofs of possession) who sent different
//! polynomials to different members would leave them with different keys, and this is where
//! it shows. Round-1 commitments are checked by the members (elastic-elgamal keeps that check
//! inside its participant states).

mod public;

pub use public::{DkgError, KeyConfirmation, Round1, Round2, SealedShare};

use elastic_elgamal::dkg::{
    ParticipantCollectingCommitments, ParticipantCollectingPolynomials,
    ParticipantExchangingSecrets,
};
use elastic_elgamal::group::{Ristretto, ScalarOps};
use elastic_elgamal::SecretKey;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::committee::{CommitteeKey, CommitteeParams};
use crate::encoding::{b64_32, short_code};
use crate::secret::MemberSecret;
use crate::transport::{seal, TransportSecret};
use crate::G;
use public::{by_member, key_from_infos, missing};

/// What a member's device holds at the end of the key setup.
#[derive(Debug)]
pub struct DkgOutcome {
    pub secret: MemberSecret,
    pub key: CommitteeKey,
    pub confirmation: KeyConfirmation,
}

/// A member's device during the key setup. Serde, and secret: it holds the member's
/// polynomial and transport key until the setup is finished.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DkgMember {
    params: CommitteeParams,
    member: u8,
    transport: TransportSecret,
    step: Step,
}

// One per device for the few minutes of a setup: the size of its largest step is no concern.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    Committed {
        state: ParticipantCollectingCommitments<G>,
    },
    Published {
        state: ParticipantCollectingPolynomials<G>,
        transport_keys: Vec<TransportKey>,
        check_code: String,
    },
    Sealed {
        state: ParticipantExchangingSecrets<G>,
        key: CommitteeKey,
    },
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(transparent)]
struct TransportKey(#[serde(with = "b64_32")] [u8; 32]);

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Step::Committed { .. } => "committed",
            Step::Published { .. } => "published",
            Step::Sealed { .. } => "sealed",
        }
    }
}

impl DkgMember {
    /// Starts member `member` (0-based) of a committee: makes its secret polynomial and
    /// transport key, and returns the round-1 message to broadcast.
    pub fn start<R: CryptoRng + RngCore>(
        params: CommitteeParams,
        member: u8,
        rng: &mut R,
    ) -> Result<(DkgMember, Round1), DkgError> {
        params.check()?;
        if member >= params.members {
            return Err(DkgError::NotAMember {
                member,
                members: params.members,
            });
        }
        let state =
            ParticipantCollectingCommitments::<G>::new(params.sharing(), member.into(), rng);
        let transport = TransportSecret::generate(rng);
        let round1 = Round1 {
            member,
            commitment: state.commitment(),
            transport_key: transport.public_key(),
        };
        let me = DkgMember {
            params,
            member,
            transport,
            step: Step::Committed { state },
        };
        Ok((me, round1))
    }

    /// This device's member index.
    pub fn member(&self) -> u8 {
        self.member
    }

    /// The committee being set up.
    pub fn params(&self) -> &CommitteeParams {
        &self.params
    }

    /// `"committed"`, `"published"` or `"sealed"`: which round's messages it waits for
    /// (1, 2 or 3).
    pub fn step(&self) -> &'static str {
        self.step.name()
    }

    /// After round 2: ten characters over every member's round-1 message. All members must
    /// see the same code before they send their sealed shares (round 3).
    pub fn check_code(&self) -> Option<&str> {
        match &self.step {
            Step::Published { check_code, .. } => Some(check_code),
            _ => None,
        }
    }

    fn wrong_step(&self, asked: &'static str, expected: &'static str) -> DkgError {
        DkgError::WrongStep {
            asked,
            expected,
            found: self.step.name(),
        }
    }

    /// Takes every member's round-1 message; returns the next state and this member's
    /// round-2 message.
    pub fn round2(&self, round1: &[Round1]) -> Result<(DkgMember, Round2), DkgError> {
        let Step::Committed { state } = &self.step else {
            return Err(self.wrong_step("round 2", "committed"));
        };
        let slots = by_member(self.params.members, round1, |m| m.member)?;
        missing(&slots, Some(self.member))?;
        let mut state = state.clone();
        let mut check = Sha256::new();
        check.update(b"ballot-box/dkg-check/v1\n");
        check.update(self.params.session);
        check.update([self.params.members, self.params.threshold]);
        let mut transport_keys = Vec::with_capacity(slots.len());
        for (j, slot) in (0u8..).zip(&slots) {
            let message = match slot {
                Some(m) if j == self.member => {
                    if m.commitment != state.commitment()
                        || m.transport_key != self.transport.public_key()
                    {
                        return Err(DkgError::NotMine { member: j });
                    }
                    (*m).clone()
                }
                Some(m) => {
                    state.insert_commitment(j.into(), m.commitment);
                    (*m).clone()
                }
                None => Round1 {
                    member: j,
                    commitment: state.commitment(),
                    transport_key: self.transport.public_key(),
                },
            };
            check.update(message.commitment);
            check.update(message.transport_key);
            transport_keys.push(TransportKey(message.transport_key));
        }
        let state = state.finish_commitment_phase();
        let round2 = Round2 {
            member: self.member,
            info: state.public_info().into_owned(),
        };
        let next = Step::Published {
            state,
            transport_keys,
            check_code: short_code(&check.finalize().into()),
        };
        Ok((self.with_step(next), round2))
    }

    /// Takes every member's round-2 message, checks each against its commitment and its
    /// proof, and returns the next state and one sealed share per other member.
    pub fn round3<R: CryptoRng + RngCore>(
        &self,
        round2: &[Round2],
        rng: &mut R,
    ) -> Result<(DkgMember, Vec<SealedShare>), DkgError> {
        let Step::Published {
            state,
            transport_keys,
            ..
        } = &self.step
        else {
            return Err(self.wrong_step("round 3", "published"));
        };
        let slots = by_member(self.params.members, round2, |m| m.member)?;
        missing(&slots, Some(self.member))?;
        let own = state.public_info().into_owned();
        let mut state = state.clone();
        let mut infos = Vec::with_capacity(slots.len());
        for (j, slot) in (0u8..).zip(&slots) {
            match slot {
                Some(m) if j == self.member => {
                    if m.info.polynomial != own.polynomial {
                        return Err(DkgError::NotMine { member: j });
                    }
                    infos.push(own.clone());
                }
                Some(m) => {
                    // The crate reads `polynomial[0]` before checking the length.
                    if m.info.polynomial.len() != usize::from(self.params.threshold) {
                        return Err(DkgError::BadPolynomial { member: j });
                    }
                    state
                        .insert_public_polynomial(j.into(), m.info.clone())
                        .map_err(|e| match e {
                            elastic_elgamal::dkg::Error::InvalidCommitment => {
                                DkgError::BadCommitment { member: j }
                            }
                            _ => DkgError::BadPolynomial { member: j },
                        })?;
                    infos.push(m.info.clone());
                }
                None => infos.push(own.clone()),
            }
        }
        let key = key_from_infos(&self.params, &infos)?;
        let state = state.finish_polynomials_phase();
        let mut sealed = Vec::with_capacity(slots.len());
        for (to, transport_key) in (0u8..).zip(transport_keys) {
            if to == self.member {
                continue;
            }
            let mut bytes = [0u8; 32];
            let share = state.secret_share_for_participant(to.into());
            Ristretto::serialize_scalar(share.expose_scalar(), &mut bytes);
            let info = self.share_info(self.member, to);
            let sealed_share = seal(&transport_key.0, &info, &bytes, rng);
            bytes.zeroize();
            let (enc, ciphertext) = sealed_share.ok_or(DkgError::BadTransportKey { member: to })?;
            sealed.push(SealedShare {
                from: self.member,
                to,
                enc,
                ciphertext,
            });
        }
        Ok((self.with_step(Step::Sealed { state, key }), sealed))
    }

    /// Takes the sealed shares addressed to this member (one from every other member) and
    /// completes: the member's secret, the committee key, and a confirmation to publish.
    pub fn finish<R: CryptoRng + RngCore>(
        &self,
        sealed: &[SealedShare],
        rng: &mut R,
    ) -> Result<DkgOutcome, DkgError> {
        let Step::Sealed { state, key } = &self.step else {
            return Err(self.wrong_step("finishing", "sealed"));
        };
        if let Some(m) = sealed.iter().find(|m| m.to != self.member) {
            return Err(DkgError::NotForMe {
                from: m.from,
                to: m.to,
            });
        }
        let slots = by_member(self.params.members, sealed, |m| m.from)?;
        missing(&slots, Some(self.member))?;
        let mut state = state.clone();
        for (from, slot) in (0u8..).zip(&slots) {
            let Some(message) = slot else { continue };
            if from == self.member {
                return Err(DkgError::NotMine { member: from });
            }
            let info = self.share_info(from, self.member);
            let bytes = self
                .transport
                .open(&message.enc, &info, &message.ciphertext)
                .ok_or(DkgError::Unreadable { from })?;
            let share = SecretKey::<G>::from_bytes(&bytes).ok_or(DkgError::BadShare { from })?;
            state
                .insert_secret_share(from.into(), share)
                .map_err(|_| DkgError::BadShare { from })?;
        }
        let participant = state
            .complete()
            .map_err(|e| DkgError::Inconsistent(e.to_string()))?;
        let mine = participant.key_set();
        if mine.shared_key() != key.public_key()
            || mine.participant_keys() != key.key_set().participant_keys()
        {
            return Err(DkgError::Inconsistent(
                "this device's key differs from the one the round-2 messages make".into(),
            ));
        }
        let confirmation = KeyConfirmation {
            member: self.member,
            committee: *key.fingerprint_bytes(),
            proof: participant.proof_of_possession(rng),
        };
        Ok(DkgOutcome {
            secret: MemberSecret::new(key, self.member, participant.secret_share().clone()),
            key: key.clone(),
            confirmation,
        })
    }

    fn with_step(&self, step: Step) -> DkgMember {
        DkgMember {
            params: self.params,
            member: self.member,
            transport: self.transport.clone(),
            step,
        }
    }

    /// HPKE `info` (and associated data) of the share `from` → `to` in this setup.
    fn share_info(&self, from: u8, to: u8) -> Vec<u8> {
        let mut info = b"ballot-box/dkg-share/v1\n".to_vec();
        info.extend_from_slice(&self.params.session);
        info.extend_from_slice(&[self.params.members, self.params.threshold, from, to]);
        info
    }
}
