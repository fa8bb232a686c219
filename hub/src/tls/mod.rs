//! HTTPS on the hall's LAN: the certificate the hub serves ([`HallTls`]), from its own small
//! certificate authority (`authority`) or from the office's files, and rustls to speak it.
//!
//! Why HTTPS on a closed LAN: a browser runs a service worker only in a secure context, and
//! without one a tablet that reloads while the Wi-Fi is down shows nothing. The private
//! keys stay in the data directory and are never logged.

mod authority;

pub use authority::{fingerprint, pin, CA_CERT_FILE, CA_KEY_FILE};

use crate::config::{Config, TlsMode};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// Why HTTPS could not be set up; the hub does not start without it.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read or write {path}: {error}", path = .0.display(), error = .1)]
    Io(PathBuf, std::io::Error),
    #[error("{path}: {why}", path = .0.display(), why = .1)]
    Bad(PathBuf, String),
    #[error("cannot make a certificate: {0}")]
    Make(rcgen::Error),
    #[error("the certificate and key cannot be used: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The hub's HTTPS: the acceptor for connections and, with its own CA, the certificate
/// tablets install.
#[derive(Clone)]
pub struct HallTls {
    acceptor: TlsAcceptor,
    /// The CA certificate tablets install (PEM and DER); `None` with the office's files.
    ca: Option<Arc<(String, Vec<u8>)>>,
}

impl std::fmt::Debug for HallTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HallTls")
            .field("own_ca", &self.ca.is_some())
            .finish_non_exhaustive()
    }
}

impl HallTls {
    /// HTTPS as `config` says, for a hub bound to `bound`; `None` with `tls.mode = "off"`.
    pub fn open(config: &Config, bound: SocketAddr) -> Result<Option<HallTls>, TlsError> {
        let (chain, key, ca) = match config.tls.mode {
            TlsMode::Off => return Ok(None),
            TlsMode::SelfSigned => {
                let authority = authority::Authority::load_or_create(&config.data)?;
                let names = certificate_names(config, bound);
                tracing::info!(names = ?names, "HTTPS with the hub's own certificate");
                let (chain, key) = authority.issue(names)?;
                let chain = chain.into_iter().map(CertificateDer::from).collect();
                let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
                let ca = Some(Arc::new((authority.cert_pem, authority.cert_der)));
                (chain, key, ca)
            }
            TlsMode::Files => {
                let (cert, key) = match (&config.tls.cert, &config.tls.key) {
                    (Some(c), Some(k)) => (c, k),
                    _ => return Err(TlsError::Bad("tls".into(), "cert and key needed".into())),
                };
                let chain = CertificateDer::pem_file_iter(cert)
                    .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| TlsError::Bad(cert.clone(), e.to_string()))?;
                if chain.is_empty() {
                    return Err(TlsError::Bad(cert.clone(), "holds no certificate".into()));
                }
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| TlsError::Bad(key.clone(), e.to_string()))?;
                (chain, key, None)
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        // hyper serves HTTP/1.1 only (WebSockets upgrade from it).
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Some(HallTls {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            ca,
        }))
    }

    pub fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }

    /// The hub's own CA certificate as PEM, for tablets to install.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca.as_deref().map(|(pem, _)| pem.as_str())
    }

    /// The hub's own CA certificate as DER (what Android and iPadOS install from a `.crt`).
    pub fn ca_der(&self) -> Option<&[u8]> {
        self.ca.as_deref().map(|(_, der)| der.as_slice())
    }

    /// The SHA-256 of the hub's own CA certificate as 64 lower-case hex digits: the `ca=`
    /// of the join links, which the native tablet pins. `None` with the office's files.
    pub fn ca_pin(&self) -> Option<String> {
        self.ca_der().map(pin)
    }
}

/// Every name a tablet may use for the hub: `localhost` and the loopback addresses, the
/// machine's LAN addresses (or the one it is bound to), the mDNS name, the host of
/// `public_url` and the names the config adds.
fn certificate_names(config: &Config, bound: SocketAddr) -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
        config.name.local_name(),
    ];
    let addresses: Vec<IpAddr> = if bound.ip().is_unspecified() {
        crate::config::lan_addresses()
    } else {
        vec![bound.ip()]
    };
    names.extend(addresses.iter().map(IpAddr::to_string));
    if let Some(host) = config.public_url.as_deref().and_then(url_host) {
        names.push(host);
    }
    names.extend(config.tls.names.iter().map(|n| n.trim().to_owned()));
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| !n.is_empty() && seen.insert(n.clone()));
    names
}

/// The host of an `http(s)://host[:port]/…` URL, without brackets.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    (!host.is_empty()).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_ca_is_made_once_and_signs_a_certificate_for_the_names() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data: dir.path().to_owned(),
            public_url: Some("https://hop.example.vn:8443".into()),
            ..Config::default()
        };
        let bound: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        let first = HallTls::open(&config, bound).unwrap().unwrap();
        let again = HallTls::open(&config, bound).unwrap().unwrap();
        assert_eq!(first.ca_pem(), again.ca_pem(), "the CA is kept");
        let pin = first.ca_pin().unwrap();
        assert_eq!(pin.len(), 64);
        assert_eq!(
            pin,
            fingerprint(first.ca_der().unwrap())
                .replace(':', "")
                .to_lowercase(),
            "the link's pin is the fingerprint the CA page shows"
        );
        let key = std::fs::read_to_string(dir.path().join(CA_KEY_FILE)).unwrap();
        assert!(key.contains("PRIVATE KEY"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the CA key is the hub user's only");
        }
        let names = certificate_names(&config, bound);
        for name in ["localhost", "127.0.0.1", "phonghop.local", "hop.example.vn"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
    }

    #[test]
    fn half_a_ca_is_refused_rather_than_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data: dir.path().to_owned(),
            ..Config::default()
        };
        let bound: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        HallTls::open(&config, bound).unwrap();
        std::fs::remove_file(dir.path().join(CA_KEY_FILE)).unwrap();
        let err = HallTls::open(&config, bound).unwrap_err().to_string();
        assert!(err.contains("without the other"), "{err}");
    }

    #[test]
    fn off_serves_no_tls() {
        let config = Config {
            tls: crate::config::TlsSettings {
                mode: TlsMode::Off,
                ..Default::default()
            },
            ..Config::default()
        };
        assert!(HallTls::open(&config, "127.0.0.1:1".parse().unwrap())
            .unwrap()
            .is_none());
    }
}
