//! The task that owns one meeting's working state and commits its commands in batches.

use super::deadlines::Deadlines;
use super::idempotency::{Cache, Key};
use super::{Job, Live, LiveSettings, Outcome, Published, Refused, Reply, Request};
use crate::engine::{self, Actor, Ctx, EngineError, MeetingState};
use crate::store::{Origin, Principal, Store};
use crate::tokens::TokenHash;
use protocol::{
    Command, ErrorCode, Event, EventKind, ParticipantId, PollId, ReceiptLine, Timestamp,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The most jobs one flush covers; a hall of 1,600 voting at once fits in two.
pub(super) const MAX_BATCH: usize = 1024;

pub(super) struct MeetingTask {
    store: Store,
    published: Arc<Published>,
    working: MeetingState,
    done: Cache,
    /// Receipts of secret ballots accepted while their poll is open, so that a ballot
    /// re-sent after a lost ack gets its receipt again. Memory only, and dropped when the
    /// poll closes: it is the one place that pairs a voter with a receipt.
    receipts: HashMap<Key, (PollId, String)>,
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
    replies: Vec<(Reply, Outcome, Option<String>)>,
    new_keys: Vec<Key>,
    /// Private notes to write (not events; see `engine/notes.rs`).
    notes: Vec<engine::NoteChange>,
    /// Secret ballots for the ballot box, apart from the events.
    ballots: Vec<(PollId, ReceiptLine)>,
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
            receipts: HashMap::new(),
            window: settings.group_commit_window,
        }
    }

    pub(super) async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let mut timers = Deadlines::default();
        loop {
            // The next deadline comes from the state, so it survives a restart: an opinion
            // request's (a job to submit) or a poll's countdown (closed by `close_due`).
            let opinion = timers.next(&self.working);
            let poll =
                self.working.polls.next_deadline().map(|at| {
                    Instant::now() + Duration::from_millis((at.0 - now().0).max(0) as u64)
                });
            let wake = match (opinion.map(|(at, _)| at), poll) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let first = match wake {
                None => match jobs.recv().await {
                    Some(job) => Some(job),
                    None => break,
                },
                Some(at) => tokio::select! {
                    job = jobs.recv() => match job {
                        Some(job) => Some(job),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(at) => opinion
                        .filter(|(due, _)| *due <= Instant::now())
                        .and_then(|(_, request)| timers.due(&self.working, request)),
                },
            };
            let mut pending: Vec<Job> = first.into_iter().collect();
            if !pending.is_empty() {
                self.gather(&mut jobs, &mut pending).await;
            }
            let mut batch = Batch::default();
            self.close_due(&mut batch);
            for job in pending {
                self.decide(job, &mut batch);
            }
            self.commit(batch).await;
        }
    }

    /// Closes the polls whose countdown ran out, before any ballot of this batch: a ballot
    /// that arrives after the deadline finds the poll closed.
    fn close_due(&mut self, batch: &mut Batch) {
        for poll in self.working.polls.due(now()) {
            let request = Request::one(Actor::System, None, Command::ClosePoll { poll });
            if let Err(e) = self.execute(request, batch).0 {
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

    fn decide(&mut self, job: Job, batch: &mut Batch) {
        match job {
            Job::Execute(request, reply) => {
                let (outcome, receipt) = self.execute(request, batch);
                batch.replies.push((reply, outcome, receipt));
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
                batch.replies.push((Reply::Plain(reply), outcome, None));
            }
        }
    }

    fn execute(&mut self, request: Request, batch: &mut Batch) -> (Outcome, Option<String>) {
        let key = request.origin.clone();
        if let Some(outcome) = key.as_ref().and_then(|k| self.done.get(k)) {
            let receipt = key
                .as_ref()
                .and_then(|k| self.receipts.get(k))
                .map(|(_, r)| r.clone());
            return (outcome.clone(), receipt);
        }
        if let Some(outcome) = self.private_note(&request, batch) {
            if let Some(key) = key {
                self.done.insert(key.clone(), outcome.clone());
                batch.new_keys.push(key);
            }
            return (outcome, None);
        }
        let mut receipt = None;
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
                for mut event in events {
                    match &mut event.event {
                        EventKind::ParticipantRemoved { participant } => {
                            batch.revoke_all(*participant);
                            batch.kick.push(*participant);
                        }
                        EventKind::BallotCast {
                            poll,
                            sealed: Some(line),
                            command,
                            ..
                        } => {
                            // A secret ballot: the choice goes to the ballot box; the
                            // record of the voter keeps the command id (for re-sends) and
                            // no origin, whose place in the log would pair them again.
                            batch.ballots.push((*poll, line.clone()));
                            *command = key.as_ref().map(|(_, c)| c.clone());
                            receipt = Some(line.receipt.clone());
                            if let Some(k) = &key {
                                self.receipts
                                    .insert(k.clone(), (*poll, line.receipt.clone()));
                            }
                            batch.records.push((event, None));
                            continue;
                        }
                        EventKind::PollClosed { poll, .. } | EventKind::PollCancelled { poll } => {
                            let poll = *poll;
                            self.receipts.retain(|_, (p, _)| *p != poll);
                        }
                        _ => {}
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
        (outcome, receipt)
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
            for (reply, _, _) in batch.replies {
                reply.send(Err(failed.clone()), None);
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
        for (mut event, _) in batch.records {
            if let EventKind::BallotCast { sealed, .. } = &mut event.event {
                *sealed = None;
            }
            let _ = self.published.live.send(Live::Event(Arc::new(event)));
        }
        for change in batch.notes {
            let _ = self.published.live.send(Live::Note(Arc::new(change)));
        }
        for participant in batch.kick {
            let _ = self.published.live.send(Live::Revoked(participant));
        }
        for (reply, outcome, receipt) in batch.replies {
            reply.send(outcome, receipt);
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
        self.store.append_with_ballots(
            meeting,
            &batch.records,
            &batch.grants,
            &batch.revoke,
            &batch.ballots,
        )?;
        self.store.flush().await
    }
}

pub(super) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(ms)
}
