//! The meeting hub: a pure engine, a durable store and the live transport.
//!
//! Layers (see docs/ARCHITECTURE.md): `engine` decides and applies, touching nothing;
//! `store` keeps the event log and token grants in redb; `live` runs one task per meeting
//! that turns commands into durable, broadcast events; `transport` is axum (REST, the
//! WebSocket, join links); `trust` checks uploads' signatures and draws readers'
//! watermarked copies. `server::Server` wires them for `main.rs` and for tests.
//! `demo` is a client of the hub: it seeds `hub demo` through the HTTP API only.
#![forbid(unsafe_code)]

pub mod archive;
pub mod backup;
pub mod badges;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod export;
pub mod import;
pub mod library;
pub mod live;
pub mod pins;
pub mod record;
pub mod server;
pub mod setup;
pub mod signing;
pub mod store;
pub mod tls;
pub mod tokens;
pub mod transport;
pub mod trust;
