//! The digest and signature algorithms this crate accepts, and the one place that checks a
//! signature with a public key.
//!
//! Accepted: SHA-256, SHA-384 and SHA-512 digests; RSA with PKCS #1 v1.5 or PSS padding
//! (the `rsa` crate); ECDSA on P-256 and P-384 (`p256`, `p384`). SHA-1 and everything else
//! is reported as unsupported rather than guessed at: a signature we cannot check is not
//! called broken, and one made with SHA-1 is not called valid.

use const_oid::db::{rfc5753, rfc5912};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};
// `signature` is reached through `rsa`'s re-export so that the versions always agree.
use rsa::signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// A digest algorithm this crate computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// Why a signature could not be checked or did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigProblem {
    /// The algorithm or key type is one this crate does not check (named).
    Unsupported(String),
    /// The key or signature could not be decoded, or the signature does not verify.
    Invalid(String),
}

impl Hash {
    /// The digest algorithm an OID names, or `None` for one not accepted (SHA-1 among them).
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<Hash> {
        match *oid {
            rfc5912::ID_SHA_256 => Some(Hash::Sha256),
            rfc5912::ID_SHA_384 => Some(Hash::Sha384),
            rfc5912::ID_SHA_512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<Sha256>(parts),
            Hash::Sha384 => run::<Sha384>(parts),
            Hash::Sha512 => run::<Sha512>(parts),
        }
    }
}

