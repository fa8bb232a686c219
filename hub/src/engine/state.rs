//! The state a meeting's events fold into.

use protocol::{
    AgendaItem, AgendaItemId, AgendaItemStatus, Event, EventKind, Fraction, Meeting, MeetingId,
    MeetingStatus, Participant, ParticipantId,
};
use std::collections::{HashMap, HashSet};

use super::incoming::Incoming;
use super::info::Info;
use super::notes::Comments;
use super::opinions::Opinions;
use super::speakers::Speakers;

/// One meeting, as of event `seq`. Built only by [`MeetingState::apply`].
#[derive(Clone, Debug)]
pub struct MeetingState {
    pub id: MeetingId,
    /// The last event applied; 0 before the meeting is created.
    pub seq: u64,
    pub meeting: Option<Meeting>,
    /// In agenda order.
    pub agenda: Vec<AgendaItem>,
    /// In the order they were summoned (the import order, which follows the seating plan).
    pub participants: Vec<Participant>,
    index: HashMap<ParticipantId, usize>,
    /// Members checked in now.
    pub present: HashSet<ParticipantId>,
    /// Members who have been checked in at least once: the hub checks a member in by itself
    /// only on their first arrival, so it never undoes the secretariat's check-out.
    pub arrived: HashSet<ParticipantId>,
    /// The documents and who holds them.
    pub documents: super::documents::Documents,
    /// The list of speakers.
    pub speakers: Speakers,
    /// Opinion requests, with their answers.
    pub opinions: Opinions,
    /// Comments on documents sent to the secretariat.
    pub comments: Comments,
    /// Incoming documents and petitions.
    pub incoming: Incoming,
    /// The body's work calendar and announcements.
    pub info: Info,
    /// Votes and elections.
    pub polls: super::polls::Polls,
    /// What the secretariat adds for the minutes.
    pub minutes: super::MinutesNotes,
    /// Which private notes each author has (not their text). Not from the log: restored
    /// from the store at start, like the ballot box.
    pub notes: super::NoteIndex,
    /// What a participant and the meeting may keep of notes and comments: from the hub's
    /// config, not from the log.
    pub quotas: super::Quotas,
    /// The counting committee (Ban kiểm phiếu) and its key.
    pub committees: super::committee::Committees,
}

impl MeetingState {
    pub fn new(id: MeetingId) -> Self {
        Self {
            id,
            seq: 0,
            meeting: None,
            agenda: Vec::new(),
            participants: Vec::new(),
            index: HashMap::new(),
            present: HashSet::new(),
            arrived: HashSet::new(),
            documents: Default::default(),
            speakers: Speakers::default(),
            opinions: Opinions::default(),
            comments: Comments::default(),
            incoming: Incoming::default(),
            info: Info::default(),
            polls: Default::default(),
            minutes: Default::default(),
            notes: Default::default(),
            quotas: Default::default(),
            committees: Default::default(),
        }
    }

