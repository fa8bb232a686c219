//! The wire contract of the paperless meeting hub.
//!
//! Pure data: ids, the meeting model, the commands a client may send, the events the hub
//! emits, error codes and the frame envelope. No IO and no async, so the hub, the native
//! tablet client and the tests all speak exactly the same language. docs/PROTOCOL.md is the
//! human-readable form of this crate and must be kept in step with it.
#![forbid(unsafe_code)]

pub mod command;
pub mod directory;
pub mod document;
pub mod error;
pub mod event;
pub mod frame;
pub mod ids;
pub mod incoming;
pub mod info;
pub mod model;
pub mod notes;
pub mod opinions;
pub mod poll;
pub mod record;
pub mod sealed;
pub mod signatures;
pub mod speakers;

pub use command::Command;
pub use directory::{
    Body, BodyId, DeviceId, InvitationAnswer, OfficeEvent, OfficeEventKind, Person, PersonId,
};
pub use document::{
    Classification, CopyToDelete, Delivery, Document, DocumentFile, DocumentStatus,
    DocumentVersion, HeldCopy,
};
pub use error::{ErrorCode, ErrorFrame};
pub use event::{Event, EventKind};
pub use frame::{ClientFrame, HubFrame, Me};
pub use ids::{
    AgendaItemId, AnnouncementId, CalendarEventId, CommandId, CommitteeId, DocumentCommentId,
    DocumentId, IncomingId, MeetingId, NoteId, OpinionRequestId, ParticipantId, PollId,
};
pub use model::{
    AgendaItem, AgendaItemStatus, Attendance, Fraction, Meeting, MeetingStatus, MeetingView,
    Participant, Role, Timestamp,
};
pub use poll::{
    ChoiceBounds, MajorityBase, PaperCount, Poll, PollKind, PollResult, PollSpec, PollStatus,
    PollView, Preset, Threshold,
};
pub use record::{AbsenceReason, Conclusion, HeaderKind, MinutesDetails, RecordView};
pub use sealed::{
    Committee, CommitteeStatus, CommitteeView, KeyMessage, ReceiptLine, Runoff, Sealed,
    SealedBoxView, SealedWith,
};
pub use signatures::{
    SignatureKind, SignatureReport, SignatureStatus, SignatureVerdict, VerdictStatus,
};

/// Version of the protocol described here; sent in every snapshot so a client can tell
/// whether it understands the hub it joined.
pub const PROTOCOL_VERSION: u32 = 2;
