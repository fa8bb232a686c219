//! A small PDF writer on `pdf-writer`: A4 pages of text, rectangles and QR codes, in
//! DejaVu Sans (embedded, `assets/fonts/`), which covers every Vietnamese letter.
//!
//! Text is written as glyph ids (a Type 0 font with `Identity-H`), with a `ToUnicode` map
//! so a reader can search and copy it. Precomposed (NFC) Vietnamese letters each have a
//! glyph of their own in DejaVu Sans, so diacritics never depend on positioning marks.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// DejaVu Sans, under the Bitstream Vera licence (assets/fonts/LICENSE-DejaVu.txt).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

fn face() -> ttf_parser::Face<'static> {
    ttf_parser::Face::parse(FONT, 0).expect("the embedded font parses")
}

/// The font file compressed once per process: every PDF embeds the same bytes.
fn compressed_font() -> &'static [u8] {
    static COMPRESSED: OnceLock<Vec<u8>> = OnceLock::new();
    COMPRESSED.get_or_init(|| miniz_oxide::deflate::compress_to_vec_zlib(FONT, 6))
}

/// A PDF being drawn, page by page; coordinates are points from the bottom left.
pub struct PdfDoc {
    face: ttf_parser::Face<'static>,
    pages: Vec<Content>,
    /// Glyphs used, with the character each stands for (for `ToUnicode`).
    used: BTreeMap<u16, char>,
}

impl std::fmt::Debug for PdfDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PdfDoc({} pages)", self.pages.len())
    }
}

impl Default for PdfDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfDoc {
    pub fn new() -> PdfDoc {
        PdfDoc {
            face: face(),
            pages: Vec::new(),
            used: BTreeMap::new(),
        }
    }

    /// Starts a new page; later drawing goes on it.
    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("a page")
    }

    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    fn advance(&self, glyph: u16) -> f32 {
        let units = f32::from(self.face.units_per_em());
        let adv = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(adv) * 1000.0 / units
    }

    /// The width of `text` at `size`, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// Splits `text` into lines no wider than `max` points, at spaces where it can.
    pub fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= max || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Writes one line of text with its baseline at (`x`, `y`).
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let mut encoded = Vec::with_capacity(text.len() * 2);
        for c in text.chars().filter(|c| !c.is_control()) {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
            encoded.extend_from_slice(&g.to_be_bytes());
        }
        let page = self.page();
        page.begin_text();
        page.set_font(Name(b"F1"), size);
        page.next_line(x, y);
        page.show(Str(&encoded));
        page.end_text();
    }

    /// Writes `text` centred on `cx`.
    pub fn text_centered(&mut self, cx: f32, y: f32, size: f32, text: &str) {
        let w = self.width(text, size);
        self.text(cx - w / 2.0, y, size, text);
    }

    /// A filled rectangle in grey (`0.0` black … `1.0` white).
    pub fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        let page = self.page();
        page.set_fill_gray(gray);
        page.rect(x, y, w, h);
        page.fill_nonzero();
        page.set_fill_gray(0.0);
    }

    /// A rectangle's outline.
    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, line: f32) {
        let page = self.page();
        page.set_line_width(line);
        page.rect(x, y, w, h);
        page.stroke();
    }

    /// A QR code of `size` points square, its lower left corner at (`x`, `y`), drawn as
    /// vector modules with the quiet zone the standard asks for (left white).
    pub fn qr(&mut self, x: f32, y: f32, size: f32, code: &qrcode::QrCode) {
        let n = code.width();
        let quiet = 4;
        let module = size / (n + 2 * quiet) as f32;
        let colors = code.to_colors();
        let page = self.page();
        page.set_fill_gray(0.0);
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (col, row) = (i % n, i / n);
                let mx = x + (col + quiet) as f32 * module;
                let my = y + size - (row + quiet + 1) as f32 * module;
                // A hair wider than the module, so no white seams appear between them.
                page.rect(mx, my, module + 0.05, module + 0.05);
            }
        }
        page.fill_nonzero();
    }

    /// The finished file.
    pub fn finish(mut self, title: &str) -> Vec<u8> {
        if self.pages.is_empty() {
            self.new_page();
        }
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let (catalog, tree, info) = (alloc(), alloc(), alloc());
        let (font, cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
        let page_ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();

        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().map(|(p, _)| *p))
            .count(page_ids.len() as i32);
        pdf.document_info(info)
            .title(pdf_writer::TextStr(title))
            .producer(pdf_writer::TextStr("Phòng họp không giấy (hub)"));
        let base = Name(b"DejaVuSans");
        pdf.type0_font(font)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(600.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid_font.widths();
        for &g in self.used.keys() {
            widths.consecutive(g, [self.advance(g)]);
        }
        widths.finish();
        cid_font.finish();
        let units = f32::from(self.face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let bbox = self.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(self.face.ascender()))
            .descent(scale(self.face.descender()))
            .cap_height(scale(self.face.capital_height().unwrap_or(1493)))
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, compressed_font())
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), FONT.len() as i32);
        let mut map = UnicodeCmap::new(Name(b"Hub-UTF16"), system);
        for (&g, &c) in &self.used {
            map.pair(g, c);
        }
        let map = map.finish();
        pdf.cmap(cmap, &map);

        for ((page_id, content_id), content) in page_ids.iter().zip(self.pages) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree)
                .contents(*content_id);
            page.resources().fonts().pair(Name(b"F1"), font);
            page.finish();
            let bytes = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), 6);
            pdf.stream(*content_id, &bytes).filter(Filter::FlateDecode);
        }
        pdf.finish()
    }
}
