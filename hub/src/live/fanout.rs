//! Who hears a meeting: every connection registers here with its view, and the meeting's
//! task hands each batch's frames straight to the connections' outgoing queues.
//!
//! A frame is serialized once per *view class* (the secretariat and the chair; delegates;
//! the hall's screen) and the same bytes are shared by every connection of that class. Only
//! a connection whose participant an event names (their own ballot, their own check-in, a
//! document they may read) gets its own copy of that event, redacted for them. A connection
//! that a batch has nothing for is not woken at all: with the whole hall voting, a delegate
//! hears only their own ballot, so a ballot costs the hub one queue push per console, not
//! one wake-up per tablet.

use crate::engine::{NoteChange, Viewer};
use protocol::{Event, EventKind, HubFrame, ParticipantId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// What goes into a connection's outgoing queue.
#[derive(Debug)]
pub enum Outgoing {
    /// One frame, possibly shared with other connections.
    Text(Utf8Bytes),
    /// A batch's frames for this connection, in order, shared with its whole view class.
    Texts(Arc<[Utf8Bytes]>),
    /// A ping or the closing frame.
    Control(Message),
}

/// Why the meeting's task ends a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kick {
    /// Its queue was full: the client stopped reading and must resume.
    Lagged,
    /// The participant was withdrawn from the meeting.
    Withdrawn,
    /// The participant's badge was replaced or withdrawn.
    Revoked,
}

/// The three kinds of view a batch is serialized for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Class {
    Full,
    Hall,
    Screen,
}

/// A participant id no one has: the view of "any delegate this event does not name".
const NOBODY: ParticipantId = ParticipantId(uuid::Uuid::nil());

impl Class {
    fn of(viewer: Viewer) -> Class {
        match viewer {
            Viewer::Full => Class::Full,
            Viewer::Hall { screen: false, .. } => Class::Hall,
            Viewer::Hall { screen: true, .. } => Class::Screen,
        }
    }

    fn anonymous(self) -> Viewer {
        match self {
            Class::Full => Viewer::Full,
            Class::Hall => Viewer::Hall {
                me: Some(NOBODY),
                screen: false,
            },
            Class::Screen => Viewer::Hall {
                me: Some(NOBODY),
                screen: true,
            },
        }
    }
}

struct Listener {
    viewer: Viewer,
    participant: Option<ParticipantId>,
    queue: mpsc::Sender<Outgoing>,
    /// Until the connection has queued its snapshot (or its missed events), what the task
    /// delivers waits here, so that nothing overtakes the greeting.
    held: Option<Vec<Outgoing>>,
    kick: Option<oneshot::Sender<Kick>>,
}

/// Every connection of one meeting.
#[derive(Default)]
pub(super) struct Listeners {
    next: u64,
    all: HashMap<u64, Listener>,
    by_participant: HashMap<ParticipantId, Vec<u64>>,
    /// Frames a connection may have waiting before it counts as lagged.
    capacity: usize,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listeners({})", self.all.len())
    }
}

/// What one batch tells the hall.
pub(super) struct Broadcast<'a> {
    pub events: &'a [Event],
    pub notes: &'a [NoteChange],
    /// Participants whose connections must close (badge replaced or withdrawn).
    pub revoked: &'a [ParticipantId],
    /// The attendance counters for the delegates and the screen, when it is their time.
    pub attendance: Option<Utf8Bytes>,
    /// The delegates and the screen learn who the batch's speakers are, before the events.
    pub people: Option<Utf8Bytes>,
}

pub(super) fn text(frame: &HubFrame) -> Option<Utf8Bytes> {
    serde_json::to_string(frame).ok().map(Utf8Bytes::from)
}

