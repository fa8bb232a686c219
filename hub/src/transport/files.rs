//! The HTTP details of files: cleaning an uploaded name, choosing a content type, the
//! `Content-Disposition` that keeps a Vietnamese name (RFC 6266 with RFC 5987's
//! `filename*`), and reading a single `Range: bytes=…`. Pure functions, tested here.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The name a file gets when the upload gave none usable.
const FALLBACK_NAME: &str = "tai-lieu";
/// Longest name kept, in characters.
const MAX_NAME_CHARS: usize = 200;

/// An uploaded file name made safe to store and to send back: only the last path segment,
/// no control characters, no leading dots (so never `..`), at most 200 characters. It is
/// only ever a label: blobs are stored by hash, never by this name.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, ':' | '"') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = cleaned.chars().take(MAX_NAME_CHARS).collect();
    name.truncate(name.trim_end().len());
    if name.is_empty() {
        FALLBACK_NAME.to_owned()
    } else {
        name
    }
}

/// The content type to store: the upload's own when it is a plausible `type/subtype`
/// (parameters dropped), else one guessed from the name's extension.
pub fn content_type(declared: Option<&str>, file_name: &str) -> String {
    let declared = declared
        .and_then(|d| d.split(';').next())
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| {
            d.len() <= 127
                && d != "application/octet-stream"
                && d.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
        });
    declared.unwrap_or_else(|| guess(file_name).to_owned())
}

fn token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c))
}

fn guess(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// RFC 5987 `attr-char`s go as they are; everything else is percent-encoded.
const ATTR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="ascii"; filename*=UTF-8''…`: old clients take the ASCII
/// fallback (Vietnamese letters without their marks), current ones the exact name.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name.chars().map(ascii_fold).collect();
    let encoded = utf8_percent_encode(file_name, ATTR);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A Vietnamese letter without its diacritics; other non-ASCII characters, quotes and
/// backslashes become `_`.
fn ascii_fold(c: char) -> char {
    const GROUPS: [(&str, char); 14] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'A'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'E'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'I'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'O'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'U'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'Y'),
        ("đ", 'd'),
        ("Đ", 'D'),
    ];
    if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
        return c;
    }
    GROUPS
        .iter()
        .find(|(group, _)| group.contains(c))
        .map_or('_', |(_, base)| *base)
}

/// What to send for a `Range` header, for a file of `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranged {
    /// The whole file (no range, or one the hub ignores, as RFC 9110 allows).
    Full,
    /// Bytes `start..=end`: 206.
    Part { start: u64, end: u64 },
    /// Nothing of the file matches: 416.
    Unsatisfiable,
}

/// Reads a single range, `bytes=a-b`, `bytes=a-` or `bytes=-n`. Several ranges, other
/// units and malformed values are ignored (the whole file is sent).
pub fn parse_range(header: Option<&str>, len: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ranged::Full;
    };
    if spec.contains(',') {
        return Ranged::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Ranged::Full;
    };
    let num = |s: &str| s.trim().parse::<u64>().ok();
    match (a.trim().is_empty(), num(a), num(b)) {
        // The last n bytes.
        (true, _, Some(n)) => {
            if n == 0 || len == 0 {
                Ranged::Unsatisfiable
            } else {
                Ranged::Part {
                    start: len.saturating_sub(n),
                    end: len - 1,
                }
            }
        }
        (false, Some(start), end) if b.trim().is_empty() || end.is_some() => {
            if end.is_some_and(|e| e < start) {
                return Ranged::Full;
            }
            if start >= len {
                return Ranged::Unsatisfiable;
            }
            let end = end.map_or(len - 1, |e| e.min(len - 1));
            Ranged::Part { start, end }
        }
        _ => Ranged::Full,
    }
}

/// Whether an `If-None-Match` value names this entity tag (or `*`).
pub fn none_match(header: Option<&str>, etag: &str) -> bool {
    header.is_some_and(|h| {
        h.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_paths_controls_and_dots_are_cleaned() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\Users\\thu ky\\Dự thảo.pdf"),
            "Dự thảo.pdf"
        );
        assert_eq!(clean_file_name(".."), "tai-lieu");
        assert_eq!(clean_file_name("..\u{0}.pdf"), "pdf");
        assert_eq!(clean_file_name("a\u{7}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name("  "), "tai-lieu");
        assert_eq!(clean_file_name(&"ệ".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn the_content_type_is_the_uploads_or_guessed() {
        assert_eq!(
            content_type(Some("application/pdf"), "x.bin"),
            "application/pdf"
        );
        assert_eq!(
            content_type(Some("Application/PDF; x=1"), "x"),
            "application/pdf"
        );
        assert_eq!(
            content_type(Some("application/octet-stream"), "a.PDF"),
            "application/pdf"
        );
        assert_eq!(content_type(Some("not a type"), "a.docx").len(), 71);
        assert_eq!(content_type(None, "bảng.xlsx").len(), 65);
        assert_eq!(content_type(None, "noext"), "application/octet-stream");
    }

    #[test]
    fn vietnamese_names_survive_in_filename_star() {
        let d = content_disposition("Dự thảo Nghị quyết \"số 1\".pdf");
        assert_eq!(
            d,
            "attachment; filename=\"Du thao Nghi quyet _so 1_.pdf\"; \
             filename*=UTF-8''D%E1%BB%B1%20th%E1%BA%A3o%20Ngh%E1%BB%8B%20quy%E1%BA%BFt%20%22s%E1%BB%91%201%22.pdf"
        );
        assert!(content_disposition("Đại hội").starts_with("attachment; filename=\"Dai hoi\""));
    }

    #[test]
    fn single_ranges_are_read_and_others_ignored() {
        use Ranged::*;
        assert_eq!(parse_range(None, 100), Full);
        assert_eq!(
            parse_range(Some("bytes=0-9"), 100),
            Part { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=90-"), 100),
            Part { start: 90, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=90-500"), 100),
            Part { start: 90, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=-10"), 100),
            Part { start: 90, end: 99 }
        );
        assert_eq!(
            parse_range(Some("bytes=-500"), 100),
            Part { start: 0, end: 99 }
        );
        assert_eq!(parse_range(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-1"), 100), Full);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(parse_range(Some("items=0-1"), 100), Full);
        assert_eq!(parse_range(Some("bytes=x-1"), 100), Full);
    }

    #[test]
    fn if_none_match_compares_entity_tags() {
        let etag = "\"abc\"";
        assert!(none_match(Some("\"abc\""), etag));
        assert!(none_match(Some("\"x\", W/\"abc\""), etag));
        assert!(none_match(Some("*"), etag));
        assert!(!none_match(Some("\"abd\""), etag));
        assert!(!none_match(None, etag));
    }
}
