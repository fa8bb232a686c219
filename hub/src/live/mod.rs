//! Live meetings: one task per meeting turns commands into durable events and tells every
//! connected client.
//!
//! The order of things is the safety argument: a batch of commands is decided against the
//! task's working state, appended to the store, flushed once (group commit), and only then
//! applied to the published state that snapshots read, broadcast, and acknowledged. Nobody
//! hears of an event that a crash could take back.

mod actor;
mod clock;
mod deadlines;
mod fanout;
mod idempotency;
pub mod office;
mod on_demand;
#[cfg(test)]
mod poll_tests;

pub use clock::Clock;
pub use fanout::{note_frame, Kick, Outgoing};
pub use office::{Office, OfficeError};

use crate::engine::{Actor, MeetingState};
use crate::store::{Principal, Store, StoreError, Summary};
use crate::tokens::Token;
use protocol::{Command, CommandId, ErrorCode, Event, MeetingId, ParticipantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// What a meeting broadcasts to its connections.
#[derive(Clone, Debug)]
pub enum Live {
    Event(Arc<Event>),
    /// This participant's token no longer works: close their connections.
    Revoked(ParticipantId),
    /// A private note changed: for its author's connections only.
    Note(Arc<crate::engine::NoteChange>),
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

/// A command that is now durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The meeting's sequence number after it.
    pub seq: u64,
    /// A secret ballot's receipt, for its voter's ack only.
    pub receipt: Option<String>,
}

/// What the sender of a request is told: once it is durable, or why it was refused.
pub type Answer = Result<Accepted, Refused>;

/// A request to run, as the transport hands it over.
#[derive(Clone, Debug)]
pub struct Request {
    pub actor: Actor,
    /// Who sent it and under which id; with both, a re-send gets the first answer.
    pub origin: Option<(Principal, CommandId)>,
    /// One or more commands applied all or nothing (an import is many), each with the
    /// fresh id it may need.
    pub steps: Vec<(Command, Uuid)>,
    /// Tokens to grant in the same atomic write, e.g. for participants being added; a
    /// participant's is also kept sealed for their badge, in that same write.
    pub grants: Vec<(Token, Principal)>,
    /// A participant's token to replace (`Some`) or withdraw (`None`): not a command of
    /// the engine, since a token is not an event, but ordered with the meeting's commands.
    pub token: Option<(ParticipantId, Option<Token>)>,
    /// A sealed ballot whose proofs the transport checked (`cast_sealed_ballot`).
    pub ballot: Option<Arc<ballot_box::VerifiedBallot>>,
}

impl Request {
    /// A single command.
    pub fn one(actor: Actor, origin: Option<(Principal, CommandId)>, command: Command) -> Self {
        Request {
            actor,
            origin,
            steps: vec![(command, Uuid::new_v4())],
            grants: Vec::new(),
            token: None,
            ballot: None,
        }
    }

    /// Gives `participant` of `meeting` a new token (`Some`) or none (`None`); their open
    /// connections close either way.
    pub fn token(
        actor: Actor,
        meeting: MeetingId,
        participant: ParticipantId,
        token: Option<Token>,
    ) -> Self {
        let principal = Principal::Participant {
            meeting,
            participant,
        };
        Request {
            actor,
            origin: None,
            steps: Vec::new(),
            grants: token
                .iter()
                .map(|t| (t.clone(), principal.clone()))
                .collect(),
            token: Some((participant, token)),
            ballot: None,
        }
    }
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Answer>,
}

/// Settings of the live layer.
#[derive(Clone, Debug)]
pub struct LiveSettings {
    /// Events buffered for each connection before a slow one is dropped.
    pub client_queue: usize,
    /// How long a batch waits for more commands before its one flush.
    pub group_commit_window: Duration,
    /// Commands waiting for a meeting's task before new ones get `busy`.
    pub job_queue: usize,
    /// What time it is: the system's, or in tests one that follows tokio's paused clock.
    pub clock: Clock,
    /// What a participant and a meeting may keep of notes and comments.
    pub quotas: crate::engine::Quotas,
    /// A closed meeting unused for this long is dropped from memory (see `on_demand`).
    pub closed_idle: Duration,
    /// The search index, told which meetings changed (never waited for).
    pub archive: Option<Arc<crate::archive::Archive>>,
}

/// Every note of `meeting` with its size, for the engine's quotas: the store keeps the
/// notes by author, so each author's are read once at start.
fn note_sizes(
    store: &Store,
    meeting: MeetingId,
) -> Result<Vec<(ParticipantId, protocol::NoteId, u64)>, StoreError> {
    let authors: std::collections::BTreeSet<ParticipantId> = store
        .note_ids(meeting)?
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let mut sizes = Vec::new();
    for author in authors {
        for note in store.notes(meeting, author)? {
            sizes.push((author, note.id, crate::engine::note_bytes(&note)));
        }
    }
    Ok(sizes)
}

/// One live meeting. Its task stops when the last handle is dropped.
#[derive(Debug)]
pub struct MeetingHandle {
    pub id: MeetingId,
    jobs: mpsc::Sender<Job>,
    shared: Arc<Published>,
}

/// What the task publishes and every connection reads. The task holds this, not the
/// handle, so it does not keep its own queue open.
#[derive(Debug)]
struct Published {
    live: broadcast::Sender<Live>,
    /// The meeting as of its last durable event: what snapshots and REST reads show.
    state: RwLock<MeetingState>,
    /// The connections that hear the meeting. Locked after `state` when both are.
    listeners: Mutex<fanout::Listeners>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl MeetingHandle {
    /// Queues a request; the receiver yields its answer once it is durable (or refused).
    /// A full queue is refused at once with `busy`.
    pub fn submit(&self, request: Request) -> Result<oneshot::Receiver<Answer>, Refused> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .try_send(Job { request, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => Refused::new(
                    ErrorCode::Busy,
                    "the hub is busy; send the same command again shortly",
                ),
                mpsc::error::TrySendError::Closed(_) => gone(),
            })?;
        Ok(rx)
    }

    /// Runs a request and waits for its answer.
    pub async fn run(&self, request: Request) -> Answer {
        self.submit(request)?.await.unwrap_or_else(|_| Err(gone()))
    }

    /// Subscribe before reading the published state, so nothing falls between the two.
    pub fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.shared.live.subscribe()
    }

    /// Registers a connection's outgoing queue, reading the published state at the same
    /// moment: the connection will be handed every batch after what `read` saw, and none
    /// before. What comes meanwhile waits until [`Listening::release`], so the caller can
    /// queue its snapshot (or the missed events) first.
    pub fn listen<R>(
        &self,
        viewer: crate::engine::Viewer,
        participant: Option<ParticipantId>,
        queue: mpsc::Sender<Outgoing>,
        read: impl FnOnce(&MeetingState) -> R,
    ) -> (R, Listening) {
        let state = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
        let seen = read(&state);
        let (id, kicked) = self.shared.listeners().join(viewer, participant, queue);
        drop(state);
        let listening = Listening {
            shared: self.shared.clone(),
            id,
            kicked,
        };
        (seen, listening)
    }

    /// Connections listening now.
    pub fn listeners(&self) -> usize {
        self.shared.listeners().len()
    }

    /// Reads the published state.
    pub fn read<R>(&self, f: impl FnOnce(&MeetingState) -> R) -> R {
        let state = self.shared.state.read().unwrap_or_else(|p| p.into_inner());
        f(&state)
    }
}

