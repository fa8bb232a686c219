//! The hub's own small certificate authority: made once, on first start, kept in
//! `DATA/tls/` (`ca.pem`, and `ca.key` readable by the hub's user only); it signs a fresh
//! server certificate for the machine's addresses and names at every start, so a hub
//! moved to another address needs no step from anyone.
//!
//! rcgen makes and signs the certificates (ECDSA P-256); nothing here encodes ASN.1.

use super::TlsError;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use sha2::{Digest as _, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// The CA's certificate (PEM), under the data directory.
pub const CA_CERT_FILE: &str = "tls/ca.pem";
/// The CA's private key (PEM, mode 0600), under the data directory.
pub const CA_KEY_FILE: &str = "tls/ca.key";

/// A CA lasts as long as the tablets that trust it are in service.
const CA_YEARS: i64 = 20;
/// Below Apple's limit of 825 days for a server certificate; renewed at each start anyway.
const SERVER_DAYS: i64 = 397;

/// The hub's CA, ready to sign.
pub(super) struct Authority {
    key: KeyPair,
    /// The certificate tablets install.
    pub(super) cert_pem: String,
    pub(super) cert_der: Vec<u8>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").finish_non_exhaustive()
    }
}

impl Authority {
    /// Reads the CA from `data/tls/`, making it first if there is none.
    pub(super) fn load_or_create(data: &Path) -> Result<Authority, TlsError> {
        let cert_path = data.join(CA_CERT_FILE);
        let key_path = data.join(CA_KEY_FILE);
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => {
                let cert_pem = read(&cert_path)?;
                let key = KeyPair::from_pem(&read(&key_path)?)
                    .map_err(|e| TlsError::Bad(key_path.clone(), e.to_string()))?;
                let cert_der = pem_der(&cert_pem)
                    .ok_or_else(|| TlsError::Bad(cert_path.clone(), "no certificate".into()))?;
                Ok(Authority {
                    key,
                    cert_pem,
                    cert_der,
                })
            }
            (false, false) => {
                let key = KeyPair::generate().map_err(TlsError::Make)?;
                let cert = ca_params(&key)?.self_signed(&key).map_err(TlsError::Make)?;
                let dir = data.join("tls");
                std::fs::create_dir_all(&dir).map_err(|e| TlsError::Io(dir.clone(), e))?;
                // The key first: a CA certificate without its key would be useless.
                write_private(&key_path, key.serialize_pem().as_bytes())?;
                write_private(&cert_path, cert.pem().as_bytes())?;
                tracing::info!(
                    fingerprint = %fingerprint(cert.der()),
                    "made the hub's certificate authority"
                );
                Ok(Authority {
                    cert_pem: cert.pem(),
                    cert_der: cert.der().to_vec(),
                    key,
                })
            }
            _ => Err(TlsError::Bad(
                data.join("tls"),
                format!(
                    "holds one of {CA_CERT_FILE} and {CA_KEY_FILE} without the other; restore \
                     both from a backup, or remove both to make a new CA (every tablet must \
                     then install the new one)"
                ),
            )),
        }
    }

    /// A server certificate for `names` (DNS names and IP addresses) and its key, as DER:
    /// the chain is the server's certificate then the CA's.
    pub(super) fn issue(&self, names: Vec<String>) -> Result<(Vec<Vec<u8>>, Vec<u8>), TlsError> {
        let key = KeyPair::generate().map_err(TlsError::Make)?;
        let mut params = CertificateParams::new(names).map_err(TlsError::Make)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "Phòng họp không giấy");
        params.distinguished_name = dn;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(SERVER_DAYS);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::new(ca_params(&self.key)?, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(TlsError::Make)?;
        Ok((
            vec![cert.der().to_vec(), self.cert_der.clone()],
            key.serialize_der(),
        ))
    }
}

/// The CA's parameters. Its name is derived from its key, so the same parameters are
/// rebuilt from the key alone when the hub signs at a later start.
fn ca_params(key: &KeyPair) -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(TlsError::Make)?;
    let id = hex::encode(&Sha256::digest(key.public_key_raw())[..4]);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, format!("Phòng họp không giấy CA {id}"));
    dn.push(DnType::OrganizationName, "Phòng họp không giấy");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // Rebuilt from the key at a later start, only the name, the usages and the key
    // identifier count (they go into the server's certificate); the dates do not.
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365 * CA_YEARS);
    Ok(params)
}

/// SHA-256 of a certificate, as `AB:CD:…`: what a phone shows to compare.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// SHA-256 of a certificate as 64 lower-case hex digits: the same as [`fingerprint`],
/// shorter in a QR code.
pub fn pin(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// The DER of the first certificate in a PEM text.
pub(super) fn pem_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::pem::PemObject as _;
    rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|c| c.to_vec())
}

fn read(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|e| TlsError::Io(path.to_owned(), e))
}

/// Writes a new file readable by the hub's user only, durably.
fn write_private(path: &PathBuf, bytes: &[u8]) -> Result<(), TlsError> {
    let io = |e| TlsError::Io(path.clone(), e);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}
