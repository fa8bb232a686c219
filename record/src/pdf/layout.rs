//! Places a paper's header and blocks on pages: paragraphs line by line, a table row by
//! row (its header row repeated on each page), signature blocks a row at a time, and a new
//! page whenever the next thing does not fit.

use super::fonts::Faces;
use super::lines::{break_lines, Line};
use super::{Op, BOTTOM, LEFT, RIGHT, TOP};
use crate::paper::{
    bold, italic, regular, Align, Block, Grid, HeaderKind, HeaderLines, Paper, Para, Signature,
    Span, Style, BODY_SIZE, PARTY_MOTTO, STATE_MOTTO, STATE_NAME,
};

/// Distance between baselines, as a multiple of the size.
const LEADING: f32 = 1.25;
/// Room left to sign in a signature block.
const SIGNING_ROOM: f32 = 64.0;

fn leading(size: f32) -> f32 {
    size * LEADING
}

struct Layout {
    pages: Vec<Vec<Op>>,
    /// The top of the next line on the current page.
    y: f32,
}

pub(super) fn lay_out(paper: &Paper) -> Vec<Vec<Op>> {
    let mut l = Layout {
        pages: vec![Vec::new()],
        y: TOP,
    };
    l.header(&paper.header);
    let blocks = &paper.blocks;
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Para(p) => {
                // A heading pulls the first lines of what follows onto its page.
                let next = match (p.keep_next, blocks.get(i + 1)) {
                    (true, Some(Block::Para(n))) => 2.0 * leading(n.size) + n.before,
                    (true, Some(Block::Grid(g))) => 3.0 * (leading(g.size) + 4.0),
                    _ => 0.0,
                };
                l.para(p, next);
            }
            Block::Grid(g) => l.grid(g),
            Block::Signatures { blocks, columns } => l.signatures(blocks, *columns),
        }
    }
    l.pages
}

