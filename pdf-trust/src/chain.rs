//! Building the signer's certificate chain up to a configured trust anchor and checking it.
//!
//! Candidates for each link are the certificates carried in the CMS and the anchors. A
//! link holds when the issuer's subject equals the child's issuer name, the issuer's key
//! verifies the child's signature, and (for every issuer that is not an anchor) the issuer
//! is a CA by `basicConstraints`, may sign certificates by `keyUsage` if it has one, and
//! respects its `pathLenConstraint`. The first anchor reached ends the chain, so an office
//! may configure a root or an issuing CA. Then every certificate of the chain, the anchor
//! included, must be valid at the time given (the signing time). Revocation is not checked.

use crate::algorithms::verify_signature;
use crate::anchors::TrustAnchors;
use crate::names::display_name;
use der::Encode;
use std::time::Duration;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::Certificate;

/// Longest chain looked for, anchor included.
const MAX_DEPTH: usize = 8;

/// What the chain check found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ChainOutcome {
    /// A chain to an anchor, every certificate valid at the time: names from signer to anchor.
    Trusted(Vec<String>),
    /// A chain to an anchor, but this certificate was not valid at the time.
    NotValidAt { chain: Vec<String>, reason: String },
    /// No chain to any anchor.
    Untrusted(String),
}

/// Checks `signer` against `anchors`, using `pool` (the CMS's certificates) for
/// intermediates, with validity checked at `at` (seconds since the Unix epoch).
pub(crate) fn check_chain(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    at: i64,
) -> ChainOutcome {
    let mut path = vec![signer.clone()];
    if !extend(&mut path, pool, anchors) {
        return ChainOutcome::Untrusted(format!(
            "no chain from the signer's certificate to a configured trust anchor (issuer: {})",
            display_name(signer.tbs_certificate().issuer())
        ));
    }
    let names: Vec<String> = path
        .iter()
        .map(|c| display_name(c.tbs_certificate().subject()))
        .collect();
    for (cert, name) in path.iter().zip(&names) {
        if let Err(reason) = valid_at(cert, at) {
            return ChainOutcome::NotValidAt {
                chain: names.clone(),
                reason: format!("the certificate of {name} {reason}"),
            };
        }
    }
    ChainOutcome::Trusted(names)
}

/// Extends `path` (signer first) until its last certificate is an anchor; depth-first over
/// the candidates, so a cross-signed or reissued CA with the same name is tried in turn.
fn extend(path: &mut Vec<Certificate>, pool: &[Certificate], anchors: &TrustAnchors) -> bool {
    let child = path
        .last()
        .expect("the path starts with the signer")
        .clone();
    if path.len() == 1 {
        // An end-entity certificate configured as an anchor is trusted as it is.
        if let Ok(der) = child.to_der() {
            if anchors.iter().any(|a| a.der == der) {
                return true;
            }
        }
    }
    if path.len() >= MAX_DEPTH {
        return false;
    }
    let issuer_name = child.tbs_certificate().issuer();
    for anchor in anchors.iter() {
        if anchor.cert.tbs_certificate().subject() == issuer_name && signs(&anchor.cert, &child) {
            path.push(anchor.cert.clone());
            return true;
        }
    }
    for candidate in pool {
        if candidate.tbs_certificate().subject() != issuer_name
            || path.iter().any(|c| c == candidate)
            || !may_issue(candidate, path.len() - 1)
            || !signs(candidate, &child)
        {
            continue;
        }
        path.push(candidate.clone());
        if extend(path, pool, anchors) {
            return true;
        }
        path.pop();
    }
    false
}

/// True when `issuer`'s key verifies `child`'s signature.
fn signs(issuer: &Certificate, child: &Certificate) -> bool {
    let Ok(tbs) = child.tbs_certificate().to_der() else {
        return false;
    };
    verify_signature(
        issuer.tbs_certificate().subject_public_key_info(),
        child.signature_algorithm(),
        None,
        &[&tbs],
        child.signature().raw_bytes(),
    )
    .is_ok()
}

/// True when `cert` may issue a certificate with `below` CA certificates under it, by its
/// basic constraints and key usage.
fn may_issue(cert: &Certificate, below: usize) -> bool {
    let tbs = cert.tbs_certificate();
    let ca = match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) => {
            bc.ca
                && bc
                    .path_len_constraint
                    .is_none_or(|n| below <= usize::from(n))
        }
        _ => false,
    };
    let key_use = match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => ku.key_cert_sign(),
        Ok(None) => true,
        Err(_) => false,
    };
    ca && key_use
}

/// Ok when `at` lies within the certificate's validity period; else says how it does not.
fn valid_at(cert: &Certificate, at: i64) -> Result<(), String> {
    let validity = cert.tbs_certificate().validity();
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let not_before = secs(validity.not_before.to_unix_duration());
    let not_after = secs(validity.not_after.to_unix_duration());
    if at < not_before {
        Err(format!("was not yet valid (from {})", validity.not_before))
    } else if at > not_after {
        Err(format!("had expired (until {})", validity.not_after))
    } else {
        Ok(())
    }
}

/// Whether the signer's certificate may make document signatures by its key usage:
/// digitalSignature or nonRepudiation, when it states a key usage at all.
pub(crate) fn may_sign_documents(cert: &Certificate) -> bool {
    match cert.tbs_certificate().get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => ku.digital_signature() || ku.non_repudiation(),
        Ok(None) => true,
        Err(_) => false,
    }
}
