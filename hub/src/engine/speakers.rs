//! The list of speakers (đăng ký phát biểu): members ask to speak on an item and wait in
//! the order they asked; the chair gives the floor, moves to the next and ends speeches.
//!
//! The speaking time is a limit recorded with the floor; the hub does not end a speech by
//! itself (a chair lets a speaker finish a sentence), it only tells every screen when the
//! time runs out (`started_at + limit_secs`). Each member is in the queue at most once.

use super::lifecycle::require;
use super::{Actor, Ctx, Decision, EngineError, MeetingState};
use protocol::speakers::{QueuedSpeaker, SpeakersView, Speech};
use protocol::{
    AgendaItemId, AgendaItemStatus, Command, Event, EventKind, MeetingStatus, ParticipantId,
};

/// Speaking time when the chair has set none: five minutes, a usual tham luận.
pub const DEFAULT_LIMIT_SECS: u32 = 300;
/// The longest limit the chair may set: one hour.
pub const MAX_LIMIT_SECS: u32 = 3600;

/// The list of speakers of one meeting.
#[derive(Clone, Debug)]
pub struct Speakers {
    pub limit_secs: u32,
    /// In the order they asked.
    pub queue: Vec<QueuedSpeaker>,
    pub speaking: Option<Speech>,
    /// Finished speeches, for the minutes.
    pub history: Vec<Speech>,
}

impl Default for Speakers {
    fn default() -> Self {
        Speakers {
            limit_secs: DEFAULT_LIMIT_SECS,
            queue: Vec::new(),
            speaking: None,
            history: Vec::new(),
        }
    }
}

impl Speakers {
    pub fn queued(&self, participant: ParticipantId) -> Option<&QueuedSpeaker> {
        self.queue.iter().find(|q| q.participant == participant)
    }

    /// The first member waiting to speak on `item`.
    pub fn next_for(&self, item: AgendaItemId) -> Option<&QueuedSpeaker> {
        self.queue.iter().find(|q| q.item == item)
    }

    /// Everyone the speakers' view names: waiting, speaking, or heard.
    pub fn named(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        let queue = self.queue.iter().map(|q| q.participant);
        let speaking = self.speaking.iter().map(|s| s.participant);
        queue
            .chain(speaking)
            .chain(self.history.iter().map(|s| s.participant))
    }

    pub fn view(&self) -> SpeakersView {
        SpeakersView {
            limit_secs: self.limit_secs,
            queue: self.queue.clone(),
            speaking: self.speaking.clone(),
            history: self.history.clone(),
        }
    }

    /// Folds one of the speakers' events; others are ignored.
    pub(super) fn apply(&mut self, event: &Event) {
        match &event.event {
            EventKind::SpeakerQueued { participant, item } => self.queue.push(QueuedSpeaker {
                participant: *participant,
                item: *item,
                requested_at: event.at,
            }),
            EventKind::SpeakerWithdrawn { participant } => self.leave_queue(*participant),
            EventKind::FloorGiven {
                participant,
                item,
                started_at,
                limit_secs,
            } => {
                self.leave_queue(*participant);
                self.speaking = Some(Speech {
                    participant: *participant,
                    item: *item,
                    started_at: *started_at,
                    limit_secs: *limit_secs,
                    ended_at: None,
                });
            }
            EventKind::SpeechEnded { ended_at, .. } => {
                if let Some(mut speech) = self.speaking.take() {
                    speech.ended_at = Some(*ended_at);
                    self.history.push(speech);
                }
            }
            EventKind::SpeakingLimitSet { seconds } => self.limit_secs = *seconds,
            EventKind::ParticipantRemoved { participant } => self.leave_queue(*participant),
            // A list of speakers is per item: when the chair moves on, or ends the item,
            // the requests left waiting on the others close with it (the minutes keep who
            // spoke; a delegate who did not get the floor asks again on the new item).
            EventKind::AgendaItemStarted { item } => self.queue.retain(|q| q.item == *item),
            EventKind::AgendaItemFinished { item } => self.queue.retain(|q| q.item != *item),
            _ => {}
        }
    }

