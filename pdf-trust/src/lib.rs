//! Documents the office can trust: checking the digital signatures (chữ ký số) of
//! uploaded PDFs against the CAs the office configures, and drawing a reader's name across
//! the pages of the copy served to them.
//!
//! # Signatures: [`verify`]
//!
//! `verify(pdf, &anchors, now)` finds every signature dictionary of the file (`/Type
//! /Sig`, or `/DocTimeStamp`, whether a field points at it or not; at most
//! [`MAX_SIGNATURES`]) and checks each, in the order of the bytes they sign:
//!
//! 1. **Byte range.** `/ByteRange [a b c d]` must start at byte 0, stay inside the file, and
//!    leave out exactly one hex string `<…>` whose bytes are this dictionary's own
//!    `/Contents`. Bytes after `c+d` were added after signing (an incremental update): they
//!    are counted in [`SignatureReport::bytes_after`], not judged.
//! 2. **Kind.** `adbe.pkcs7.detached` and `ETSI.CAdES.detached` are checked.
//!    `adbe.pkcs7.sha1`, `adbe.x509.rsa_sha1` and anything else are reported as
//!    unsupported; document time-stamps (`ETSI.RFC3161`) are reported with their range,
//!    their token unchecked.
//! 3. **CMS.** The hole's bytes must be a DER CMS `ContentInfo` holding `SignedData` with one
//!    signer (RustCrypto `cms`, `x509-cert`, `der`); the signer's certificate is found in
//!    it by issuer and serial or by subject key identifier.
//! 4. **Digest.** The digest algorithm must be SHA-256, -384 or -512. With signed
//!    attributes (always, in PAdES), their `messageDigest` must equal the digest of the two
//!    signed spans; without, the signature is over the spans themselves.
//! 5. **Signature.** The signature over the DER of the signed attributes must verify with
//!    the signer's public key: RSA PKCS #1 v1.5 or PSS (any salt length, MGF1 with the same
//!    digest) by `rsa`, ECDSA on P-256 or P-384 by `p256`/`p384`.
//! 6. **Key usage.** If the signer's certificate states a key usage, it must include
//!    digitalSignature or nonRepudiation.
//! 7. **Chain.** From the signer's certificate up to a configured [`TrustAnchors`]
//!    certificate, through certificates carried in the CMS: each link's issuer name equals
//!    the child's issuer, the issuer's key verifies the child's signature, and every issuer
//!    that is not an anchor is a CA (`basicConstraints`), may sign certificates
//!    (`keyUsage` keyCertSign, if stated) and respects its `pathLenConstraint`. The first
//!    anchor reached ends the chain, so an office may configure a root or an issuing CA;
//!    an anchor is trusted as configured (its own signature is not checked).
//! 8. **Validity.** Every certificate of the chain, anchor included, must be within its
//!    validity period at the signing time: the `signingTime` signed attribute, or `now`
//!    when there is none ([`SignatureReport::time_source`] says which).
//!
//! The first failing step decides the [`SignatureStatus`]: steps 1, 3 (undecodable), 4
//! (digest mismatch) and 5 (signature does not verify) give **broken**; an algorithm or
//! format this crate does not check gives **unsupported**; steps 6 and 7 give **untrusted
//! chain**; step 8 gives **expired**; otherwise **valid**. [`Verdict::status`] sums a
//! document up as [`DocumentStatus`]: unsigned, broken, untrusted chain, expired,
//! unsupported (worst first), then modified after signing (all valid, but bytes follow the
//! last signature or time-stamp) or valid. A file that is not a readable PDF is a
//! [`PdfError`], never a panic.
//!
//! ## Not checked
//!
//! - **Revocation**: no OCSP, no CRL, neither fetched (the hub is offline) nor read from the
//!   CMS or a DSS. A revoked certificate verifies as valid.
//! - **Time-stamps**: `signingTime` is the signer's own claim. RFC 3161 signature
//!   time-stamp tokens (unsigned attributes) and document time-stamps are not verified, so
//!   there is no long-term validation (LTV): a signature whose certificate has since
//!   expired is judged at its claimed signing time.
//! - **What changed after signing**: bytes appended after a signature are counted, not
//!   analysed (no DocMDP/FieldMDP permission checks, no comparison of revisions).
//! - **Certificate policies**, name constraints, extended key usage, the ESS
//!   `signing-certificate-v2` attribute, and the `contentType` attribute.
//! - BER (indefinite-length) CMS, several signers in one CMS, curves other than P-256 and
//!   P-384, SHA-1 and MD5: all reported as unsupported, never as valid.
//! - Encrypted PDFs: refused with [`PdfError::Encrypted`].
//!
//! No CA is built in: [`TrustAnchors`] holds only the PEM or DER files the office
//! configures (the national root CA, the CAs that issue officials' certificates). With no
//! anchors every signature is at best an untrusted chain.
//!
//! # Watermarks: [`watermark`]
//!
//! `watermark(pdf, lines)` returns a new file with `lines` (e.g. the reader's name, seat
//! and the time) drawn on every page over the content: repeated diagonally in translucent
//! light grey, and once upright along the bottom edge. The text is DejaVu Sans, subset and
//! embedded as a Type 0 font with a `ToUnicode` map, so Vietnamese renders and `pdftotext`
//! reads it back. Inherited `/MediaBox`, `/CropBox`, `/Rotate` and `/Resources` are
//! honoured. The copy is rewritten as one revision (the clean original is not left inside
//! it as an earlier revision); a signature of the original no longer verifies in the copy,
//! so the verdict belongs to the original. A damaged file whose pages or content streams
//! are missing is refused rather than served short.
//!
//! # Limits
//!
//! The caller bounds the input's size (the upload limit). Work is linear in the file, plus
//! at most [`MAX_SIGNATURES`] CMS checks of at most 64 certificates each; watermarks take at
//! most [`MAX_WATERMARK_LINES`] lines of [`MAX_WATERMARK_LINE_CHARS`] characters and
//! documents of at most [`MAX_WATERMARK_PAGES`] pages. Parsing is done by `lopdf`; a panic
//! inside it is caught and reported as [`PdfError::Malformed`].
#![forbid(unsafe_code)]

mod algorithms;
mod anchors;
mod chain;
mod fields;
mod names;
mod signature;
mod verdict;
mod verify;
mod watermark;

pub use anchors::{AnchorError, TrustAnchors, MAX_ANCHOR_FILE_BYTES};
pub use fields::MAX_SIGNATURES;
pub use verdict::{
    DocumentStatus, SignatureKind, SignatureReport, SignatureStatus, Signer, TimeSource, Verdict,
};
pub use verify::{verify, PdfError};
pub use watermark::{
    watermark, MAX_WATERMARK_LINES, MAX_WATERMARK_LINE_CHARS, MAX_WATERMARK_PAGES,
};
