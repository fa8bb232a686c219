//! The web UI's words, read from its files: one table per language (`hub/web/js/lang/vi.js`
//! and `en.js`) with the same keys and placeholders, every key a screen asks `t()` for is
//! in them, every key in them is asked for, and no screen writes Vietnamese words of its
//! own outside the tables (the way a word ends up untranslated).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn web_js() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hub/web/js")
}

/// `key → text` of a table, in file order; each entry is one line `  key: 'text',`.
fn table(name: &str) -> Vec<(String, String)> {
    let path = web_js().join("lang").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut entries = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("  ") else {
            continue;
        };
        let Some((key, value)) = rest.split_once(": ") else {
            continue;
        };
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            continue;
        }
        let value = value
            .strip_suffix(',')
            .unwrap_or_else(|| panic!("{name}: {key} is not one line ending in a comma"));
        let quoted = (value.starts_with('\'') && value.ends_with('\''))
            || (value.starts_with('"') && value.ends_with('"'));
        assert!(
            quoted && value.len() >= 2,
            "{name}: {key} is not a quoted string: {value}"
        );
        entries.push((key.to_owned(), value[1..value.len() - 1].to_owned()));
    }
    assert!(
        entries.len() > 100,
        "{name}: the table was not read ({} entries)",
        entries.len()
    );
    entries
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_') =>
            {
                found.insert(after[..close].to_owned());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    found
}

/// Every script of the UI but the tables: `(path, text)`.
fn scripts() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("reading hub/web/js") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "lang") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).expect("a script");
                out.push((path.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&web_js(), &mut out);
    assert!(out.len() > 20, "the scripts were not found: {}", out.len());
    out
}

/// Whether `c` may be part of a JavaScript identifier (so `at(` is not a call of `t(`).
fn ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '.'
}

/// What follows each call `name(` in `text` that is not the tail of a longer name.
fn calls<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!("{name}(");
    text.match_indices(&needle)
        .filter(|(i, _)| !text[..*i].chars().next_back().is_some_and(ident))
        .map(|(i, _)| text[i + needle.len()..].trim_start())
        .collect()
}

/// The word at the start of `s` that could be a key, if `s` starts with `quote`.
fn quoted_key(s: &str, quote: char) -> Option<&str> {
    let s = s.strip_prefix(quote)?;
    let end = s.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))?;
    (s[end..].starts_with(quote) && end > 0).then(|| &s[..end])
}

struct Uses {
    /// Keys written out: `t('key')`, `{sentence: 'key'}`.
    keys: BTreeSet<String>,
    /// Families of keys picked by a value: `t(`poll_status_${s}`)` gives `poll_status_`.
    prefixes: BTreeSet<String>,
    /// Every `'snake_case'` literal, so a key handed around before `t()` counts as used.
    literals: BTreeSet<String>,
}

fn uses() -> Uses {
    let mut uses = Uses {
        keys: BTreeSet::new(),
        prefixes: BTreeSet::new(),
        literals: BTreeSet::new(),
    };
    for (_, text) in scripts() {
        for after in calls(&text, "t") {
            if let Some(key) = quoted_key(after, '\'') {
                uses.keys.insert(key.to_owned());
            }
        }
        for after in calls(&text, "t").into_iter().chain(calls(&text, "has")) {
            if let Some(tail) = after.strip_prefix('`') {
                if let Some(end) = tail.find("${") {
                    uses.prefixes.insert(tail[..end].to_owned());
                }
            }
        }
        for (i, _) in text.match_indices("sentence: ") {
            if let Some(key) = quoted_key(&text[i + "sentence: ".len()..], '\'') {
                uses.keys.insert(key.to_owned());
            }
        }
        for (i, _) in text.match_indices('\'') {
            if let Some(key) = quoted_key(&text[i..], '\'') {
                uses.literals.insert(key.to_owned());
            }
        }
    }
    uses
}

#[test]
fn both_languages_have_the_same_keys_in_the_same_order_with_the_same_placeholders() {
    let vi = table("vi.js");
    let en = table("en.js");
    let vi_keys: Vec<_> = vi.iter().map(|(k, _)| k.as_str()).collect();
    let en_keys: Vec<_> = en.iter().map(|(k, _)| k.as_str()).collect();
    let unique: BTreeSet<_> = vi_keys.iter().collect();
    assert_eq!(
        unique.len(),
        vi_keys.len(),
        "a key is written twice in vi.js"
    );
    assert_eq!(vi_keys, en_keys, "vi.js and en.js list different keys");
    let en: BTreeMap<_, _> = en.into_iter().collect();
    for (key, text) in &vi {
        assert!(!text.trim().is_empty(), "{key} is empty in vi.js");
        assert!(!en[key].trim().is_empty(), "{key} is empty in en.js");
        assert_eq!(
            placeholders(text),
            placeholders(&en[key]),
            "{key}: the two languages fill in different values: {text:?} / {:?}",
            en[key]
        );
    }
}

#[test]
fn every_key_a_screen_asks_for_is_in_the_tables_and_every_key_is_asked_for() {
    let vi: BTreeSet<String> = table("vi.js").into_iter().map(|(k, _)| k).collect();
    let uses = uses();
    assert!(uses.keys.len() > 100, "the calls of t() were not found");
    let missing: Vec<_> = uses.keys.iter().filter(|k| !vi.contains(*k)).collect();
    assert!(missing.is_empty(), "keys used but in no table: {missing:?}");
    for prefix in &uses.prefixes {
        assert!(
            vi.iter().any(|k| k.starts_with(prefix.as_str())),
            "t(`{prefix}${{…}}`) finds no key in the tables"
        );
    }
    let unused: Vec<_> = vi
        .iter()
        .filter(|k| {
            !uses.literals.contains(*k) && !uses.prefixes.iter().any(|p| k.starts_with(p.as_str()))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "keys in the tables that no screen uses: {unused:?}"
    );
}

/// Letters only Vietnamese uses among the languages of the UI (ă, ơ, ư, đ, the tone marks…).
fn vietnamese(c: char) -> bool {
    "ăâđêôơưĂÂĐÊÔƠƯàáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ".contains(c)
        || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
        || ('\u{0300}'..='\u{0323}').contains(&c)
}

#[test]
fn no_screen_writes_words_outside_the_tables() {
    let mut found = Vec::new();
    for (path, text) in scripts() {
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('*') || trimmed.starts_with("/*") {
                continue;
            }
            let code = line.split(" // ").next().unwrap_or(line);
            if code.chars().any(vietnamese) {
                found.push(format!("{path}:{}: {}", n + 1, code.trim()));
            }
            // The second scheme this table replaced: words written side by side in a call.
            if !calls(code, "say").is_empty() || !calls(code, "define").is_empty() {
                found.push(format!("{path}:{}: {}", n + 1, code.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "words written outside lang/vi.js and lang/en.js:\n{}",
        found.join("\n")
    );
}
