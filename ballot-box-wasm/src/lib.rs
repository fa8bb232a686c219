//! The sealed ballot box in the browser: `ballot-box` compiled to WebAssembly for the web
//! tablet (a voter encrypts and proves their ballot on the device; a committee member runs
//! the key setup, keeps their secret, re-verifies the box and gives their decryption share).
//!
//! Built by hub/build.rs for `wasm32-unknown-unknown` and served at
//! `/vendor/ballot-box.wasm`; hub/web/js/ballot-box.js wraps the exports. [`calls`] is plain
//! Rust (built and tested on the host too); [`abi`], only on wasm32, holds the raw exports
//! and is the one module allowed unsafe code.
#![deny(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod abi;
pub mod calls;
