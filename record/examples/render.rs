//! Renders the sample congress's papers into a folder and says how long each took:
//!
//! ```sh
//! cargo run --release -p record --example render -- [FOLDER] [DELEGATES] [ITEMS] [ABSENT]
//! ```
//!
//! Defaults: `target/record-sample`, 180 delegates, 6 items, one in forty absent. `2000 20`
//! is the size of a national congress, and `2000 20 1500` the same with 1,500 absences
//! (each listed with its reason): the benchmarks in docs/BENCHMARKS.md.

use record::{sample, sheets};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "target/record-sample".to_owned()),
    );
    let delegates: usize = args.next().map_or(Ok(180), |a| a.parse())?;
    let items: usize = args.next().map_or(Ok(6), |a| a.parse())?;
    let absent: Option<usize> = args.next().map(|a| a.parse()).transpose()?;
    std::fs::create_dir_all(&dir)?;

    let mut minutes = sample::congress(delegates, items);
    if let Some(absent) = absent {
        let from = minutes.attendees.len().saturating_sub(absent);
        for a in &mut minutes.attendees[from..] {
            a.present = false;
            a.checked_in_at = None;
            a.absence_reason = "đi công tác theo Quyết định số 123/QĐ-UBND ngày 20/11/2026".into();
        }
    }
    let report = sample::counting_report(delegates);
    let (vote, ballots) = sample::ballots(delegates);
    let write = |name: &str, make: &dyn Fn() -> Result<Vec<u8>, record::RecordError>| {
        let start = Instant::now();
        let bytes = make()?;
        let took = start.elapsed();
        std::fs::write(dir.join(name), &bytes)?;
        println!(
            "{name:<28} {:>9} bytes  {:>8.1} ms",
            bytes.len(),
            took.as_secs_f64() * 1e3
        );
        anyhow::Ok(())
    };
    // The first PDF pays for parsing the fonts once; render it twice to show both.
    write("bien-ban-lan-dau.pdf", &|| minutes.to_pdf())?;
    write("bien-ban.pdf", &|| minutes.to_pdf())?;
    write("bien-ban.docx", &|| minutes.to_docx())?;
    write("bien-ban-kiem-phieu.pdf", &|| report.to_pdf())?;
    write("bien-ban-kiem-phieu.docx", &|| report.to_docx())?;
    write("diem-danh.xlsx", &|| {
        sheets::xlsx(&[sheets::attendance(&minutes.attendees)?])
    })?;
    write("diem-danh.csv", &|| {
        sheets::attendance(&minutes.attendees)?.to_csv()
    })?;
    write("ket-qua-bieu-quyet.xlsx", &|| {
        let mut tables = sheets::poll_result(&vote)?;
        tables.push(sheets::poll_ballots(&vote, &ballots)?);
        sheets::xlsx(&tables)
    })?;
    write("phat-bieu.xlsx", &|| {
        sheets::xlsx(&[sheets::speakers(&minutes.items)?])
    })?;
    write("tai-lieu.xlsx", &|| {
        sheets::xlsx(&[sheets::delivery(&sample::delivery(delegates))?])
    })?;
    Ok(())
}
