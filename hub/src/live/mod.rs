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
#[cfg(test)]
mod poll_tests;

pub use clock::Clock;
pub use fanout::{note_frame, Kick, Outgoing};

use crate::engine::{Actor, MeetingState};
use crate::store::{Principal, Store, StoreError};
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

/// All meetings of the hub.
#[derive(Debug)]
pub struct Meetings {
    store: Store,
    settings: LiveSettings,
    map: RwLock<HashMap<MeetingId, Arc<MeetingHandle>>>,
    /// Every meeting task, to wait for at [`Meetings::close`].
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Turns true when the hub closes: each task finishes its batch and stops.
    stop: watch::Sender<bool>,
}

impl Meetings {
    /// Replays every meeting's log from the store and starts its task.
    pub fn load(store: Store, settings: LiveSettings) -> Result<Meetings, StoreError> {
        let meetings = Meetings {
            store: store.clone(),
            settings,
            map: RwLock::default(),
            tasks: Mutex::default(),
            stop: watch::channel(false).0,
        };
        for id in store.meetings()? {
            let records = store.replay(id)?;
            let mut state = MeetingState::replay(id, records.iter().map(|r| &r.event));
            // Secret ballots and private notes are not in the log: they come back from
            // the ballot box and the notes' own tree.
            let refused = state.polls.restore_sealed(store.ballots(id)?);
            if refused > 0 {
                return Err(StoreError::Corrupt {
                    meeting: id,
                    seq: 0,
                    reason: format!("the ballot box holds {refused} ballots that fit no poll"),
                });
            }
            state.notes.restore(note_sizes(&store, id)?);
            let done = idempotency::Cache::from_log(&records);
            meetings.start(state, done);
        }
        Ok(meetings)
    }

    fn start(&self, mut state: MeetingState, done: idempotency::Cache) -> Arc<MeetingHandle> {
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
        let running = tokio::spawn(task.run(rx, self.stop.subscribe()));
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(running);
        self.map
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(handle.id, handle.clone());
        handle
    }

    /// Stops every meeting's task once its batch is written, and waits for them all: after
    /// this nothing more is written, and once the `Meetings` and the server that holds it
    /// are dropped, so is the store. Requests still queued are answered `shutting_down`.
    pub async fn close(&self) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for task in tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a meeting's task failed");
            }
        }
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
    pub async fn create(&self, id: MeetingId, request: Request) -> Answer {
        if self.get(id).is_some() {
            return Err(Refused::new(ErrorCode::Invalid, "that meeting id is taken"));
        }
        let handle = self.start(MeetingState::new(id), idempotency::Cache::default());
        match handle.run(request).await {
            Ok(accepted) => Ok(accepted),
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
        meetings.get(id).unwrap()
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
        let handle = meetings.get(id).unwrap();
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
        let handle = meetings.get(id).unwrap();
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
