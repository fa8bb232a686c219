//! What each viewer may see. The hub filters every snapshot and every event through here
//! before it leaves; a client never receives what its role may not read.

use super::{Actor, MeetingState};
use protocol::{Attendance, Event, EventKind, MeetingView, ParticipantId, Role};
use std::borrow::Cow;

/// A connection's view of the meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// The secretariat and the chair: the whole meeting, including the roll.
    Full,
    /// Delegates and the projector: what the hall sees; of the roll, only themselves.
    Hall {
        me: Option<ParticipantId>,
        /// The hall's screen (the projector): it shows turnout live, so it hears every
        /// ballot arrive; a delegate hears only their own.
        screen: bool,
    },
}

impl Viewer {
    pub fn for_actor(actor: &Actor) -> Viewer {
        match actor {
            Actor::Office | Actor::System => Viewer::Full,
            Actor::Participant { id, role } => match role {
                Role::Secretariat | Role::Chair => Viewer::Full,
                Role::Delegate => Viewer::Hall {
                    me: Some(*id),
                    screen: false,
                },
                Role::Projector => Viewer::Hall {
                    me: Some(*id),
                    screen: true,
                },
            },
        }
    }

    fn sees_roll_of(&self, who: ParticipantId) -> bool {
        match self {
            Viewer::Full => true,
            Viewer::Hall { me, .. } => *me == Some(who),
        }
    }

    /// The event as this viewer may see it: `None` to withhold it, or a redacted copy.
    pub fn redact<'a>(&self, event: &'a Event) -> Option<Cow<'a, Event>> {
        // A hall voting within one second would otherwise send every tablet every other
        // tablet's ballot: N² frames (4 million at 2,000), each delegate's ack queued
        // behind them. Turnout is for the chair's console and the projector.
        if let (Viewer::Hall { me, screen: false }, EventKind::BallotCast { voter, .. }) =
            (self, &event.event)
        {
            if voter.is_none() || voter != me {
                return None;
            }
        }
        if let Some(poll_event) = super::polls::redact(self, event) {
            return Some(poll_event);
        }
        let hide_who = |participant: &Option<ParticipantId>| matches!(participant, Some(p) if !self.sees_roll_of(*p));
        match &event.event {
            // The hall hears its own check-in; the counters come in `attendance` frames at a
            // bounded rate (PROTOCOL.md §1.5), so a hall checking in is not N² frames.
            EventKind::CheckedIn { participant } | EventKind::CheckedOut { participant }
                if hide_who(participant) =>
            {
                None
            }
            // The hall's view names only the people it shows (PROTOCOL.md §1.5): of the
            // delegates, itself; the rest come in `people` frames when they speak.
            EventKind::ParticipantAdded { participant }
            | EventKind::ParticipantUpdated { participant }
                if participant.role == Role::Delegate && !self.sees_roll_of(participant.id) =>
            {
                None
            }
            EventKind::DocumentPublished { .. }
            | EventKind::DocumentRevised { .. }
            | EventKind::DocumentWithdrawn { .. }
            | EventKind::DocumentRecalled { .. }
            | EventKind::DocumentHeld { .. }
            | EventKind::DocumentOpened { .. }
            | EventKind::DocumentDeleted { .. } => match self {
                Viewer::Full => Some(Cow::Borrowed(event)),
                Viewer::Hall { me, .. } => super::delivery::redact_for_reader(&event.event, *me)
                    .map(|kind| {
                        Cow::Owned(Event {
                            seq: event.seq,
                            at: event.at,
                            event: kind,
                        })
                    }),
            },
            // Opinion requests reach only those asked, the secretariat and the chair; an
            // answer reaches only its author, the secretariat and the chair.
            EventKind::OpinionRequestCreated { request } => match self {
                Viewer::Full => Some(Cow::Borrowed(event)),
                Viewer::Hall { me, .. } => me
                    .filter(|me| request.recipients.contains(me))
                    .map(|_| Cow::Borrowed(event)),
            },
            // Incoming items reach the secretariat and the chair, and the leaders they
            // were forwarded to.
            EventKind::IncomingRegistered { .. } => {
                (*self == Viewer::Full).then_some(Cow::Borrowed(event))
            }
            EventKind::IncomingForwarded {
                item: protocol::incoming::IncomingItem { forwarded_to, .. },
            }
            | EventKind::IncomingUpdated { forwarded_to, .. }
            | EventKind::IncomingClosed { forwarded_to, .. } => match self {
                Viewer::Full => Some(Cow::Borrowed(event)),
                Viewer::Hall { me, .. } => me
                    .filter(|me| forwarded_to.contains(me))
                    .map(|_| Cow::Borrowed(event)),
            },
            // The minutes in the making are the secretariat's and the chair's.
            EventKind::MinutesDetailsSet { .. }
            | EventKind::ConclusionSet { .. }
            | EventKind::MinutesNotesSet { .. }
            | EventKind::AbsenceReasonSet { .. } => {
                (*self == Viewer::Full).then_some(Cow::Borrowed(event))
            }
            EventKind::DocumentCommentSent { comment } => self
                .sees_roll_of(comment.participant)
                .then_some(Cow::Borrowed(event)),
            EventKind::OpinionAnswered { participant, .. } => self
                .sees_roll_of(*participant)
                .then_some(Cow::Borrowed(event)),
            EventKind::OpinionReminderSent { request, to } => match self {
                Viewer::Full => Some(Cow::Borrowed(event)),
                Viewer::Hall { me, .. } => me.filter(|me| to.contains(me)).map(|me| {
                    Cow::Owned(Event {
                        event: EventKind::OpinionReminderSent {
                            request: *request,
                            to: vec![me],
                        },
                        ..event.clone()
                    })
                }),
            },
            _ => Some(Cow::Borrowed(event)),
        }
    }
}

