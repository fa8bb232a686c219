//! A person's PIN (4 to 8 digits), which an enrolled tablet must give before a ballot, an
//! opinion answer or a direction. The store keeps only a salted, slow hash: PBKDF2 with
//! HMAC-SHA256 from `ring`, a fresh 16-byte salt per PIN, written as
//! `pbkdf2-sha256$ITERATIONS$SALT$HASH` (hex). A PIN has few possible values, so the real
//! protection is the hub's limit of five wrong tries; the slow hash only keeps a copy of
//! the data directory from naming every PIN at once.

use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};
use std::num::NonZeroU32;

/// Iterations for new PINs: about 0.1 s on a small hall machine.
const ITERATIONS: u32 = 210_000;
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;
const ALGORITHM: pbkdf2::Algorithm = pbkdf2::PBKDF2_HMAC_SHA256;

/// Whether `pin` has the shape of a PIN: 4 to 8 ASCII digits. Says why not.
pub fn check_shape(pin: &str) -> Result<(), &'static str> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("a PIN is 4 to 8 digits")
    }
}

/// The stored form of a new PIN. Slow on purpose: call it off the async workers.
pub fn hash(pin: &str) -> String {
    let mut salt = [0u8; SALT_BYTES];
    SystemRandom::new()
        .fill(&mut salt)
        .expect("the system random number generator failed");
    let mut out = [0u8; HASH_BYTES];
    let iterations = NonZeroU32::new(ITERATIONS).expect("non-zero");
    pbkdf2::derive(ALGORITHM, iterations, &salt, pin.as_bytes(), &mut out);
    format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        hex::encode(salt),
        hex::encode(out)
    )
}

/// Whether `pin` matches the stored form (compared in constant time by `ring`). A stored
/// form that cannot be read matches nothing. Slow on purpose, like [`hash`].
pub fn verify(stored: &str, pin: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Some(iterations), Ok(salt), Ok(hash)) = (
        iterations.parse().ok().and_then(NonZeroU32::new),
        hex::decode(salt),
        hex::decode(hash),
    ) else {
        return false;
    };
    pbkdf2::verify(ALGORITHM, iterations, &salt, pin.as_bytes(), &hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_verifies_against_its_hash_and_nothing_else_does() {
        let stored = hash("2468");
        assert!(stored.starts_with("pbkdf2-sha256$210000$"));
        assert!(
            !stored.contains("2468$"),
            "the PIN is not in its stored form"
        );
        assert!(verify(&stored, "2468"));
        assert!(!verify(&stored, "2469"));
        assert!(!verify(&stored, ""));
        assert!(!verify("junk", "2468"));
        assert_ne!(hash("2468"), stored, "a fresh salt each time");
    }

    #[test]
    fn only_four_to_eight_digits_are_pins() {
        assert!(check_shape("0000").is_ok());
        assert!(check_shape("12345678").is_ok());
        assert!(check_shape("123").is_err());
        assert!(check_shape("123456789").is_err());
        assert!(check_shape("12a4").is_err());
        assert!(check_shape("١٢٣٤").is_err(), "only ASCII digits");
    }
}
