//! How the tablet reaches the hub: plain TCP for `http://` and `ws://`, TLS (rustls with
//! ring, as the hub) for `https://` and `wss://`. Every connection of the client, the
//! WebSocket and the downloads, is set up here, so that whom the tablet trusts is decided
//! in one place.
//!
//! Whom it trusts ([`Trust`]) is the hall's, never the web's PKI by default and never "any
//! certificate":
//! - the hall's own CA, pinned by the SHA-256 of its certificate that the badge's link
//!   carries (`?ca=`): the hub sends that certificate in its handshake, the tablet takes it
//!   only if it hashes to the pin, and checks the hub's certificate (name, dates,
//!   signature) against it alone, with rustls' own verifier;
//! - the certificates of a file (`tablet --ca FILE`): an office's CA;
//! - the system's roots, for a hub with an office's certificate from a public CA.

use crate::error::ClientError;
use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::WebSocketStream;
use tokio_util::either::Either;

/// The byte stream under a connection: TCP, or TLS over TCP.
pub(crate) type HubStream = Either<TcpStream, TlsStream<TcpStream>>;

/// The WebSocket to the hub.
pub(crate) type Ws = WebSocketStream<HubStream>;

/// The client every download goes through (plain or TLS, as the URL says).
pub(crate) type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// A hub that does not accept the connection within this long is treated as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most certificates a `--ca` file may hold, and its largest size.
const MAX_CA_CERTS: usize = 64;
const MAX_CA_FILE: u64 = 1024 * 1024;

/// The SHA-256 of a certificate (its DER), as a badge's `ca=` carries it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a certificate's DER.
    pub fn of(der: &[u8]) -> Fingerprint {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let mut bytes = [0; 32];
        bytes.copy_from_slice(digest.as_ref());
        Fingerprint(bytes)
    }

    /// Reads 64 hex digits, in either case, with or without the colons a phone shows.
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let digits: String = text.chars().filter(|c| *c != ':').collect();
        let mut bytes = [0; 32];
        hex::decode_to_slice(digits, &mut bytes).ok()?;
        Some(Fingerprint(bytes))
    }

    /// Lower-case hex, as in a join link.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// `AB:CD:…`, as the hub's CA page and a phone's certificate screen show it.
    pub fn colons(&self) -> String {
        self.0
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fingerprint({})", self.hex())
    }
}

/// Whom the tablet trusts to be the hub, over TLS. Plain `http` uses none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The hall's own CA, by its fingerprint (the badge link's `ca=`).
    HallCa(Fingerprint),
    /// The certificates of a file the user named (`--ca FILE`).
    Certificates(Arc<Vec<CertificateDer<'static>>>),
    /// The system's roots: a hub with an office's certificate from a public CA.
    SystemRoots,
}

impl Trust {
    /// The certificates in a PEM file (`--ca FILE`): an office's CA, or the hub's own
    /// `ca.pem` copied by hand.
    pub fn from_pem_file(path: &Path) -> Result<Trust, ClientError> {
        let bad = |reason: String| ClientError::BadCaFile {
            path: path.to_owned(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| bad(e.to_string()))?
            .len();
        if size > MAX_CA_FILE {
            return Err(bad(format!("larger than {MAX_CA_FILE} bytes")));
        }
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        Trust::from_pem(&bytes).map_err(bad)
    }

    /// The certificates in a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Trust, String> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("not a PEM certificate file: {e}"))?;
        if certs.is_empty() {
            return Err("holds no certificate (-----BEGIN CERTIFICATE-----)".into());
        }
        if certs.len() > MAX_CA_CERTS {
            return Err(format!("holds more than {MAX_CA_CERTS} certificates"));
        }
        Ok(Trust::Certificates(Arc::new(certs)))
    }

    /// The rustls client configuration for this trust, without ALPN.
    fn client_config(&self) -> Result<rustls::ClientConfig, String> {
        let provider = provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let config = match self {
            Trust::HallCa(pin) => builder
                .dangerous() // rustls' name for a verifier of one's own; this one checks all
                .with_custom_certificate_verifier(Arc::new(HallCa {
                    pin: *pin,
                    provider,
                }))
                .with_no_client_auth(),
            Trust::Certificates(certs) => {
                let mut roots = RootCertStore::empty();
                for cert in certs.iter() {
                    roots
                        .add(cert.clone())
                        .map_err(|e| format!("a certificate of the --ca file: {e}"))?;
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            Trust::SystemRoots => builder
                .with_root_certificates(system_roots()?)
                .with_no_client_auth(),
        };
        Ok(config)
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The system's roots, read once.
fn system_roots() -> Result<Arc<RootCertStore>, String> {
    static ROOTS: OnceLock<Result<Arc<RootCertStore>, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = RootCertStore::empty();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(format!(
                    "this machine has no trusted root certificates ({} errors reading them): \
                     give the hub's CA with --ca FILE",
                    found.errors.len()
                ));
            }
            Ok(Arc::new(roots))
        })
        .clone()
}

/// The TLS configuration of a WebSocket to a hub trusted as `trust` (ALPN `http/1.1`).
/// Connections that trust alike may share one: `tablet swarm` makes it once for all its
/// simulated tablets, as thousands of configurations would each hold their own roots.
pub(crate) fn websocket_tls(trust: &Trust) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut config = trust.client_config()?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Opens the WebSocket of `request` (a `ws://` or `wss://` URL), trusting `trust` for TLS.
pub(crate) async fn websocket(request: Request, trust: &Trust) -> Result<Ws, ClientError> {
    let url = request.uri().to_string();
    let unreachable = |e: tokio_tungstenite::tungstenite::Error| ClientError::Unreachable {
        url: url.clone(),
        source: Box::new(e),
    };
    let uri = request.uri();
    let tls = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => {
            return Err(ClientError::InvalidRequest(format!(
                "{url} is not ws:// or wss://"
            )))
        }
    };
    let host = uri
        .host()
        .ok_or_else(|| ClientError::InvalidRequest(format!("{url} names no host")))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| unreachable(std::io::Error::from(std::io::ErrorKind::TimedOut).into()))?
        .map_err(|e| unreachable(e.into()))?;
    let _ = tcp.set_nodelay(true);
    let stream = if tls {
        let config = websocket_tls(trust).map_err(|reason| ClientError::Untrusted {
            url: url.clone(),
            reason,
        })?;
        let name = ServerName::try_from(host.clone())
            .map_err(|e| ClientError::InvalidRequest(format!("{host}: {e}")))?;
        let handshake = tokio_rustls::TlsConnector::from(config).connect(name, tcp);
        match tokio::time::timeout(CONNECT_TIMEOUT, handshake).await {
            Err(_) => {
                return Err(unreachable(
                    std::io::Error::from(std::io::ErrorKind::TimedOut).into(),
                ))
            }
            Ok(Err(e)) => {
                return Err(match untrusted(&e) {
                    Some(reason) => ClientError::Untrusted { url, reason },
                    None => unreachable(e.into()),
                })
            }
            Ok(Ok(tls)) => Either::Right(tls),
        }
    } else {
        Either::Left(tcp)
    };
    let request = request.into_client_request().map_err(unreachable)?;
    match tokio_tungstenite::client_async_with_config(request, stream, None).await {
        Ok((ws, _response)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(ClientError::UpgradeRefused {
                url,
                status: response.status().as_u16(),
            })
        }
        Err(e) => Err(unreachable(e)),
    }
}

