//! XLSX with rust_xlsxwriter: one sheet per table.

use super::{Cell, Table};
use crate::RecordError;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook};
use std::collections::HashSet;

/// Columns never grow wider than this (pixels): long free text wraps at it.
const MAX_COLUMN_PX: u32 = 420;
/// Viet Nam's offset, added so Excel (which has no time zones) shows local time.
const VIETNAM_SECS: i64 = 7 * 3600;

/// A workbook with one sheet per table, in order. Sheet names are cut to Excel's 31
/// characters and made unique.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, RecordError> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    let percent = Format::new().set_num_format("0.00%");
    let mut names = HashSet::new();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(unique(&table.name, &mut names))?;
        for (c, h) in table.headings.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Word { words, .. } => {
                        sheet.write_string(r, c, words)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Percent(Some(h)) => {
                        sheet.write_number_with_format(r, c, *h as f64 / 10_000.0, &percent)?;
                    }
                    Cell::Time(Some(at)) => {
                        let local =
                            ExcelDateTime::from_timestamp(at.0.div_euclid(1000) + VIETNAM_SECS)?;
                        sheet.write_datetime_with_format(r, c, &local, &date)?;
                    }
                    Cell::Percent(None) | Cell::Time(None) => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if !table.rows.is_empty() {
            sheet.autofilter(
                0,
                0,
                table.rows.len() as u32,
                table.headings.len() as u16 - 1,
            )?;
        }
        sheet.set_autofit_max_width(MAX_COLUMN_PX);
        sheet.autofit();
    }
    Ok(book.save_to_buffer()?)
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not used yet.
fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(31)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Bảng".to_owned()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = 31 - suffix.chars().count();
        candidate = clean.chars().take(keep).collect::<String>() + &suffix;
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(unique("Kết quả", &mut taken), "Kết quả");
        assert_eq!(unique("Kết quả", &mut taken), "Kết quả (2)");
        assert_eq!(unique("a/b", &mut taken), "ab");
        let long = "Tổng hợp ý kiến về dự thảo Nghị quyết Đại hội";
        let a = unique(long, &mut taken);
        let b = unique(long, &mut taken);
        assert_eq!(a.chars().count(), 31);
        assert!(b.chars().count() <= 31 && b.ends_with(" (2)") && a != b);
    }
}
