//! The sealed channel that carries a key share from one member's device to another's through
//! the hub, which relays ciphertext it cannot open: HPKE (RFC 9180) in base mode with
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305, from the `hpke` crate.
//!
//! Base mode does not say who sent a message; it need not: a share that was not made from the
//! sender's committed polynomial is refused by the key generation (Feldman's check).

use chacha20::rand_core::SeedableRng as _;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::b64_32;

type TransportKem = X25519HkdfSha256;

/// A device's transport secret for one key setup: the HPKE key pair is derived from these
/// 32 random bytes. Zeroized when dropped; `Debug` does not show it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct TransportSecret(#[serde(with = "b64_32")] [u8; 32]);

impl std::fmt::Debug for TransportSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransportSecret(..)")
    }
}

impl Drop for TransportSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl TransportSecret {
    pub(crate) fn generate<R: CryptoRng + RngCore>(rng: &mut R) -> Self {
        let mut ikm = [0u8; 32];
        rng.fill_bytes(&mut ikm);
        Self(ikm)
    }

    /// The X25519 public key others seal to.
    pub(crate) fn public_key(&self) -> [u8; 32] {
        let (_, public) = TransportKem::derive_keypair(&self.0);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&public.to_bytes());
        bytes
    }

    /// Opens what was sealed to [`Self::public_key`] with `info`; `None` if it was sealed
    /// to another key, with another `info`, or altered.
    pub(crate) fn open(
        &self,
        encapped: &[u8; 32],
        info: &[u8],
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let (private, _) = TransportKem::derive_keypair(&self.0);
        let encapped = <TransportKem as Kem>::EncappedKey::from_bytes(encapped).ok()?;
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, TransportKem>(
            &OpModeR::Base,
            &private,
            &encapped,
            info,
            ciphertext,
            info,
        )
        .ok()
        .map(Zeroizing::new)
    }
}

/// Seals `plaintext` to the transport key `to` with `info` (also the associated data).
/// `None` if `to` is not an X25519 public key.
pub(crate) fn seal<R: CryptoRng + RngCore>(
    to: &[u8; 32],
    info: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Option<([u8; 32], Vec<u8>)> {
    let recipient = <TransportKem as Kem>::PublicKey::from_bytes(to).ok()?;
    // hpke takes a rand_core 0.10 generator: one seeded from ours.
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    let mut hpke_rng = chacha20::ChaCha20Rng::from_seed(seed);
    seed.zeroize();
    let (encapped, ciphertext) =
        hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, TransportKem>(
            &OpModeS::Base,
            &recipient,
            info,
            plaintext,
            info,
            &mut hpke_rng,
        )
        .ok()?;
    let mut enc = [0u8; 32];
    enc.copy_from_slice(&encapped.to_bytes());
    Some((enc, ciphertext))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rng;

    #[test]
    fn only_the_addressee_with_the_same_info_opens_a_sealed_share() {
        let mut rng = rng(9);
        let alice = TransportSecret::generate(&mut rng);
        let eve = TransportSecret::generate(&mut rng);
        let (enc, ct) = seal(&alice.public_key(), b"info", b"share", &mut rng).unwrap();
        assert_eq!(alice.open(&enc, b"info", &ct).unwrap().as_slice(), b"share");
        assert!(eve.open(&enc, b"info", &ct).is_none());
        assert!(alice.open(&enc, b"other info", &ct).is_none());
        let mut altered = ct.clone();
        altered[0] ^= 1;
        assert!(alice.open(&enc, b"info", &altered).is_none());
    }
}
