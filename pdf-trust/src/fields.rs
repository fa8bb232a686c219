//! Finding the signature dictionaries of a PDF and the bytes each one signs.
//!
//! A signature dictionary (`/Type /Sig`, or `/DocTimeStamp`) holds the CMS bytes in
//! `/Contents` and names what they sign in `/ByteRange [a b c d]`: the file's bytes
//! `a..a+b` and `c..c+d`. A sound range starts at byte 0 and leaves out exactly the hex
//! string `<…>` that holds `/Contents`; whatever lies after `c+d` was added after signing
//! (an incremental update).

use crate::PdfError;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;

/// Most signatures one document may carry; more is refused as junk or an attack.
pub const MAX_SIGNATURES: usize = 32;
/// Most bytes the CMS of one signature may have (a CMS with full revocation data for
/// long-term validation is well under this).
const MAX_CMS_BYTES: usize = 4 * 1024 * 1024;

/// One signature dictionary as found in the file, not yet checked.
#[derive(Debug)]
pub(crate) struct FoundSignature {
    /// The signature field's name (`/T`), when a field points at this dictionary.
    pub(crate) field: Option<String>,
    /// `/SubFilter`, e.g. `adbe.pkcs7.detached`.
    pub(crate) sub_filter: String,
    /// `/ByteRange` as written, if it is an array of integers.
    pub(crate) byte_range: Option<Vec<i64>>,
    /// `/Contents` as the PDF parser decoded it.
    pub(crate) contents: Vec<u8>,
    /// A document time-stamp (`/Type /DocTimeStamp` or `ETSI.RFC3161`), not a person's
    /// signature.
    pub(crate) time_stamp: bool,
}

/// The two signed spans of a sound `/ByteRange`, and what the file has beyond them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedSpans {
    pub(crate) first: std::ops::Range<usize>,
    pub(crate) second: std::ops::Range<usize>,
    /// The CMS bytes read from the hole between the spans (hex-decoded, zero padding kept).
    pub(crate) cms: Vec<u8>,
    /// Bytes after the second span: added after this signature was made.
    pub(crate) bytes_after: usize,
}

/// Every signature dictionary in `doc`, in the order of the bytes they sign.
pub(crate) fn find_signatures(doc: &Document) -> Result<Vec<FoundSignature>, PdfError> {
    let mut field_names: HashMap<ObjectId, String> = HashMap::new();
    let mut found = Vec::new();
    let push = |found: &mut Vec<FoundSignature>, sig: FoundSignature| {
        found.push(sig);
        if found.len() > MAX_SIGNATURES {
            return Err(PdfError::TooManySignatures(MAX_SIGNATURES));
        }
        Ok(())
    };
    // Fields first: a field's /V names its signature dictionary, either by reference or
    // (rarely) directly.
    for dict in doc.objects.values().filter_map(|o| o.as_dict().ok()) {
        let Ok(value) = dict.get(b"V") else { continue };
        let name = dict
            .get(b"T")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok());
        match value {
            Object::Reference(id) => {
                if let Some(name) = name {
                    field_names.insert(*id, name);
                }
            }
            Object::Dictionary(v) if is_signature(v) => push(&mut found, read(v, name))?,
            _ => {}
        }
    }
    for (id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else { continue };
        if is_signature(dict) {
            push(&mut found, read(dict, field_names.get(id).cloned()))?;
        }
    }
    found.sort_by_key(|s| {
        s.byte_range
            .as_ref()
            .and_then(|r| r.get(2).zip(r.get(3)).map(|(c, d)| c.saturating_add(*d)))
            .unwrap_or(i64::MAX)
    });
    Ok(found)
}

fn is_signature(dict: &Dictionary) -> bool {
    let typed = matches!(
        dict.get(b"Type").and_then(Object::as_name),
        Ok(b"Sig") | Ok(b"DocTimeStamp")
    );
    // Some signers leave out the optional /Type; /ByteRange with /Contents is a signature.
    typed || (dict.has(b"ByteRange") && dict.has(b"Contents") && dict.has(b"Filter"))
}

fn read(dict: &Dictionary, field: Option<String>) -> FoundSignature {
    let sub_filter = dict
        .get(b"SubFilter")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let byte_range = dict
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| {
            a.iter()
                .map(|o| o.as_i64().ok())
                .collect::<Option<Vec<i64>>>()
        });
    let contents = dict
        .get(b"Contents")
        .and_then(Object::as_str)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let time_stamp = sub_filter == "ETSI.RFC3161"
        || matches!(
            dict.get(b"Type").and_then(Object::as_name),
            Ok(b"DocTimeStamp")
        );
    FoundSignature {
        field,
        sub_filter,
        byte_range,
        contents,
        time_stamp,
    }
}