    fn leave_queue(&mut self, participant: ParticipantId) {
        self.queue.retain(|q| q.participant != participant);
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    let speakers = &state.speakers;
    match command {
        Command::RequestToSpeak { item } => {
            let Actor::Participant { id, role } = *actor else {
                return Err(EngineError::Forbidden(
                    "only a member of the meeting may ask to speak".into(),
                ));
            };
            require(role.is_member(), "only members may ask to speak")?;
            if matches!(state.status(), Some(MeetingStatus::Draft) | None) {
                return Err(EngineError::InvalidState(
                    "the meeting is not open yet".into(),
                ));
            }
            let item = match item {
                Some(item) => *item,
                None => state.current_item().map(|i| i.id).ok_or_else(|| {
                    EngineError::InvalidState(
                        "no item is under discussion; name the item to speak on".into(),
                    )
                })?,
            };
            let target = state
                .item(item)
                .ok_or_else(|| EngineError::NotFound(format!("no agenda item {item}")))?;
            if target.status == AgendaItemStatus::Done {
                return Err(EngineError::InvalidState(
                    "that agenda item is finished".into(),
                ));
            }
            if speakers.queued(id).is_some() {
                return Err(EngineError::InvalidState(
                    "you are already on the list of speakers".into(),
                ));
            }
            if speakers
                .speaking
                .as_ref()
                .is_some_and(|s| s.participant == id)
            {
                return Err(EngineError::InvalidState("you have the floor now".into()));
            }
            Ok(vec![EventKind::SpeakerQueued {
                participant: id,
                item,
            }])
        }
        Command::WithdrawSpeakingRequest { participant } => {
            let me = match actor {
                Actor::Participant { id, .. } => Some(*id),
                _ => None,
            };
            let who = participant.or(me).ok_or_else(|| {
                EngineError::Invalid("name the participant whose request to withdraw".into())
            })?;
            require(
                Some(who) == me || actor.runs_meeting(),
                "only the chair or the secretariat may withdraw another member's request",
            )?;
            if speakers.queued(who).is_none() {
                return Err(EngineError::InvalidState(
                    "that member is not on the list of speakers".into(),
                ));
            }
            Ok(vec![EventKind::SpeakerWithdrawn { participant: who }])
        }
        Command::GiveFloor { participant } => {
            require(actor.runs_meeting(), "only the chair may give the floor")?;
            if state.status() != Some(MeetingStatus::InSession) {
                return Err(EngineError::InvalidState(
                    "the floor is given only while the meeting is in session".into(),
                ));
            }
            let current = state.current_item().map(|i| i.id);
            let (who, item) = match participant {
                Some(p) => {
                    let member = state
                        .participant(*p)
                        .ok_or_else(|| EngineError::NotFound(format!("no participant {p}")))?;
                    if !member.role.is_member() {
                        return Err(EngineError::Invalid(
                            "the floor goes to a member of the meeting".into(),
                        ));
                    }
                    let item = current
                        .or_else(|| speakers.queued(*p).map(|q| q.item))
                        .ok_or_else(|| {
                            EngineError::InvalidState("no item is under discussion".into())
                        })?;
                    (*p, item)
                }
                None => {
                    let item = current.ok_or_else(|| {
                        EngineError::InvalidState("no item is under discussion".into())
                    })?;
                    let next = speakers.next_for(item).ok_or_else(|| {
                        EngineError::InvalidState(
                            "nobody is waiting to speak on the current item".into(),
                        )
                    })?;
                    (next.participant, item)
                }
            };
            let mut events = Vec::new();
            if let Some(speech) = &speakers.speaking {
                if speech.participant == who {
                    return Ok(vec![]);
                }
                events.push(EventKind::SpeechEnded {
                    participant: speech.participant,
                    ended_at: ctx.now,
                });
            }
            events.push(EventKind::FloorGiven {
                participant: who,
                item,
                started_at: ctx.now,
                limit_secs: speakers.limit_secs,
            });
            Ok(events)
        }
        Command::EndSpeech => {
            let speech = speakers
                .speaking
                .as_ref()
                .ok_or_else(|| EngineError::InvalidState("nobody has the floor".into()))?;
            let is_speaker =
                matches!(actor, Actor::Participant { id, .. } if *id == speech.participant);
            require(
                is_speaker || actor.runs_meeting(),
                "only the chair or the speaker may end a speech",
            )?;
            Ok(vec![EventKind::SpeechEnded {
                participant: speech.participant,
                ended_at: ctx.now,
            }])
        }
        Command::SetSpeakingLimit { seconds } => {
            require(
                actor.runs_meeting(),
                "only the chair may set the speaking time",
            )?;
            if *seconds > MAX_LIMIT_SECS {
                return Err(EngineError::Invalid(format!(
                    "the speaking time is at most {MAX_LIMIT_SECS} seconds"
                )));
            }
            if *seconds == speakers.limit_secs {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::SpeakingLimitSet { seconds: *seconds }])
        }
        _ => Err(EngineError::Invalid("not a speakers command".into())),
    }
}

#[cfg(test)]
#[path = "speakers_tests.rs"]
mod tests;
