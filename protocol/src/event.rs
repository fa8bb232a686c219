//! Events: facts the hub has recorded. Each has a sequence number, gapless per meeting in
//! the log; a client sees the subset its role may see, so the numbers it receives only ever
//! increase.

use crate::document::Document;
use crate::ids::{
    AgendaItemId, CalendarEventId, CommitteeId, DocumentId, IncomingId, OpinionRequestId,
    ParticipantId, PollId,
};
use crate::incoming::{IncomingEntry, IncomingItem};
use crate::model::{AgendaItem, Fraction, MeetingStatus, Participant, Timestamp};
use crate::notes::DocumentComment;
use crate::opinions::{Answer, OpinionRequest};
use crate::poll::{PaperCount, Poll, PollResult, PollView};
use crate::record::MinutesDetails;
use crate::sealed::{Committee, KeyMessage, ReceiptLine, Sealed, SealedWith};
use serde::{Deserialize, Serialize};

/// An event in a meeting's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the meeting's log, from 1.
    pub seq: u64,
    /// When the hub recorded it.
    pub at: Timestamp,
    pub event: EventKind,
}

/// What happened, tagged by `"kind"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    MeetingCreated {
        title: String,
        venue: String,
        starts_at: Option<Timestamp>,
        quorum: Fraction,
    },
    MeetingUpdated {
        title: String,
        venue: String,
        starts_at: Option<Timestamp>,
        quorum: Fraction,
    },
    MeetingStatusChanged {
        status: MeetingStatus,
    },
    AgendaItemAdded {
        item: AgendaItem,
    },
    AgendaItemUpdated {
        item: AgendaItemId,
        title: String,
        description: String,
    },
    AgendaItemRemoved {
        item: AgendaItemId,
    },
    AgendaReordered {
        order: Vec<AgendaItemId>,
    },
    AgendaItemStarted {
        item: AgendaItemId,
    },
    AgendaItemFinished {
        item: AgendaItemId,
    },
    ParticipantAdded {
        participant: Participant,
    },
    ParticipantUpdated {
        participant: Participant,
    },
    ParticipantRemoved {
        participant: ParticipantId,
    },
    /// A member was checked in. Viewers other than the secretariat and the chair get
    /// `participant: null` unless it is themselves: the hall sees the count, not the roll.
    CheckedIn {
        participant: Option<ParticipantId>,
    },
    /// A member left; redacted like [`EventKind::CheckedIn`].
    CheckedOut {
        participant: Option<ParticipantId>,
    },
    /// A new document, with its first version. Only those who may read it receive it.
    DocumentPublished {
        document: Document,
    },
    /// A new version replaced the current one: `document` as it is now.
    DocumentRevised {
        document: Document,
    },
    /// The document was withdrawn: tablets delete their copy.
    DocumentWithdrawn {
        document: Document,
    },
    /// Thu hồi: a confidential document was recalled; downloads stop and tablets delete it.
    DocumentRecalled {
        document: Document,
    },
    /// A participant's tablet holds `version` of the document. Sent to the secretariat,
    /// the chair and that participant.
    DocumentHeld {
        document: DocumentId,
        version: u32,
        participant: ParticipantId,
    },
    /// A participant opened the document for the first time; sent like `document_held`.
    DocumentOpened {
        document: DocumentId,
        participant: ParticipantId,
    },

    // The list of speakers: public to the whole hall.
    /// A member asked to speak on `item`; they join the end of the queue.
    SpeakerQueued {
        participant: ParticipantId,
        item: AgendaItemId,
    },
    /// A member left the queue without speaking.
    SpeakerWithdrawn {
        participant: ParticipantId,
    },
    /// The floor is `participant`'s from `started_at`, for `limit_secs` (0: no limit);
    /// they leave the queue.
    FloorGiven {
        participant: ParticipantId,
        item: AgendaItemId,
        started_at: Timestamp,
        limit_secs: u32,
    },
    /// The speech under way ended.
    SpeechEnded {
        participant: ParticipantId,
        ended_at: Timestamp,
    },
    SpeakingLimitSet {
        seconds: u32,
    },

    // Opinion requests: seen only by their recipients, the secretariat and the chair.
    OpinionRequestCreated {
        request: OpinionRequest,
    },
    /// A recipient's answers, replacing their earlier ones. Others than the secretariat,
    /// the chair and the recipient never receive this event.
    OpinionAnswered {
        request: OpinionRequestId,
        participant: ParticipantId,
        answers: Vec<Answer>,
    },
    /// A reminder to those who had not answered; each of them receives it naming only
    /// themselves.
    OpinionReminderSent {
        request: OpinionRequestId,
        to: Vec<ParticipantId>,
    },
    /// No more answers are accepted.
    OpinionRequestClosed {
        request: OpinionRequestId,
    },

    /// A comment on a document; seen only by its author, the secretariat and the chair.
    DocumentCommentSent {
        comment: DocumentComment,
    },

    // Incoming documents and petitions: the secretariat, the chair and the office see
    // every item; a leader sees the items forwarded to them.
    /// A new item, status `new`.
    IncomingRegistered {
        item: IncomingItem,
    },
    /// The item after it was forwarded, in full: a leader who receives it may not have
    /// seen the item before.
    IncomingForwarded {
        item: IncomingItem,
    },
    /// A step by a leader (read, directed): `entry.by` is the leader. `forwarded_to` is
    /// the item's leaders, who (with the secretariat and the chair) receive the event.
    IncomingUpdated {
        item: IncomingId,
        entry: IncomingEntry,
        forwarded_to: Vec<ParticipantId>,
    },
    /// The item is closed; received like [`EventKind::IncomingUpdated`].
    IncomingClosed {
        item: IncomingId,
        entry: IncomingEntry,
        forwarded_to: Vec<ParticipantId>,
    },

    // Information: seen by everyone in the body.
    CalendarEventAdded {
        event: crate::info::CalendarEvent,
    },
    CalendarEventRemoved {
        event: CalendarEventId,
    },
    AnnouncementPosted {
        announcement: crate::info::Announcement,
    },
    /// A poll was prepared, in draft.
    PollCreated {
        poll: Poll,
        /// On the wire only, never in the log: the poll's view as a snapshot would list it
        /// (its options and choice bounds included), so that a client adds it as it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        view: Option<Box<PollView>>,
    },
    /// A poll opened; `eligible` members may vote; a countdown closes it at `closes_at`.
    /// A secret poll is sealed with the committee's key: ballots are encrypted to it.
    PollOpened {
        poll: PollId,
        closes_at: Option<Timestamp>,
        eligible: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sealed: Option<SealedWith>,
    },
    /// A ballot was accepted. `voter` is redacted like a check-in. `choices` is `null` for
    /// a secret poll (the hub does not record them here) and for viewers who may not see
    /// the running tally. A changed ballot replaces the voter's earlier one.
    BallotCast {
        poll: PollId,
        voter: Option<ParticipantId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        choices: Option<Vec<u32>>,
        /// Recorded by the secretariat for a member without a device.
        #[serde(default)]
        proxy: bool,
        /// Whether the hall may see `choices` before the close (the poll's `show_running`).
        #[serde(default)]
        shown: bool,
    },
    /// Counts made by hand were added: a show of hands or paper ballots of an open poll,
    /// or the paper ballots of a secret poll once closed. The hall gets the tallies of a
    /// secret poll's paper only with the published result.
    PaperBallotsRecorded {
        poll: PollId,
        count: PaperCount,
    },
    /// A secret poll's box was closed: how many encrypted ballots it holds, their
    /// fingerprint, and their sum, which the committee opens.
    SealedBoxClosed {
        poll: PollId,
        ballots: u32,
        fingerprint: String,
        sum: Sealed,
    },
    /// A committee member gave their decryption share of the sum, with its proof.
    DecryptionShareGiven {
        poll: PollId,
        member: ParticipantId,
        share: Sealed,
    },
    /// Enough shares were in: the sum is decrypted into the electronic counts. No single
    /// ballot is ever decrypted.
    SealedBoxOpened {
        poll: PollId,
        counts: Vec<u64>,
    },
    /// A sealed poll was counted once its box was opened (paper included). The hall gets
    /// `result: null` until it is published.
    PollCounted {
        poll: PollId,
        result: Option<PollResult>,
    },
    /// The poll closed and was counted. The hall gets `result: null` until it is published.
    PollClosed {
        poll: PollId,
        result: Option<PollResult>,
    },
    /// The result was announced; for a secret poll with every ballot by its receipt.
    PollPublished {
        poll: PollId,
        result: PollResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipts: Option<Vec<ReceiptLine>>,
    },
    PollCancelled {
        poll: PollId,
    },

    // The record: seen by the secretariat, the chair and the office only.
    /// The minutes' header details, all of them as they now are.
    MinutesDetailsSet {
        details: MinutesDetails,
    },
    /// An agenda item's conclusion; empty when cleared.
    ConclusionSet {
        item: AgendaItemId,
        text: String,
    },
    /// The minutes' free text; empty when cleared.
    MinutesNotesSet {
        text: String,
    },
    /// Why a member is absent; empty when cleared.
    AbsenceReasonSet {
        participant: ParticipantId,
        reason: String,
    },

    // The counting committee (Ban kiểm phiếu) and its key.
    /// A committee was named; its members' devices now make its key.
    CountingCommitteeSet {
        committee: Committee,
    },
    /// A member's key-setup message: to the committee's members and the staff.
    KeyMessageSent {
        committee: CommitteeId,
        message: KeyMessage,
    },
    /// Every member holds a share of this key; secret polls are sealed with it.
    CommitteeKeyReady {
        committee: CommitteeId,
        key: Sealed,
        fingerprint: String,
    },
    /// The key setup failed; a new committee must be named.
    CommitteeKeyFailed {
        committee: CommitteeId,
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_and_are_tagged_by_kind() {
        let e = Event {
            seq: 7,
            at: Timestamp(1_700_000_000_000),
            event: EventKind::MeetingStatusChanged {
                status: MeetingStatus::InSession,
            },
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"seq":7,"at":1700000000000,"event":{"kind":"meeting_status_changed","status":"in_session"}}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
