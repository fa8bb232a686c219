//! Documents the office can trust: checking the digital signatures (chữ ký số) of
//! uploaded PDFs, and drawing a reader's name across the pages of a copy served to them.
//!
//! See [`verify`] and [`watermark`].
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
pub use verdict::{DocumentStatus, SignatureReport, SignatureStatus, Signer, TimeSource, Verdict};
pub use verify::{verify, PdfError};
pub use watermark::{
    watermark, MAX_WATERMARK_LINES, MAX_WATERMARK_LINE_CHARS, MAX_WATERMARK_PAGES,
};
