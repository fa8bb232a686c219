//! `hub`: the paperless meeting room hub. Everything is in the library; see `hub::cli`.
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hub::cli::run().await
}