    /// Folds a whole log, e.g. on start.
    pub fn replay<'a>(id: MeetingId, events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut state = Self::new(id);
        for event in events {
            state.apply(event);
        }
        state
    }

    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.index.get(&id).map(|&i| &self.participants[i])
    }

    /// Where `id` stands in the roll (`participants`).
    pub(super) fn position(&self, id: ParticipantId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    pub fn item(&self, id: AgendaItemId) -> Option<&AgendaItem> {
        self.agenda.iter().find(|i| i.id == id)
    }

    pub fn current_item(&self) -> Option<&AgendaItem> {
        self.agenda
            .iter()
            .find(|i| i.status == AgendaItemStatus::Current)
    }

    pub fn status(&self) -> Option<MeetingStatus> {
        self.meeting.as_ref().map(|m| m.status)
    }

    /// Members summoned: chairs and delegates.
    pub fn summoned(&self) -> u32 {
        self.participants
            .iter()
            .filter(|p| p.role.is_member())
            .count() as u32
    }

    pub fn quorum(&self) -> Fraction {
        self.meeting
            .as_ref()
            .map_or(Fraction::TWO_THIRDS, |m| m.quorum)
    }

    pub fn quorum_reached(&self) -> bool {
        self.quorum()
            .reached_by(self.present.len() as u64, u64::from(self.summoned()))
    }

    /// Applies everything an accepted command did: its events in order, its secret ballots
    /// and its note changes. The working state and the published one both change only here.
    pub fn absorb(&mut self, effects: &super::Effects) {
        for event in &effects.events {
            self.apply(event);
        }
        for ballot in &effects.ballots {
            self.polls.put_sealed(ballot);
        }
        for change in &effects.notes {
            self.notes.apply(change);
        }
    }

    /// Folds one event. Events are facts already decided, so nothing here can fail; an
    /// event that names something unknown (which `decide` never produces) changes nothing.
    pub fn apply(&mut self, event: &Event) {
        debug_assert_eq!(event.seq, self.seq + 1, "events are applied in order");
        self.seq = event.seq;
        // Each sub-state folds the events it owns and ignores the rest.
        self.speakers.apply(event);
        self.opinions.apply(event);
        self.comments.apply(event);
        self.incoming.apply(event);
        self.info.apply(event);
        self.minutes.apply(event);
        self.committees.apply(self.id, event);
        match &event.event {
            EventKind::MeetingCreated {
                title,
                venue,
                starts_at,
                quorum,
            } => {
                self.meeting = Some(Meeting {
                    id: self.id,
                    title: title.clone(),
                    venue: venue.clone(),
                    starts_at: *starts_at,
                    status: MeetingStatus::Draft,
                    quorum: *quorum,
                });
            }
            EventKind::MeetingUpdated {
                title,
                venue,
                starts_at,
                quorum,
            } => {
                if let Some(m) = &mut self.meeting {
                    m.title.clone_from(title);
                    m.venue.clone_from(venue);
                    m.starts_at = *starts_at;
                    m.quorum = *quorum;
                }
            }
            EventKind::MeetingStatusChanged { status } => {
                if let Some(m) = &mut self.meeting {
                    m.status = *status;
                }
            }
            EventKind::AgendaItemAdded { item } => self.agenda.push(item.clone()),
            EventKind::AgendaItemUpdated {
                item,
                title,
                description,
            } => {
                if let Some(i) = self.agenda.iter_mut().find(|i| i.id == *item) {
                    i.title.clone_from(title);
                    i.description.clone_from(description);
                }
            }
            EventKind::AgendaItemRemoved { item } => self.agenda.retain(|i| i.id != *item),
            EventKind::AgendaReordered { order } => {
                let pos: HashMap<_, _> = order.iter().enumerate().map(|(n, id)| (*id, n)).collect();
                self.agenda
                    .sort_by_key(|i| pos.get(&i.id).copied().unwrap_or(usize::MAX));
            }
            EventKind::AgendaItemStarted { item } => {
                self.set_item_status(*item, AgendaItemStatus::Current)
            }
            EventKind::AgendaItemFinished { item } => {
                self.set_item_status(*item, AgendaItemStatus::Done)
            }
            EventKind::ParticipantAdded { participant } => {
                self.index.insert(participant.id, self.participants.len());
                self.participants.push(participant.clone());
            }
            EventKind::ParticipantUpdated { participant } => {
                if let Some(&i) = self.index.get(&participant.id) {
                    self.participants[i] = participant.clone();
                }
            }
            EventKind::ParticipantRemoved { participant } => {
                self.participants.retain(|p| p.id != *participant);
                self.present.remove(participant);
                self.reindex();
            }
            EventKind::CheckedIn {
                participant: Some(p),
            } => {
                self.present.insert(*p);
                self.arrived.insert(*p);
            }
            EventKind::CheckedOut {
                participant: Some(p),
            } => {
                self.present.remove(p);
            }
            EventKind::DocumentPublished { .. }
            | EventKind::DocumentRevised { .. }
            | EventKind::DocumentWithdrawn { .. }
            | EventKind::DocumentRecalled { .. }
            | EventKind::DocumentHeld { .. }
            | EventKind::DocumentOpened { .. }
            | EventKind::DocumentDeleted { .. } => self.documents.apply(event.at, &event.event),
            // Redacted forms are only ever sent to clients, never stored or applied.
            EventKind::CheckedIn { participant: None }
            | EventKind::CheckedOut { participant: None } => {}
            // Folded by their sub-states above.
            EventKind::SpeakerQueued { .. }
            | EventKind::SpeakerWithdrawn { .. }
            | EventKind::FloorGiven { .. }
            | EventKind::SpeechEnded { .. }
            | EventKind::SpeakingLimitSet { .. }
            | EventKind::OpinionRequestCreated { .. }
            | EventKind::OpinionAnswered { .. }
            | EventKind::OpinionReminderSent { .. }
            | EventKind::OpinionRequestClosed { .. }
            | EventKind::DocumentCommentSent { .. }
            | EventKind::IncomingRegistered { .. }
            | EventKind::IncomingForwarded { .. }
            | EventKind::IncomingUpdated { .. }
            | EventKind::IncomingClosed { .. }
            | EventKind::CalendarEventAdded { .. }
            | EventKind::CalendarEventRemoved { .. }
            | EventKind::AnnouncementPosted { .. }
            | EventKind::MinutesDetailsSet { .. }
            | EventKind::ConclusionSet { .. }
            | EventKind::MinutesNotesSet { .. }
            | EventKind::AbsenceReasonSet { .. } => {}
            EventKind::PollOpened {
                poll,
                sealed: Some(with),
                ..
            } => {
                self.polls.apply(&event.event);
                let sealed = self
                    .polls
                    .get(*poll)
                    .and_then(|p| super::polls::sealed::SealedPoll::reopen(self, p, with));
                self.polls.seal(*poll, sealed);
            }
            EventKind::PollCreated { .. }
            | EventKind::PollOpened { .. }
            | EventKind::BallotCast { .. }
            | EventKind::PaperBallotsRecorded { .. }
            | EventKind::PollClosed { .. }
            | EventKind::PollPublished { .. }
            | EventKind::PollCancelled { .. }
            | EventKind::SealedBoxClosed { .. }
            | EventKind::DecryptionShareGiven { .. }
            | EventKind::SealedBoxOpened { .. }
            | EventKind::PollCounted { .. } => self.polls.apply(&event.event),
            // Folded by the committee above.
            EventKind::CountingCommitteeSet { .. }
            | EventKind::KeyMessageSent { .. }
            | EventKind::CommitteeKeyReady { .. }
            | EventKind::CommitteeKeyFailed { .. } => {}
        }
    }

    fn set_item_status(&mut self, item: AgendaItemId, status: AgendaItemStatus) {
        if let Some(i) = self.agenda.iter_mut().find(|i| i.id == item) {
            i.status = status;
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .participants
            .iter()
            .enumerate()
            .map(|(n, p)| (p.id, n))
            .collect();
    }
}
