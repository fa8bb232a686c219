//! The Vietnamese names the record's files get, in a download and inside the dossier:
//! "Biên bản - Đại hội đại biểu … .pdf". A title can be long and hold anything, so it is
//! cut to a readable length and cleaned of what no file system takes.

/// Characters of a title kept in a file name.
const MAX_TITLE: usize = 80;

/// `"{what} - {title}.{ext}"`, or `"{what}.{ext}"` for an empty title: no path separators,
/// control characters or characters Windows refuses, runs of spaces made one, the title
/// cut at a word to at most 80 characters.
pub fn file_name(what: &str, title: &str, ext: &str) -> String {
    format!("{}.{ext}", stem(what, title))
}

/// `"{what} - {title}"`: [`file_name`] without its extension (a folder, or a file with
/// several forms).
pub fn stem(what: &str, title: &str) -> String {
    let title = shorten(&clean(title));
    if title.is_empty() {
        what.to_owned()
    } else {
        format!("{what} - {title}")
    }
}

/// A title fit for a path segment.
pub(super) fn clean(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let joined = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_matches('.').trim().to_owned()
}

/// At most [`MAX_TITLE`] characters, cut at a space when there is one, with an ellipsis.
pub(super) fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_TITLE {
        return s.to_owned();
    }
    let cut: String = s.chars().take(MAX_TITLE).collect();
    let at = cut.rfind(' ').filter(|&i| i > MAX_TITLE / 2);
    let kept = at.map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", kept.trim_end_matches([',', ';', ' ', '-']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_vietnamese_short_and_safe() {
        assert_eq!(
            file_name("Biên bản", "Hội nghị Ban Chấp hành", "pdf"),
            "Biên bản - Hội nghị Ban Chấp hành.pdf"
        );
        assert_eq!(file_name("Điểm danh", "", "xlsx"), "Điểm danh.xlsx");
        let odd = file_name("Kết quả", "../a/b\u{7}:c?  d", "xlsx");
        assert_eq!(odd, "Kết quả - a b c d.xlsx");
        let long = "Đại hội đại biểu Đảng bộ huyện Tân Lập lần thứ XX, nhiệm kỳ 2025–2030, phiên trù bị và phiên chính thức";
        let name = file_name("Biên bản", long, "pdf");
        assert!(name.chars().count() < 100, "{name}");
        assert!(
            name.ends_with("…, .pdf") || name.ends_with("….pdf"),
            "{name}"
        );
    }
}
