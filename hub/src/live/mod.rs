//! Live meetings: one task per meeting turns commands into durable events and tells every
//! connected client.
//!
//! The order of things is the safety argument: a batch of commands is decided against the
//! task's working state, appended to the store, flushed once (group commit), and only then
//! applied to the published state that snapshots read, broadcast, and acknowledged. Nobody
//! hears of an event that a crash could take back.

mod actor;
mod idempotency;

use crate::engine::{Actor, MeetingState};
use crate::store::{Principal, Store, StoreError};
use crate::tokens::TokenHash;
use protocol::{Command, CommandId, ErrorCode, Event, MeetingId, ParticipantId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};
use uuid::Uuid;

/// What a meeting broadcasts to its connections.
#[derive(Clone, Debug)]
pub enum Live {
    Event(Arc<Event>),
    /// This participant's token no longer works: close their connections.
    Revoked(ParticipantId),
}

/// A refusal, with the code and the message the client gets.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refused {
    pub code: ErrorCode,
    pub message: String,
}

impl Refused {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// The meeting's sequence number after the command, or why it was refused.
pub type Outcome = Result<u64, Refused>;

/// A command to run, as the transport hands it over.
#[derive(Clone, Debug)]
pub struct Request {
    pub actor: Actor,
    /// Who sent it and under which id; with both, a re-send gets the first outcome.
    pub origin: Option<(Principal, CommandId)>,
    /// One or more commands applied all or nothing (an import is many), each with the
    /// fresh id it may need.
    pub steps: Vec<(Command, Uuid)>,
    /// Tokens to grant in the same atomic write, e.g. for participants being added.
    pub grants: Vec<(TokenHash, Principal)>,
}

impl Request {
    /// A single command.
    pub fn one(actor: Actor, origin: Option<(Principal, CommandId)>, command: Command) -> Self {
        Request {
            actor,
            origin,
            steps: vec![(command, Uuid::new_v4())],
            grants: Vec::new(),
        }
    }
}

enum Job {
    Execute(Request, oneshot::Sender<Outcome>),
    /// Replace (`Some`) or revoke (`None`) a participant's token.
    Reissue(ParticipantId, Option<TokenHash>, oneshot::Sender<Outcome>),
}

/// Settings of the live layer.
#[derive(Clone, Copy, Debug)]
pub struct LiveSettings {
    /// Events buffered for each connection before a slow one is dropped.
    pub client_queue: usize,
    /// How long a batch waits for more commands before its one flush.
    pub group_commit_window: Duration,
    /// Commands waiting for a meeting's task before new ones get `busy`.
    pub job_queue: usize,
}

/// One live meeting.
#[derive(Debug)]
pub struct MeetingHandle {
    pub id: MeetingId,
    jobs: mpsc::Sender<Job>,
    live: broadcast::Sender<Live>,
    /// The meeting as of its last durable event: what snapshots and REST reads show.
    published: RwLock<MeetingState>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl MeetingHandle {
    /// Queues a command; the receiver yields its outcome once it is durable.
    pub fn submit(&self, request: Request) -> Result<oneshot::Receiver<Outcome>, Refused> {
        let (tx, rx) = oneshot::channel();
        self.enqueue(Job::Execute(request, tx))?;
        Ok(rx)
    }

    /// Runs a command and waits for its outcome.
    pub async fn run(&self, request: Request) -> Outcome {
        let rx = self.submit(request)?;
        rx.await.unwrap_or_else(|_| Err(gone()))
    }

    /// Gives a participant a new token (`Some`) or none (`None`); their live connections
    /// are closed either way.
    pub async fn reissue(&self, participant: ParticipantId, token: Option<TokenHash>) -> Outcome {
        let (tx, rx) = oneshot::channel();
        self.enqueue(Job::Reissue(participant, token, tx))?;
        rx.await.unwrap_or_else(|_| Err(gone()))
    }

    fn enqueue(&self, job: Job) -> Result<(), Refused> {
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Refused::new(
                ErrorCode::Busy,
                "the hub is busy; send the same command again shortly",
            ),
            mpsc::error::TrySendError::Closed(_) => gone(),
        })
    }

    /// Subscribe before reading the published state, so nothing falls between the two.
    pub fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.live.subscribe()
    }

    /// Reads the published state.
    pub fn read<R>(&self, f: impl FnOnce(&MeetingState) -> R) -> R {
        let state = self.published.read().unwrap_or_else(|p| p.into_inner());
        f(&state)
    }
}

fn gone() -> Refused {
    Refused::new(
        ErrorCode::ShuttingDown,
        "the meeting's task has stopped; the hub is shutting down",
    )
}

/// All meetings of the hub.
#[derive(Debug)]
pub struct Meetings {
    store: Store,
    settings: LiveSettings,
    map: RwLock<HashMap<MeetingId, Arc<MeetingHandle>>>,
}

impl Meetings {
    /// Replays every meeting's log from the store and starts its task.
    pub fn load(store: Store, settings: LiveSettings) -> Result<Meetings, StoreError> {
        let meetings = Meetings {
            store: store.clone(),
            settings,
            map: RwLock::default(),
        };
        for id in store.meetings()? {
            let records = store.replay(id)?;
            let state = MeetingState::replay(id, records.iter().map(|r| &r.event));
            let done = idempotency::Cache::from_log(&records);
            meetings.start(state, done);
        }
        Ok(meetings)
    }

    fn start(&self, state: MeetingState, done: idempotency::Cache) -> Arc<MeetingHandle> {
        let (jobs, rx) = mpsc::channel(self.settings.job_queue);
        let (live, _) = broadcast::channel(self.settings.client_queue);
        let handle = Arc::new(MeetingHandle {
            id: state.id,
            jobs,
            live,
            published: RwLock::new(state.clone()),
        });
        let task = actor::MeetingTask::new(
            self.store.clone(),
            handle.clone(),
            state,
            done,
            self.settings,
        );
        tokio::spawn(task.run(rx));
        self.map
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(handle.id, handle.clone());
        handle
    }

    pub fn get(&self, id: MeetingId) -> Option<Arc<MeetingHandle>> {
        self.map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    pub fn all(&self) -> Vec<Arc<MeetingHandle>> {
        self.map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Creates meeting `id`: `request` starts with `create_meeting` and may carry the agenda
    /// and participants too, all or nothing.
    pub async fn create(&self, id: MeetingId, request: Request) -> Result<u64, Refused> {
        if self.get(id).is_some() {
            return Err(Refused::new(ErrorCode::Invalid, "that meeting id is taken"));
        }
        let handle = self.start(MeetingState::new(id), idempotency::Cache::default());
        match handle.run(request).await {
            Ok(seq) => Ok(seq),
            Err(refused) => {
                self.map
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                Err(refused)
            }
        }
    }
}