impl MeetingState {
    /// The participants a viewer's snapshot carries: everyone for the secretariat and the
    /// chair; for the hall, everyone who is not a delegate (the chair, the secretariat, the
    /// screens), the viewer, and the delegates it shows as speakers. A congress of 5,000
    /// would otherwise send every tablet the whole roll.
    ///
    /// Every tablet that connects asks for this, so for the hall it looks up the viewer and
    /// the speakers by index and only compares roles over the roll: hashing each of 5,000
    /// ids for each of 5,000 tablets was most of a congress's connect time.
    pub fn named_for(&self, viewer: Viewer) -> Vec<protocol::Participant> {
        let me = match viewer {
            Viewer::Full => return self.participants.clone(),
            Viewer::Hall { me, .. } => me,
        };
        let mut shown: Vec<usize> = self
            .participants
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role != Role::Delegate)
            .map(|(i, _)| i)
            .collect();
        shown.extend(
            me.into_iter()
                .chain(self.speakers.named())
                .filter_map(|id| self.position(id)),
        );
        shown.sort_unstable();
        shown.dedup();
        shown
            .into_iter()
            .map(|i| self.participants[i].clone())
            .collect()
    }

    /// The counters the hall hears instead of everyone's check-in.
    pub fn attendance_frame(&self) -> protocol::HubFrame {
        protocol::HubFrame::Attendance {
            summoned: self.summoned(),
            present: self.present.len() as u32,
            quorum: self.quorum(),
            quorum_reached: self.quorum_reached(),
        }
    }

    /// The snapshot a viewer receives. `None` before the meeting exists.
    pub fn view(&self, viewer: Viewer) -> Option<MeetingView> {
        let meeting = self.meeting.clone()?;
        // The hall's roll is the viewer alone: no walk over everyone's presence per tablet.
        let mut present_ids: Vec<ParticipantId> = match viewer {
            Viewer::Full => self
                .participants
                .iter()
                .map(|p| p.id)
                .filter(|id| self.present.contains(id))
                .collect(),
            Viewer::Hall { me, .. } => me
                .filter(|id| self.present.contains(id))
                .into_iter()
                .collect(),
        };
        present_ids.shrink_to_fit();
        Some(MeetingView {
            meeting,
            agenda: self.agenda.clone(),
            participants: self.named_for(viewer),
            attendance: Attendance {
                summoned: self.summoned(),
                present: self.present.len() as u32,
                quorum: self.quorum(),
                quorum_reached: self.quorum_reached(),
                present_ids,
            },
            documents: super::delivery::view(
                self,
                match viewer {
                    Viewer::Full => None,
                    Viewer::Hall { me, .. } => Some(me),
                },
            ),
            to_delete: match viewer {
                Viewer::Full => Vec::new(),
                Viewer::Hall { me, .. } => super::delivery::to_delete(self, me),
            },
            speakers: self.speakers.view(),
            opinions: self.opinions.view(viewer),
            comments: self.comments.view(viewer),
            incoming: self.incoming.view(viewer),
            calendar: self.info.calendar.clone(),
            announcements: self.info.announcements.clone(),
            polls: self.poll_views(viewer),
            record: (viewer == Viewer::Full).then(|| self.minutes.view(self)),
            committee: self.committees.view(|c| match viewer {
                Viewer::Full => true,
                Viewer::Hall { me, .. } => me.is_some_and(|me| c.members.contains(&me)),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Viewer;
    use crate::engine::testing::*;
    use crate::engine::Actor;
    use protocol::{Command, EventKind};

    #[test]
    fn the_hall_sees_the_count_but_not_the_roll() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let (d0, d1) = (m.delegates[0], m.delegates[1]);
        let events = m
            .run(Actor::System, Command::CheckIn { participant: d0 })
            .unwrap();
        m.run(Actor::System, Command::CheckIn { participant: d1 })
            .unwrap();

        let full = m.state.view(Viewer::for_actor(&m.chair())).unwrap();
        assert_eq!(full.attendance.present, 2);
        assert_eq!(full.attendance.present_ids.len(), 2);

        let hall = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
        assert_eq!(hall.attendance.present, 2);
        assert_eq!(hall.attendance.present_ids, vec![d1], "only themselves");

        // Another member's check-in is not sent to the hall: it hears the counters.
        assert!(Viewer::for_actor(&m.delegate(1))
            .redact(&events[0])
            .is_none());
        let seen_by_d0 = Viewer::for_actor(&m.delegate(0))
            .redact(&events[0])
            .unwrap();
        assert_eq!(
            seen_by_d0.event,
            EventKind::CheckedIn {
                participant: Some(d0)
            }
        );
        assert_eq!(
            seen_by_d0.seq, events[0].seq,
            "redaction keeps the sequence number"
        );
        let projector = Viewer::for_actor(&m.projector());
        assert!(projector.redact(&events[0]).is_none());
        let protocol::HubFrame::Attendance {
            present, summoned, ..
        } = m.state.attendance_frame()
        else {
            panic!("not the counters");
        };
        assert_eq!((present, summoned), (2, full.attendance.summoned));
    }

    #[test]
    fn the_hall_view_names_the_staff_itself_and_the_speakers_not_every_delegate() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let full = m.state.view(Viewer::Full).unwrap();
        let hall = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
        let delegates = |v: &protocol::MeetingView| {
            v.participants
                .iter()
                .filter(|p| p.role == protocol::Role::Delegate)
                .map(|p| p.id)
                .collect::<Vec<_>>()
        };
        assert!(delegates(&full).len() > 1);
        assert_eq!(delegates(&hall), vec![m.delegates[1]], "only itself");
        assert_eq!(
            hall.participants.len(),
            full.participants.len() - delegates(&full).len() + 1,
            "and every one who is not a delegate"
        );
    }

    #[test]
    fn the_hall_view_names_speakers_once_and_in_the_rolls_order() {
        let mut m = Hall::in_session();
        let item = m.add_item("Thảo luận văn kiện");
        m.run(m.chair(), Command::StartAgendaItem { item }).unwrap();
        for n in [3, 1] {
            m.run(m.delegate(n), Command::RequestToSpeak { item: None })
                .unwrap();
        }
        let full = m.state.view(Viewer::Full).unwrap();
        let hall = m.state.view(Viewer::for_actor(&m.delegate(1))).unwrap();
        let expected: Vec<_> = full
            .participants
            .iter()
            .filter(|p| {
                p.role != protocol::Role::Delegate
                    || [m.delegates[1], m.delegates[3]].contains(&p.id)
            })
            .map(|p| p.id)
            .collect();
        let shown: Vec<_> = hall.participants.iter().map(|p| p.id).collect();
        assert_eq!(
            shown, expected,
            "itself (also a speaker) once, the other speaker, the staff"
        );
    }
}
