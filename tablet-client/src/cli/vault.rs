//! A counting-committee member's secrets in the profile (the key setup while it runs, then
//! the member's share) sealed under a passphrase the member chooses, so that the files on a
//! tablet that is lost, shared or backed up tell nothing without it. ring does the
//! cryptography: PBKDF2-HMAC-SHA256 stretches the passphrase into an AES-256-GCM key, and
//! the file's name within the profile is the associated data, so a sealed file moved under
//! another committee's name does not open. The web tablet's `vault.js` seals the same way.
//!
//! The passphrase comes from `TABLET_PASSPHRASE` (scripts, tests) or is asked on the
//! terminal without echo; it is stretched once a run, not once a file.

use super::Usage;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;

/// A guess costs this many rounds of SHA-256 (OWASP's figure for PBKDF2-SHA256, as the web
/// tablet's).
const ITERATIONS: u32 = 600_000;
pub const MIN_PASSPHRASE: usize = 8;
pub const PASSPHRASE_ENV: &str = "TABLET_PASSPHRASE";
const KDF: &str = "PBKDF2-SHA256";

/// A sealed file, as it is written.
#[derive(Debug, Serialize, Deserialize)]
pub struct Sealed {
    pub v: u32,
    pub kdf: String,
    pub iterations: u32,
    /// Hex.
    pub salt: String,
    /// Hex: the AES-GCM nonce, fresh for every seal.
    pub iv: String,
    /// Hex: the ciphertext and its tag.
    pub data: String,
}

/// Why a sealed file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the passphrase does not open {0}: it is not the one it was sealed with")]
    WrongPassphrase(String),
    #[error("{0} is not a sealed file this program can open")]
    Unreadable(String),
}

/// The key stretched from the member's passphrase, with its salt.
pub struct Vault {
    salt: [u8; 16],
    iterations: u32,
    key: LessSafeKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// A vault for new files: a fresh salt.
    pub fn new(passphrase: &str) -> anyhow::Result<Vault> {
        let mut salt = [0u8; 16];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
        Ok(Vault::derive(passphrase, salt, ITERATIONS))
    }

    /// The vault that opens `sealed` (its salt and rounds), if the passphrase is right.
    pub fn for_sealed(passphrase: &str, sealed: &Sealed, name: &str) -> Result<Vault, VaultError> {
        let unreadable = || VaultError::Unreadable(name.to_owned());
        if sealed.v != 1 || sealed.kdf != KDF || sealed.iterations == 0 {
            return Err(unreadable());
        }
        let salt: [u8; 16] = hex::decode(&sealed.salt)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or_else(unreadable)?;
        let vault = Vault::derive(passphrase, salt, sealed.iterations);
        vault.open_bytes(sealed, name)?;
        Ok(vault)
    }

    fn derive(passphrase: &str, salt: [u8; 16], iterations: u32) -> Vault {
        let mut bytes = [0u8; 32];
        let rounds = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            &salt,
            nfc(passphrase).as_bytes(),
            &mut bytes,
        );
        let unbound = UnboundKey::new(&aead::AES_256_GCM, &bytes).expect("a 32-byte key");
        bytes.fill(0);
        Vault {
            salt,
            iterations,
            key: LessSafeKey::new(unbound),
        }
    }

    /// Seals `plain`, bound to `name` (the file's name in the profile).
    pub fn seal(&self, plain: &[u8], name: &str) -> anyhow::Result<Sealed> {
        let mut iv = [0u8; 12];
        SystemRandom::new()
            .fill(&mut iv)
            .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
        let mut data = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(iv),
                Aad::from(name.as_bytes()),
                &mut data,
            )
            .map_err(|_| anyhow::anyhow!("sealing {name} failed"))?;
        Ok(Sealed {
            v: 1,
            kdf: KDF.into(),
            iterations: self.iterations,
            salt: hex::encode(self.salt),
            iv: hex::encode(iv),
            data: hex::encode(data),
        })
    }

    /// Opens what [`Vault::seal`] made under `name`.
    pub fn open_bytes(&self, sealed: &Sealed, name: &str) -> Result<Vec<u8>, VaultError> {
        let unreadable = || VaultError::Unreadable(name.to_owned());
        let iv: [u8; 12] = hex::decode(&sealed.iv)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or_else(unreadable)?;
        let mut data = hex::decode(&sealed.data).map_err(|_| unreadable())?;
        // Another salt is another key: this vault cannot open it, whatever the passphrase.
        if hex::decode(&sealed.salt).ok().as_deref() != Some(&self.salt[..]) {
            return Err(VaultError::WrongPassphrase(name.to_owned()));
        }
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(iv),
                Aad::from(name.as_bytes()),
                &mut data,
            )
            .map_err(|_| VaultError::WrongPassphrase(name.to_owned()))?;
        Ok(plain.to_vec())
    }
}

