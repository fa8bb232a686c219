//! CSV: UTF-8 with a byte-order mark, the Vietnamese headings, the wire's values.

use super::{Cell, Table};
use crate::clock;
use crate::RecordError;

/// Text a spreadsheet would take for a formula gets a leading `'`.
fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn value(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => defused(s),
        Cell::Word { wire, .. } => wire.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Percent(Some(h)) => format!("{}.{:02}", h / 100, h % 100),
        Cell::Percent(None) => String::new(),
        Cell::Time(Some(at)) => clock::iso(*at),
        Cell::Time(None) => String::new(),
    }
}

impl Table {
    /// The table as CSV bytes (UTF-8, with a byte-order mark).
    pub fn to_csv(&self) -> Result<Vec<u8>, RecordError> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(&self.headings)?;
        for row in &self.rows {
            w.write_record(row.iter().map(value))?;
        }
        w.into_inner()
            .map_err(|e| RecordError::Csv(e.into_error().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Timestamp;

    #[test]
    fn a_csv_has_a_bom_vietnamese_headings_and_wire_values() {
        let t = Table {
            name: "Thử".to_owned(),
            headings: vec!["Họ và tên", "Điểm danh", "Tỷ lệ (%)", "Giờ", "Ghi chú"],
            rows: vec![vec![
                Cell::Text("Nguyễn Thị Hường".to_owned()),
                Cell::Word {
                    wire: "present".to_owned(),
                    words: "Có mặt".to_owned(),
                },
                Cell::Percent(Some(7143)),
                Cell::Time(Some(Timestamp(1_796_087_100_000))),
                Cell::Text("=HYPERLINK(\"x\")".to_owned()),
            ]],
        };
        let bytes = t.to_csv().unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("Họ và tên,Điểm danh,Tỷ lệ (%),Giờ,Ghi chú")
        );
        assert_eq!(
            lines.next(),
            Some("Nguyễn Thị Hường,present,71.43,2026-12-01T08:05:00+07:00,\"'=HYPERLINK(\"\"x\"\")\"")
        );
    }
}
