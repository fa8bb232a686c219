//! Commands: what a client asks the hub to do. Each arrives in a `command` frame with a
//! client-chosen id; the engine decides whether the sender's role and the meeting's state
//! allow it and answers with events or an error.

use crate::document::{Classification, DocumentFile};
use crate::ids::{
    AgendaItemId, CalendarEventId, CommitteeId, DocumentId, IncomingId, NoteId, OpinionRequestId,
    ParticipantId, PollId,
};
use crate::incoming::IncomingKind;
use crate::model::{Fraction, Role, Timestamp};
use crate::opinions::{Answer, Attachment};
use crate::poll::PollSpec;
use crate::record::HeaderKind;
use crate::sealed::Sealed;
use serde::{Deserialize, Serialize};

/// A command, tagged by `"op"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Start a new meeting's log (secretariat, REST only).
    CreateMeeting {
        title: String,
        #[serde(default)]
        venue: String,
        #[serde(default)]
        starts_at: Option<Timestamp>,
        #[serde(default)]
        quorum: Option<Fraction>,
    },
    /// Change the meeting's details (secretariat). Absent fields stay as they are.
    UpdateMeeting {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        venue: Option<String>,
        #[serde(default)]
        starts_at: Option<Timestamp>,
        #[serde(default)]
        quorum: Option<Fraction>,
    },
    /// draft → open: delegates who join are checked in (secretariat or chair).
    OpenMeeting,
    /// open or adjourned → in session (chair).
    StartSession,
    /// in session → adjourned (chair).
    Adjourn,
    /// → closed, for good (chair or secretariat).
    CloseMeeting,

    /// Append an item to the agenda (secretariat).
    AddAgendaItem {
        title: String,
        #[serde(default)]
        description: String,
    },
    /// Change an item's title or description (secretariat).
    UpdateAgendaItem {
        item: AgendaItemId,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        description: Option<String>,
    },
    /// Remove an item that has not been started (secretariat).
    RemoveAgendaItem { item: AgendaItemId },
    /// Put the agenda in this order: every item exactly once (secretariat or chair).
    ReorderAgenda { order: Vec<AgendaItemId> },
    /// Make this item the current one; a current item is finished first (chair, in session).
    StartAgendaItem { item: AgendaItemId },
    /// Finish the current item (chair).
    FinishAgendaItem { item: AgendaItemId },

    /// Summon a person to the meeting (secretariat). The hub issues their token.
    AddParticipant {
        name: String,
        #[serde(default)]
        position: String,
        #[serde(default)]
        unit: String,
        role: Role,
        #[serde(default)]
        seat: Option<String>,
        /// The person of the office's directory, when summoned from it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<crate::directory::PersonId>,
    },
    /// Correct a participant's details (secretariat). Absent fields stay as they are.
    UpdateParticipant {
        participant: ParticipantId,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        position: Option<String>,
        #[serde(default)]
        unit: Option<String>,
        #[serde(default)]
        seat: Option<String>,
    },
    /// Withdraw a participant; their token stops working (secretariat).
    RemoveParticipant { participant: ParticipantId },
    /// Check a member in by hand, e.g. one without a tablet (secretariat).
    CheckIn { participant: ParticipantId },
    /// Record that a member has left the hall (secretariat).
    CheckOut { participant: ParticipantId },

    /// Publish an uploaded file as a new document (secretariat; REST upload only, which
    /// stores the bytes first).
    PublishDocument {
        title: String,
        classification: Classification,
        #[serde(default)]
        item: Option<AgendaItemId>,
        #[serde(default)]
        readers: Vec<ParticipantId>,
        file: DocumentFile,
    },
    /// Publish an uploaded file as the document's next version (secretariat; REST upload only).
    ReviseDocument {
        document: DocumentId,
        file: DocumentFile,
    },
    /// Take a document back; tablets delete it (secretariat).
    WithdrawDocument { document: DocumentId },
    /// Thu hồi: recall one confidential or personnel document, or all of them when
    /// `document` is absent (secretariat). Closing the meeting recalls them all too.
    RecallDocuments {
        #[serde(default)]
        document: Option<DocumentId>,
    },
    /// This tablet holds `version` of the document, verified (any participant who may read
    /// it). `sha256`: the hash of the copy it holds, when the hub served a watermarked copy
    /// whose hash is not the version's.
    ReportHeld {
        document: DocumentId,
        version: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
    /// This tablet holds no copy of a withdrawn or recalled document any more: it deleted
    /// it, or never had it (any participant who could read it; also in a closed meeting).
    ReportDeleted { document: DocumentId, version: u32 },
    /// The delegate opened the document on this tablet (any participant who may read it).
    ReportOpened { document: DocumentId },

    // The list of speakers (protocol/src/speakers.rs).
    /// Ask to speak on `item`, or on the current item (a member, once at a time).
    RequestToSpeak {
        #[serde(default)]
        item: Option<AgendaItemId>,
    },
    /// Leave the queue: one's own request, or anyone's (chair or secretariat).
    WithdrawSpeakingRequest {
        #[serde(default)]
        participant: Option<ParticipantId>,
    },
    /// Give the floor to `participant`, or to the next in the current item's queue; a
    /// speech under way ends first (chair or secretariat, in session).
    GiveFloor {
        #[serde(default)]
        participant: Option<ParticipantId>,
    },
    /// End the speech under way (chair, secretariat, or the speaker).
    EndSpeech,
    /// Speaking time for the floor given from now on, in seconds; 0 is none (chair or
    /// secretariat).
    SetSpeakingLimit { seconds: u32 },

    // Opinion requests (protocol/src/opinions.rs).
    /// Ask named members for their opinion (secretariat).
    CreateOpinionRequest {
        title: String,
        #[serde(default)]
        description: String,
        questions: Vec<String>,
        #[serde(default)]
        attachments: Vec<Attachment>,
        recipients: Vec<ParticipantId>,
        deadline: Timestamp,
    },
    /// Answer every question of a request, replacing one's earlier answers (a recipient,
    /// before the deadline).
    AnswerOpinionRequest {
        request: OpinionRequestId,
        answers: Vec<Answer>,
    },
    /// Remind the recipients who have not answered (secretariat).
    RemindOpinionRequest { request: OpinionRequestId },
    /// Close a request: the secretariat at any time, the hub itself at the deadline.
    CloseOpinionRequest { request: OpinionRequestId },

    // Notes and comments (protocol/src/notes.rs).
    /// Write a private note (`note` absent: a new one) or replace one's own note. Only
    /// the author ever receives it.
    SaveNote {
        #[serde(default)]
        note: Option<NoteId>,
        document: String,
        #[serde(default)]
        page: Option<u32>,
        text: String,
    },
    /// Delete one of one's own notes.
    DeleteNote { note: NoteId },
    /// Send a comment on a document (or a page of it) to the secretariat (a member).
    SendDocumentComment {
        document: String,
        #[serde(default)]
        page: Option<u32>,
        text: String,
    },

    // Incoming documents and petitions (protocol/src/incoming.rs).
    /// Register an incoming document or petition (secretariat).
    RegisterIncoming {
        kind: IncomingKind,
        #[serde(default)]
        number: String,
        sender: String,
        subject: String,
        #[serde(default)]
        file: Option<Attachment>,
    },
    /// Forward an item to leaders (members), with a due date (secretariat).
    ForwardIncoming {
        item: IncomingId,
        to: Vec<ParticipantId>,
        #[serde(default)]
        due: Option<Timestamp>,
        #[serde(default)]
        note: String,
    },
    /// Record that one has read an item forwarded to one (a leader).
    ReadIncoming { item: IncomingId },
    /// Give a direction or comment on an item forwarded to one (a leader).
    DirectIncoming { item: IncomingId, text: String },
    /// Close an item (secretariat).
    CloseIncoming {
        item: IncomingId,
        #[serde(default)]
        note: String,
    },

    // Information (protocol/src/info.rs).
    /// Put an event on the body's work calendar (secretariat).
    AddCalendarEvent {
        title: String,
        starts_at: Timestamp,
        #[serde(default)]
        ends_at: Option<Timestamp>,
        #[serde(default)]
        location: String,
        #[serde(default)]
        host: String,
    },
    /// Take an event off the calendar (secretariat).
    RemoveCalendarEvent { event: CalendarEventId },
    /// Announce something to every participant (secretariat or chair).
    PostAnnouncement {
        title: String,
        #[serde(default)]
        text: String,
    },

    /// Prepare a poll, in draft (secretariat or chair).
    CreatePoll { poll: PollSpec },
    /// draft → open: every tablet shows it; checks the poll's quorum (chair).
    OpenPoll { poll: PollId },
    /// open → closed: counted by the poll's rule (chair; the hub when the countdown ends).
    ClosePoll { poll: PollId },
    /// closed → published: the result and, for a secret poll, the receipts go to the hall.
    PublishPoll { poll: PollId },
    /// draft, open or closed → cancelled (chair).
    CancelPoll { poll: PollId },
    /// A ballot: indexes into the poll's options. A delegate votes for themselves; the
    /// secretariat may record an open poll's ballot `on_behalf_of` a member without a device.
    CastBallot {
        poll: PollId,
        choices: Vec<u32>,
        #[serde(default)]
        on_behalf_of: Option<ParticipantId>,
    },
    /// Add counts the hall made by hand (secretariat): to an open poll while it is open
    /// (a show of hands, or paper), to a secret poll once it is closed and before its box is
    /// opened (paper ballots counted by the committee).
    RecordPaperBallots {
        poll: PollId,
        valid: u32,
        invalid: u32,
        tallies: Vec<u32>,
    },
    /// Name the counting committee (Ban kiểm phiếu), in order, and how many of them open a
    /// count; their devices then make its key (secretariat or chair).
    SetCountingCommittee {
        members: Vec<ParticipantId>,
        threshold: u32,
    },
    /// A committee member's device sends its key-setup message of one round.
    SendKeyMessage {
        committee: CommitteeId,
        round: u8,
        message: Sealed,
    },
    /// A secret ballot, encrypted on the voter's device to the poll's committee key.
    CastSealedBallot { poll: PollId, ballot: Sealed },
    /// A committee member's decryption share of a closed secret poll's encrypted sum.
    GiveDecryptionShare { poll: PollId, share: Sealed },
    /// A new round (bầu lại) among the options tied for the last seats of a counted poll,
    /// for the seats still empty: created and opened at once (chair).
    StartRunoff { poll: PollId },

    // The record (protocol/src/record.rs): secretariat only, also once the meeting is
    // closed, since minutes are finished after the meeting.
    /// Set the minutes' header details; absent fields stay as they are.
    SetMinutesDetails {
        #[serde(default)]
        header: Option<HeaderKind>,
        #[serde(default)]
        superior: Option<String>,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        number: Option<String>,
        #[serde(default)]
        place: Option<String>,
    },
    /// Write an agenda item's conclusion (kết luận); empty clears it.
    SetConclusion { item: AgendaItemId, text: String },
    /// Write the minutes' free text; empty clears it.
    SetMinutesNotes { text: String },
    /// Record why a member is absent; empty clears it.
    SetAbsenceReason {
        participant: ParticipantId,
        reason: String,
    },
}

