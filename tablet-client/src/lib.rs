//! The native delegate client of the meeting hub.
//!
//! A tablet joins a meeting from the URL in its badge's QR code ([`JoinUrl`]), opens the
//! hub's WebSocket ([`Connection`]), greets it with its token and then follows the meeting's
//! events, sending commands and matching their answers by id. [`Follower`] keeps the last
//! sequence number seen, so a tablet that lost its Wi-Fi resumes where it left off instead
//! of downloading the whole meeting again. [`DocumentCache`] keeps a verified copy of every
//! document the delegate may read, for when the network is gone. [`sealed`] is the secret
//! ballot on the device: encrypted here, the committee's key made here, the count opened
//! from here.
//!
//! The same library drives the end-to-end and load tests in `tests/`.
#![forbid(unsafe_code)]

mod cache;
pub mod cli;
mod connection;
mod connector;
mod error;
mod follower;
mod http;
mod join;
pub mod sealed;
mod session;
pub mod swarm;

pub use cache::{
    documents_in, sha256_of, spawn_downloader, CacheError, CopyState, DocumentCache, Fetched, Held,
};
pub use connection::Connection;
pub use connector::{Fingerprint, Trust};
pub use error::{ClientError, CommandError};
pub use follower::Follower;
pub use http::DownloadError;
pub use join::JoinUrl;
pub use session::{Answer, Session};

/// The sealed box's cryptography (keys, ballots, shares, the published box), re-exported
/// for the same reason.
pub use ballot_box;
/// The wire types, re-exported so a user of this crate needs no direct dependency on them.
pub use protocol;
