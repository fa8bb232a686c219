//! Makes sure pdf.js and js-sha256 are present for the web UI before `rust-embed` embeds
//! them, and builds the sealed ballot box for the browser (`ballot-box-wasm`) into
//! `OUT_DIR/ballot-box.wasm`, which `transport::web` embeds.
//!
//! pdf.js comes from the npm package `pdfjs-dist`, pinned to an exact version in
//! `web/package.json` and by `web/package-lock.json`. A fresh clone has no
//! `web/node_modules`, so the build installs it once; after that the files are on disk and
//! npm is not needed again. (`npm install`, not `npm ci`: npm 11 refuses `npm ci` because
//! its lock file leaves out the optional Node canvas binding for other platforms, which
//! the browser build never uses.)

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const NEEDED: [&str; 3] = [
    "web/node_modules/pdfjs-dist/build/pdf.min.mjs",
    "web/node_modules/pdfjs-dist/build/pdf.worker.min.mjs",
    "web/node_modules/js-sha256/build/sha256.min.mjs",
];

fn main() {
    build_ballot_box_wasm();
    npm_install();
}

fn npm_install() {
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

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Builds `ballot-box-wasm` with a nested `cargo build` for wasm32 in the workspace's
/// `wasm` profile (opt-level "s", LTO). Its own target directory (`target/wasm`) keeps it
/// clear of the lock the outer build holds, and lets every outer profile (debug, release,
/// clippy, test) share one build.
fn build_ballot_box_wasm() {
    for path in [
        "../ballot-box/src",
        "../ballot-box/Cargo.toml",
        "../ballot-box-wasm/src",
        "../ballot-box-wasm/Cargo.toml",
        "../Cargo.toml",
        "../Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest.parent().expect("hub/ is in the workspace");
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"))
        .join("wasm");
    ensure_wasm_target();

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--package",
            "ballot-box-wasm",
            "--target",
            WASM_TARGET,
        ])
        .args(["--profile", "wasm", "--target-dir"])
        .arg(&target_dir)
        // The outer build's settings are for the host, not for wasm32: flags such as
        // `-C target-cpu=native`, and clippy-driver when the outer command is `cargo clippy`.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_TARGET_DIR")
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "building ballot-box-wasm for {WASM_TARGET} failed ({s}): the web UI embeds the \
             sealed ballot box as WebAssembly. The compiler's messages are above."
        ),
        Err(e) => panic!("cannot run cargo to build ballot-box-wasm ({e})"),
    }
    let built = target_dir
        .join(WASM_TARGET)
        .join("wasm/ballot_box_wasm.wasm");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("ballot-box.wasm");
    std::fs::copy(&built, &out)
        .unwrap_or_else(|e| panic!("copying {} to {}: {e}", built.display(), out.display()));
}

/// Adds the wasm32 target with rustup when it is missing; a toolchain without rustup is
/// left to the build, which then says what is missing.
fn ensure_wasm_target() {
    let Ok(installed) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        return;
    };
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        return;
    }
    let added = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .status();
    if !matches!(added, Ok(s) if s.success()) {
        panic!(
            "the hub embeds the sealed ballot box built for {WASM_TARGET}, and `rustup target \
             add {WASM_TARGET}` failed ({added:?}). Check the network, or run it by hand, then \
             build again."
        );
    }
}
