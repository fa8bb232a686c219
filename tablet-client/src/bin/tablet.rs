//! `tablet`: the native delegate client, and the load generator that measures the hub.
//! Everything is in the library; see `tablet_client::cli`.
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tablet_client::cli::main().await
}
