//! The `hub` program, built as a binary of this package so that `cargo test` always
//! rebuilds it before the end-to-end tests spawn it (cargo builds a package's own binaries
//! for its tests, not other packages').
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hub::cli::run().await
}
