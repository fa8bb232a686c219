//! The PDF writer: lays a [`Paper`] out on A4 pages and draws it with krilla, which embeds
//! Liberation Serif subset to the glyphs used (the fonts show as `ABCDEF+LiberationSerif`).
//!
//! Layout comes first, into pages of drawing operations, so the page count is known before
//! anything is drawn (page numbers from page 2, as the forms want, and the draft mark on
//! every page). Margins follow the forms: 20 mm top and bottom, 30 mm left, 15 mm right.

mod fonts;
mod layout;
mod lines;

use crate::paper::{Paper, Style, DRAFT};
use crate::RecordError;
use fonts::Faces;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::KrillaGlyph;
use krilla::Document;

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const TOP: f32 = 20.0 * MM;
const BOTTOM: f32 = PAGE_H - 20.0 * MM;
const LEFT: f32 = 30.0 * MM;
const RIGHT: f32 = PAGE_W - 15.0 * MM;

/// What is drawn on a page; y grows downwards, text is placed by its baseline.
#[derive(Clone, Debug)]
enum Op {
    Text {
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        text: String,
        glyphs: Vec<KrillaGlyph>,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

/// Renders a paper to PDF bytes.
pub(crate) fn render(paper: &Paper) -> Result<Vec<u8>, RecordError> {
    let mut pages = layout::lay_out(paper);
    decorate(&mut pages, paper.draft);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(paper.title.clone())
            .language("vi".to_owned())
            .creator("Phòng họp không giấy (record)".to_owned()),
    );
    let size = Size::from_wh(PAGE_W, PAGE_H).expect("A4 is a size");
    let faces = Faces::get();
    for ops in &pages {
        let mut page = document.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    style,
                    size,
                    text,
                    glyphs,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_glyphs(
                        Point::from_xy(*x, *y),
                        glyphs,
                        faces.face(*style).font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Op::Rule {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y1);
                    path.line_to(*x2, *y2);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::black().into(),
                            width: *width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| RecordError::Pdf(format!("{e:?}")))
}

/// Page numbers at the top centre from page 2; the draft mark boxed at the top right of
/// every page.
fn decorate(pages: &mut [Vec<Op>], draft: bool) {
    let faces = Faces::get();
    let baseline = TOP - 18.0;
    for (n, ops) in pages.iter_mut().enumerate() {
        if n > 0 {
            let number = (n + 1).to_string();
            let shaped = faces.face(Style::Regular).shape(&number);
            let w = shaped.width_em * 13.0;
            ops.push(Op::Text {
                x: (LEFT + RIGHT - w) / 2.0,
                y: baseline,
                style: Style::Regular,
                size: 13.0,
                text: number,
                glyphs: shaped.glyphs,
            });
        }
        if draft {
            let shaped = faces.face(Style::Bold).shape(DRAFT);
            let size = 12.0;
            let w = shaped.width_em * size;
            let (x2, x1) = (RIGHT, RIGHT - w - 8.0);
            let (y1, y2) = (baseline - size - 1.0, baseline + 5.0);
            ops.push(Op::Text {
                x: x1 + 4.0,
                y: baseline,
                style: Style::Bold,
                size,
                text: DRAFT.to_owned(),
                glyphs: shaped.glyphs,
            });
            for (a, b, c, d) in [
                (x1, y1, x2, y1),
                (x2, y1, x2, y2),
                (x2, y2, x1, y2),
                (x1, y2, x1, y1),
            ] {
                ops.push(Op::Rule {
                    x1: a,
                    y1: b,
                    x2: c,
                    y2: d,
                    width: 0.8,
                });
            }
        }
    }
}