impl Published {
    fn listeners(&self) -> std::sync::MutexGuard<'_, fanout::Listeners> {
        self.listeners.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A connection registered with its meeting; it leaves when this is dropped.
#[derive(Debug)]
pub struct Listening {
    shared: Arc<Published>,
    id: u64,
    /// Says why the meeting's task ended this connection.
    pub kicked: oneshot::Receiver<Kick>,
}

impl Listening {
    /// The greeting is queued: what the task delivered meanwhile goes out now.
    pub fn release(&self) {
        self.shared.listeners().release(self.id);
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.shared.listeners().leave(self.id);
    }
}

fn gone() -> Refused {
    Refused::new(
        ErrorCode::ShuttingDown,
        "the meeting's task has stopped; the hub is shutting down",
    )
}

/// All meetings of the hub: open ones loaded at start, closed ones when first asked for
/// (see `on_demand`).
#[derive(Debug)]
pub struct Meetings {
    store: Store,
    settings: LiveSettings,
    slots: on_demand::Slots,
    /// Every meeting task (and the sweep), to wait for at [`Meetings::close`].
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Turns true when the hub closes: each task finishes its batch and stops.
    stop: watch::Sender<bool>,
}

impl Meetings {
    /// Reads every meeting's summary and starts the task of each meeting that is not
    /// closed, replaying its log; closed meetings load on first use. A data directory
    /// from before summaries gets them here, once (every log replayed one time).
    pub fn load(store: Store, settings: LiveSettings) -> Result<Meetings, StoreError> {
        let meetings = Meetings {
            store: store.clone(),
            settings,
            slots: Arc::default(),
            tasks: Arc::default(),
            stop: watch::channel(false).0,
        };
        on_demand::migrate(&store)?;
        for (id, summary) in store.summaries()? {
            if summary.is_closed() {
                meetings.lock().insert(id, on_demand::Slot::empty());
                continue;
            }
            let (state, done) = on_demand::restore(&store, id)?;
            meetings.start(state, done);
        }
        let sweep = on_demand::sweep(
            meetings.slots.clone(),
            meetings.tasks.clone(),
            &meetings.settings,
            meetings.stop.subscribe(),
        );
        meetings.tasks_lock().push(sweep);
        Ok(meetings)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<MeetingId, on_demand::Slot>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tasks_lock(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a meeting's task; the handle is not yet in the map.
    fn spawn(&self, mut state: MeetingState, done: idempotency::Cache) -> Arc<MeetingHandle> {
        state.quotas = self.settings.quotas;
        let (jobs, rx) = mpsc::channel(self.settings.job_queue);
        // A batch's events are sent in one go; room for a whole batch on top of the
        // configured queue keeps a client that was current from lagging on a big batch.
        let (live, _) = broadcast::channel(self.settings.client_queue + actor::MAX_BATCH * 2);
        let shared = Arc::new(Published {
            live,
            state: RwLock::new(state.clone()),
            listeners: Mutex::new(fanout::Listeners::new(self.settings.client_queue)),
        });
        let handle = Arc::new(MeetingHandle {
            id: state.id,
            jobs,
            shared: shared.clone(),
        });
        let task = actor::MeetingTask::new(self.store.clone(), shared, state, done, &self.settings);
        // Subscribed before the task is pushed: a task started as the hub closes sees the
        // stop at once (its loop checks it first), or is among those `close` waits for.
        let stop = self.stop.subscribe();
        let mut tasks = self.tasks_lock();
        tasks.push(tokio::spawn(task.run(rx, stop)));
        handle
    }

    fn start(&self, state: MeetingState, done: idempotency::Cache) -> Arc<MeetingHandle> {
        let handle = self.spawn(state, done);
        self.lock()
            .insert(handle.id, on_demand::Slot::with(handle.clone()));
        handle
    }

    /// Stops every meeting's task once its batch is written, and waits for them all: after
    /// this nothing more is written, and once the `Meetings` and the server that holds it
    /// are dropped, so is the store. Requests still queued are answered `shutting_down`.
    pub async fn close(&self) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.tasks_lock());
        for task in tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a meeting's task failed");
            }
        }
    }

    /// The meeting, loading it first if it is a closed one not in memory (once, however
    /// many ask at the same moment); `None` if the hub has no such meeting. A log that
    /// does not verify as it loads is an error, and the meeting stays unloaded.
    pub async fn get(&self, id: MeetingId) -> Result<Option<Arc<MeetingHandle>>, StoreError> {
        let cell = {
            let mut slots = self.lock();
            let Some(slot) = slots.get_mut(&id) else {
                return Ok(None);
            };
            slot.last_used = tokio::time::Instant::now();
            if let Some(handle) = slot.loaded.get() {
                return Ok(Some(handle.clone()));
            }
            slot.loaded.clone()
        };
        let handle = cell
            .get_or_try_init(|| async {
                let started = std::time::Instant::now();
                let (state, done) = on_demand::restore_blocking(&self.store, id)
                    .await
                    .inspect_err(|e| tracing::error!(meeting = %id, error = %e, "a closed meeting could not be loaded"))?;
                let events = state.seq;
                let handle = self.spawn(state, done);
                tracing::info!(meeting = %id, events, ms = started.elapsed().as_millis() as u64, "closed meeting loaded");
                Ok::<_, StoreError>(handle)
            })
            .await?
            .clone();
        Ok(Some(handle))
    }

    /// The meeting if it is in memory now; never loads it.
    pub fn loaded(&self, id: MeetingId) -> Option<Arc<MeetingHandle>> {
        self.lock().get(&id).and_then(|s| s.loaded.get().cloned())
    }

    /// How many meetings the hub has, and how many of them are in memory now.
    pub fn count(&self) -> (usize, usize) {
        let slots = self.lock();
        let loaded = slots.values().filter(|s| s.loaded.initialized()).count();
        (slots.len(), loaded)
    }

    /// Every meeting's summary (header, status, last seq, calendar), read from the store:
    /// no meeting is loaded for it.
    pub fn summaries(&self) -> Result<Vec<(MeetingId, Summary)>, StoreError> {
        self.store.summaries()
    }

    /// One meeting's summary, without loading it.
    pub fn summary(&self, id: MeetingId) -> Result<Option<Summary>, StoreError> {
        self.store.summary(id)
    }

    /// Creates meeting `id`: `request` starts with `create_meeting` and may carry the agenda
    /// and participants too, all or nothing.
    pub async fn create(&self, id: MeetingId, request: Request) -> Answer {
        let handle = {
            let mut slots = self.lock();
            if slots.contains_key(&id) {
                return Err(Refused::new(ErrorCode::Invalid, "that meeting id is taken"));
            }
            let handle = self.spawn(MeetingState::new(id), idempotency::Cache::default());
            slots.insert(id, on_demand::Slot::with(handle.clone()));
            handle
        };
        match handle.run(request).await {
            Ok(accepted) => Ok(accepted),
            Err(refused) => {
                self.lock().remove(&id);
                Err(refused)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use protocol::{Command, Role};

    fn settings() -> LiveSettings {
        LiveSettings {
            client_queue: 64,
            group_commit_window: Duration::from_millis(2),
            job_queue: 1024,
            clock: super::Clock::system(),
            quotas: Default::default(),
            closed_idle: Duration::from_secs(600),
            archive: None,
        }
    }

    async fn meeting(meetings: &Meetings) -> Arc<MeetingHandle> {
        let id = MeetingId::new_random();
        let create = Command::CreateMeeting {
            title: "Hội nghị".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        };
        meetings
            .create(id, Request::one(Actor::Office, None, create))
            .await
            .unwrap();
        meetings.get(id).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn commands_that_arrive_together_share_one_flush() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let meetings = Meetings::load(store.clone(), settings()).unwrap();
        let handle = meeting(&meetings).await;
        let before = store.flush_count();
        let pending: Vec<_> = (0..200)
            .map(|n| {
                let add = Command::AddAgendaItem {
                    title: format!("Mục {n}"),
                    description: String::new(),
                };
                handle
                    .submit(Request::one(Actor::Office, None, add))
                    .unwrap()
            })
            .collect();
        let mut seqs = Vec::new();
        for rx in pending {
            seqs.push(rx.await.unwrap().unwrap().seq);
        }
        let flushes = store.flush_count() - before;
        assert!(flushes <= 2, "200 queued commands took {flushes} flushes");
        assert_eq!(
            seqs,
            (2..202).collect::<Vec<u64>>(),
            "each acked with its own seq, in order"
        );
        assert_eq!(
            store.last_seq(handle.id).unwrap(),
            201,
            "all of them are in the log"
        );
    }

    #[tokio::test]
    async fn a_resent_command_id_gets_the_first_outcome_even_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let key = (Principal::Office, CommandId::try_from("c-1").unwrap());
        let add = Command::AddAgendaItem {
            title: "Khai mạc".into(),
            description: String::new(),
        };
        let id = {
            let store = Store::open(dir.path()).unwrap();
            let meetings = Meetings::load(store, settings()).unwrap();
            let handle = meeting(&meetings).await;
            let first = handle
                .run(Request::one(Actor::Office, Some(key.clone()), add.clone()))
                .await
                .unwrap();
            let again = handle
                .run(Request::one(Actor::Office, Some(key.clone()), add.clone()))
                .await
                .unwrap();
            assert_eq!(first, again);
            assert_eq!(handle.read(|s| s.agenda.len()), 1);
            meetings.close().await;
            handle.id
        };
        let store = Store::open(dir.path()).unwrap();
        let meetings = Meetings::load(store, settings()).unwrap();
        let handle = meetings.get(id).await.unwrap().unwrap();
        assert_eq!(
            handle
                .run(Request::one(Actor::Office, Some(key), add))
                .await
                .unwrap()
                .seq,
            2
        );
        assert_eq!(handle.read(|s| s.agenda.len()), 1, "not added twice");
    }

    #[tokio::test]
    async fn note_quotas_count_the_notes_kept_before_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let member = uuid::Uuid::new_v4();
        let actor = Actor::Participant {
            id: ParticipantId(member),
            role: Role::Delegate,
        };
        let note = |n: usize| Command::SaveNote {
            note: None,
            document: "Dự thảo".into(),
            page: None,
            text: "ghi chú ".repeat(n),
        };
        let (id, before) = {
            let store = Store::open(dir.path()).unwrap();
            let meetings = Meetings::load(store, settings()).unwrap();
            let handle = meeting(&meetings).await;
            let add = Command::AddParticipant {
                name: "Lê Thị Hoa".into(),
                position: String::new(),
                unit: String::new(),
                role: Role::Delegate,
                seat: None,
                person: None,
            };
            let mut request = Request::one(Actor::Office, None, add);
            request.steps[0].1 = member;
            handle.run(request).await.unwrap();
            for n in [10, 200] {
                handle
                    .run(Request::one(actor, None, note(n)))
                    .await
                    .unwrap();
            }
            let tally = handle.read(|s| s.notes.tally(ParticipantId(member)));
            meetings.close().await;
            (handle.id, tally)
        };
        assert_eq!(before.0.count, 2);
        let store = Store::open(dir.path()).unwrap();
        let quotas = crate::engine::Quotas {
            note_bytes_per_participant: before.0.bytes + 20,
            ..Default::default()
        };
        let settings = LiveSettings {
            quotas,
            ..settings()
        };
        let meetings = Meetings::load(store, settings).unwrap();
        let handle = meetings.get(id).await.unwrap().unwrap();
        assert_eq!(
            handle.read(|s| s.notes.tally(ParticipantId(member))),
            before
        );
        let refused = handle
            .run(Request::one(actor, None, note(5)))
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::Quota, "{refused}");
    }

    #[tokio::test]
    async fn a_refused_batch_step_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let meetings = Meetings::load(store.clone(), settings()).unwrap();
        let handle = meeting(&meetings).await;
        let person = |seat: &str| Command::AddParticipant {
            name: "Lê Thị Hoa".into(),
            position: String::new(),
            unit: String::new(),
            role: Role::Delegate,
            seat: Some(seat.into()),
            person: None,
        };
        let request = Request {
            actor: Actor::Office,
            origin: None,
            steps: vec![
                (person("A-01"), Uuid::new_v4()),
                (person("A-01"), Uuid::new_v4()),
            ],
            grants: Vec::new(),
            token: None,
            ballot: None,
        };
        let refused = handle.run(request).await.unwrap_err();
        assert_eq!(refused.code, ErrorCode::Invalid);
        assert!(handle.read(|s| s.participants.is_empty()));
        assert_eq!(store.last_seq(handle.id).unwrap(), 1);
    }
}
