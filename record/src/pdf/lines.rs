//! Line breaking: a paragraph's spans into lines of shaped runs.
//!
//! Vietnamese separates syllables with spaces, so a line may break at any space; a word
//! too wide for a line (a long file name, a fingerprint) is cut between two clusters,
//! never inside a letter with its marks. Greedy filling: simple, and right for papers set
//! in one size. A justified line stretches its spaces; the last line of a paragraph is not
//! stretched.

use super::fonts::{Faces, Shaped};
use crate::paper::{Span, Style};
use krilla::text::KrillaGlyph;

/// Glyphs in one style at a horizontal offset from the start of the line.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub style: Style,
    pub x: f32,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
}

/// One line: its runs and its natural width in points (before any stretching).
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    pub runs: Vec<Run>,
    pub width: f32,
}

/// A piece of a word in one style.
#[derive(Clone, Debug)]
struct Piece {
    style: Style,
    text: String,
    shaped: Shaped,
}

#[derive(Clone, Debug)]
struct Word {
    pieces: Vec<Piece>,
    /// In points.
    width: f32,
    /// Whether a space separates it from the word before (not so for the parts of a word
    /// cut at the margin).
    space_before: bool,
}

/// Splits spans into words; a word may change style in its middle ("1." in bold glued
/// to what follows).
fn words(spans: &[Span], size: f32) -> Vec<Word> {
    let faces = Faces::get();
    let mut out = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let finish = |current: &mut Vec<Piece>, out: &mut Vec<Word>| {
        if !current.is_empty() {
            let width = current.iter().map(|p| p.shaped.width_em).sum::<f32>() * size;
            out.push(Word {
                pieces: std::mem::take(current),
                width,
                space_before: true,
            });
        }
    };
    for span in spans {
        for (i, part) in span.text.split(' ').enumerate() {
            if i > 0 {
                finish(&mut current, &mut out);
            }
            if !part.is_empty() {
                current.push(Piece {
                    style: span.style,
                    text: part.to_owned(),
                    shaped: faces.face(span.style).shape_word(span.style, part),
                });
            }
        }
    }
    finish(&mut current, &mut out);
    out
}

/// Cuts a word wider than `limit` into parts that fit, between clusters.
fn cut(word: Word, limit: f32, size: f32) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut part = Word {
        pieces: Vec::new(),
        width: 0.0,
        space_before: word.space_before,
    };
    for piece in word.pieces {
        let glyphs = &piece.shaped.glyphs;
        let mut from = 0;
        let mut width = 0.0;
        let mut i = 0;
        while i < glyphs.len() {
            // The cluster starting at glyph i runs to the next glyph of another cluster.
            let start = glyphs[i].text_range.start;
            let mut j = i + 1;
            while j < glyphs.len() && glyphs[j].text_range.start == start {
                j += 1;
            }
            let w: f32 = glyphs[i..j].iter().map(|g| g.x_advance).sum::<f32>() * size;
            if part.width + width + w > limit && (width > 0.0 || !part.pieces.is_empty()) {
                if i > from {
                    part.pieces.push(slice(&piece, from, i));
                    part.width += width;
                }
                out.push(std::mem::replace(
                    &mut part,
                    Word {
                        pieces: Vec::new(),
                        width: 0.0,
                        space_before: false,
                    },
                ));
                from = i;
                width = 0.0;
            }
            width += w;
            i = j;
        }
        if from < glyphs.len() {
            part.pieces.push(slice(&piece, from, glyphs.len()));
            part.width += width;
        }
    }
    if !part.pieces.is_empty() {
        out.push(part);
    }
    out
}

/// Glyphs `from..to` of a piece, with their text and ranges rebased.
fn slice(piece: &Piece, from: usize, to: usize) -> Piece {
    let glyphs = &piece.shaped.glyphs;
    let start = glyphs[from].text_range.start;
    let end = glyphs
        .get(to)
        .map_or(piece.text.len(), |g| g.text_range.start);
    let glyphs: Vec<KrillaGlyph> = glyphs[from..to]
        .iter()
        .map(|g| {
            let mut g = g.clone();
            g.text_range = g.text_range.start - start..g.text_range.end - start;
            g
        })
        .collect();
    let width_em = glyphs.iter().map(|g| g.x_advance).sum();
    Piece {
        style: piece.style,
        text: piece.text[start..end].to_owned(),
        shaped: Shaped { glyphs, width_em },
    }
}