impl Listeners {
    pub fn new(capacity: usize) -> Self {
        Listeners {
            capacity: capacity.max(1),
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Registers a connection; what is delivered is held until [`Listeners::release`].
    pub fn join(
        &mut self,
        viewer: Viewer,
        participant: Option<ParticipantId>,
        queue: mpsc::Sender<Outgoing>,
    ) -> (u64, oneshot::Receiver<Kick>) {
        let (kick, kicked) = oneshot::channel();
        self.next += 1;
        let id = self.next;
        self.all.insert(
            id,
            Listener {
                viewer,
                participant,
                queue,
                held: Some(Vec::new()),
                kick: Some(kick),
            },
        );
        if let Some(p) = participant {
            self.by_participant.entry(p).or_default().push(id);
        }
        (id, kicked)
    }

    /// The connection has queued its greeting: what was held goes out now, in order.
    pub fn release(&mut self, id: u64) {
        let Some(listener) = self.all.get_mut(&id) else {
            return;
        };
        let held = listener.held.take().unwrap_or_default();
        for item in held {
            if !self.push(id, item) {
                return;
            }
        }
    }

    pub fn leave(&mut self, id: u64) {
        let Some(listener) = self.all.remove(&id) else {
            return;
        };
        if let Some(p) = listener.participant {
            if let Some(ids) = self.by_participant.get_mut(&p) {
                ids.retain(|&i| i != id);
                if ids.is_empty() {
                    self.by_participant.remove(&p);
                }
            }
        }
    }

    /// Queues `item` for connection `id`; a full queue ends the connection as lagged.
    fn push(&mut self, id: u64, item: Outgoing) -> bool {
        let Some(listener) = self.all.get_mut(&id) else {
            return false;
        };
        if let Some(held) = &mut listener.held {
            if held.len() < self.capacity {
                held.push(item);
                return true;
            }
        } else {
            match listener.queue.try_send(item) {
                Ok(()) => return true,
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    self.leave(id);
                    return false;
                }
                Err(mpsc::error::TrySendError::Full(_)) => {}
            }
        }
        self.end(id, Kick::Lagged);
        false
    }

    fn end(&mut self, id: u64, why: Kick) {
        if let Some(kick) = self.all.get_mut(&id).and_then(|l| l.kick.take()) {
            let _ = kick.send(why);
        }
        self.leave(id);
    }

    /// Hands a batch to every connection that has something in it.
    pub fn deliver(&mut self, batch: Broadcast<'_>) {
        if self.all.is_empty() {
            return;
        }
        let present: HashSet<Class> = self.all.values().map(|l| Class::of(l.viewer)).collect();
        // As the secretariat and the chair see each event: all of it, with what the hub
        // adds for every viewer (a new poll's view).
        let full: Vec<Option<Utf8Bytes>> = batch
            .events
            .iter()
            .map(|e| {
                Viewer::Full
                    .redact(e)
                    .and_then(|v| text(&HubFrame::Event(v.into_owned())))
            })
            .collect();
        // Each event as each class sees it when it does not name the viewer.
        let mut per_class: HashMap<Class, Vec<Option<Utf8Bytes>>> = HashMap::new();
        for class in present {
            let frames = if class == Class::Full {
                full.clone()
            } else {
                let viewer = class.anonymous();
                batch
                    .events
                    .iter()
                    .map(|e| {
                        viewer
                            .redact(e)
                            .and_then(|v| text(&HubFrame::Event(v.into_owned())))
                    })
                    .collect()
            };
            per_class.insert(class, frames);
        }
        // Who each event names among those listening: only they may see it otherwise.
        let named: Vec<Vec<ParticipantId>> = full
            .iter()
            .map(|f| f.as_deref().map_or_else(Vec::new, |t| self.named_in(t)))
            .collect();
        let personal: HashSet<ParticipantId> = named
            .iter()
            .flatten()
            .copied()
            .chain(batch.notes.iter().map(NoteChange::owner))
            .collect();
        let mut shared: HashMap<Class, Arc<[Utf8Bytes]>> = HashMap::new();
        for (class, frames) in &per_class {
            let mut list: Vec<Utf8Bytes> = Vec::with_capacity(frames.len() + 2);
            if *class != Class::Full {
                list.extend(batch.people.clone());
            }
            list.extend(frames.iter().flatten().cloned());
            if *class != Class::Full {
                list.extend(batch.attendance.clone());
            }
            shared.insert(*class, list.into());
        }
        let ids: Vec<u64> = self.all.keys().copied().collect();
        for id in ids {
            let Some(listener) = self.all.get(&id) else {
                continue;
            };
            let class = Class::of(listener.viewer);
            let item = match listener.participant.filter(|p| personal.contains(p)) {
                None => {
                    let list = &shared[&class];
                    if list.is_empty() {
                        continue;
                    }
                    Outgoing::Texts(list.clone())
                }
                Some(me) => {
                    let frames = &per_class[&class];
                    let mut list = Vec::with_capacity(frames.len() + 3);
                    if class != Class::Full {
                        list.extend(batch.people.clone());
                    }
                    for (i, event) in batch.events.iter().enumerate() {
                        if named[i].contains(&me) {
                            let own = listener.viewer.redact(event);
                            list.extend(own.and_then(|v| text(&HubFrame::Event(v.into_owned()))));
                        } else {
                            list.extend(frames[i].clone());
                        }
                    }
                    for change in batch.notes.iter().filter(|c| c.owner() == me) {
                        list.extend(text(&note_frame(change)));
                    }
                    if class != Class::Full {
                        list.extend(batch.attendance.clone());
                    }
                    if list.is_empty() {
                        continue;
                    }
                    Outgoing::Texts(list.into())
                }
            };
            self.push(id, item);
        }
        // Then the endings: a withdrawn participant hears of it first.
        let removed = batch.events.iter().filter_map(|e| match &e.event {
            EventKind::ParticipantRemoved { participant } => Some((*participant, Kick::Withdrawn)),
            _ => None,
        });
        let revoked = batch.revoked.iter().map(|p| (*p, Kick::Revoked));
        let endings: Vec<_> = removed.chain(revoked).collect();
        for (participant, why) in endings {
            for id in self
                .by_participant
                .get(&participant)
                .cloned()
                .unwrap_or_default()
            {
                self.end(id, why);
            }
        }
    }

    /// The listening participants whose id appears in a frame. The redaction of an event
    /// depends on the viewer only through the ids it holds (`Viewer::redact` sees nothing
    /// else), so everyone else gets their class's copy.
    fn named_in(&self, text: &str) -> Vec<ParticipantId> {
        let mut found = Vec::new();
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(offset) = text[at..].find('"') {
            let start = at + offset + 1;
            let end = start + 36;
            if end < bytes.len() && bytes[end] == b'"' {
                if let Ok(uuid) = uuid::Uuid::try_parse(&text[start..end]) {
                    let id = ParticipantId(uuid);
                    if self.by_participant.contains_key(&id) && !found.contains(&id) {
                        found.push(id);
                    }
                }
            }
            at = start;
        }
        found
    }
}

/// The frame telling a note's author of a change.
pub fn note_frame(change: &NoteChange) -> HubFrame {
    let (notes, deleted) = match change {
        NoteChange::Put { note, .. } => (vec![note.clone()], Vec::new()),
        NoteChange::Delete { note, .. } => (Vec::new(), vec![*note]),
    };
    HubFrame::Notes {
        replace: false,
        notes,
        deleted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{AgendaItemId, Timestamp};

    fn event(seq: u64, event: EventKind) -> Event {
        Event {
            seq,
            at: Timestamp(seq as i64),
            event,
        }
    }

    fn delegate(me: ParticipantId) -> Viewer {
        Viewer::Hall {
            me: Some(me),
            screen: false,
        }
    }

    fn texts(rx: &mut mpsc::Receiver<Outgoing>) -> Vec<Arc<[Utf8Bytes]>> {
        let mut all = Vec::new();
        while let Ok(item) = rx.try_recv() {
            match item {
                Outgoing::Texts(t) => all.push(t),
                other => panic!("unexpected {other:?}"),
            }
        }
        all
    }

    #[test]
    fn a_batch_is_serialized_once_per_class_and_a_named_viewer_gets_its_own_copy() {
        let mut listeners = Listeners::new(8);
        let (d1, d2, d3) = (
            ParticipantId::new_random(),
            ParticipantId::new_random(),
            ParticipantId::new_random(),
        );
        let mut queue = |viewer, who| {
            let (tx, rx) = mpsc::channel(8);
            let (id, kicked) = listeners.join(viewer, who, tx);
            listeners.release(id);
            (rx, kicked)
        };
        let (mut one, _k1) = queue(delegate(d1), Some(d1));
        let (mut two, _k2) = queue(delegate(d2), Some(d2));
        let (mut three, _k3) = queue(delegate(d3), Some(d3));
        let (mut chair, _k4) = queue(Viewer::Full, None);
        let item = AgendaItemId::new_random();
        let events = [
            event(
                1,
                EventKind::CheckedIn {
                    participant: Some(d1),
                },
            ),
            event(2, EventKind::AgendaItemStarted { item }),
        ];
        listeners.deliver(Broadcast {
            events: &events,
            notes: &[],
            revoked: &[],
            attendance: None,
            people: None,
        });
        let (one, two, three, chair) = (
            texts(&mut one),
            texts(&mut two),
            texts(&mut three),
            texts(&mut chair),
        );
        assert_eq!(one[0].len(), 2, "its own check-in, then the item");
        assert!(one[0][0].as_str().contains(&d1.to_string()));
        assert_eq!(two[0].len(), 1, "not another member's check-in");
        assert!(
            Arc::ptr_eq(&two[0], &three[0]),
            "the same bytes for every delegate the batch does not name"
        );
        assert_eq!(chair[0].len(), 2);
        assert!(
            chair[0][0].as_str().contains(&d1.to_string()),
            "the roll in full"
        );
    }

    #[test]
    fn nothing_for_a_delegate_wakes_nothing_and_a_full_queue_is_lagged() {
        let mut listeners = Listeners::new(1);
        let (voter, other) = (ParticipantId::new_random(), ParticipantId::new_random());
        let (tx, mut rx) = mpsc::channel(1);
        let (id, _kicked) = listeners.join(delegate(other), Some(other), tx);
        listeners.release(id);
        let (tx, _full) = mpsc::channel(1);
        let (id, mut kicked) = listeners.join(Viewer::Full, None, tx);
        listeners.release(id);
        let ballot = |seq| {
            event(
                seq,
                EventKind::BallotCast {
                    poll: protocol::PollId::new_random(),
                    voter: Some(voter),
                    choices: None,
                    proxy: false,
                    shown: false,
                },
            )
        };
        for seq in 1..=2 {
            listeners.deliver(Broadcast {
                events: &[ballot(seq)],
                notes: &[],
                revoked: &[],
                attendance: None,
                people: None,
            });
        }
        assert!(
            rx.try_recv().is_err(),
            "another delegate's ballot is not sent"
        );
        assert_eq!(
            kicked.try_recv(),
            Ok(Kick::Lagged),
            "the console never read"
        );
        assert_eq!(listeners.len(), 1);
    }

    /// Every frame a connection hears, in order.
    fn heard(rx: &mut mpsc::Receiver<Outgoing>) -> Vec<String> {
        texts(rx)
            .iter()
            .flat_map(|list| list.iter().map(|t| t.as_str().to_owned()))
            .collect()
    }

    /// The fan-out serializes once per class and trusts that a redaction depends on the
    /// viewer only through the ids an event holds. Over random meetings (the engine's fuzz
    /// sequences, every kind of event they reach), each participant's connection must hear
    /// exactly what its own `Viewer::redact` of the batch gives, plus its own notes.
    #[test]
    fn every_connection_hears_exactly_its_own_redaction_of_random_meetings() {
        use crate::engine::fuzz_tests::{run_observed, step};
        use crate::engine::{fuzz_cases, Actor};
        use proptest::test_runner::{Config, TestRunner};
        let config = Config {
            cases: fuzz_cases(48),
            failure_persistence: None,
            ..Config::default()
        };
        let batches = std::cell::Cell::new(0u64);
        let frames = std::cell::Cell::new(0u64);
        let mut runner = TestRunner::new(config);
        let result = runner.run(&proptest::collection::vec(step(), 1..60), |steps| {
            run_observed(&steps, &mut |state, effects| {
                let mut listeners = Listeners::new(4096);
                let mut connections = Vec::new();
                for p in &state.participants {
                    let viewer = Viewer::for_actor(&Actor::Participant {
                        id: p.id,
                        role: p.role,
                    });
                    let (tx, rx) = mpsc::channel(4096);
                    let (id, kicked) = listeners.join(viewer, Some(p.id), tx);
                    listeners.release(id);
                    connections.push((viewer, p.id, rx, kicked));
                }
                listeners.deliver(Broadcast {
                    events: &effects.events,
                    notes: &effects.notes,
                    revoked: &[],
                    attendance: None,
                    people: None,
                });
                batches.set(batches.get() + 1);
                for (viewer, me, mut rx, _kicked) in connections {
                    let mut want: Vec<String> = effects
                        .events
                        .iter()
                        .filter_map(|e| viewer.redact(e))
                        .filter_map(|v| text(&HubFrame::Event(v.into_owned())))
                        .map(|t| t.as_str().to_owned())
                        .collect();
                    want.extend(
                        effects
                            .notes
                            .iter()
                            .filter(|c| c.owner() == me)
                            .filter_map(|c| text(&note_frame(c)))
                            .map(|t| t.as_str().to_owned()),
                    );
                    let got = heard(&mut rx);
                    frames.set(frames.get() + got.len() as u64);
                    proptest::prop_assert_eq!(got, want, "what {:?} hears", viewer);
                }
                Ok(())
            })
        });
        if let Err(e) = result {
            panic!("{e}");
        }
        let (frames, batches) = (frames.get(), batches.get());
        assert!(
            frames > batches,
            "the sequences reached the hall: {frames} frames in {batches} batches"
        );
    }
}
