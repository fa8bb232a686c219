//! Helpers for the unit tests: read back what the writers made.

use std::io::Read;

/// Every XML part of a DOCX (or XLSX) whose name starts with `prefix`, concatenated.
pub(crate) fn parts(bytes: &[u8], prefix: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("a zip entry");
        if file.name().starts_with(prefix) && file.name().ends_with(".xml") {
            file.read_to_string(&mut out).expect("UTF-8 XML");
        }
    }
    out
}
