//! The meeting as a pure state machine.
//!
//! `decide(state, actor, command, ctx)` checks roles and rules and says which events a
//! command produces; `MeetingState::apply(event)` folds one event into the state. Nothing
//! here touches a socket, a disk or a clock: the caller passes the time and any fresh id
//! in [`Ctx`], so the same log always folds to the same state (replay after a crash).

mod agenda;
pub mod attachments;
pub mod committee;
mod delivery;
pub mod directory;
pub mod documents;
mod effects;
mod incoming;
mod info;
mod lifecycle;
mod minutes;
mod notes;
mod opinions;
pub mod polls;
mod quotas;
mod roll;
mod speakers;
mod state;
mod view;

pub use effects::{Decided, Effects, SealedBallot};
pub use info::{
    calendar_days, calendar_entries, summary_calendar_entries, vietnam_date,
    MAX_DAYS as MAX_CALENDAR_DAYS, VIETNAM_OFFSET,
};
pub use minutes::{may_export as may_export_record, may_take_dossier, MinutesNotes};
pub use notes::{may_read_notes, note_bytes, NoteChange, NoteIndex};
pub use opinions::{summary as opinion_summary, summary_for as opinion_summary_for};
pub use quotas::{Quotas, Tally};
pub use roll::change_token;
pub use state::MeetingState;
pub use view::Viewer;

use protocol::{Command, ErrorCode, Event, EventKind, ParticipantId, Role, Timestamp};
use uuid::Uuid;

/// Who is asking. The transport maps a token to an actor; the engine only trusts this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The hub-wide secretariat (văn phòng): may do anything a secretariat may, in any meeting.
    Office,
    /// A participant of this meeting, in their role.
    Participant { id: ParticipantId, role: Role },
    /// The hub itself, e.g. checking a delegate in when their tablet joins.
    System,
}

impl Actor {
    fn is_secretariat(&self) -> bool {
        matches!(
            self,
            Actor::Office
                | Actor::Participant {
                    role: Role::Secretariat,
                    ..
                }
        )
    }

    /// Those who run the meeting from the console: the chair, and the secretariat that
    /// often drives the console for the chair in a hall.
    fn runs_meeting(&self) -> bool {
        self.is_secretariat()
            || matches!(
                self,
                Actor::Participant {
                    role: Role::Chair,
                    ..
                }
            )
    }
}

/// What the caller knows that the engine must not invent: the time, a fresh id for a
/// command that creates something (an agenda item, a participant), and what the transport
/// checked before: a sealed ballot whose proofs hold.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub now: Timestamp,
    pub new_id: Uuid,
    pub ballot: Option<std::sync::Arc<ballot_box::VerifiedBallot>>,
}

impl Ctx {
    pub fn new(now: Timestamp, new_id: Uuid) -> Ctx {
        Ctx {
            now,
            new_id,
            ballot: None,
        }
    }
}

/// Why a command was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    Invalid(String),
    /// A quota of the sender (notes, comments) is used up; the message names the limit.
    #[error("{0}")]
    Quota(String),
}

impl EngineError {
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::Forbidden(_) => ErrorCode::Forbidden,
            EngineError::NotFound(_) => ErrorCode::NotFound,
            EngineError::InvalidState(_) => ErrorCode::InvalidState,
            EngineError::Invalid(_) => ErrorCode::Invalid,
            EngineError::Quota(_) => ErrorCode::Quota,
        }
    }
}

pub type Decision = Result<Vec<EventKind>, EngineError>;

/// Which events `command` from `actor` produces in `state` (and, for a secret ballot, the
/// ballot). No events means the command is accepted but changes nothing (checking in
/// someone already present).
pub fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Result<Decided, EngineError> {
    let Some(meeting) = &state.meeting else {
        return match command {
            Command::CreateMeeting { .. } => lifecycle::create(actor, command).map(Decided::from),
            _ => Err(EngineError::NotFound("no such meeting".into())),
        };
    };
    if command.is_record() {
        // The minutes are finished after the meeting: a closed meeting still takes these.
        return minutes::decide(state, actor, command).map(Decided::from);
    }
    // A tablet that comes online after the close still confirms that it deleted the
    // documents recalled then: bookkeeping of the recall, which changes nothing else.
    let confirming = matches!(command, Command::ReportDeleted { .. });
    if meeting.status == protocol::MeetingStatus::Closed && !confirming {
        return Err(EngineError::InvalidState(
            "the meeting is closed; nothing more can change".into(),
        ));
    }
    match command {
        Command::CastBallot { .. } | Command::CastSealedBallot { .. } => {
            polls::decide_ballot(state, actor, command, ctx)
        }
        _ => decide_events(state, meeting, actor, command, ctx).map(Decided::from),
    }
}