/// A member's sealed files in the profile, opened and written with one vault a run: the
/// passphrase is asked the first time one is needed.
pub struct Secrets<'a> {
    profile: &'a super::profile::Profile,
    vault: Option<Vault>,
}

impl<'a> Secrets<'a> {
    pub fn new(profile: &'a super::profile::Profile) -> Secrets<'a> {
        Secrets {
            profile,
            vault: None,
        }
    }

    /// Reads a sealed JSON file; `None` if it is not there. A file an earlier program kept
    /// in the clear is read, then sealed in its place.
    pub fn read<T: Serialize + serde::de::DeserializeOwned>(
        &mut self,
        name: &str,
    ) -> anyhow::Result<Option<T>> {
        let Some(value) = self.profile.read_json::<serde_json::Value>(name)? else {
            return Ok(None);
        };
        if value.get("kdf").is_none() {
            let plain: T = serde_json::from_value(value)?;
            self.write(name, &plain)?;
            return Ok(Some(plain));
        }
        let sealed: Sealed =
            serde_json::from_value(value).map_err(|_| VaultError::Unreadable(name.to_owned()))?;
        let vault = match self.vault.take() {
            Some(vault) => vault,
            None => Vault::for_sealed(&passphrase(false)?, &sealed, name)?,
        };
        let opened = vault.open_bytes(&sealed, name);
        self.vault = Some(vault);
        Ok(Some(serde_json::from_slice(&opened?)?))
    }

    /// Makes sure the passphrase is known before work that will have to save (the key
    /// setup), so that a missing one stops the program before it has sent anything.
    pub fn unlock(&mut self) -> anyhow::Result<()> {
        if self.vault.is_none() {
            self.vault = Some(Vault::new(&passphrase(true)?)?);
        }
        Ok(())
    }

    /// Writes `value` sealed, whole (temp file, rename), readable by its owner only.
    pub fn write<T: Serialize>(&mut self, name: &str, value: &T) -> anyhow::Result<()> {
        let vault = match self.vault.take() {
            Some(vault) => vault,
            None => Vault::new(&passphrase(true)?)?,
        };
        let sealed = vault.seal(&serde_json::to_vec(value)?, name);
        self.vault = Some(vault);
        self.profile.write_json(name, &sealed?)?;
        Ok(())
    }
}

/// The passphrase a typed and a pasted Vietnamese word agree on.
fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    text.nfc().collect()
}

/// The member's passphrase: `TABLET_PASSPHRASE`, or asked on the terminal (twice when it
/// is new, so a typo does not lock the share away).
pub fn passphrase(new: bool) -> anyhow::Result<String> {
    let given = match std::env::var(PASSPHRASE_ENV) {
        Ok(p) => p,
        Err(_) => {
            let prompt = "Mật khẩu giữ phần khóa / passphrase for your share: ";
            let first = rpassword::prompt_password(prompt).map_err(|_| {
                Usage(format!(
                    "your share is kept under a passphrase: run on a terminal to type it, or set {PASSPHRASE_ENV}"
                ))
            })?;
            if new {
                let again = rpassword::prompt_password("Nhập lại / again: ")?;
                if again != first {
                    return Err(Usage("the two passphrases differ: nothing was kept".into()).into());
                }
            }
            first
        }
    };
    if new && given.chars().count() < MIN_PASSPHRASE {
        return Err(Usage(format!(
            "a passphrase for your share has at least {MIN_PASSPHRASE} characters"
        ))
        .into());
    }
    Ok(given)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_opens_with_its_passphrase_and_name_only() {
        let vault = Vault::new("mật khẩu dài").unwrap();
        let sealed = vault.seal(b"share 7", "committee/a.key.json").unwrap();
        assert!(!sealed.data.contains(&hex::encode(b"share 7")));
        assert_eq!(
            vault.open_bytes(&sealed, "committee/a.key.json").unwrap(),
            b"share 7"
        );
        // Decomposed (NFD) text typed elsewhere is the same passphrase.
        let again = Vault::for_sealed(
            "ma\u{323}\u{302}t kha\u{302}\u{309}u da\u{300}i",
            &sealed,
            "committee/a.key.json",
        );
        assert!(again.is_ok());
        assert!(matches!(
            Vault::for_sealed("another one", &sealed, "committee/a.key.json"),
            Err(VaultError::WrongPassphrase(_))
        ));
        assert!(matches!(
            vault.open_bytes(&sealed, "committee/b.key.json"),
            Err(VaultError::WrongPassphrase(_))
        ));
    }
}
