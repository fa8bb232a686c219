//! Links that are printed: each meeting's public link (the QR code at the door), and the
//! participants' tokens kept sealed so their badges can be printed again.
//!
//! The hub knows a participant's token only as a hash, which cannot go on a badge. So when
//! a token is issued its text is also kept here, sealed with ChaCha20-Poly1305 under
//! `DATA/token.key` (32 random bytes, mode 0600, made on first start): a copy of the
//! database alone reveals no token. A kept token is handed out only while it is still the
//! participant's current grant, so a replaced or revoked token never reaches a badge.

use super::{keys, Principal, Store, StoreError};
use crate::tokens::Token;
use protocol::{MeetingId, ParticipantId};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write as _;
use std::path::Path;
use uuid::Uuid;

/// The file in the data directory holding the key that seals kept tokens.
pub const TOKEN_KEY_FILE: &str = "token.key";

const LINK_OF: u8 = b'm';
const MEETING_OF: u8 = b'l';

fn link_key(meeting: MeetingId) -> Vec<u8> {
    let mut k = vec![LINK_OF];
    k.extend_from_slice(meeting.as_bytes());
    k
}

fn meeting_key(link: &str) -> Vec<u8> {
    let mut k = vec![MEETING_OF];
    k.extend_from_slice(link.as_bytes());
    k
}

/// Reads the sealing key, creating it on first start.
pub(super) fn open_key(data: &Path) -> Result<LessSafeKey, StoreError> {
    let path = data.join(TOKEN_KEY_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            SystemRandom::new()
                .fill(&mut key)
                .map_err(|_| std::io::Error::other("the system random source failed"))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path)?;
            file.write_all(&key)?;
            file.sync_all()?;
            key.to_vec()
        }
        Err(e) => return Err(e.into()),
    };
    key_from(&bytes).map_err(|_| {
        std::io::Error::other(format!("{} is not a 32-byte key", path.display())).into()
    })
}

/// The sealing key from its 32 bytes (read from the file, or from PostgreSQL's `hub_keys`).
pub(super) fn key_from(bytes: &[u8]) -> Result<LessSafeKey, StoreError> {
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
        .map_err(|_| std::io::Error::other("the token key is not 32 bytes"))?;
    Ok(LessSafeKey::new(unbound))
}

impl Store {
    /// The meeting's public link id, made (unguessable: a fresh token) on first use.
    pub fn public_link(&self, meeting: MeetingId) -> Result<String, StoreError> {
        if let Some(link) = self.read_rows(|rows| rows.get(keys::LINKS, &link_key(meeting)))? {
            return Ok(String::from_utf8_lossy(&link).into_owned());
        }
        let fresh = Token::generate();
        self.write_rows(|rows| {
            // Made meanwhile by another caller: that one stands.
            if let Some(link) = rows.get(keys::LINKS, &link_key(meeting))? {
                return Ok(String::from_utf8_lossy(&link).into_owned());
            }
            rows.insert(keys::LINKS, &link_key(meeting), fresh.as_str().as_bytes())?;
            rows.insert(
                keys::LINKS,
                &meeting_key(fresh.as_str()),
                &meeting.as_bytes()[..],
            )?;
            Ok(fresh.as_str().to_owned())
        })
    }

    /// The meeting a public link opens, if any.
    pub fn public_meeting(&self, link: &str) -> Result<Option<MeetingId>, StoreError> {
        if Token::parse(link).is_none() {
            return Ok(None);
        }
        let meeting = self.read_rows(|rows| rows.get(keys::LINKS, &meeting_key(link)))?;
        Ok(meeting
            .and_then(|m| Uuid::from_slice(&m).ok())
            .map(MeetingId))
    }

    /// A participant's token sealed for `kept_tokens`: its key and value. Written in the
    /// same transaction as the grant (see [`super::Changes::grants`]); a token that is not
    /// the current grant is never handed out.
    pub(super) fn seal(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
        token: &Token,
    ) -> Result<([u8; 32], Vec<u8>), StoreError> {
        let key = keys::participant(meeting, participant);
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| std::io::Error::other("the system random source failed"))?;
        let mut sealed = token.as_str().as_bytes().to_vec();
        self.token_key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&key[..]),
                &mut sealed,
            )
            .map_err(|_| std::io::Error::other("sealing a token failed"))?;
        let mut value = nonce.to_vec();
        value.extend_from_slice(&sealed);
        Ok((key, value))
    }

    /// The participant's current token, if it was kept and is still theirs.
    pub fn kept_token(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
    ) -> Result<Option<Token>, StoreError> {
        let key = keys::participant(meeting, participant);
        let Some(value) = self.read_rows(|rows| rows.get(keys::KEPT_TOKENS, &key))? else {
            return Ok(None);
        };
        if value.len() < NONCE_LEN {
            return Ok(None);
        }
        let (nonce, sealed) = value.split_at(NONCE_LEN);
        let mut buf = sealed.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| std::io::Error::other("bad nonce"))?;
        let Ok(plain) = self
            .token_key
            .open_in_place(nonce, Aad::from(&key[..]), &mut buf)
        else {
            return Ok(None);
        };
        let Some(token) = std::str::from_utf8(plain).ok().and_then(Token::parse) else {
            return Ok(None);
        };
        let current = self.grant(&token.hash())?
            == Some(Principal::Participant {
                meeting,
                participant,
            });
        Ok(current.then_some(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Changes;

    #[test]
    fn a_public_link_is_made_once_and_leads_back_to_its_meeting() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let m = MeetingId::new_random();
        let link = store.public_link(m).unwrap();
        assert_eq!(link.len(), 43);
        assert_eq!(store.public_link(m).unwrap(), link);
        assert_eq!(store.public_meeting(&link).unwrap(), Some(m));
        assert_eq!(
            store.public_meeting(Token::generate().as_str()).unwrap(),
            None
        );
        assert_eq!(store.public_meeting("../x").unwrap(), None);
    }

    #[test]
    fn a_kept_token_is_handed_out_only_while_it_is_the_current_grant() {
        let dir = tempfile::tempdir().unwrap();
        let (m, p) = (MeetingId::new_random(), ParticipantId::new_random());
        let principal = Principal::Participant {
            meeting: m,
            participant: p,
        };
        let token = Token::generate();
        {
            let store = Store::open(dir.path()).unwrap();
            let grant = Changes {
                grants: vec![(token.clone(), principal.clone())],
                ..Changes::default()
            };
            store.write(m, &grant).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let kept = store
            .kept_token(m, p)
            .unwrap()
            .expect("kept across a reopen");
        assert_eq!(kept.as_str(), token.as_str());
        let raw = std::fs::read(dir.path().join(TOKEN_KEY_FILE)).unwrap();
        assert_eq!(raw.len(), 32);
        let newer = Token::generate();
        store.put_grant(newer.hash(), principal).unwrap();
        assert!(
            store.kept_token(m, p).unwrap().is_none(),
            "replaced: never printed"
        );
        // Revoked in a batch: the sealed token goes with the grant.
        let revoke = Changes {
            revoke: vec![p],
            ..Changes::default()
        };
        store.write(m, &revoke).unwrap();
        assert!(!store
            .dump()
            .unwrap()
            .iter()
            .any(|(table, _, _)| table == "kept_tokens"));
    }
}
