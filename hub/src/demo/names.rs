//! Vietnamese full names for demo data, drawn deterministically.
//!
//! A full name is family name, middle name(s), given name: "Nguyễn Văn An", "Trần Thị Thu Hà".
//! Family names are drawn by their rough share of the population (about four in ten people
//! are Nguyễn), middle and given names by gender, because "Thị" or "Hương" on a man would
//! look wrong to any Vietnamese reader. The generator is a fixed-seed LCG: the same seed
//! gives the same hall every time, with no dependency on a random-number crate.

use std::collections::HashSet;

/// Family names (họ) with a weight in thousandths of the population, rounded.
const FAMILY: [(&str, u32); 16] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 30),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 22),
    ("Võ", 17),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
];

/// Men's middle names (tên đệm); "Văn" is by far the most common, so it is drawn more often.
const MALE_MIDDLE: [&str; 17] = [
    "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Đình", "Trọng", "Mạnh", "Tiến", "Quốc",
    "Ngọc", "Thanh", "Duy", "Thế", "Anh",
];

/// Women's middle names other than "Thị".
const FEMALE_MIDDLE: [&str; 12] = [
    "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Thùy", "Diệu", "Bích", "Mỹ", "Hoài",
];

const MALE_GIVEN: [&str; 36] = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng", "Hưng", "Khánh", "Kiên",
    "Lâm", "Long", "Lợi", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Thành",
    "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Đông", "Hiệp", "Huy", "Khoa", "Tài",
];

const FEMALE_GIVEN: [&str; 30] = [
    "An", "Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương",
    "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên",
    "Thảo", "Thủy", "Trang", "Uyên", "Vân", "Yến", "Tâm",
];

/// Whether a name is drawn as a man's or a woman's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gender {
    Male,
    Female,
}

/// Draws unique full names from a fixed seed.
#[derive(Debug)]
pub(super) struct Names {
    state: u64,
    used: HashSet<String>,
}

impl Names {
    pub(super) fn new(seed: u64) -> Names {
        Names {
            state: seed,
            used: HashSet::new(),
        }
    }

    /// A number in `0..n`, from the high bits of a 64-bit LCG (Knuth's MMIX constants);
    /// the low bits of an LCG cycle too quickly to use.
    fn below(&mut self, n: usize) -> usize {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (((self.state >> 32) * n as u64) >> 32) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }

    /// A man about three times in four when no gender is asked for, roughly the share of
    /// men among congress delegates.
    pub(super) fn gender(&mut self) -> Gender {
        if self.below(100) < 72 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// A full name not given before by this generator.
    pub(super) fn name(&mut self, gender: Gender) -> String {
        let mut candidate = String::new();
        for _ in 0..64 {
            candidate = self.draw(gender);
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
        // Only when tens of thousands of names have been drawn: number the namesakes, as a
        // printed list would.
        (2..)
            .map(|k| format!("{candidate} ({k})"))
            .find(|name| self.used.insert(name.clone()))
            .expect("an unbounded range yields a free name")
    }

    fn draw(&mut self, gender: Gender) -> String {
        let total: u32 = FAMILY.iter().map(|(_, w)| w).sum();
        let mut ticket = self.below(total as usize) as u32;
        let mut family = FAMILY[0].0;
        for (name, weight) in FAMILY {
            if ticket < weight {
                family = name;
                break;
            }
            ticket -= weight;
        }
        let (middle, given) = match gender {
            Gender::Male => {
                let middle = if self.below(100) < 35 {
                    "Văn"
                } else {
                    self.pick(&MALE_MIDDLE)
                };
                (middle.to_owned(), self.pick(&MALE_GIVEN))
            }
            Gender::Female => {
                let middle = match self.below(100) {
                    // "Thị" alone, or "Thị Thu", "Thị Thanh"…: both very common.
                    0..=34 => "Thị".to_owned(),
                    35..=69 => format!("Thị {}", self.pick(&FEMALE_MIDDLE)),
                    _ => self.pick(&FEMALE_MIDDLE).to_owned(),
                };
                (middle, self.pick(&FEMALE_GIVEN))
            }
        };
        // "Trần Thị Thu Thu" is not a name; draw the given name again.
        if middle.split(' ').any(|m| m == given) {
            return self.draw(gender);
        }
        format!("{family} {middle} {given}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_names() {
        let draw = |seed| {
            let mut names = Names::new(seed);
            (0..50)
                .map(|_| names.name(Gender::Male))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn gender_shows_in_the_name_and_nguyen_is_the_most_common_family() {
        let mut names = Names::new(1);
        let women: Vec<String> = (0..300).map(|_| names.name(Gender::Female)).collect();
        let men: Vec<String> = (0..300).map(|_| names.name(Gender::Male)).collect();
        assert!(men.iter().all(|n| !n.contains(" Thị ")), "{men:?}");
        assert!(women.iter().filter(|n| n.contains(" Thị ")).count() > 150);
        let nguyen = men
            .iter()
            .chain(&women)
            .filter(|n| n.starts_with("Nguyễn "))
            .count();
        assert!((150..330).contains(&nguyen), "{nguyen} of 600");
    }

    #[test]
    fn names_stay_unique_past_the_space_of_combinations() {
        let mut names = Names::new(3);
        let all: HashSet<String> = (0..15_000).map(|_| names.name(Gender::Female)).collect();
        assert_eq!(all.len(), 15_000);
    }
}
