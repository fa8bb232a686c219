//! How bytes are written: hex for digests and contexts, base64url for keys and sealed
//! shares (as elastic-elgamal writes its own group elements), Crockford base32 for what a
//! person reads, types or scans (receipts, check codes, the printed member secret), and a
//! JSON parser that refuses oversized input before it parses it.

use std::sync::OnceLock;

use data_encoding::{Encoding, Specification, BASE64URL_NOPAD, HEXLOWER_PERMISSIVE};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serializer};

/// Input that could not be read: too large, or not what was expected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("{what} is {size} bytes, more than the {limit} accepted")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("{what} is not valid: {message}")]
    Malformed { what: &'static str, message: String },
}

/// Parses `bytes` as JSON into `T`, refusing more than `limit` bytes before parsing.
pub fn from_json<T: DeserializeOwned>(
    bytes: &[u8],
    limit: usize,
    what: &'static str,
) -> Result<T, ParseError> {
    if bytes.len() > limit {
        return Err(ParseError::TooLarge {
            what,
            size: bytes.len(),
            limit,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| ParseError::Malformed {
        what,
        message: e.to_string(),
    })
}

/// Crockford's base32 (no I, L, O, U; read case-insensitively, O as 0, I and L as 1):
/// the alphabet of the hub's receipts, safe to read aloud and to type.
pub(crate) fn crockford() -> &'static Encoding {
    static CROCKFORD: OnceLock<Encoding> = OnceLock::new();
    CROCKFORD.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
        spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzoOiIlL");
        spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ001111");
        spec.encoding()
            .expect("a valid base32 specification (checked by a test)")
    })
}

/// A code as people may type it (lowercase, O for 0, I or L for 1) in its written form;
/// `None` if a character is not Crockford base32.
pub(crate) fn normalize_code(text: &str) -> Option<String> {
    text.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => Some('0'),
            'I' | 'L' => Some('1'),
            c if c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'U') => Some(c),
            _ => None,
        })
        .collect()
}

/// Ten Crockford characters (50 bits) of a digest: a receipt or a check code.
pub(crate) fn short_code(digest: &[u8; 32]) -> String {
    let mut code = crockford().encode(&digest[..7]);
    code.truncate(10);
    code
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

pub(crate) fn base64(bytes: &[u8]) -> String {
    BASE64URL_NOPAD.encode(bytes)
}

/// Decodes exactly `N` bytes.
pub(crate) fn decode_fixed<const N: usize>(encoding: &Encoding, text: &str) -> Option<[u8; N]> {
    let bytes = encoding.decode(text.as_bytes()).ok()?;
    bytes.try_into().ok()
}

pub(crate) fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    decode_fixed(&HEXLOWER_PERMISSIVE, text)
}

/// `#[serde(with = "hex32")]`: 32 bytes as 64 hex digits.
pub(crate) mod hex32 {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        decode_hex32(&text)
            .ok_or_else(|| serde::de::Error::custom("expected 32 bytes as 64 hex digits"))
    }
}

/// `#[serde(with = "b64_32")]`: 32 bytes as base64url without padding.
pub(crate) mod b64_32 {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        decode_fixed(&BASE64URL_NOPAD, &text)
            .ok_or_else(|| serde::de::Error::custom("expected 32 bytes in base64url"))
    }
}

/// `#[serde(with = "b64_vec")]`: bytes as base64url without padding.
pub(crate) mod b64_vec {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        BASE64URL_NOPAD
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("expected base64url"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crockford_reads_what_people_misread() {
        let bytes = [0xA5u8; 32];
        let text = crockford().encode(&bytes);
        assert_eq!(text.len(), 52);
        assert_eq!(
            crockford().decode(text.to_lowercase().as_bytes()).unwrap(),
            bytes
        );
        assert_eq!(
            crockford().decode(b"0O").ok(),
            crockford().decode(b"00").ok()
        );
        assert_eq!(
            crockford().decode(b"1I").ok(),
            crockford().decode(b"1l").ok()
        );
        assert!(
            crockford().decode(b"UU").is_err(),
            "U is not in the alphabet"
        );
    }

    #[test]
    fn a_typed_code_is_read_as_written() {
        assert_eq!(normalize_code("7k3m-").as_deref(), None);
        assert_eq!(normalize_code("7k3mOIl").as_deref(), Some("7K3M011"));
        assert_eq!(normalize_code("UV"), None);
    }

    #[test]
    fn a_short_code_is_ten_characters() {
        let code = short_code(&[0xFF; 32]);
        assert_eq!(code, "ZZZZZZZZZZ");
        assert_eq!(short_code(&[0; 32]), "0000000000");
    }

    #[test]
    fn oversized_json_is_refused_before_parsing() {
        let err = from_json::<u32>(b"123456", 4, "a number").unwrap_err();
        assert!(matches!(
            err,
            ParseError::TooLarge {
                size: 6,
                limit: 4,
                ..
            }
        ));
        assert!(matches!(
            from_json::<u32>(b"\"x\"", 4, "a number"),
            Err(ParseError::Malformed { .. })
        ));
    }
}
