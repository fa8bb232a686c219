//! The meeting's record (hồ sơ): the papers a secretariat used to type after a meeting,
//! drawn from plain input structs that the hub fills from a meeting's state and log.
//!
//! - [`minutes::Minutes`]: the minutes (biên bản cuộc họp), as an editable DOCX and a PDF;
//! - [`counting::CountingReport`]: the counting report (biên bản kiểm phiếu) of an election
//!   or a secret vote, as a PDF and a DOCX;
//! - [`sheets`]: spreadsheets (XLSX) and CSV files of attendance, a poll's result, an
//!   opinion request's summary, the list of speakers and document delivery.
//!
//! Papers are laid out as Party bodies lay out theirs (Hướng dẫn 36-HD/VPTW) or, when the
//! header says so, as state bodies do (Nghị định 30/2020/NĐ-CP): see [`paper::Header`].
//! PDFs embed Liberation Serif (SIL OFL, `assets/fonts/`), subset to the glyphs used; DOCX
//! files name Times New Roman, which Word has and LibreOffice maps to Liberation Serif.
//!
//! ```
//! // The hub fills `Minutes` from a meeting's state and log; the sample is a congress.
//! let minutes = record::sample::congress(60, 3);
//! let pdf: Vec<u8> = minutes.to_pdf()?;
//! let docx: Vec<u8> = minutes.to_docx()?;
//! let attendance = record::sheets::attendance(&minutes.attendees)?;
//! let xlsx: Vec<u8> = record::sheets::xlsx(&[attendance])?;
//! # Ok::<(), record::RecordError>(())
//! ```
//!
//! Every string is cleaned before it is drawn (NFC, no control characters, a length cap;
//! see [`text`]), so no input can break a document. The crate knows nothing of the hub: it
//! depends on `protocol` for the wire types only.
#![forbid(unsafe_code)]

pub mod clock;
pub mod counting;
mod docx;
pub mod figures;
pub mod meeting;
pub mod minutes;
pub mod paper;
mod pdf;
pub mod sample;
pub mod sheets;
#[cfg(test)]
mod testing;
pub mod text;
mod votes;
pub mod words;

pub use counting::{CommitteeMember, CountingReport, Duty, SealedBox};
pub use meeting::{
    Attendee, DeliveryLine, DeliveryRecord, DocumentRecord, NamedBallot, SpeechRecord, VoteRecord,
};
pub use minutes::{ItemRecord, Minutes};
pub use paper::{Header, HeaderKind, Person};

/// Why a paper could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// An input is over its limit or holds what a paper cannot: the message names which.
    #[error("{0}")]
    Input(#[from] text::TextError),
    /// The input contradicts itself (e.g. a tally for an option that does not exist).
    #[error("{0}")]
    Inconsistent(String),
    /// The PDF writer failed.
    #[error("writing the PDF: {0}")]
    Pdf(String),
    /// The DOCX writer failed.
    #[error("writing the DOCX: {0}")]
    Docx(String),
    /// The spreadsheet writer failed.
    #[error("writing the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("writing the CSV: {0}")]
    Csv(#[from] csv::Error),
}
