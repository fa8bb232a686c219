//! The hub's Ed25519 key (chữ ký số): it signs exported results, and anyone holding the
//! public key can check an export offline with `hub verify`.
//!
//! The key is generated on first start as PKCS#8 in `DATA/signing.key` (mode 0600,
//! create-new, never overwritten), and the public key is written in hex to
//! `DATA/signing.pub` on every start. Signatures are detached: 64 bytes in lower-case hex,
//! over the exact bytes of the file.

use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use std::fmt;
use std::io::Write as _;
use std::path::Path;

/// The private key, in the data directory.
pub const SIGNING_KEY_FILE: &str = "signing.key";
/// The public key in hex, next to it, to hand to whoever verifies.
pub const PUBLIC_KEY_FILE: &str = "signing.pub";

/// Why the key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("cannot read or write the signing key {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is not an Ed25519 PKCS#8 key; restore it from the backup (a new key would not match results signed before)")]
    BadKey(String),
    #[error("the system random source failed")]
    Random,
}

/// The hub's signing key.
pub struct Signer {
    pair: Ed25519KeyPair,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private key.
        write!(f, "Signer({})", self.public_hex())
    }
}

impl Signer {
    /// Loads `dir/signing.key`, or creates it on first start; writes `dir/signing.pub`.
    pub fn load_or_create(dir: &Path) -> Result<Signer, SigningError> {
        let path = dir.join(SIGNING_KEY_FILE);
        let io = |source| SigningError::Io {
            path: path.display().to_string(),
            source,
        };
        let pkcs8 = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                    .map_err(|_| SigningError::Random)?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&path).map_err(io)?;
                file.write_all(doc.as_ref()).map_err(io)?;
                file.sync_all().map_err(io)?;
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(io(e)),
        };
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8)
            .map_err(|_| SigningError::BadKey(path.display().to_string()))?;
        let signer = Signer { pair };
        let public = dir.join(PUBLIC_KEY_FILE);
        std::fs::write(&public, format!("{}\n", signer.public_hex())).map_err(|source| {
            SigningError::Io {
                path: public.display().to_string(),
                source,
            }
        })?;
        Ok(signer)
    }

    /// The public key, 64 hex digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    /// A detached signature of `bytes`, 128 hex digits. Ed25519 is deterministic: the same
    /// bytes always get the same signature.
    pub fn sign_hex(&self, bytes: &[u8]) -> String {
        hex::encode(self.pair.sign(bytes).as_ref())
    }
}

/// Whether `signature_hex` is the signature of `bytes` by `public_hex`.
pub fn verify(public_hex: &str, bytes: &[u8], signature_hex: &str) -> Result<bool, String> {
    let public = hex::decode(public_hex.trim()).map_err(|_| "the public key is not hex")?;
    if public.len() != 32 {
        return Err("an Ed25519 public key is 32 bytes (64 hex digits)".into());
    }
    let signature = hex::decode(signature_hex.trim()).map_err(|_| "the signature is not hex")?;
    let key = UnparsedPublicKey::new(&ED25519, public);
    Ok(key.verify(bytes, &signature).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_signatures_verify_only_untouched_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let signer = Signer::load_or_create(dir.path()).unwrap();
        let again = Signer::load_or_create(dir.path()).unwrap();
        assert_eq!(signer.public_hex(), again.public_hex(), "kept, not remade");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SIGNING_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = b"{\"passed\":true}";
        let sig = signer.sign_hex(text);
        assert_eq!(sig.len(), 128);
        assert_eq!(verify(&signer.public_hex(), text, &sig), Ok(true));
        assert_eq!(
            verify(&signer.public_hex(), b"{\"passed\":fals}", &sig),
            Ok(false)
        );
        assert!(verify("zz", text, &sig).is_err());
    }
}
