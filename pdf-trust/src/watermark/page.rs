//! Marking one page: its displayed geometry (inherited boxes and rotation), its resources
//! (inherited ones copied onto the page, plus the watermark's font and transparency), and
//! its content (the original wrapped in `q … Q`, then the watermark).

use super::font::WatermarkFont;
use crate::verify::PdfError;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use pdf_writer::{Content, Name, Str};
use std::collections::HashMap;

/// How far up the page tree an inherited attribute is looked for.
const MAX_TREE_DEPTH: usize = 64;

/// The watermark's lines, encoded once for the whole document.
#[derive(Debug)]
pub(crate) struct Text {
    /// Each line's glyph string and width (thousandths of the em).
    lines: Vec<(Vec<u8>, f32)>,
    /// All lines on one line, for the footer.
    footer: (Vec<u8>, f32),
}

impl Text {
    pub(crate) fn new(font: &mut WatermarkFont, lines: &[String]) -> Text {
        Text {
            lines: lines.iter().map(|l| font.encode(l)).collect(),
            footer: font.encode(&lines.join(" · ")),
        }
    }

    fn widest(&self) -> f32 {
        self.lines.iter().map(|l| l.1).fold(1.0, f32::max)
    }
}

/// The objects every page's watermark refers to.
#[derive(Debug)]
pub(crate) struct ResourceNames {
    font: ObjectId,
    state: ObjectId,
    footer_state: ObjectId,
}

impl ResourceNames {
    pub(crate) fn new(font: ObjectId, state: ObjectId, footer_state: ObjectId) -> Self {
        ResourceNames {
            font,
            state,
            footer_state,
        }
    }
}

/// What the watermark's drawing depends on: pages alike share one content stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DrawKey {
    visible: [u32; 4],
    rotate: i64,
    names: [Vec<u8>; 3],
}

/// Adds the watermark to `page_id`; `open` is the shared `q` stream, `drawn` the watermark
/// streams made so far.
pub(crate) fn mark_page(
    doc: &mut Document,
    page_id: ObjectId,
    text: &Text,
    names: &ResourceNames,
    open: ObjectId,
    drawn: &mut HashMap<DrawKey, ObjectId>,
) -> Result<(), PdfError> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| PdfError::Malformed(format!("page {page_id:?}: {e}")))?;
    let visible = visible_box(doc, page);
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .map_or(0, |r| r.rem_euclid(360));
    let rotate = if rotate % 90 == 0 { rotate } else { 0 };
    let mut resources = own_resources(doc, page);
    let font_name = add_resource(&mut resources, b"Font", b"PdfTrustWmF", names.font);
    let state_name = add_resource(&mut resources, b"ExtGState", b"PdfTrustWmA", names.state);
    let footer_name = add_resource(
        &mut resources,
        b"ExtGState",
        b"PdfTrustWmB",
        names.footer_state,
    );
    let mut contents = vec![Object::Reference(open)];
    contents.extend(existing_contents(doc, page));

    let key = DrawKey {
        visible: visible.map(f32::to_bits),
        rotate,
        names: [font_name, state_name, footer_name],
    };
    let mark = match drawn.get(&key) {
        Some(&id) => id,
        None => {
            let bytes = draw(visible, rotate, text, &key.names);
            let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&bytes, 6);
            let id = doc.add_object(Stream::new(
                dictionary! { "Filter" => "FlateDecode" },
                compressed,
            ));
            drawn.insert(key, id);
            id
        }
    };
    contents.push(Object::Reference(mark));

    let page = doc
        .get_dictionary_mut(page_id)
        .map_err(|e| PdfError::Malformed(format!("page {page_id:?}: {e}")))?;
    page.set("Contents", Object::Array(contents));
    page.set("Resources", Object::Dictionary(resources));
    Ok(())
}

/// Checks that every page is there with all its content streams, before anything is
/// added: a damaged file the parser patched up may have lost some, and a copy without a
/// page's text must not be served as the document. Returns the page's number in errors.
pub(crate) fn check_page(doc: &Document, number: u32, page_id: ObjectId) -> Result<(), PdfError> {
    let missing = || PdfError::Malformed(format!("page {number} is missing or damaged"));
    let page = doc.get_dictionary(page_id).map_err(|_| missing())?;
    let all_there = existing_contents(doc, page).iter().all(|o| match o {
        Object::Reference(id) => matches!(doc.get_object(*id), Ok(Object::Stream(_))),
        _ => false,
    });
    if all_there {
        Ok(())
    } else {
        Err(missing())
    }
}

