//! The task that owns one meeting's working state and commits its commands in batches.

use super::deadlines::Deadlines;
use super::idempotency::{Cache, Key};
use super::{Job, Live, LiveSettings, Outcome, Published, Refused, Request};
use crate::engine::{self, Ctx, EngineError, MeetingState};
use crate::store::{Origin, Principal, Store};
use crate::tokens::TokenHash;
use protocol::{ErrorCode, Event, EventKind, ParticipantId, Timestamp};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// The most jobs one flush covers; a hall of 1,600 voting at once fits in two.
pub(super) const MAX_BATCH: usize = 1024;

pub(super) struct MeetingTask {
    store: Store,
    published: Arc<Published>,
    working: MeetingState,
    done: Cache,
    window: Duration,
}

/// What one batch will write and whom it will answer.
#[derive(Default)]
struct Batch {
    records: Vec<(Event, Option<Origin>)>,
    grants: Vec<(TokenHash, Principal)>,
    /// Tokens to delete from the store.
    revoke: Vec<ParticipantId>,
    /// Participants whose open connections must close (token replaced, revoked, removed).
    kick: Vec<ParticipantId>,
    replies: Vec<(oneshot::Sender<Outcome>, Outcome)>,
    new_keys: Vec<Key>,
    /// Private notes to write (not events; see `engine/notes.rs`).
    notes: Vec<engine::NoteChange>,
}

impl Batch {
    /// The participant ends the batch with no token, even one granted earlier in it.
    fn revoke_all(&mut self, participant: ParticipantId) {
        self.grants.retain(|(_, p)| {
            !matches!(p, Principal::Participant { participant: q, .. } if *q == participant)
        });
        self.revoke.push(participant);
    }
}

impl MeetingTask {
    pub(super) fn new(
        store: Store,
        published: Arc<Published>,
        working: MeetingState,
        done: Cache,
        settings: LiveSettings,
    ) -> Self {
        Self {
            store,
            published,
            working,
            done,
            window: settings.group_commit_window,
        }
    }

