//! `hub`: the paperless meeting room hub. Everything is in the library; see `hub::cli`.
#![forbid(unsafe_code)]

/// mimalloc rather than the system's malloc: thousands of idle tablets each hold a few
/// small, long-lived buffers, and glibc's per-thread arenas keep far more resident for them
/// (see docs/BENCHMARKS.md, memory per connection).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    hub::cli::run().await
}
