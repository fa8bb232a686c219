//! The task that owns one meeting's working state and commits its commands in batches:
//! gather → decide each job → persist the batch once → publish → answer.
//!
//! The engine says everything a command does ([`Effects`]); this task never looks inside an
//! event. It only collects effects, writes them in one durable step, and tells everyone.

use super::deadlines::Deadlines;
use super::idempotency::{Cache, Key};
use super::{Accepted, Answer, Clock, Job, Live, LiveSettings, Published, Refused, Request};
use crate::engine::{self, Actor, Ctx, Effects, EngineError, MeetingState};
use crate::store::{Changes, Origin, Principal, Store};
use protocol::{Command, ErrorCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

/// The most jobs one flush covers; a hall of 1,600 voting at once fits in two.
pub(super) const MAX_BATCH: usize = 1024;
/// The delegates' tablets and the hall's screen hear the attendance counters at most this
/// often: a hall of 5,000 checking in is a few frames a second for each, not 5,000.
pub(super) const ATTENDANCE_EVERY: Duration = Duration::from_millis(250);

pub(super) struct MeetingTask {
    store: Store,
    published: Arc<Published>,
    working: MeetingState,
    done: Cache,
    window: Duration,
    clock: Clock,
    /// The counters changed since the hall last heard them.
    attendance_changed: bool,
    attendance_sent: Option<Instant>,
    started: Instant,
    /// Told which meetings changed, for the search index.
    archive: Option<Arc<crate::archive::Archive>>,
}

/// What one batch will write and whom it will answer.
#[derive(Default)]
struct Batch {
    /// Everything the batch's accepted commands did, in order.
    effects: Effects,
    changes: Changes,
    replies: Vec<(oneshot::Sender<Answer>, Answer)>,
    new_keys: Vec<Key>,
}

impl MeetingTask {
    pub(super) fn new(
        store: Store,
        published: Arc<Published>,
        working: MeetingState,
        done: Cache,
        settings: &LiveSettings,
    ) -> Self {
        Self {
            store,
            published,
            working,
            done,
            window: settings.group_commit_window,
            clock: settings.clock.clone(),
            attendance_changed: false,
            attendance_sent: None,
            started: Instant::now(),
            archive: settings.archive.clone(),
        }
    }

    pub(super) async fn run(
        mut self,
        mut jobs: mpsc::Receiver<Job>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut timers = Deadlines::default();
        let mut jumps = self.clock.jumps();
        while !*stop.borrow() {
            // The next deadline comes from the state, so it survives a restart: an opinion
            // request's (a job to submit) or a poll's countdown (closed by `close_due`).
            let opinion = timers.next(&self.working, &self.clock);
            let poll = (self.working.polls.next_deadline()).map(|at| self.clock.instant_at(at));
            let wake = match (opinion.map(|(at, _)| at), poll) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let wake = match (wake, self.attendance_due()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            // No timer at all without a deadline: a paused test clock would jump to it.
            let deadline = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let first = tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => Some(job),
                    None => break,
                },
                _ = stop.changed() => break,
                // The clock jumped (a test's time machine): look at the deadlines again.
                _ = jumps.changed() => None,
                _ = deadline => opinion
                    .filter(|(due, _)| *due <= Instant::now())
                    .and_then(|(_, request)| timers.due(&self.working, request, &self.clock)),
            };
            let mut pending: Vec<Job> = first.into_iter().collect();
            if !pending.is_empty() {
                self.gather(&mut jobs, &mut pending).await;
            }
            let mut batch = Batch::default();
            self.close_due(&mut batch);
            for job in pending {
                let answer = self.execute(job.request, &mut batch);
                batch.replies.push((job.reply, answer));
            }
            self.commit(batch).await;
        }
    }

    /// When the hall may hear the attendance counters next, if they changed: a fixed
    /// instant, so that the task sleeps until then rather than spinning.
    fn attendance_due(&self) -> Option<Instant> {
        let due = match self.attendance_sent {
            Some(at) => at + ATTENDANCE_EVERY,
            None => self.started,
        };
        self.attendance_changed.then_some(due)
    }

    /// The counters' frame, when they changed and the hall has not heard them for
    /// [`ATTENDANCE_EVERY`].
    fn attendance(
        &mut self,
        events: &[protocol::Event],
    ) -> Option<tokio_tungstenite::tungstenite::Utf8Bytes> {
        use protocol::EventKind as K;
        self.attendance_changed |= events.iter().any(|e| {
            matches!(
                e.event,
                K::CheckedIn { .. }
                    | K::CheckedOut { .. }
                    | K::ParticipantAdded { .. }
                    | K::ParticipantRemoved { .. }
                    | K::MeetingUpdated { .. }
            )
        });
        let now = Instant::now();
        if !self.attendance_changed || self.attendance_due().is_some_and(|due| due > now) {
            return None;
        }
        self.attendance_changed = false;
        self.attendance_sent = Some(now);
        super::fanout::text(&self.working.attendance_frame())
    }

    /// The delegates a batch's speakers' events name, whom the hall's views do not carry.
    fn speakers_named(
        &self,
        events: &[protocol::Event],
    ) -> Option<tokio_tungstenite::tungstenite::Utf8Bytes> {
        use protocol::EventKind as K;
        let mut people: Vec<protocol::Participant> = Vec::new();
        for event in events {
            if let K::SpeakerQueued { participant, .. } | K::FloorGiven { participant, .. } =
                &event.event
            {
                let named = self.working.participant(*participant);
                if let Some(p) = named.filter(|p| p.role == protocol::Role::Delegate) {
                    if !people.iter().any(|q| q.id == p.id) {
                        people.push(p.clone());
                    }
                }
            }
        }
        if people.is_empty() {
            return None;
        }
        super::fanout::text(&protocol::HubFrame::People {
            participants: people,
        })
    }

    /// Closes the polls whose countdown ran out, before any ballot of this batch: a ballot
    /// that arrives after the deadline finds the poll closed.
    fn close_due(&mut self, batch: &mut Batch) {
        for poll in self.working.polls.due(self.clock.now()) {
            let request = Request::one(Actor::System, None, Command::ClosePoll { poll });
            if let Err(e) = self.execute(request, batch) {
                tracing::warn!(%poll, error = %e, "the countdown could not close the poll");
            }
        }
    }

    /// Takes what is queued already, then waits up to the window for more: commands that
    /// arrive within a few milliseconds share one flush.
    async fn gather(&self, jobs: &mut mpsc::Receiver<Job>, pending: &mut Vec<Job>) {
        let deadline = Instant::now() + self.window;
        while pending.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => pending.push(job),
                Err(_) if self.window.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, jobs.recv()).await {
                    Ok(Some(job)) => pending.push(job),
                    _ => break,
                },
            }
        }
    }

    /// Decides one request into the batch: all of its steps, or none of them.
    fn execute(&mut self, request: Request, batch: &mut Batch) -> Answer {
        let key = request.origin.clone();
        if let Some(answer) = key.as_ref().and_then(|k| self.done.get(k)) {
            return answer.clone();
        }
        // Several steps are all or nothing: keep the state to go back to.
        let backup = (request.steps.len() > 1).then(|| self.working.clone());
        let decided = self.decide(&request);
        let answer = match decided {
            Err(e) => {
                if let Some(state) = backup {
                    self.working = state;
                }
                Err(Refused::new(e.code(), e.to_string()))
            }
            Ok(effects) => {
                let origin = key
                    .clone()
                    .map(|(principal, command)| Origin { principal, command });
                let receipt = effects.receipt.clone();
                let poll = effects.ballots.first().map(|b| b.poll);
                for poll in &effects.polls_ended {
                    self.done.forget_receipts(*poll);
                }
                batch.take(effects, origin, request.grants);
                let accepted = Ok(Accepted {
                    seq: self.working.seq,
                    receipt,
                });
                if let Some(key) = &key {
                    self.done.insert(key.clone(), accepted.clone(), poll);
                    batch.new_keys.push(key.clone());
                }
                return accepted;
            }
        };
        if let Some(key) = key {
            self.done.insert(key.clone(), answer.clone(), None);
            batch.new_keys.push(key);
        }
        answer
    }

    /// The effects of every step, applied to the working state as they are decided.
    fn decide(&mut self, request: &Request) -> Result<Effects, EngineError> {
        let now = self.clock.now();
        let mut effects = Effects::default();
        for (command, new_id) in &request.steps {
            let ctx = Ctx {
                ballot: request.ballot.clone(),
                ..Ctx::new(now, *new_id)
            };
            effects.extend(engine::execute(
                &mut self.working,
                &request.actor,
                command,
                &ctx,
            )?);
        }
        if let Some((participant, token)) = &request.token {
            effects.extend(engine::change_token(
                &self.working,
                &request.actor,
                *participant,
                token.is_some(),
            )?);
        }
        Ok(effects)
    }

    async fn commit(&mut self, mut batch: Batch) {
        // The meeting's summary goes with the events that change it (see `store::summaries`).
        if !batch.changes.records.is_empty() {
            batch.changes.summary = crate::store::Summary::of(&self.working);
        }
        if let Err(e) = self.store.commit(self.working.id, &batch.changes).await {
            tracing::error!(meeting = %self.working.id, error = %e, "could not make a batch durable; its commands are refused");
            self.working = self
                .published
                .state
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            for key in &batch.new_keys {
                self.done.remove(key);
            }
            let failed = Refused::new(
                ErrorCode::Internal,
                "the hub could not record this; send the same command again",
            );
            for (reply, _) in batch.replies {
                let _ = reply.send(Err(failed.clone()));
            }
            return;
        }
        let attendance = self.attendance(&batch.effects.events);
        let people = self.speakers_named(&batch.effects.events);
        {
            let mut state = self
                .published
                .state
                .write()
                .unwrap_or_else(|p| p.into_inner());
            state.absorb(&batch.effects);
            // Taken before the state is let go: a connection that registers now has read
            // the state with this batch in it, and must not be handed the batch again.
            let mut listeners = self.published.listeners();
            drop(state);
            listeners.deliver(super::fanout::Broadcast {
                events: &batch.effects.events,
                notes: &batch.effects.notes,
                revoked: &batch.effects.kick,
                attendance,
                people,
            });
        }
        if let Some(archive) = &self.archive {
            archive.touched(self.working.id, &batch.effects.events);
        }
        // No receivers is not an error: nobody is connected yet.
        let live = &self.published.live;
        for event in batch.effects.events {
            let _ = live.send(Live::Event(Arc::new(event)));
        }
        for change in batch.effects.notes {
            let _ = live.send(Live::Note(Arc::new(change)));
        }
        for participant in batch.effects.kick {
            let _ = live.send(Live::Revoked(participant));
        }
        for (reply, answer) in batch.replies {
            // A closed receiver means the client left; the command stands regardless.
            let _ = reply.send(answer);
        }
    }
}

impl Batch {
    /// Adds one accepted request: its effects, and what the store must write for them.
    fn take(
        &mut self,
        effects: Effects,
        origin: Option<Origin>,
        grants: Vec<(crate::tokens::Token, Principal)>,
    ) {
        let changes = &mut self.changes;
        // A participant revoked in this batch ends it with no token, even one granted
        // earlier in it (the store deletes before it grants).
        changes.grants.retain(|(_, p)| {
            !matches!(p, Principal::Participant { participant, .. } if effects.revoke.contains(participant))
        });
        changes.grants.extend(grants);
        changes.revoke.extend(effects.revoke.iter().copied());
        changes.records.extend(
            effects
                .events
                .iter()
                .map(|event| (event.clone(), origin.clone())),
        );
        changes.ballots.extend(effects.ballots.iter().cloned());
        changes.notes.extend(effects.notes.iter().cloned());
        self.effects.extend(effects);
    }
}
