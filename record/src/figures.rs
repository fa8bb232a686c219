//! Numbers as Vietnamese papers print them: `1.850` (a dot between thousands), `71,43 %`
//! (a decimal comma, a space before the sign), and the exact count a rule needs.
//!
//! Percentages are computed from integers, never floats: hundredths of a percent rounded
//! half up (`2/3` → `66,67 %`, `1/8` → `12,50 %`). A printed percentage is for reading only;
//! whether a rule is met is decided on the integers (see [`votes_needed`]), and the papers
//! print the count needed beside it so that a rounded `50,00 %` is never mistaken for the
//! threshold itself.

use protocol::Threshold;

/// `1234567` → `1.234.567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// `part` out of `base` in hundredths of a percent, rounded half up; `None` for a base of 0.
pub fn hundredths(part: u64, base: u64) -> Option<u64> {
    if base == 0 {
        return None;
    }
    let (part, base) = (u128::from(part), u128::from(base));
    let h = (part * 20_000 + base) / (2 * base);
    u64::try_from(h).ok()
}

/// `5` of `7` → `71,43 %` (with a no-break space before the sign); a base of 0 → `—`.
pub fn percent(part: u64, base: u64) -> String {
    match hundredths(part, base) {
        Some(h) => format!("{},{:02}\u{a0}%", thousands(h / 100), h % 100),
        None => "—".to_owned(),
    }
}

/// The same share as a fraction for a spreadsheet cell formatted as a percentage
/// (`0.7143` for 5 of 7): the rounded hundredths, so the sheet shows what the papers print.
pub fn percent_fraction(part: u64, base: u64) -> Option<f64> {
    hundredths(part, base).map(|h| h as f64 / 10_000.0)
}

/// The fewest votes out of `base` that pass `threshold`, or `None` when no count can
/// (a base of 0). "More than half of 2,000" needs 1,001; "at least two thirds of 300", 200.
pub fn votes_needed(threshold: Threshold, base: u64) -> Option<u64> {
    if base == 0 {
        return None;
    }
    let num = u128::from(threshold.share.num);
    let den = u128::from(threshold.share.den);
    let product = u128::from(base) * num;
    let needed = if threshold.strict {
        product / den + 1
    } else {
        product.div_ceil(den)
    };
    let needed = u64::try_from(needed).ok()?;
    (needed <= base).then_some(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_take_dots() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }

    #[test]
    fn percentages_round_half_up_with_a_decimal_comma() {
        assert_eq!(percent(5, 7), "71,43\u{a0}%");
        assert_eq!(percent(2, 3), "66,67\u{a0}%");
        assert_eq!(percent(1, 3), "33,33\u{a0}%");
        assert_eq!(percent(1, 8), "12,50\u{a0}%");
        assert_eq!(percent(1, 80_000), "0,00\u{a0}%", "0.00125 % rounds down");
        assert_eq!(percent(1, 20_000), "0,01\u{a0}%", "0.005 % rounds half up");
        assert_eq!(
            percent(1, 20_001),
            "0,00\u{a0}%",
            "just under half a hundredth"
        );
        assert_eq!(percent(7, 7), "100,00\u{a0}%");
        assert_eq!(percent(3, 0), "—");
        assert_eq!(percent_fraction(5, 7), Some(0.7143));
    }

    #[test]
    fn the_count_needed_agrees_with_the_rule() {
        let half = Threshold::MORE_THAN_HALF;
        let two_thirds = Threshold::TWO_THIRDS;
        assert_eq!(votes_needed(half, 2000), Some(1001));
        assert_eq!(votes_needed(half, 7), Some(4));
        assert_eq!(votes_needed(two_thirds, 300), Some(200));
        assert_eq!(votes_needed(two_thirds, 301), Some(201));
        assert_eq!(votes_needed(half, 0), None);
        let all: Threshold = ">1/1".parse().unwrap();
        assert_eq!(
            votes_needed(all, 10),
            None,
            "more than all cannot be reached"
        );
        for t in [
            half,
            two_thirds,
            ">=3/5".parse().unwrap(),
            ">3/4".parse().unwrap(),
        ] {
            for base in 1..200u64 {
                let n = votes_needed(t, base).unwrap();
                assert!(
                    t.passed_by(n, base) && !t.passed_by(n - 1, base),
                    "{t} of {base}"
                );
            }
        }
    }
}