impl Command {
    /// The record's commands, which a closed meeting still takes.
    pub fn is_record(&self) -> bool {
        matches!(
            self,
            Command::SetMinutesDetails { .. }
                | Command::SetConclusion { .. }
                | Command::SetMinutesNotes { .. }
                | Command::SetAbsenceReason { .. }
        )
    }

    /// Commands about a participant's private notes: the hub keeps them out of the
    /// meeting's log.
    pub fn is_private_note(&self) -> bool {
        matches!(self, Command::SaveNote { .. } | Command::DeleteNote { .. })
    }
}

impl Command {
    /// The `op` name, for logs and error messages.
    pub fn op(&self) -> &'static str {
        match self {
            Command::CreateMeeting { .. } => "create_meeting",
            Command::UpdateMeeting { .. } => "update_meeting",
            Command::OpenMeeting => "open_meeting",
            Command::StartSession => "start_session",
            Command::Adjourn => "adjourn",
            Command::CloseMeeting => "close_meeting",
            Command::AddAgendaItem { .. } => "add_agenda_item",
            Command::UpdateAgendaItem { .. } => "update_agenda_item",
            Command::RemoveAgendaItem { .. } => "remove_agenda_item",
            Command::ReorderAgenda { .. } => "reorder_agenda",
            Command::StartAgendaItem { .. } => "start_agenda_item",
            Command::FinishAgendaItem { .. } => "finish_agenda_item",
            Command::AddParticipant { .. } => "add_participant",
            Command::UpdateParticipant { .. } => "update_participant",
            Command::RemoveParticipant { .. } => "remove_participant",
            Command::CheckIn { .. } => "check_in",
            Command::CheckOut { .. } => "check_out",
            Command::PublishDocument { .. } => "publish_document",
            Command::ReviseDocument { .. } => "revise_document",
            Command::WithdrawDocument { .. } => "withdraw_document",
            Command::RecallDocuments { .. } => "recall_documents",
            Command::ReportHeld { .. } => "report_held",
            Command::ReportOpened { .. } => "report_opened",
            Command::ReportDeleted { .. } => "report_deleted",
            Command::RequestToSpeak { .. } => "request_to_speak",
            Command::WithdrawSpeakingRequest { .. } => "withdraw_speaking_request",
            Command::GiveFloor { .. } => "give_floor",
            Command::EndSpeech => "end_speech",
            Command::SetSpeakingLimit { .. } => "set_speaking_limit",
            Command::CreateOpinionRequest { .. } => "create_opinion_request",
            Command::AnswerOpinionRequest { .. } => "answer_opinion_request",
            Command::RemindOpinionRequest { .. } => "remind_opinion_request",
            Command::CloseOpinionRequest { .. } => "close_opinion_request",
            Command::SaveNote { .. } => "save_note",
            Command::DeleteNote { .. } => "delete_note",
            Command::SendDocumentComment { .. } => "send_document_comment",
            Command::RegisterIncoming { .. } => "register_incoming",
            Command::ForwardIncoming { .. } => "forward_incoming",
            Command::ReadIncoming { .. } => "read_incoming",
            Command::DirectIncoming { .. } => "direct_incoming",
            Command::CloseIncoming { .. } => "close_incoming",
            Command::AddCalendarEvent { .. } => "add_calendar_event",
            Command::RemoveCalendarEvent { .. } => "remove_calendar_event",
            Command::PostAnnouncement { .. } => "post_announcement",
            Command::CreatePoll { .. } => "create_poll",
            Command::OpenPoll { .. } => "open_poll",
            Command::ClosePoll { .. } => "close_poll",
            Command::PublishPoll { .. } => "publish_poll",
            Command::CancelPoll { .. } => "cancel_poll",
            Command::CastBallot { .. } => "cast_ballot",
            Command::RecordPaperBallots { .. } => "record_paper_ballots",
            Command::SetCountingCommittee { .. } => "set_counting_committee",
            Command::SendKeyMessage { .. } => "send_key_message",
            Command::CastSealedBallot { .. } => "cast_sealed_ballot",
            Command::GiveDecryptionShare { .. } => "give_decryption_share",
            Command::StartRunoff { .. } => "start_runoff",
            Command::SetMinutesDetails { .. } => "set_minutes_details",
            Command::SetConclusion { .. } => "set_conclusion",
            Command::SetMinutesNotes { .. } => "set_minutes_notes",
            Command::SetAbsenceReason { .. } => "set_absence_reason",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_tagged_by_op() {
        let c: Command = serde_json::from_str(r#"{"op":"open_meeting"}"#).unwrap();
        assert_eq!(c, Command::OpenMeeting);
        let c = Command::AddAgendaItem {
            title: "Báo cáo chính trị".into(),
            description: String::new(),
        };
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.starts_with(r#"{"op":"add_agenda_item""#), "{json}");
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c);
        assert_eq!(c.op(), "add_agenda_item");
    }

    #[test]
    fn unknown_ops_are_refused() {
        assert!(serde_json::from_str::<Command>(r#"{"op":"launch_rockets"}"#).is_err());
    }
}
