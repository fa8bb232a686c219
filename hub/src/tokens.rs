//! Access tokens: the unguessable secrets printed in badge QR codes.
//!
//! A token is 32 random bytes, shown as 43 characters of unpadded base64url so it fits a
//! URL untouched. The hub never stores a token, only its SHA-256 ([`TokenHash`]): a copy of
//! the data directory does not let anyone act as a delegate. Neither type prints its secret
//! in `Debug`, so a token cannot leak through a log line.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use std::fmt;

/// Random bytes in a token: 256 bits, far past any guessing.
const TOKEN_BYTES: usize = 32;
/// Length of a token's text: 32 bytes in unpadded base64 take 43 characters.
const TOKEN_LEN: usize = 43;

/// A bearer token, as the holder presents it. Deliberately has no `Display`: printing one
/// must be an explicit `as_str()`, for the QR code or the join link, and nowhere else.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Token {
        let mut bytes = [0u8; TOKEN_BYTES];
        // The OS random source failing is not something the hub can work around; issuing
        // a predictable token instead would be far worse than stopping.
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random number generator failed");
        Token(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads a token a client presented. Only text that [`Token::generate`] could have
    /// produced is accepted (43 base64url characters, canonical last character), so junk
    /// is refused here and never reaches the store.
    pub fn parse(s: &str) -> Option<Token> {
        let shaped = s.len() == TOKEN_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !shaped {
            return None;
        }
        // The last character carries 2 unused bits; the decoder refuses them if set, which
        // keeps one token to one spelling.
        match URL_SAFE_NO_PAD.decode(s) {
            Ok(bytes) if bytes.len() == TOKEN_BYTES => Some(Token(s.to_owned())),
            _ => None,
        }
    }

    /// The token's text, for a QR code or a join link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps in place of the token.
    pub fn hash(&self) -> TokenHash {
        let digest = digest::digest(&digest::SHA256, self.0.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        TokenHash(out)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…redacted…)")
    }
}

/// SHA-256 of a token's text: how the store finds whom a token speaks for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    /// Only the first four bytes: enough to tell grants apart in a log, not to look one up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", hex::encode(&self.0[..4]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_tokens_are_43_url_safe_chars_and_differ() {
        let a = Token::generate();
        let b = Token::generate();
        assert_eq!(a.as_str().len(), 43);
        assert_ne!(a.as_str(), b.as_str());
        assert_ne!(a.hash(), b.hash());
        assert_eq!(Token::parse(a.as_str()).unwrap().as_str(), a.as_str());
    }

    #[test]
    fn parse_rejects_wrong_length_and_alphabet() {
        let good = Token::generate();
        let s = good.as_str();
        assert!(Token::parse("").is_none());
        assert!(Token::parse(&s[..42]).is_none());
        assert!(Token::parse(&format!("{s}A")).is_none());
        // Same length, but characters from standard base64, padding, or outside ASCII.
        let mut plus = s.to_owned();
        plus.replace_range(0..1, "+");
        assert!(Token::parse(&plus).is_none());
        let mut slash = s.to_owned();
        slash.replace_range(5..6, "/");
        assert!(Token::parse(&slash).is_none());
        let mut pad = s.to_owned();
        pad.replace_range(42..43, "=");
        assert!(Token::parse(&pad).is_none());
        assert!(Token::parse(&"é".repeat(21)).is_none()); // 42 bytes of non-ASCII
        assert!(Token::parse(&format!("{}é", &s[..41])).is_none()); // 43 bytes
    }

    #[test]
    fn parse_rejects_a_non_canonical_last_character() {
        // 32 zero bytes encode as 42 'A's and a final 'A'; 'B' sets an unused bit.
        let canonical = "A".repeat(43);
        assert!(Token::parse(&canonical).is_some());
        assert!(Token::parse(&format!("{}B", "A".repeat(42))).is_none());
    }

    #[test]
    fn hash_is_the_sha256_of_the_text_and_stable() {
        let t = Token::parse(&"A".repeat(43)).unwrap();
        assert_eq!(t.hash(), t.hash());
        assert_eq!(t.hash(), Token::parse(t.as_str()).unwrap().hash());
        let expected = digest::digest(&digest::SHA256, "A".repeat(43).as_bytes());
        assert_eq!(&t.hash().0[..], expected.as_ref());
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let t = Token::generate();
        let shown = format!("{t:?}");
        assert_eq!(shown, "Token(…redacted…)");
        assert!(!shown.contains(t.as_str()));

        let h = TokenHash([
            0xab, 0xcd, 0x01, 0x02, 0xff, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        assert_eq!(format!("{h:?}"), "TokenHash(abcd0102…)");
    }
}
