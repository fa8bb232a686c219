//! The programs real readers use, for the record's tests: poppler (`pdfinfo`, `pdftotext`),
//! headless LibreOffice (`soffice`) and Python's openpyxl. A missing one fails the test
//! with the Debian package that brings it (`./test` installs them all).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The command on the PATH, or a failure naming the package to install.
pub fn tool(command: &str, package: &str) -> PathBuf {
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

/// Runs a program to its end (at most `limit`); its stdout. Fails on a non-zero exit with
/// what it printed.
pub fn run(program: &Path, args: &[&str], limit: Duration) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
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
    String::from_utf8_lossy(&stdout).into_owned()
}

const SHORT: Duration = Duration::from_secs(60);

/// The text of a PDF as poppler reads it, white space made single spaces.
pub fn pdftotext(pdf: &Path) -> String {
    let text = run(
        &tool("pdftotext", "poppler-utils"),
        &[pdf.to_str().unwrap(), "-"],
        SHORT,
    );
    text.replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What `pdfinfo` says of a PDF (which fails on a broken one).
pub fn pdfinfo(pdf: &Path) -> String {
    run(
        &tool("pdfinfo", "poppler-utils"),
        &[pdf.to_str().unwrap()],
        SHORT,
    )
}

/// Converts a DOCX (or any document) to PDF with headless LibreOffice, in a profile of its
/// own; the PDF's path.
pub fn soffice_to_pdf(doc: &Path) -> PathBuf {
    let soffice = tool("soffice", "libreoffice-writer-nogui");
    let dir = doc.parent().expect("a folder");
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let outdir = dir.join("converted");
    run(
        &soffice,
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir.to_str().unwrap(),
            doc.to_str().unwrap(),
        ],
        Duration::from_secs(300),
    );
    let pdf = outdir.join(doc.with_extension("pdf").file_name().unwrap());
    assert!(
        pdf.is_file(),
        "LibreOffice wrote no PDF for {}",
        doc.display()
    );
    pdf
}

/// Every sheet of a workbook as openpyxl reads it: `{sheet: [[cell, …], …]}`, numbers as
/// JSON numbers, dates in ISO form, text as text.
pub fn read_xlsx(xlsx: &Path) -> serde_json::Value {
    // Debian's python3-openpyxl is for Debian's python3, whatever else is on the PATH.
    let python = [
        PathBuf::from("/usr/bin/python3"),
        tool("python3", "python3"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .expect("python3");
    let script = "import json, sys\n\
try:\n    import openpyxl\n\
except ImportError:\n    sys.exit('openpyxl is not installed: install the Debian package python3-openpyxl (apt-get install python3-openpyxl, or run ./test)')\n\
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)\n\
out = {}\n\
for ws in wb.worksheets:\n    out[ws.title] = [[(c.isoformat() if hasattr(c, 'isoformat') else c) for c in row] for row in ws.iter_rows(values_only=True)]\n\
print(json.dumps(out, ensure_ascii=False))\n";
    let out = run(
        &python,
        &["-c", script, xlsx.to_str().unwrap()],
        Duration::from_secs(120),
    );
    serde_json::from_str(&out).expect("openpyxl's JSON")
}

/// Page 1 of a PDF as a PNG (60 dpi) named `name.png` in `target/screenshots/`, and in
/// `docs/screenshots/` when `UPDATE_SCREENSHOTS=1`: the README's pictures of the record.
pub fn first_page_png(pdf: &Path, name: &str) {
    let tmp = pdf.with_file_name(format!("{name}-page"));
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
            tmp.to_str().unwrap(),
        ],
        SHORT,
    );
    let png = std::fs::read(tmp.with_extension("png")).expect("pdftoppm wrote the page");
    assert!(png.starts_with(b"\x89PNG"));
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"));
    let mut dirs = vec![target.join("screenshots")];
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    }
}
