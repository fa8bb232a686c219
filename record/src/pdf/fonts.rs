//! The three faces of Liberation Serif the papers use, and shaping with rustybuzz.
//!
//! Text is shaped here rather than by krilla so that the layout can measure exactly what
//! will be drawn (kerning included) and stretch the spaces of a justified line. Vietnamese
//! letters arrive precomposed (NFC, see `text`), and Liberation Serif has a glyph for every
//! one; a combining mark that still comes through is placed by the font's mark positioning.

use crate::paper::Style;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../../assets/fonts/LiberationSerif-Italic.ttf");

/// One face: krilla's handle (which embeds and subsets it) and the shaper's.
pub(crate) struct Face {
    pub font: Font,
    shaper: rustybuzz::Face<'static>,
    upem: f32,
}

/// The faces, parsed once per process.
pub(crate) struct Faces {
    regular: Face,
    bold: Face,
    italic: Face,
}

fn face(data: &'static [u8]) -> Face {
    let font = Font::new(data.into(), 0).expect("the bundled font parses");
    let shaper = rustybuzz::Face::from_slice(data, 0).expect("the bundled font parses");
    let upem = shaper.units_per_em() as f32;
    Face { font, shaper, upem }
}

impl Faces {
    pub fn get() -> &'static Faces {
        static FACES: OnceLock<Faces> = OnceLock::new();
        FACES.get_or_init(|| Faces {
            regular: face(REGULAR),
            bold: face(BOLD),
            italic: face(ITALIC),
        })
    }

    pub fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }
}

/// Text shaped in one face: glyph advances in em (multiply by the size for points).
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    pub glyphs: Vec<KrillaGlyph>,
    pub width_em: f32,
}

impl Face {
    /// Shapes `text` left to right, with the font's kerning and mark positioning.
    pub fn shape(&self, text: &str) -> Shaped {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.set_script(rustybuzz::script::LATIN);
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // A cluster ends where the next one starts (left to right, so clusters rise).
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let advance = pos.x_advance as f32 / self.upem;
            width += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / self.upem,
                pos.y_offset as f32 / self.upem,
                pos.y_advance as f32 / self.upem,
                start..end,
                None,
            ));
        }
        Shaped {
            glyphs,
            width_em: width,
        }
    }

    /// Shapes one word, from a per-thread memory of the words shaped before: the papers
    /// repeat their words (names, units, "Đồng chí"), and shaping is most of the layout.
    pub fn shape_word(&self, style: Style, word: &str) -> Shaped {
        thread_local! {
            static SHAPED: RefCell<HashMap<(Style, Box<str>), Shaped>> = RefCell::default();
        }
        SHAPED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(s) = cache.get(&(style, word.into())) {
                return s.clone();
            }
            // Bounded: a paper of any size keeps at most this many distinct words in mind.
            if cache.len() >= 50_000 {
                cache.clear();
            }
            let shaped = self.shape(word);
            cache.insert((style, word.into()), shaped.clone());
            shaped
        })
    }

    /// The width of `text` in points at `size`.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.shape(text).width_em * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_face() {
        let letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy";
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let mut all = String::new();
        for base in letters.chars() {
            all.push(base);
            if "aăâeêioôơuưy".contains(base) {
                for t in tones {
                    all.push(base);
                    all.push(t);
                }
            }
        }
        use unicode_normalization::UnicodeNormalization;
        let all: String = all.nfc().collect();
        let all = format!("{all}{}", all.to_uppercase());
        for style in [Style::Regular, Style::Bold, Style::Italic] {
            let face = Faces::get().face(style);
            for c in all.chars() {
                assert!(
                    face.shaper.glyph_index(c).is_some(),
                    "{style:?} has no glyph for {c} (U+{:04X})",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn shaping_measures_what_is_drawn() {
        let face = Faces::get().face(Style::Regular);
        let s = face.shape("Hường");
        assert_eq!(s.glyphs.len(), 5, "one glyph per precomposed letter");
        assert_eq!(s.glyphs[1].text_range, 1..3, "ư is two bytes");
        assert!(face.width("Hường", 14.0) > face.width("Hương", 14.0) - 0.01);
        assert!(face.width("Trần Đức Lượng", 14.0) > 80.0);
    }
}
