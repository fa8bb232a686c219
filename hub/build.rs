//! Makes sure pdf.js and js-sha256 are present for the web UI before `rust-embed` embeds
//! them.
//!
//! pdf.js comes from the npm package `pdfjs-dist`, pinned to an exact version in
//! `web/package.json` and by `web/package-lock.json`. A fresh clone has no
//! `web/node_modules`, so the build installs it once; after that the files are on disk and
//! npm is not needed again. (`npm install`, not `npm ci`: npm 11 refuses `npm ci` because
//! its lock file leaves out the optional Node canvas binding for other platforms, which
//! the browser build never uses.)

use std::path::Path;
use std::process::Command;

const NEEDED: [&str; 3] = [
    "web/node_modules/pdfjs-dist/build/pdf.min.mjs",
    "web/node_modules/pdfjs-dist/build/pdf.worker.min.mjs",
    "web/node_modules/js-sha256/build/sha256.min.mjs",
];

fn main() {
    println!("cargo:rerun-if-changed=web/package-lock.json");
    for file in NEEDED {
        println!("cargo:rerun-if-changed={file}");
    }
    if NEEDED.iter().all(|f| Path::new(f).is_file()) {
        return;
    }
    // --ignore-scripts: nothing from the registry runs on the build machine;
    // --omit=optional: pdfjs-dist's optional canvas binding is for Node, not the browser.
    let status = Command::new("npm")
        .args([
            "install",
            "--ignore-scripts",
            "--omit=optional",
            "--no-audit",
            "--no-fund",
            // The lock file is read, never rewritten: a build leaves the tree clean.
            "--no-save",
        ])
        .current_dir("web")
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm install` in hub/web failed ({s}): the web UI needs pdf.js from the npm package \
             pdfjs-dist. Check the network, then build again."
        ),
        Err(e) => panic!(
            "cannot run npm ({e}): the hub embeds pdf.js from the npm package pdfjs-dist. \
             Install Node.js and npm (Debian: `apt-get install nodejs npm`), then build again."
        ),
    }
    for file in NEEDED {
        assert!(
            Path::new(file).is_file(),
            "`npm install` ran but {file} is missing: has pdfjs-dist changed its layout?"
        );
    }
}