impl Layout {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one (a block taller than a
    /// page is started where it is and runs on).
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    /// Draws one line whose top is at `top`, aligned within `x..x + width`.
    fn line(&mut self, line: &Line, top: f32, x: f32, width: f32, align: Align, size: f32) {
        let start = match align {
            Align::Left | Align::Justify => x,
            Align::Center => x + (width - line.width) / 2.0,
            Align::Right => x + width - line.width,
        };
        let baseline = top + size;
        for run in &line.runs {
            self.ops().push(Op::Text {
                x: start + run.x,
                y: baseline,
                style: run.style,
                size,
                text: run.text.clone(),
                glyphs: run.glyphs.clone(),
            });
        }
    }

    fn para(&mut self, p: &Para, keep: f32) {
        let width = RIGHT - LEFT - p.left_indent;
        let lines = break_lines(
            &p.spans,
            p.size,
            width - p.first_indent,
            width,
            p.align == Align::Justify,
        );
        let step = leading(p.size);
        // The first two lines together, and a heading with what follows it.
        let head = step * lines.len().min(2) as f32 + p.before;
        let whole = if p.keep_next {
            step * lines.len() as f32 + p.before + keep
        } else {
            head
        };
        self.room_for(whole);
        if self.y > TOP {
            self.y += p.before;
        }
        for (n, line) in lines.iter().enumerate() {
            self.room_for(step);
            let indent = p.left_indent + if n == 0 { p.first_indent } else { 0.0 };
            let (x, w) = (
                LEFT + indent,
                width - if n == 0 { p.first_indent } else { 0.0 },
            );
            self.line(line, self.y, x, w, p.align, p.size);
            self.y += step;
        }
        self.y += p.after;
    }

    /// A ruled table; a row is never split, and the header row starts every page.
    fn grid(&mut self, g: &Grid) {
        const PAD_X: f32 = 3.0;
        const PAD_Y: f32 = 2.5;
        let total: f32 = g.widths.iter().sum();
        let widths: Vec<f32> = g
            .widths
            .iter()
            .map(|w| w / total * (RIGHT - LEFT))
            .collect();
        let step = leading(g.size);
        let cells = |row: &[String], style: Style| -> (Vec<Vec<Line>>, f32) {
            let lines: Vec<Vec<Line>> = row
                .iter()
                .zip(&widths)
                .map(|(text, w)| {
                    let span = Span {
                        text: text.clone(),
                        style,
                    };
                    break_lines(&[span], g.size, w - 2.0 * PAD_X, w - 2.0 * PAD_X, false)
                })
                .collect();
            let most = lines.iter().map(Vec::len).max().unwrap_or(0).max(1);
            (lines, most as f32 * step + 2.0 * PAD_Y)
        };
        let head = cells(&g.head, Style::Bold);
        let head_aligns = vec![Align::Center; widths.len()];
        self.room_for(head.1 * 2.0);
        self.y += 2.0;
        self.row(&head, &widths, &head_aligns, g.size, PAD_X, PAD_Y);
        for row in &g.rows {
            let cells = cells(row, Style::Regular);
            if self.y + cells.1 > BOTTOM {
                self.new_page();
                self.row(&head, &widths, &head_aligns, g.size, PAD_X, PAD_Y);
            }
            self.row(&cells, &widths, &g.aligns, g.size, PAD_X, PAD_Y);
        }
        self.y += 6.0;
    }

    fn row(
        &mut self,
        (cells, height): &(Vec<Vec<Line>>, f32),
        widths: &[f32],
        aligns: &[Align],
        size: f32,
        pad_x: f32,
        pad_y: f32,
    ) {
        let top = self.y;
        let mut x = LEFT;
        let step = leading(size);
        for (i, (lines, w)) in cells.iter().zip(widths).enumerate() {
            let align = aligns.get(i).copied().unwrap_or(Align::Left);
            for (n, line) in lines.iter().enumerate() {
                let line_top = top + pad_y + n as f32 * step;
                self.line(line, line_top, x + pad_x, w - 2.0 * pad_x, align, size);
            }
            x += w;
        }
        let bottom = top + height;
        let mut edges = vec![LEFT];
        edges.extend(widths.iter().scan(LEFT, |x, w| {
            *x += w;
            Some(*x)
        }));
        for x in &edges {
            self.rule(*x, top, *x, bottom, 0.5);
        }
        self.rule(LEFT, top, RIGHT, top, 0.5);
        self.rule(LEFT, bottom, RIGHT, bottom, 0.5);
        self.y = bottom;
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops().push(Op::Rule {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }

    /// Signature blocks, `columns` to a row, each row kept on one page.
    fn signatures(&mut self, blocks: &[Signature], columns: usize) {
        let columns = columns.max(1);
        let col = (RIGHT - LEFT) / columns as f32;
        let step = leading(BODY_SIZE);
        for row in blocks.chunks(columns) {
            let wrapped: Vec<(Vec<Line>, Vec<Line>)> = row
                .iter()
                .map(|s| {
                    let titles = s
                        .titles
                        .iter()
                        .flat_map(|t| break_lines(&[bold(t.clone())], BODY_SIZE, col, col, false))
                        .collect();
                    let name = break_lines(&[bold(s.name.clone())], BODY_SIZE, col, col, false);
                    (titles, name)
                })
                .collect();
            let titles_h = titles_height(&wrapped, step);
            let names_h = wrapped.iter().map(|(_, n)| n.len()).max().unwrap_or(0) as f32 * step;
            let tallest = titles_h + names_h;
            let gap = if self.y > TOP { 18.0 } else { 0.0 };
            self.room_for(tallest + SIGNING_ROOM + gap);
            self.y += gap;
            let top = self.y;
            // A short last row is centred under the ones above.
            let offset = (columns - row.len()) as f32 / 2.0;
            for (i, (titles, name)) in wrapped.iter().enumerate() {
                let x = LEFT + (i as f32 + offset) * col;
                let mut y = top;
                for line in titles {
                    self.line(line, y, x, col, Align::Center, BODY_SIZE);
                    y += step;
                }
                let mut y = top + titles_h + SIGNING_ROOM;
                for line in name {
                    self.line(line, y, x, col, Align::Center, BODY_SIZE);
                    y += step;
                }
            }
            self.y = top + tallest + SIGNING_ROOM;
        }
    }

    /// The two-column header of the first page.
    fn header(&mut self, h: &HeaderLines) {
        let faces = Faces::get();
        let width = RIGHT - LEFT;
        // The forms put the body's name a little left of the margin's centre; the motto
        // column is the wider one.
        let (lx, lw) = (LEFT - 14.0, width * 0.42);
        let (rx, rw) = (LEFT + width * 0.40, width * 0.62);
        let size = if h.kind == HeaderKind::Party {
            BODY_SIZE
        } else {
            13.0
        };
        let step = leading(size);
        let mut y = TOP;
        let centred = |this: &mut Layout, span: Span, y: &mut f32, x: f32, w: f32, size: f32| {
            for line in break_lines(&[span], size, w, w, false) {
                this.line(&line, *y, x, w, Align::Center, size);
                *y += leading(size);
            }
        };
        if !h.superior.is_empty() {
            centred(self, regular(h.superior.clone()), &mut y, lx, lw, size);
        }
        let body_top = y;
        centred(self, bold(h.body.clone()), &mut y, lx, lw, size);
        match h.kind {
            HeaderKind::Party => centred(self, regular("*"), &mut y, lx, lw, size),
            HeaderKind::State => {
                // A short rule under the name, a third of the column, centred.
                let mid = lx + lw / 2.0;
                self.rule(mid - lw / 6.0, y + 3.0, mid + lw / 6.0, y + 3.0, 0.6);
                y += 8.0;
            }
        }
        let number_top = y;
        centred(self, regular(h.number.clone()), &mut y, lx, lw, size);
        let left_bottom = y;

        // The right column: the motto, underlined by a rule of its own length.
        let mut ry = TOP;
        let motto = |this: &mut Layout, text: &str, max: f32, ry: &mut f32| {
            let size = fit(text, Style::Bold, max, rw);
            let w = faces.face(Style::Bold).width(text, size);
            centred(this, bold(text), ry, rx, rw, size);
            w
        };
        let underlined = match h.kind {
            HeaderKind::Party => motto(self, PARTY_MOTTO, 15.0, &mut ry),
            HeaderKind::State => {
                motto(self, STATE_NAME, 13.0, &mut ry);
                motto(self, STATE_MOTTO, 14.0, &mut ry)
            }
        };
        let rule_y = ry + 1.0;
        let mid = rx + rw / 2.0;
        self.rule(
            mid - underlined / 2.0,
            rule_y,
            mid + underlined / 2.0,
            rule_y,
            0.6,
        );
        // The date line sits level with the number line, or below the rule.
        let mut dy = number_top.max(ry + 4.0).max(body_top);
        centred(self, italic(h.date.clone()), &mut dy, rx, rw, BODY_SIZE);
        self.y = left_bottom.max(dy) + step;
    }
}

/// The height of the tallest titles of a row, so every name lines up.
fn titles_height(row: &[(Vec<Line>, Vec<Line>)], step: f32) -> f32 {
    row.iter().map(|(t, _)| t.len()).max().unwrap_or(0) as f32 * step
}

/// The largest size up to `max` at which `text` fits in `width` on one line.
fn fit(text: &str, style: Style, max: f32, width: f32) -> f32 {
    let natural = Faces::get().face(style).width(text, max);
    if natural <= width {
        max
    } else {
        (max * width / natural).max(8.0)
    }
}
