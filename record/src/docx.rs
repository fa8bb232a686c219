//! The DOCX writer: the same [`Paper`] as the PDF, handed to Word (or LibreOffice) to lay
//! out, for the secretariat to finish and print.
//!
//! The font named is Times New Roman, the face every Vietnamese office has; LibreOffice
//! substitutes the metric-compatible Liberation Serif. The two-column header and the
//! signature blocks are tables without borders, as the forms' templates make them; the
//! motto's rule is its underline (a rule of its own length), the state header's short rule
//! under the body's name an underlined run of no-break spaces. Page numbers stand at the
//! top centre from page 2, and the draft mark in the page header of every page. docx-rs
//! escapes text for XML; the text was cleaned of control characters before (see `text`).

use crate::paper::{
    Align, Block, Grid, HeaderKind, HeaderLines, Paper, Para, Signature, Style, BODY_SIZE, DRAFT,
    PARTY_MOTTO, STATE_MOTTO, STATE_NAME,
};
use crate::RecordError;
use docx_rs::{
    AlignmentType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph, Run, RunFonts,
    SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

const FONT: &str = "Times New Roman";
/// A4 and the text width, in twentieths of a point.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const LEFT: i32 = 1701; // 30 mm
const RIGHT: i32 = 850; // 15 mm
const TOP_BOTTOM: i32 = 1134; // 20 mm
const TEXT_W: usize = (PAGE_W as i32 - LEFT - RIGHT) as usize;

fn twips(points: f32) -> i32 {
    (points * 20.0).round() as i32
}

fn half_points(points: f32) -> usize {
    (points * 2.0).round() as usize
}

fn alignment(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
        Align::Justify => AlignmentType::Both,
    }
}

fn run(text: &str, style: Style, size: f32) -> Run {
    let r = Run::new().add_text(text).size(half_points(size));
    match style {
        Style::Regular => r,
        Style::Bold => r.bold(),
        Style::Italic => r.italic(),
    }
}

/// A centred one-run paragraph with no space after, as the header's lines are.
fn centred(text: &str, style: Style, size: f32) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(0).after(0))
        .add_run(run(text, style, size))
}

fn para(p: &Para) -> Paragraph {
    let mut out = Paragraph::new()
        .align(alignment(p.align))
        .line_spacing(
            LineSpacing::new()
                .before(twips(p.before) as u32)
                .after(twips(p.after) as u32),
        )
        .keep_next(p.keep_next);
    if p.first_indent > 0.0 || p.left_indent > 0.0 {
        out = out.indent(
            Some(twips(p.left_indent)),
            Some(SpecialIndentType::FirstLine(twips(p.first_indent))),
            None,
            None,
        );
    }
    for span in &p.spans {
        out = out.add_run(run(&span.text, span.style, p.size));
    }
    out
}

fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new().width(width, WidthType::Dxa), |c, p| {
            c.add_paragraph(p)
        })
}

fn header_table(h: &HeaderLines) -> Table {
    let size = if h.kind == HeaderKind::Party {
        BODY_SIZE
    } else {
        13.0
    };
    let left_w = TEXT_W * 40 / 100;
    let right_w = TEXT_W - left_w;
    let mut left = Vec::new();
    if !h.superior.is_empty() {
        left.push(centred(&h.superior, Style::Regular, size));
    }
    left.push(centred(&h.body, Style::Bold, size));
    match h.kind {
        HeaderKind::Party => left.push(centred("*", Style::Regular, size)),
        HeaderKind::State => left.push(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().before(0).after(60))
                .add_run(
                    Run::new()
                        .add_text("\u{a0}".repeat(24))
                        .size(half_points(6.0))
                        .underline("single"),
                ),
        ),
    }
    left.push(centred(&h.number, Style::Regular, size));

    let mut right = Vec::new();
    let underlined = |text: &str, size: f32| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(run(text, Style::Bold, size).underline("single"))
    };
    match h.kind {
        HeaderKind::Party => right.push(underlined(PARTY_MOTTO, 15.0)),
        HeaderKind::State => {
            right.push(centred(STATE_NAME, Style::Bold, 12.0));
            right.push(underlined(STATE_MOTTO, 13.0));
        }
    }
    // Blank lines until the date stands level with the number line, as on the forms.
    while right.len() + 1 < left.len() {
        right.push(centred("", Style::Regular, size));
    }
    right.push(centred(&h.date, Style::Italic, BODY_SIZE));

    Table::without_borders(vec![TableRow::new(vec![
        cell(left, left_w),
        cell(right, right_w),
    ])])
    .set_grid(vec![left_w, right_w])
    .width(TEXT_W, WidthType::Dxa)
}