    pub(super) async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let mut timers = Deadlines::default();
        loop {
            let first = match timers.next(&self.working) {
                None => jobs.recv().await,
                Some((at, job)) => tokio::select! {
                    job = jobs.recv() => job,
                    _ = tokio::time::sleep_until(at) => {
                        match timers.due(&self.working, job) {
                            Some(job) => Some(job),
                            None => continue,
                        }
                    }
                },
            };
            let Some(first) = first else { break };
            let mut pending = vec![first];
            self.gather(&mut jobs, &mut pending).await;
            let mut batch = Batch::default();
            for job in pending {
                self.decide(job, &mut batch);
            }
            self.commit(batch).await;
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

    fn decide(&mut self, job: Job, batch: &mut Batch) {
        match job {
            Job::Execute(request, reply) => {
                let outcome = self.execute(request, batch);
                batch.replies.push((reply, outcome));
            }
            Job::Reissue(participant, token, reply) => {
                let outcome = match self.working.participant(participant) {
                    None => Err(Refused::new(
                        ErrorCode::NotFound,
                        "no such participant in this meeting",
                    )),
                    Some(_) => {
                        match token {
                            Some(hash) => batch.grants.push((
                                hash,
                                Principal::Participant {
                                    meeting: self.working.id,
                                    participant,
                                },
                            )),
                            None => batch.revoke_all(participant),
                        }
                        batch.kick.push(participant);
                        Ok(self.working.seq)
                    }
                };
                batch.replies.push((reply, outcome));
            }
        }
    }

    fn execute(&mut self, request: Request, batch: &mut Batch) -> Outcome {
        let key = request.origin.clone();
        if let Some(outcome) = key.as_ref().and_then(|k| self.done.get(k)) {
            return outcome.clone();
        }
        if let Some(outcome) = self.private_note(&request, batch) {
            if let Some(key) = key {
                self.done.insert(key.clone(), outcome.clone());
                batch.new_keys.push(key);
            }
            return outcome;
        }
        let now = now();
        // Several steps are all or nothing: keep the state to go back to.
        let backup = (request.steps.len() > 1).then(|| self.working.clone());
        let mut events = Vec::new();
        let mut failure: Option<EngineError> = None;
        for (command, new_id) in &request.steps {
            let ctx = Ctx {
                now,
                new_id: *new_id,
            };
            match engine::execute(&mut self.working, &request.actor, command, &ctx) {
                Ok(mut produced) => events.append(&mut produced),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let outcome = match failure {
            Some(e) => {
                if let Some(state) = backup {
                    self.working = state;
                }
                Err(Refused::new(e.code(), e.to_string()))
            }
            None => {
                let origin = key
                    .clone()
                    .map(|(principal, command)| Origin { principal, command });
                for event in events {
                    if let EventKind::ParticipantRemoved { participant } = &event.event {
                        batch.revoke_all(*participant);
                        batch.kick.push(*participant);
                    }
                    batch.records.push((event, origin.clone()));
                }
                batch.grants.extend(request.grants);
                Ok(self.working.seq)
            }
        };
        if let Some(key) = key {
            self.done.insert(key.clone(), outcome.clone());
            batch.new_keys.push(key);
        }
        outcome
    }

    /// Decides a note command, if this is one: its outcome goes into the batch's notes,
    /// never into the log.
    fn private_note(&self, request: &Request, batch: &mut Batch) -> Option<Outcome> {
        let [(command, new_id)] = request.steps.as_slice() else {
            return None;
        };
        if !command.is_private_note() {
            return None;
        }
        let refused = |e: EngineError| Refused::new(e.code(), e.to_string());
        let ctx = Ctx {
            now: now(),
            new_id: *new_id,
        };
        let decided = (|| {
            let owner = engine::note_owner(&request.actor).map_err(refused)?;
            let named = match command {
                protocol::Command::SaveNote { note, .. } => *note,
                protocol::Command::DeleteNote { note } => Some(*note),
                _ => None,
            };
            let existing = match named {
                Some(id) => self.existing_note(owner, id, batch)?,
                None => None,
            };
            engine::decide_note(&request.actor, existing.as_ref(), command, &ctx).map_err(refused)
        })();
        Some(decided.map(|change| {
            batch.notes.push(change);
            self.working.seq
        }))
    }

    /// A note as this batch leaves it: a change earlier in the batch, else the stored one.
    fn existing_note(
        &self,
        owner: ParticipantId,
        id: protocol::NoteId,
        batch: &Batch,
    ) -> Result<Option<protocol::notes::Note>, Refused> {
        for change in batch.notes.iter().rev() {
            match change {
                engine::NoteChange::Put { owner: o, note } if *o == owner && note.id == id => {
                    return Ok(Some(note.clone()))
                }
                engine::NoteChange::Delete { owner: o, note } if *o == owner && *note == id => {
                    return Ok(None)
                }
                _ => {}
            }
        }
        self.store.note(self.working.id, owner, id).map_err(|e| {
            tracing::error!(error = %e, "reading a note failed");
            Refused::new(ErrorCode::Internal, "the hub could not read your notes")
        })
    }

    async fn commit(&mut self, batch: Batch) {
        if let Err(e) = self.persist(&batch).await {
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
        {
            let mut published = self
                .published
                .state
                .write()
                .unwrap_or_else(|p| p.into_inner());
            for (event, _) in &batch.records {
                published.apply(event);
            }
        }
        // No receivers is not an error: nobody is connected yet.
        for (event, _) in batch.records {
            let _ = self.published.live.send(Live::Event(Arc::new(event)));
        }
        for change in batch.notes {
            let _ = self.published.live.send(Live::Note(Arc::new(change)));
        }
        for participant in batch.kick {
            let _ = self.published.live.send(Live::Revoked(participant));
        }
        for (reply, outcome) in batch.replies {
            let _ = reply.send(outcome);
        }
    }

    async fn persist(&self, batch: &Batch) -> Result<(), crate::store::StoreError> {
        let meeting = self.working.id;
        if batch.records.is_empty()
            && batch.grants.is_empty()
            && batch.revoke.is_empty()
            && batch.notes.is_empty()
        {
            return Ok(());
        }
        // Notes first: if the events then fail, a re-sent note is written again, which is
        // harmless; the other order could record events whose commands were refused.
        self.store.apply_notes(meeting, &batch.notes)?;
        self.store
            .append_revoking(meeting, &batch.records, &batch.grants, &batch.revoke)?;
        self.store.flush().await
    }
}

pub(super) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(ms)
}