/// A client for `http://` and `https://` downloads, trusting `trust` for TLS, with a
/// 10-second connect timeout and `TCP_NODELAY`.
pub(crate) fn http_client(trust: &Trust) -> Result<HttpClient, String> {
    let mut plain = HttpConnector::new();
    plain.set_connect_timeout(Some(CONNECT_TIMEOUT));
    plain.set_nodelay(true);
    plain.enforce_http(false);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(trust.client_config()?)
        .https_or_http()
        .enable_http1()
        .wrap_connector(plain);
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// Why TLS refused the hub, if `error` (or what caused it) is a TLS failure, in words a
/// delegate can act on; `None` for a network failure.
pub(crate) fn untrusted(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return Some(explain(tls));
        }
        next = e.source();
    }
    None
}

fn explain(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            match other.0.downcast_ref::<NotTheHallCa>() {
                Some(not) => not.to_string(),
                None => format!("the hub's certificate is not trusted: {other}"),
            }
        }
        rustls::Error::InvalidCertificate(e) => format!(
            "the hub's certificate is not trusted ({e}): scan the badge's link again, or \
             give the hub's CA with --ca FILE"
        ),
        other => format!("TLS with the hub failed: {other}"),
    }
}

/// The hub presented no CA certificate with the badge's fingerprint.
#[derive(Debug, thiserror::Error)]
#[error(
    "the hub's certificate authority is not the one on the badge (the badge says SHA-256 \
     {expected}; the hub presented {presented}): this is not the hall's hub, or its CA was \
     made anew; ask the secretariat for the current badge"
)]
struct NotTheHallCa {
    expected: String,
    presented: String,
}

/// The verifier of a hub whose CA the badge pins.
#[derive(Debug)]
struct HallCa {
    pin: Fingerprint,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for HallCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The hub sends its CA after its own certificate; only the pinned one is taken.
        let Some(ca) = intermediates
            .iter()
            .find(|c| Fingerprint::of(c.as_ref()) == self.pin)
        else {
            let presented = intermediates
                .iter()
                .map(|c| Fingerprint::of(c.as_ref()).colons())
                .collect::<Vec<_>>();
            let presented = if presented.is_empty() {
                "no CA certificate".to_owned()
            } else {
                presented.join(", ")
            };
            return Err(
                CertificateError::Other(rustls::OtherError(Arc::new(NotTheHallCa {
                    expected: self.pin.colons(),
                    presented,
                })))
                .into(),
            );
        };
        let mut roots = RootCertStore::empty();
        roots.add(ca.clone().into_owned())?;
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
        verifier.verify_server_cert(end_entity, &[], server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_back_from_hex_with_or_without_colons() {
        let f = Fingerprint::of(b"a certificate");
        assert_eq!(Fingerprint::parse(&f.hex()), Some(f));
        assert_eq!(Fingerprint::parse(&f.colons()), Some(f));
        assert_eq!(Fingerprint::parse(&f.hex().to_uppercase()), Some(f));
        assert_eq!(f.hex().len(), 64);
        for bad in [
            "",
            "abc",
            &f.hex()[..62],
            &format!("{}00", f.hex()),
            &"zz".repeat(32),
        ] {
            assert_eq!(Fingerprint::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_with_a_reason() {
        let err = Trust::from_pem(b"hello").unwrap_err();
        assert!(err.contains("no certificate"), "{err}");
    }

    #[test]
    fn every_trust_makes_a_client() {
        let pin = Trust::HallCa(Fingerprint::of(b"x"));
        assert!(http_client(&pin).is_ok());
        // The system's roots may be missing on a bare machine; then the error says what to do.
        if let Err(e) = http_client(&Trust::SystemRoots) {
            assert!(e.contains("--ca FILE"), "{e}");
        }
    }
}
