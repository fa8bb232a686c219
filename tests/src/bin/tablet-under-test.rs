//! The `tablet` program, built as a binary of this package so that `cargo test` always
//! rebuilds it before the end-to-end tests run it (see `hub-under-test.rs`).
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tablet_client::cli::main().await
}