fn decide_events(
    state: &MeetingState,
    meeting: &protocol::Meeting,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        // Refused by role first: only the office creates meetings, and then this one exists.
        Command::CreateMeeting { .. } if *actor != Actor::Office => Err(EngineError::Forbidden(
            "only the hub's secretariat may create a meeting".into(),
        )),
        Command::CreateMeeting { .. } => Err(EngineError::InvalidState(
            "the meeting exists already".into(),
        )),
        Command::CloseMeeting => {
            // Closing recalls the confidential documents (thu hồi), before the final status.
            let mut events = lifecycle::decide(state, meeting, actor, command)?;
            let closed = events.pop();
            events.extend(documents::recall_all(state));
            events.extend(closed);
            Ok(events)
        }
        Command::UpdateMeeting { .. }
        | Command::OpenMeeting
        | Command::StartSession
        | Command::Adjourn => lifecycle::decide(state, meeting, actor, command),
        Command::AddAgendaItem { .. }
        | Command::UpdateAgendaItem { .. }
        | Command::RemoveAgendaItem { .. }
        | Command::ReorderAgenda { .. }
        | Command::StartAgendaItem { .. }
        | Command::FinishAgendaItem { .. } => agenda::decide(state, actor, command, ctx),
        Command::AddParticipant { .. }
        | Command::UpdateParticipant { .. }
        | Command::RemoveParticipant { .. }
        | Command::CheckIn { .. }
        | Command::CheckOut { .. } => roll::decide(state, meeting, actor, command, ctx),
        Command::PublishDocument { .. }
        | Command::ReviseDocument { .. }
        | Command::WithdrawDocument { .. }
        | Command::RecallDocuments { .. }
        | Command::ReportHeld { .. }
        | Command::ReportOpened { .. }
        | Command::ReportDeleted { .. } => documents::decide(state, actor, command, ctx),
        Command::RequestToSpeak { .. }
        | Command::WithdrawSpeakingRequest { .. }
        | Command::GiveFloor { .. }
        | Command::EndSpeech
        | Command::SetSpeakingLimit { .. } => speakers::decide(state, actor, command, ctx),
        Command::CreateOpinionRequest { .. }
        | Command::AnswerOpinionRequest { .. }
        | Command::RemindOpinionRequest { .. }
        | Command::CloseOpinionRequest { .. } => opinions::decide(state, actor, command, ctx),
        Command::RegisterIncoming { .. }
        | Command::ForwardIncoming { .. }
        | Command::ReadIncoming { .. }
        | Command::DirectIncoming { .. }
        | Command::CloseIncoming { .. } => incoming::decide(state, actor, command, ctx),
        Command::AddCalendarEvent { .. }
        | Command::RemoveCalendarEvent { .. }
        | Command::PostAnnouncement { .. } => info::decide(state, actor, command, ctx),
        Command::SendDocumentComment { .. } => notes::decide(state, actor, command, ctx),
        Command::SaveNote { .. } | Command::DeleteNote { .. } => Err(EngineError::Invalid(
            "private notes are kept apart from the meeting's log".into(),
        )),
        Command::CreatePoll { .. }
        | Command::OpenPoll { .. }
        | Command::ClosePoll { .. }
        | Command::PublishPoll { .. }
        | Command::CancelPoll { .. }
        | Command::RecordPaperBallots { .. }
        | Command::GiveDecryptionShare { .. }
        | Command::StartRunoff { .. } => polls::decide(state, actor, command, ctx),
        Command::SetCountingCommittee { .. } | Command::SendKeyMessage { .. } => {
            committee::decide(state, actor, command, ctx)
        }
        // Decided by `decide` with its sealed part; never here, where it would be lost.
        Command::CastBallot { .. } | Command::CastSealedBallot { .. } => {
            Err(EngineError::Invalid("not decided here".into()))
        }
        Command::SetMinutesDetails { .. }
        | Command::SetConclusion { .. }
        | Command::SetMinutesNotes { .. }
        | Command::SetAbsenceReason { .. } => minutes::decide(state, actor, command),
    }
}

/// Decides, stamps the events with their sequence numbers and the time, and applies
/// everything to `state`: the one way the hub changes a meeting. The effects say the rest
/// (what to write beside the log, whom to tell what), so the caller need not look inside.
pub fn execute(
    state: &mut MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Result<Effects, EngineError> {
    let mut effects = Effects::default();
    if command.is_private_note() {
        // Not an event: decided against the index of the author's notes, never the log.
        effects.notes.push(notes::decide_note(
            actor,
            &state.notes,
            &state.quotas,
            command,
            ctx,
        )?);
    } else {
        let decided = decide(state, actor, command, ctx)?;
        for (n, kind) in decided.events.into_iter().enumerate() {
            effects.follow(&kind);
            effects.events.push(Event {
                seq: state.seq + 1 + n as u64,
                at: ctx.now,
                event: kind,
            });
        }
        if let Some(ballot) = decided.ballot {
            effects.receipt = Some(ballot.receipt.clone());
            effects.ballots.push(ballot);
        }
    }
    state.absorb(&effects);
    Ok(effects)
}

/// Checks a human-entered text field: trimmed, not empty where required, bounded, and free
/// of control characters that would garble a badge or a CSV export.
pub(crate) fn clean_text(
    field: &str,
    value: &str,
    max_chars: usize,
    required: bool,
) -> Result<String, EngineError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(EngineError::Invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(EngineError::Invalid(format!(
            "{field} is longer than {max_chars} characters"
        )));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(EngineError::Invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod fuzz_tests;

/// Cases of a property test: `default`, or `FUZZ_CASES` for a long run.
#[cfg(test)]
pub(crate) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
#[cfg(test)]
pub(crate) mod testing;