/// Breaks `spans` at `size` into lines no wider than `first` (the first line) and
/// `rest` (the others), stretching the spaces of every line but the last when `justify`.
pub(crate) fn break_lines(
    spans: &[Span],
    size: f32,
    first: f32,
    rest: f32,
    justify: bool,
) -> Vec<Line> {
    let faces = Faces::get();
    let space = |style: Style| faces.face(style).shape(" ");
    let spaces = [Style::Regular, Style::Bold, Style::Italic].map(space);
    let space_for = |style: Style| match style {
        Style::Regular => &spaces[0],
        Style::Bold => &spaces[1],
        Style::Italic => &spaces[2],
    };
    let limit = first.min(rest).max(size);
    let mut all = Vec::new();
    for word in words(spans, size) {
        if word.width > limit {
            all.extend(cut(word, limit, size));
        } else {
            all.push(word);
        }
    }

    // Greedy filling: which words go on which line.
    let mut lines: Vec<(Vec<Word>, f32)> = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut width = 0.0;
    for word in all {
        let max = if lines.is_empty() { first } else { rest };
        let gap = match current.last() {
            Some(prev) if word.space_before => {
                let style = prev.pieces.last().map_or(Style::Regular, |p| p.style);
                space_for(style).width_em * size
            }
            _ => 0.0,
        };
        if !current.is_empty() && width + gap + word.width > max {
            lines.push((std::mem::take(&mut current), width));
            width = word.width;
        } else {
            width += gap + word.width;
        }
        current.push(word);
    }
    if !current.is_empty() {
        lines.push((current, width));
    }

    let count = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(n, (words, natural))| {
            let max = if n == 0 { first } else { rest };
            let gaps = words.iter().skip(1).filter(|w| w.space_before).count();
            let extra = if justify && n + 1 < count && gaps > 0 && natural < max {
                (max - natural) / gaps as f32
            } else {
                0.0
            };
            assemble(words, natural, extra, size, &space_for)
        })
        .collect()
}

/// Turns a line's words into runs, a new run wherever the style changes.
fn assemble<'a>(
    words: Vec<Word>,
    natural: f32,
    extra: f32,
    size: f32,
    space_for: &impl Fn(Style) -> &'a Shaped,
) -> Line {
    let mut runs: Vec<Run> = Vec::new();
    let mut x = 0.0;
    let push = |runs: &mut Vec<Run>, x: &mut f32, style: Style, text: &str, shaped: &Shaped| {
        let start_new = runs.last().is_none_or(|r| r.style != style);
        if start_new {
            runs.push(Run {
                style,
                x: *x,
                text: String::new(),
                glyphs: Vec::new(),
            });
        }
        let run = runs.last_mut().expect("a run was just pushed");
        let base = run.text.len();
        run.text.push_str(text);
        for g in &shaped.glyphs {
            let mut g = g.clone();
            g.text_range = g.text_range.start + base..g.text_range.end + base;
            *x += g.x_advance * size;
            run.glyphs.push(g);
        }
    };
    for (i, word) in words.iter().enumerate() {
        if i > 0 && word.space_before {
            let style = runs.last().map_or(Style::Regular, |r| r.style);
            let mut space = space_for(style).clone();
            if let Some(g) = space.glyphs.first_mut() {
                g.x_advance += extra / size;
            }
            push(&mut runs, &mut x, style, " ", &space);
        }
        for piece in &word.pieces {
            push(&mut runs, &mut x, piece.style, &piece.text, &piece.shaped);
        }
    }
    Line {
        runs,
        width: natural,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paper::{bold, regular};

    fn text_of(line: &Line) -> String {
        line.runs.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn lines_break_at_spaces_and_fit() {
        let spans = [regular("Đồng chí Nguyễn Thị Hường trình bày dự thảo Báo cáo chính trị trình Đại hội đại biểu Đảng bộ huyện lần thứ XXV, nhiệm kỳ 2025 - 2030.")];
        let lines = break_lines(&spans, 14.0, 200.0, 250.0, true);
        assert!(lines.len() >= 3, "{}", lines.len());
        let joined: Vec<String> = lines.iter().map(text_of).collect();
        assert_eq!(joined.join(" "), spans[0].text);
        assert!(lines[0].width <= 200.0 && lines.iter().all(|l| l.width <= 250.0));
        // A justified line reaches the margin: its last glyph ends at the width.
        let l = &lines[1];
        let run = l.runs.last().unwrap();
        let end = run.x + run.glyphs.iter().map(|g| g.x_advance).sum::<f32>() * 14.0;
        assert!((end - 250.0).abs() < 0.01, "{end}");
    }

    #[test]
    fn styles_make_runs_and_glued_pieces_stay_together() {
        let spans = [bold("1."), regular("Khai mạc "), bold("Trần Đức Lượng")];
        let lines = break_lines(&spans, 14.0, 500.0, 500.0, false);
        assert_eq!(lines.len(), 1);
        let runs: Vec<(&str, Style)> = lines[0]
            .runs
            .iter()
            .map(|r| (r.text.as_str(), r.style))
            .collect();
        assert_eq!(
            runs,
            [
                ("1.", Style::Bold),
                ("Khai mạc ", Style::Regular),
                ("Trần Đức Lượng", Style::Bold)
            ]
        );
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_between_letters() {
        let long = "ư".repeat(200);
        let lines = break_lines(&[regular(long.clone())], 14.0, 100.0, 100.0, true);
        assert!(lines.len() > 5, "{}", lines.len());
        assert!(lines.iter().all(|l| l.width <= 100.0 + 0.01));
        let joined: String = lines.iter().map(text_of).collect();
        assert_eq!(joined, long, "nothing lost, nothing split inside a letter");
        assert!(break_lines(&[regular("")], 14.0, 100.0, 100.0, true).is_empty());
    }
}