/// A readable name for an OID, for messages about unsupported algorithms.
pub(crate) fn oid_name(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

/// Checks `signature` over `message` (the concatenation of its parts) with the key in `spki`, using the signature algorithm
/// `alg`. `digest_hint` is the digest that goes with algorithms that do not name one
/// themselves (`rsaEncryption` and `id-ecPublicKey` in a CMS SignerInfo).
pub(crate) fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<Hash>,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<(), SigProblem> {
    let hint = || {
        digest_hint.ok_or_else(|| {
            SigProblem::Unsupported("a signature algorithm without a usable digest".into())
        })
    };
    match alg.oid {
        rfc5912::RSA_ENCRYPTION => rsa_pkcs1(spki, hint()?, message, signature),
        rfc5912::SHA_256_WITH_RSA_ENCRYPTION => rsa_pkcs1(spki, Hash::Sha256, message, signature),
        rfc5912::SHA_384_WITH_RSA_ENCRYPTION => rsa_pkcs1(spki, Hash::Sha384, message, signature),
        rfc5912::SHA_512_WITH_RSA_ENCRYPTION => rsa_pkcs1(spki, Hash::Sha512, message, signature),
        rfc5912::ID_RSASSA_PSS => rsa_pss(spki, alg, message, signature),
        rfc5912::ECDSA_WITH_SHA_256 => ecdsa(spki, Hash::Sha256, message, signature),
        rfc5912::ECDSA_WITH_SHA_384 => ecdsa(spki, Hash::Sha384, message, signature),
        rfc5912::ECDSA_WITH_SHA_512 => ecdsa(spki, Hash::Sha512, message, signature),
        rfc5753::ID_EC_PUBLIC_KEY => ecdsa(spki, hint()?, message, signature),
        ref other => Err(SigProblem::Unsupported(format!(
            "signature algorithm {}",
            oid_name(other)
        ))),
    }
}

fn rsa_key(spki: &SubjectPublicKeyInfoOwned) -> Result<rsa::PublicKey, SigProblem> {
    if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION && spki.algorithm.oid != rfc5912::ID_RSASSA_PSS
    {
        return Err(SigProblem::Invalid(
            "an RSA signature with a non-RSA key".into(),
        ));
    }
    let der = spki
        .to_der()
        .map_err(|e| SigProblem::Invalid(format!("public key: {e}")))?;
    // A PSS-only key (id-RSASSA-PSS in the SPKI) carries the same RSAPublicKey; the `rsa`
    // crate reads only rsaEncryption SPKIs, so such a key is read from its bit string.
    if spki.algorithm.oid == rfc5912::ID_RSASSA_PSS {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let bits = spki.subject_public_key.raw_bytes();
        return rsa::PublicKey::from_pkcs1_der(bits)
            .map_err(|e| SigProblem::Invalid(format!("RSA public key: {e}")));
    }
    rsa::PublicKey::from_public_key_der(&der)
        .map_err(|e| SigProblem::Invalid(format!("RSA public key: {e}")))
}

fn rsa_pkcs1(
    spki: &SubjectPublicKeyInfoOwned,
    hash: Hash,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<(), SigProblem> {
    let key = rsa_key(spki)?;
    let scheme = match hash {
        Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
        Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
        Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
    };
    key.verify(scheme, &hash.digest_parts(message), signature)
        .map_err(|_| SigProblem::Invalid("the RSA signature does not verify".into()))
}

fn rsa_pss(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<(), SigProblem> {
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| SigProblem::Unsupported("RSA-PSS without parameters (SHA-1)".into()))?;
    let params = rsa::pkcs1::RsaPssParams::<der::Any>::from_der(
        &params
            .to_der()
            .map_err(|e| SigProblem::Invalid(format!("PSS parameters: {e}")))?,
    )
    .map_err(|e| SigProblem::Invalid(format!("PSS parameters: {e}")))?;
    let hash = Hash::from_oid(&params.hash.oid).ok_or_else(|| {
        SigProblem::Unsupported(format!("RSA-PSS with {}", oid_name(&params.hash.oid)))
    })?;
    // The `rsa` crate's MGF1 uses the message digest; a different MGF1 digest is refused.
    let mgf_hash = params.mask_gen.parameters.as_ref().map(|p| p.oid);
    if params.mask_gen.oid != rfc5912::ID_MGF_1 || mgf_hash != Some(params.hash.oid) {
        return Err(SigProblem::Unsupported(
            "RSA-PSS whose MGF1 digest differs from its message digest".into(),
        ));
    }
    let key = rsa_key(spki)?;
    let salt = usize::from(params.salt_len);
    let hashed = hash.digest_parts(message);
    let result = match hash {
        Hash::Sha256 => key.verify(
            rsa::pss::Pss::<Sha256>::new_with_salt(salt),
            &hashed,
            signature,
        ),
        Hash::Sha384 => key.verify(
            rsa::pss::Pss::<Sha384>::new_with_salt(salt),
            &hashed,
            signature,
        ),
        Hash::Sha512 => key.verify(
            rsa::pss::Pss::<Sha512>::new_with_salt(salt),
            &hashed,
            signature,
        ),
    };
    result.map_err(|_| SigProblem::Invalid("the RSA-PSS signature does not verify".into()))
}

fn ecdsa(
    spki: &SubjectPublicKeyInfoOwned,
    hash: Hash,
    message: &[&[u8]],
    signature: &[u8],
) -> Result<(), SigProblem> {
    if spki.algorithm.oid != rfc5753::ID_EC_PUBLIC_KEY {
        return Err(SigProblem::Invalid(
            "an ECDSA signature with a non-EC key".into(),
        ));
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| SigProblem::Invalid("an EC key without a named curve".into()))?;
    let der = spki
        .to_der()
        .map_err(|e| SigProblem::Invalid(format!("public key: {e}")))?;
    let prehash = hash.digest_parts(message);
    let bad = |_| SigProblem::Invalid("the ECDSA signature does not verify".into());
    match curve {
        rfc5912::SECP_256_R_1 => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map_err(|e| SigProblem::Invalid(format!("P-256 public key: {e}")))?;
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
            key.verify_prehash(&prehash, &sig).map_err(bad)
        }
        rfc5912::SECP_384_R_1 => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map_err(|e| SigProblem::Invalid(format!("P-384 public key: {e}")))?;
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
            key.verify_prehash(&prehash, &sig).map_err(bad)
        }
        other => Err(SigProblem::Unsupported(format!("elliptic curve {other}"))),
    }
}
