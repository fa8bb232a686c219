//! Settings for running the hub in a hall: HTTPS ([`TlsSettings`]) and the name tablets
//! find it by ([`NameSettings`]).

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the hub's certificate comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// The hub's own small certificate authority, made on first start in `DATA/tls/`, and a
    /// server certificate for the machine's addresses and name, made at each start. Tablets
    /// install the CA's certificate once (the `/ca` page, the QR code on the badge sheet).
    #[default]
    SelfSigned,
    /// The office's own certificate and key (`cert`, `key`), e.g. from its internal CA.
    Files,
    /// Plain HTTP: behind a reverse proxy that speaks HTTPS, or in tests. A browser runs no
    /// service worker on `http://192.168.x.x`, so a tablet cannot reload while offline.
    Off,
}

/// HTTPS on the LAN.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// `self-signed`, `files` or `off`.
    pub mode: TlsMode,
    /// With `files`: the certificate chain (PEM), the server's certificate first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    /// With `files`: the private key (PEM, PKCS#8, PKCS#1 or SEC1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// Also listen for plain HTTP here (e.g. `0.0.0.0:80`): it serves the CA page and
    /// redirects everything else to HTTPS. Plain HTTP on `listen` is redirected too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_listen: Option<SocketAddr>,
    /// More DNS names or IP addresses for the hub's own server certificate (a DNS entry
    /// the office made, a virtual address); the machine's addresses, `localhost` and the
    /// mDNS name are always in it.
    pub names: Vec<String>,
}

impl TlsSettings {
    /// Whether the hub serves HTTPS.
    pub fn enabled(&self) -> bool {
        self.mode != TlsMode::Off
    }
}

/// The hub's name on the LAN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NameSettings {
    /// Announce the hub over mDNS / DNS-SD, so that `HOST.local` finds it.
    pub announce: bool,
    /// The host name, without `.local`: letters, digits and hyphens.
    pub host: String,
    /// Whether join links and badge QR codes use `HOST.local` rather than the machine's
    /// address (when `public_url` is not set). Tablets that do not resolve `.local` names
    /// then need a DNS entry for it (deploy/INSTALL.md).
    pub in_links: bool,
}

impl Default for NameSettings {
    fn default() -> Self {
        NameSettings {
            announce: true,
            host: "phonghop".to_owned(),
            in_links: false,
        }
    }
}

impl NameSettings {
    /// `HOST.local`.
    pub fn local_name(&self) -> String {
        format!("{}.local", self.host)
    }
}

/// A host label: 1 to 63 ASCII letters, digits or hyphens, not starting or ending with one.
pub(super) fn check_host(host: &str) -> Result<(), String> {
    let ok = (1..=63).contains(&host.len())
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !host.starts_with('-')
        && !host.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{host}' must be 1 to 63 letters (a-z, without accents), digits or hyphens, \
             e.g. phonghop"
        ))
    }
}
