//! The watermark's font: DejaVu Sans, subset to the glyphs the text uses and embedded as
//! a Type 0 font (`Identity-H`) with a `ToUnicode` map, so that Vietnamese letters both
//! render and come back out of `pdftotext`.
//!
//! Precomposed (NFC) Vietnamese letters each have a glyph of their own in DejaVu Sans, so
//! text is encoded one glyph per character with no shaping. The file is the hub's
//! (`hub/assets/fonts/`, Bitstream Vera licence in `LICENSE-DejaVu.txt` beside it); only
//! the bytes are shared, no code.

use lopdf::{dictionary, Document, Object, ObjectId, Stream};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

static FONT: &[u8] = include_bytes!("../../../hub/assets/fonts/DejaVuSans.ttf");

/// The watermark's text, encoded for the subset font, with its metrics.
#[derive(Debug)]
pub(crate) struct WatermarkFont {
    face: ttf_parser::Face<'static>,
    remapper: GlyphRemapper,
    /// New glyph id → the character it stands for (for `ToUnicode`).
    chars: BTreeMap<u16, char>,
    /// New glyph id → advance in thousandths of the em.
    widths: BTreeMap<u16, f32>,
}

impl WatermarkFont {
    pub(crate) fn new() -> WatermarkFont {
        let face = ttf_parser::Face::parse(FONT, 0).expect("the embedded font parses");
        let mut remapper = GlyphRemapper::new();
        // Glyph 0 (.notdef) stays glyph 0, as PDF readers expect.
        remapper.remap(0);
        WatermarkFont {
            face,
            remapper,
            chars: BTreeMap::new(),
            widths: BTreeMap::new(),
        }
    }

    /// The string of 2-byte glyph ids for `text` (control characters dropped; a letter
    /// the font lacks becomes `?`), and its width in thousandths of the em.
    pub(crate) fn encode(&mut self, text: &str) -> (Vec<u8>, f32) {
        let units = f32::from(self.face.units_per_em());
        let mut bytes = Vec::with_capacity(text.len() * 2);
        let mut width = 0.0;
        for c in text.chars().filter(|c| !c.is_control()) {
            let (c, old) = match self.face.glyph_index(c) {
                Some(g) => (c, g.0),
                None => ('?', self.face.glyph_index('?').map_or(0, |g| g.0)),
            };
            let new = self.remapper.remap(old);
            let advance = self
                .face
                .glyph_hor_advance(ttf_parser::GlyphId(old))
                .map_or(0.0, |a| f32::from(a) * 1000.0 / units);
            self.chars.entry(new).or_insert(c);
            self.widths.insert(new, advance);
            width += advance;
            bytes.extend_from_slice(&new.to_be_bytes());
        }
        (bytes, width)
    }

    /// Adds the font's objects to `doc` and returns the Type 0 font's id.
    pub(crate) fn embed(&self, doc: &mut Document) -> Result<ObjectId, String> {
        let subset = subsetter::subset(FONT, 0, &self.remapper)
            .map_err(|e| format!("the font cannot be subset: {e}"))?;
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
        let file = doc.add_object(Stream::new(
            dictionary! { "Length1" => subset.len() as i64, "Filter" => "FlateDecode" },
            compressed,
        ));
        let units = f32::from(self.face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let bbox = self.face.global_bounding_box();
        let base = "PDFTRU+DejaVuSans";
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(base.into()),
            "Flags" => 32,
            "FontBBox" => vec![
                scale(bbox.x_min).into(), scale(bbox.y_min).into(),
                scale(bbox.x_max).into(), scale(bbox.y_max).into(),
            ],
            "ItalicAngle" => 0,
            "Ascent" => scale(self.face.ascender()),
            "Descent" => scale(self.face.descender()),
            "CapHeight" => scale(self.face.capital_height().unwrap_or(1493)),
            "StemV" => 80,
            "FontFile2" => file,
        });
        let mut w = Vec::new();
        for (&gid, &width) in &self.widths {
            w.push(Object::Integer(i64::from(gid)));
            w.push(Object::Array(vec![width.into()]));
        }
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(base.into()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "DW" => 600,
            "W" => w,
            "CIDToGIDMap" => "Identity",
        });
        let cmap = doc.add_object(Stream::new(dictionary! {}, self.to_unicode()));
        Ok(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(base.into()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid_font.into()],
            "ToUnicode" => cmap,
        }))
    }

    fn to_unicode(&self) -> Vec<u8> {
        use pdf_writer::types::{SystemInfo, UnicodeCmap};
        let system = SystemInfo {
            registry: pdf_writer::Str(b"Adobe"),
            ordering: pdf_writer::Str(b"UCS"),
            supplement: 0,
        };
        let mut map = UnicodeCmap::new(pdf_writer::Name(b"PdfTrust-UTF16"), system);
        for (&g, &c) in &self.chars {
            map.pair(g, c);
        }
        map.finish().to_vec()
    }
}