/// Checks `/ByteRange` against the file: four numbers, starting at 0, the hole between
/// the spans exactly one hex string that decodes to this dictionary's `/Contents`, the
/// second span within the file. Says why when it is not sound.
pub(crate) fn signed_spans(file: &[u8], sig: &FoundSignature) -> Result<SignedSpans, String> {
    let r = sig
        .byte_range
        .as_deref()
        .ok_or("the signature has no /ByteRange of integers")?;
    let [a, b, c, d] = r else {
        return Err(format!("/ByteRange has {} numbers, not 4", r.len()));
    };
    let num = |v: i64| usize::try_from(v).map_err(|_| "/ByteRange has a negative number");
    let (a, b, c, d) = (num(*a)?, num(*b)?, num(*c)?, num(*d)?);
    if a != 0 {
        return Err("/ByteRange does not start at the file's first byte".into());
    }
    let end = c.checked_add(d).ok_or("/ByteRange overflows")?;
    if b >= c || end > file.len() {
        return Err("/ByteRange points outside the file or its spans overlap".into());
    }
    let hole = &file[b..c];
    if hole.len() < 2 || hole[0] != b'<' || hole[hole.len() - 1] != b'>' {
        return Err("the bytes left out of /ByteRange are not one hex string".into());
    }
    let hex = &hole[1..hole.len() - 1];
    if hex.len() / 2 > MAX_CMS_BYTES {
        return Err(format!(
            "the signature's /Contents is over {MAX_CMS_BYTES} bytes"
        ));
    }
    let cms = decode_hex(hex).ok_or("the bytes left out of /ByteRange are not one hex string")?;
    // The hole must be this dictionary's own /Contents: a range borrowed from another
    // signature would otherwise pass for a second signature.
    if trim_zeros(&cms) != trim_zeros(&sig.contents) {
        return Err("the bytes left out of /ByteRange are not this signature's /Contents".into());
    }
    Ok(SignedSpans {
        first: 0..b,
        second: c..end,
        cms,
        bytes_after: file.len() - end,
    })
}

fn trim_zeros(bytes: &[u8]) -> &[u8] {
    let len = bytes.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
    &bytes[..len]
}

/// Decodes hex digits, skipping PDF white space; `None` on anything else or an odd count.
fn decode_hex(hex: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(hex.len() / 2);
    let mut high: Option<u8> = None;
    for &ch in hex {
        if matches!(ch, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0') {
            continue;
        }
        let v = (ch as char).to_digit(16)? as u8;
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    // The PDF rule (a missing last digit is 0) would let the hole and /Contents disagree
    // on length; a signer always writes whole bytes.
    if high.is_some() {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(range: Vec<i64>, contents: &[u8]) -> FoundSignature {
        FoundSignature {
            field: None,
            sub_filter: "adbe.pkcs7.detached".into(),
            byte_range: Some(range),
            contents: contents.to_vec(),
            time_stamp: false,
        }
    }

    #[test]
    fn a_sound_range_gives_spans_and_the_cms_bytes() {
        let file = b"0123<0a0b00>89";
        let spans = signed_spans(file, &sig(vec![0, 4, 12, 2], &[0x0a, 0x0b])).unwrap();
        assert_eq!(spans.first, 0..4);
        assert_eq!(spans.second, 12..14);
        assert_eq!(spans.cms, vec![0x0a, 0x0b, 0]);
        assert_eq!(spans.bytes_after, 0);
        let longer = b"0123<0a0b00>89 more";
        assert_eq!(
            signed_spans(longer, &sig(vec![0, 4, 12, 2], &[10, 11]))
                .unwrap()
                .bytes_after,
            5
        );
    }

    #[test]
    fn unsound_ranges_are_refused_with_a_reason() {
        let file = b"0123<0a0b00>89";
        let c = &[0x0a, 0x0b];
        for range in [
            vec![0, 4, 12],
            vec![1, 3, 12, 2],
            vec![0, 4, 12, 3],
            vec![0, 5, 12, 2],
            vec![0, 12, 4, 2],
            vec![0, -4, 12, 2],
            vec![0, 4, i64::MAX, i64::MAX],
        ] {
            assert!(
                signed_spans(file, &sig(range.clone(), c)).is_err(),
                "{range:?}"
            );
        }
        assert!(signed_spans(file, &sig(vec![0, 4, 12, 2], &[0x0a, 0x0c])).is_err());
        assert!(signed_spans(b"0123<0a0x00>89", &sig(vec![0, 4, 12, 2], c)).is_err());
    }
}