fn grid(g: &Grid) -> Table {
    let total: f32 = g.widths.iter().sum();
    let widths: Vec<usize> = g
        .widths
        .iter()
        .map(|w| (w / total * TEXT_W as f32) as usize)
        .collect();
    let line = |text: &str, style: Style, align: Align| {
        Paragraph::new()
            .align(alignment(align))
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(run(text, style, g.size))
    };
    let mut rows = vec![TableRow::new(
        g.head
            .iter()
            .zip(&widths)
            .map(|(h, w)| cell(vec![line(h, Style::Bold, Align::Center)], *w))
            .collect(),
    )
    .cant_split()];
    for r in &g.rows {
        rows.push(
            TableRow::new(
                r.iter()
                    .enumerate()
                    .zip(&widths)
                    .map(|((i, text), w)| {
                        let align = g.aligns.get(i).copied().unwrap_or(Align::Left);
                        cell(vec![line(text, Style::Regular, align)], *w)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(rows)
        .set_grid(widths)
        .width(TEXT_W, WidthType::Dxa)
}

fn signatures(blocks: &[Signature], columns: usize) -> Vec<Table> {
    let columns = columns.max(1);
    let w = TEXT_W / columns;
    blocks
        .chunks(columns)
        .map(|row| {
            let mut cells: Vec<TableCell> = (row.len()..columns)
                .map(|_| cell(vec![Paragraph::new()], w))
                .collect();
            for s in row {
                let mut ps: Vec<Paragraph> = s
                    .titles
                    .iter()
                    .map(|t| centred(t, Style::Bold, BODY_SIZE))
                    .collect();
                ps.extend((0..4).map(|_| centred("", Style::Regular, BODY_SIZE)));
                ps.push(centred(&s.name, Style::Bold, BODY_SIZE));
                cells.push(cell(ps, w));
            }
            Table::without_borders(vec![TableRow::new(cells).cant_split()])
                .set_grid(vec![w; columns])
                .width(TEXT_W, WidthType::Dxa)
        })
        .collect()
}

fn draft_mark() -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Right)
        .add_run(run(DRAFT, Style::Bold, 12.0))
}

/// Renders a paper to DOCX bytes.
pub(crate) fn render(paper: &Paper) -> Result<Vec<u8>, RecordError> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let mut doc = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(TOP_BOTTOM)
                .bottom(TOP_BOTTOM)
                .left(LEFT)
                .right(RIGHT)
                .header(567)
                .footer(567),
        )
        .default_fonts(fonts)
        .default_size(half_points(BODY_SIZE));
    doc = doc.add_table(header_table(&paper.header));
    doc = doc.add_paragraph(Paragraph::new());
    for block in &paper.blocks {
        doc = match block {
            Block::Para(p) => doc.add_paragraph(para(p)),
            Block::Grid(g) => doc.add_table(grid(g)).add_paragraph(Paragraph::new()),
            Block::Signatures { blocks, columns } => signatures(blocks, *columns)
                .into_iter()
                .fold(doc, |d, t| d.add_table(t)),
        };
    }
    // Every page but the first: the page number, centred; every page: the draft mark.
    let mut first = Header::new();
    let mut rest = Header::new();
    if paper.draft {
        first = first.add_paragraph(draft_mark());
        rest = rest.add_paragraph(draft_mark());
    }
    rest = rest.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_page_num(PageNum::new()),
    );
    doc = doc.header(rest).first_header(first);
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|e| RecordError::Docx(e.to_string()))?;
    Ok(bytes.into_inner())
}