/// The highest object number any object refers to: new objects go above it, so that a
/// reference left dangling in a damaged file cannot come to point at one of them.
pub(crate) fn highest_reference(doc: &Document) -> u32 {
    let mut highest = doc.max_id;
    let mut stack: Vec<&Object> = doc.objects.values().collect();
    while let Some(object) = stack.pop() {
        match object {
            Object::Reference(id) => highest = highest.max(id.0),
            Object::Array(items) => stack.extend(items),
            Object::Dictionary(dict) => stack.extend(dict.iter().map(|(_, v)| v)),
            Object::Stream(stream) => stack.extend(stream.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    highest
}

/// A page attribute, from the page or the nearest ancestor that has it, dereferenced.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, o)| o);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn rect(doc: &Document, object: Option<&Object>) -> Option<[f32; 4]> {
    let items = object?.as_array().ok()?;
    let nums: Vec<f32> = items
        .iter()
        .filter_map(|o| doc.dereference(o).ok()?.1.as_float().ok())
        .filter(|v| v.is_finite())
        .collect();
    let [a, b, c, d] = nums[..] else { return None };
    let r = [a.min(c), b.min(d), a.max(c), b.max(d)];
    (r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0).then_some(r)
}

/// The page's visible area: the crop box within the media box (US Letter if neither).
fn visible_box(doc: &Document, page: &Dictionary) -> [f32; 4] {
    let media = rect(doc, inherited(doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 612.0, 792.0]);
    match rect(doc, inherited(doc, page, b"CropBox")) {
        Some(c) => {
            let r = [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ];
            if r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0 {
                r
            } else {
                media
            }
        }
        None => media,
    }
}

/// The page's effective resources as a direct dictionary of its own, with the font and
/// graphics-state dictionaries copied too, so adding to them changes no other page.
fn own_resources(doc: &Document, page: &Dictionary) -> Dictionary {
    let mut resources = inherited(doc, page, b"Resources")
        .and_then(|o| o.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    for key in [&b"Font"[..], b"ExtGState"] {
        if let Ok(value) = resources.get(key) {
            let copy = doc
                .dereference(value)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok())
                .cloned()
                .unwrap_or_default();
            resources.set(key, Object::Dictionary(copy));
        }
    }
    resources
}

/// Adds `id` under a name starting `wanted` that the page does not use yet; returns it.
fn add_resource(resources: &mut Dictionary, kind: &[u8], wanted: &[u8], id: ObjectId) -> Vec<u8> {
    if !matches!(resources.get(kind), Ok(Object::Dictionary(_))) {
        resources.set(kind, Object::Dictionary(Dictionary::new()));
    }
    let Ok(Object::Dictionary(dict)) = resources.get_mut(kind) else {
        unreachable!("set just above")
    };
    let mut name = wanted.to_vec();
    let mut n = 0;
    while dict.has(&name) {
        n += 1;
        name = [wanted, n.to_string().as_bytes()].concat();
    }
    dict.set(name.clone(), Object::Reference(id));
    name
}

/// The page's content streams as references (a single stream, an array, or an indirect
/// array of them).
fn existing_contents(doc: &Document, page: &Dictionary) -> Vec<Object> {
    match page.get(b"Contents") {
        Ok(Object::Reference(id)) => match doc.get_object(*id) {
            Ok(Object::Array(items)) => items.clone(),
            _ => vec![Object::Reference(*id)],
        },
        Ok(Object::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// The watermark's content stream for a page whose visible box is `visible` and which is
/// shown turned by `rotate` degrees clockwise.
fn draw(visible: [f32; 4], rotate: i64, text: &Text, names: &[Vec<u8>; 3]) -> Vec<u8> {
    let [x0, y0, x1, y1] = visible;
    let (w, h) = (x1 - x0, y1 - y0);
    // From the displayed page (origin at its bottom left, upright) to user space.
    let (to_user, width, height) = match rotate {
        90 => ([0.0, 1.0, -1.0, 0.0, x0 + w, y0], h, w),
        180 => ([-1.0, 0.0, 0.0, -1.0, x0 + w, y0 + h], w, h),
        270 => ([0.0, -1.0, 1.0, 0.0, x0, y0 + h], h, w),
        _ => ([1.0, 0.0, 0.0, 1.0, x0, y0], w, h),
    };
    let [font, state, footer_state] = names;
    let mut c = Content::new();
    // Closes the `q` opened before the page's own content, so its transformations and
    // colours do not reach the watermark.
    c.restore_state();
    c.save_state();
    c.transform(to_user);

    // Diagonal, repeated in a brick pattern over the whole page.
    let diagonal = (width * width + height * height).sqrt();
    let angle = height.atan2(width);
    let size = (width.min(height) * 0.045)
        .min(0.55 * diagonal * 1000.0 / text.widest())
        .clamp(4.0, 40.0);
    let leading = size * 1.25;
    let block = leading * text.lines.len() as f32;
    let step_x = text.widest() * size / 1000.0 + 3.0 * size;
    let step_y = block + 4.0 * size;
    let half = diagonal / 2.0 + step_x;
    c.save_state();
    c.set_parameters(Name(state));
    c.set_fill_gray(0.45);
    let (cos, sin) = (angle.cos(), angle.sin());
    c.transform([cos, sin, -sin, cos, width / 2.0, height / 2.0]);
    c.begin_text();
    c.set_font(Name(font), size);
    let rows = (half / step_y).ceil() as i32;
    for row in -rows..=rows {
        let y = row as f32 * step_y;
        let shift = if row % 2 == 0 { 0.0 } else { step_x / 2.0 };
        let mut x = -half - shift;
        while x < half {
            for (i, (glyphs, _)) in text.lines.iter().enumerate() {
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y - i as f32 * leading]);
                c.show(Str(glyphs));
            }
            x += step_x;
        }
    }
    c.end_text();
    c.restore_state();

    // Once along the bottom edge, upright, where it is read first and extracted cleanly.
    let (glyphs, em_width) = &text.footer;
    let footer_size = (width.min(height) * 0.016)
        .clamp(5.0, 10.0)
        .min(0.9 * width * 1000.0 / em_width.max(1.0));
    let footer_width = em_width * footer_size / 1000.0;
    c.save_state();
    c.set_parameters(Name(footer_state));
    c.set_fill_gray(0.3);
    c.begin_text();
    c.set_font(Name(font), footer_size);
    c.set_text_matrix([
        1.0,
        0.0,
        0.0,
        1.0,
        (width - footer_width) / 2.0,
        footer_size.max(4.0),
    ]);
    c.show(Str(glyphs));
    c.end_text();
    c.restore_state();
    c.restore_state();
    c.finish().to_vec()
}
