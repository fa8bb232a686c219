//! The papers as real readers see them: poppler reads the PDFs (text, fonts, pages),
//! headless LibreOffice opens and converts the DOCX files, openpyxl reads the XLSX back.
//! A missing tool fails the test with the Debian package that brings it (`./test`
//! installs them all).
//!
//! The first page of the sample minutes and counting report are saved as PNGs in
//! `target/screenshots/` (`sample-…`), and in `docs/screenshots/` when
//! `UPDATE_SCREENSHOTS=1`; the README shows the hub's own (`tests/tests/record.rs`).

use record::{sample, sheets};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The command, or a failure naming the package to install.
fn tool(command: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(command))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{command}` is not installed: install the Debian package {package} \
             (apt-get install {package}, or run ./test, which installs it)"
        )
    })
}

/// Runs a command to its end (at most `limit`), returning its stdout; fails on a non-zero
/// exit with what it printed.
fn run(program: &Path, args: &[&str], limit: Duration) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    // Drain both pipes while it runs, so a long output never blocks it.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{} {args:?} took more than {limit:?}", program.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(
        status.success(),
        "{} {args:?} failed ({status}): {}{}",
        program.display(),
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    String::from_utf8(stdout).expect("UTF-8 output")
}

const SHORT: Duration = Duration::from_secs(60);

fn pdftotext(pdf: &Path, page: Option<usize>) -> String {
    let pdftotext = tool("pdftotext", "poppler-utils");
    let path = pdf.to_str().unwrap();
    let text = match page {
        Some(n) => {
            let n = n.to_string();
            run(&pdftotext, &["-f", &n, "-l", &n, path, "-"], SHORT)
        }
        None => run(&pdftotext, &[path, "-"], SHORT),
    };
    // No-break spaces (before "%") read as spaces; line ends as spaces.
    text.replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pages(pdf: &Path) -> usize {
    let info = run(
        &tool("pdfinfo", "poppler-utils"),
        &[pdf.to_str().unwrap()],
        SHORT,
    );
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"))
}

/// Every font is embedded and subset, and is Liberation Serif.
fn assert_fonts_embedded_and_subset(pdf: &Path) {
    let list = run(
        &tool("pdffonts", "poppler-utils"),
        &[pdf.to_str().unwrap()],
        SHORT,
    );
    let fonts: Vec<&str> = list.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "no fonts in {}:\n{list}", pdf.display());
    for line in fonts {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let name = cols[0];
        let (tag, family) = name.split_once('+').unwrap_or(("", name));
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{name} has no subset prefix (ABCDEF+):\n{list}"
        );
        assert!(family.starts_with("LiberationSerif"), "{name}:\n{list}");
        // emb sub uni
        let flags = &cols[cols.len() - 5..cols.len() - 2];
        assert_eq!(flags, ["yes", "yes", "yes"], "{line}");
    }
}

/// Page 1 as a PNG in target/screenshots (and docs/screenshots when asked).
fn screenshot(pdf: &Path, name: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join(name);
    run(
        &tool("pdftoppm", "poppler-utils"),
        &[
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
        SHORT,
    );
    let png = dir.join(format!("{name}.png"));
    let bytes = std::fs::read(&png).expect("pdftoppm wrote the page");
    assert!(bytes.starts_with(b"\x89PNG"));
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::write(docs.join(format!("{name}.png")), &bytes).unwrap();
    }
}

#[test]
fn the_minutes_pdf_reads_back_with_names_results_and_its_font() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("bien-ban.pdf");
    std::fs::write(&pdf, sample::congress(180, 6).to_pdf().unwrap()).unwrap();
    let text = pdftotext(&pdf, None);
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "HUYỆN ỦY GIA BÌNH",
        "Số 15-BB/HU",
        "Gia Bình, ngày 01 tháng 12 năm 2026",
        "BIÊN BẢN",
        "Nguyễn Thị Hường",
        "Trần Đức Lượng",
        "có mặt 175 (97,22 %)",
        "Tán thành 170 (94,44 %)",
        "Nội dung được thông qua.",
        "phải bầu lại giữa những người này.",
        "Đại hội kết thúc vào hồi 17 giờ 30 phút cùng ngày./.",
        "THƯ KÝ",
        "T/M ĐOÀN CHỦ TỊCH",
    ] {
        assert!(
            text.contains(expected),
            "pdftotext lacks {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("DỰ THẢO"),
        "a final paper is not marked as a draft"
    );
    assert_fonts_embedded_and_subset(&pdf);
    let info = run(
        &tool("pdfinfo", "poppler-utils"),
        &[pdf.to_str().unwrap()],
        SHORT,
    );
    assert!(
        info.contains("Page size:       595.28 x 841.89 pts (A4)"),
        "{info}"
    );
    assert!(
        info.contains("Title:           Biên bản: Đại hội đại biểu"),
        "{info}"
    );
    screenshot(&pdf, "sample-minutes-page1");
}

#[test]
fn a_draft_is_marked_on_every_page_and_numbered_from_page_two() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("du-thao.pdf");
    let mut m = sample::congress(400, 8);
    m.draft = true;
    // An absent member whose name came in decomposed (a combining horn and grave).
    m.attendees[47].participant.name = "Lê Thị Thu Hu\u{31B}o\u{31B}\u{300}ng".to_owned();
    std::fs::write(&pdf, m.to_pdf().unwrap()).unwrap();
    let n = pages(&pdf);
    assert!(n >= 4, "{n} pages");
    let whole = pdftotext(&pdf, None);
    assert!(
        whole.contains("Lê Thị Thu Hường"),
        "the name reads back composed (NFC)"
    );
    for page in 1..=n {
        let text = pdftotext(&pdf, Some(page));
        assert!(
            text.starts_with("DỰ THẢO") || text.contains("DỰ THẢO"),
            "page {page}: {text}"
        );
        if page > 1 {
            assert!(
                text.split_whitespace().any(|w| w == page.to_string()),
                "page {page} shows its number: {text}"
            );
        }
    }
}

#[test]
fn the_counting_report_pdf_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("kiem-phieu.pdf");
    std::fs::write(&pdf, sample::counting_report(180).to_pdf().unwrap()).unwrap();
    let text = pdftotext(&pdf, None);
    for expected in [
        "BIÊN BẢN KIỂM PHIẾU",
        "Lê Thị Ánh Tuyết",
        "Số phiếu hợp lệ: 172.",
        "quá 1/2 tổng số phiếu hợp lệ (172), tức ít nhất 87 phiếu",
        "Nguyễn Thị Hường 159 92,44 % Trúng cử",
        "Bằng phiếu, bầu lại",
        "9f86 d081 884c 7d65 9a2f eaa0 c55a d015",
        "hub verify ket-qua-bau-bch.json --key signing.pub",
        "TRƯỞNG BAN",
        "Dương Văn Khải",
    ] {
        assert!(
            text.contains(expected),
            "pdftotext lacks {expected:?}:\n{text}"
        );
    }
    assert_fonts_embedded_and_subset(&pdf);
    screenshot(&pdf, "sample-counting-report");
}

#[test]
fn libreoffice_opens_and_converts_the_docx_files() {
    let soffice = tool("soffice", "libreoffice-writer-nogui");
    let dir = tempfile::tempdir().unwrap();
    let mut m = sample::congress(180, 6);
    m.draft = true;
    m.items[2].conclusion =
        "<w:p>&amp; \u{1}Kết luận của Chủ tọa: giao Văn phòng hoàn chỉnh.".to_owned();
    let minutes = dir.path().join("bien-ban.docx");
    let report = dir.path().join("kiem-phieu.docx");
    std::fs::write(&minutes, m.to_docx().unwrap()).unwrap();
    std::fs::write(&report, sample::counting_report(180).to_docx().unwrap()).unwrap();
    // A profile of its own, so parallel runs and a user's LibreOffice do not collide.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let outdir = dir.path().join("pdf");
    run(
        &soffice,
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir.to_str().unwrap(),
            minutes.to_str().unwrap(),
            report.to_str().unwrap(),
        ],
        Duration::from_secs(300),
    );
    let converted = outdir.join("bien-ban.pdf");
    assert!(
        converted.is_file(),
        "LibreOffice wrote no PDF for the minutes"
    );
    let text = pdftotext(&converted, None);
    for expected in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BIÊN BẢN",
        "Nguyễn Thị Hường",
        "Trần Đức Lượng",
        "<w:p>&amp; Kết luận của Chủ tọa",
        "Tán thành 170 (94,44 %)",
        "THƯ KÝ",
    ] {
        assert!(
            text.contains(expected),
            "LibreOffice's PDF lacks {expected:?}:\n{text}"
        );
    }
    let n = pages(&converted);
    for page in 1..=n {
        assert!(
            pdftotext(&converted, Some(page)).contains("DỰ THẢO"),
            "page {page} of {n}"
        );
    }
    let text = pdftotext(&outdir.join("kiem-phieu.pdf"), None);
    assert!(
        text.contains("BIÊN BẢN KIỂM PHIẾU") && text.contains("Ngô Thị Thu Hằng"),
        "{text}"
    );
}

/// A Python with openpyxl: Debian's, or the first on the PATH.
fn openpyxl() -> PathBuf {
    let candidates = [
        PathBuf::from("/usr/bin/python3"),
        tool("python3", "python3"),
    ];
    candidates
        .into_iter()
        .find(|py| {
            Command::new(py)
                .args(["-c", "import openpyxl"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .unwrap_or_else(|| {
            panic!(
                "openpyxl is not installed: install the Debian package python3-openpyxl \
                 (apt-get install python3-openpyxl, or run ./test, which installs it)"
            )
        })
}

/// What openpyxl reads from a workbook: per sheet, the frozen cell, whether the header is
/// bold, the widths of columns A..C, and each cell's type, value and number format.
const READ_BACK: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in book.worksheets:
    rows = []
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 12)):
        rows.append([[c.data_type, c.is_date, str(c.value) if c.value is not None else None, c.number_format] for c in row])
    out[ws.title] = {
        "freeze": ws.freeze_panes,
        "bold": all(c.font.b for c in ws[1]),
        "widths": [ws.column_dimensions[k].width for k in "ABC"],
        "rows": rows,
        "max_row": ws.max_row,
    }
print(json.dumps(out, ensure_ascii=False))
"#;

fn read_back(xlsx: &Path) -> serde_json::Value {
    let py = openpyxl();
    let out = run(&py, &["-c", READ_BACK, xlsx.to_str().unwrap()], SHORT);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_xlsx_reads_back_with_real_numbers_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let attendance = dir.path().join("diem-danh.xlsx");
    let table = sheets::attendance(&sample::attendees(180)).unwrap();
    std::fs::write(&attendance, sheets::xlsx(&[table]).unwrap()).unwrap();
    let book = read_back(&attendance);
    let sheet = &book["Điểm danh"];
    assert_eq!(sheet["freeze"], "A2", "{sheet}");
    assert_eq!(sheet["bold"], true, "{sheet}");
    assert_eq!(sheet["max_row"], 181);
    let row = &sheet["rows"][1];
    assert_eq!(row[0][0], "n", "STT is a number: {row}");
    assert_eq!(row[0][2], "1");
    assert_eq!(row[1][2], "Nguyễn Thị Hường");
    assert_eq!(row[6][2], "Có mặt");
    assert_eq!(row[7][1], true, "the check-in time is a date: {row}");
    assert_eq!(row[7][2], "2026-12-01 07:30:00", "in Viet Nam time: {row}");
    let name_width = sheet["widths"][1].as_f64().unwrap();
    assert!(
        name_width > 15.0,
        "the name column fits a name: {name_width}"
    );

    let (vote, ballots) = sample::ballots(180);
    let mut tables = sheets::poll_result(&vote).unwrap();
    tables.push(sheets::poll_ballots(&vote, &ballots).unwrap());
    let poll = dir.path().join("ket-qua.xlsx");
    std::fs::write(&poll, sheets::xlsx(&tables).unwrap()).unwrap();
    let book = read_back(&poll);
    let tallies = &book["Kết quả"]["rows"];
    assert_eq!(tallies[1][1][2], "Tán thành");
    assert_eq!(tallies[1][2][0], "n");
    assert_eq!(tallies[1][2][2], "170");
    assert_eq!(
        tallies[1][3][0], "n",
        "a percentage is a number: {}",
        tallies[1]
    );
    assert_eq!(tallies[1][3][2], "0.9444");
    assert_eq!(tallies[1][3][3], "0.00%");
    assert_eq!(book["Danh sách biểu quyết"]["max_row"], 176);
    let summary = &book["Tổng hợp"]["rows"];
    assert_eq!(summary[7][0][2], "Số có mặt");
    assert_eq!(summary[7][1][0], "n", "a count is a number: {}", summary[7]);
    assert_eq!(summary[7][1][2], "175");
}

#[test]
fn a_congress_of_two_thousand_renders_whole() {
    let mut m = sample::congress(2000, 20);
    // Half the hall away: a thousand absences, each listed with its reason.
    for a in &mut m.attendees[1000..] {
        a.present = false;
        a.absence_reason = "đi công tác theo Quyết định số 123/QĐ-UBND".to_owned();
    }
    let start = Instant::now();
    let pdf = m.to_pdf().unwrap();
    let pdf_time = start.elapsed();
    let start = Instant::now();
    let docx = m.to_docx().unwrap();
    let docx_time = start.elapsed();
    eprintln!(
        "2,000 delegates, 20 items, 1,000 absent: PDF {} bytes in {pdf_time:?}, DOCX {} bytes \
         in {docx_time:?} (a debug build; the example gives release figures)",
        pdf.len(),
        docx.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dai-hoi.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = pdftotext(&path, None);
    assert!(
        text.contains("vắng mặt 1.025."),
        "25 of the first thousand were away too"
    );
    assert!(text.contains("Đại biểu vắng mặt (1.025 đồng chí):"));
    let last = &m.attendees[1999].participant.name;
    assert!(text.contains(&format!("1025. {last}")), "{last}");
    assert!(text.contains("20. Thảo luận chuyên đề số 14"));
    let end = &text[text.len() - 300..];
    assert!(
        text.trim_end().ends_with("- Lưu Văn phòng Huyện ủy,"),
        "{end}"
    );
    assert!(pages(&path) > 30);
}
