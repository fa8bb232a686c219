//! Closed meetings are not loaded at start: each is replayed from its log (chain checked)
//! the first time someone asks for it, once however many ask at the same moment, and let
//! go of again once nobody has used it for [`LiveSettings::closed_idle`].
//!
//! A meeting is "in use" while anyone holds its [`MeetingHandle`] (a connection holds one
//! for its whole life, a request while it runs): only the map's own copy left, and no
//! `get` for the idle time, and the sweep drops it. Dropping the last handle closes the
//! task's queue, so the task finishes what it has and stops.

use super::{idempotency, note_sizes, LiveSettings, MeetingHandle};
use crate::engine::MeetingState;
use crate::store::{Store, StoreError, Summary};
use protocol::{MeetingId, MeetingStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, OnceCell};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// One meeting of the hub, loaded or not.
#[derive(Debug)]
pub(super) struct Slot {
    /// Set once the meeting is loaded; a fresh, empty cell after the sweep drops it.
    pub(super) loaded: Arc<OnceCell<Arc<MeetingHandle>>>,
    /// When a `get` last asked for it.
    pub(super) last_used: Instant,
}

impl Slot {
    pub(super) fn empty() -> Slot {
        Slot {
            loaded: Arc::default(),
            last_used: Instant::now(),
        }
    }

    pub(super) fn with(handle: Arc<MeetingHandle>) -> Slot {
        Slot {
            loaded: Arc::new(OnceCell::new_with(Some(handle))),
            last_used: Instant::now(),
        }
    }
}

/// Every meeting of the hub by id.
pub(super) type Slots = Arc<Mutex<HashMap<MeetingId, Slot>>>;

/// A meeting's state and its re-send answers, replayed from the store: its whole log with
/// every link of the chain checked, its sealed ballots and its notes' sizes. Blocking.
pub(super) fn restore(
    store: &Store,
    id: MeetingId,
) -> Result<(MeetingState, idempotency::Cache), StoreError> {
    let records = store.replay(id)?;
    let mut state = MeetingState::replay(id, records.iter().map(|r| &r.event));
    // Secret ballots and private notes are not in the log: they come back from the
    // ballot box and the notes' own table.
    let refused = state.polls.restore_sealed(store.ballots(id)?);
    if refused > 0 {
        return Err(StoreError::Corrupt {
            meeting: id,
            seq: 0,
            reason: format!("the ballot box holds {refused} ballots that fit no poll"),
        });
    }
    state.notes.restore(note_sizes(store, id)?);
    let done = idempotency::Cache::from_log(&records);
    Ok((state, done))
}

/// [`restore`] on a blocking thread, so a long log does not hold up the async workers.
pub(super) async fn restore_blocking(
    store: &Store,
    id: MeetingId,
) -> Result<(MeetingState, idempotency::Cache), StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || restore(&store, id))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
}

/// Meetings whose summary is missing or behind their log (a data directory from before
/// summaries): replayed once, their summaries written, so later starts read summaries only.
/// An open meeting among them is replayed again as it starts: this happens once.
pub(super) fn migrate(store: &Store) -> Result<(), StoreError> {
    let stale = store.stale_summaries()?;
    if stale.is_empty() {
        return Ok(());
    }
    tracing::info!(
        meetings = stale.len(),
        "writing the summaries of meetings from before summaries (once)"
    );
    let mut summaries = Vec::new();
    for id in stale {
        let records = store.replay(id)?;
        let state = MeetingState::replay(id, records.iter().map(|r| &r.event));
        summaries.extend(Summary::of(&state).map(|summary| (id, summary)));
    }
    store.put_summaries(&summaries)
}

pub(super) fn is_closed(state: &MeetingState) -> bool {
    state.meeting.as_ref().map(|m| m.status) == Some(MeetingStatus::Closed)
}

/// How often the sweep looks for idle closed meetings: often enough that one is let go of
/// soon after its idle time, never more than once a minute or more than ten times a second.
fn sweep_every(idle: Duration) -> Duration {
    (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(60))
}

/// Drops the closed meetings nobody has used for `settings.closed_idle`, and forgets the
/// tasks that have finished, until the hub stops.
pub(super) fn sweep(
    slots: Slots,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    settings: &LiveSettings,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let idle = settings.closed_idle;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(sweep_every(idle));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !*stop.borrow() {
            tokio::select! {
                _ = every.tick() => {}
                _ = stop.changed() => break,
            }
            let dropped = drop_idle(&slots, idle);
            if !dropped.is_empty() {
                tracing::info!(
                    meetings = dropped.len(),
                    "closed meetings let go of after idling"
                );
            }
            tasks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|t| !t.is_finished());
        }
    })
}

/// Empties the slot of each closed meeting that only the map holds and no `get` asked for
/// in `idle`. Under the map's lock, so no `get` can take a handle meanwhile.
fn drop_idle(slots: &Slots, idle: Duration) -> Vec<Arc<MeetingHandle>> {
    let mut dropped = Vec::new();
    let mut slots = slots.lock().unwrap_or_else(|p| p.into_inner());
    for slot in slots.values_mut() {
        let Some(handle) = slot.loaded.get() else {
            continue;
        };
        // Only the map holds the handle, and no `get` holds the slot's cell (one that is
        // loading, or about to take the handle).
        let unused = Arc::strong_count(handle) == 1
            && Arc::strong_count(&slot.loaded) == 1
            && slot.last_used.elapsed() >= idle;
        if unused && handle.read(is_closed) {
            if let Some(handle) = std::mem::take(&mut slot.loaded).get() {
                dropped.push(handle.clone());
            }
        }
    }
    // The handles are dropped after the lock is let go: each closes its task's queue.
    drop(slots);
    dropped
}

#[cfg(test)]
mod tests {
    use super::super::{Actor, Meetings, Request};
    use super::*;
    use protocol::Command;

    fn settings() -> LiveSettings {
        LiveSettings {
            client_queue: 64,
            group_commit_window: Duration::from_millis(2),
            job_queue: 1024,
            clock: super::super::Clock::system(),
            quotas: Default::default(),
            closed_idle: Duration::from_secs(600),
            archive: None,
        }
    }

    async fn meeting(meetings: &Meetings, close: bool) -> MeetingId {
        let id = MeetingId::new_random();
        let create = Command::CreateMeeting {
            title: "Hội nghị".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        };
        let office = |c| Request::one(Actor::Office, None, c);
        meetings.create(id, office(create)).await.unwrap();
        if close {
            let handle = meetings.get(id).await.unwrap().unwrap();
            handle.run(office(Command::CloseMeeting)).await.unwrap();
        }
        id
    }

    #[tokio::test]
    async fn a_data_directory_without_summaries_gets_them_once_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (closed, open) = {
            let meetings = Meetings::load(store.clone(), settings()).unwrap();
            let ids = (
                meeting(&meetings, true).await,
                meeting(&meetings, false).await,
            );
            meetings.close().await;
            ids
        };
        store.forget_summaries().unwrap();
        assert_eq!(store.stale_summaries().unwrap().len(), 2);

        let meetings = Meetings::load(store.clone(), settings()).unwrap();
        assert!(store.stale_summaries().unwrap().is_empty(), "migrated");
        assert_eq!(meetings.count(), (2, 1), "the closed one is not loaded");
        assert!(meetings.loaded(closed).is_none());
        assert!(meetings.loaded(open).is_some());
        let summary = store.summary(closed).unwrap().unwrap();
        assert!(summary.is_closed());
        assert_eq!(summary.seq, 2);
        let handle = meetings.get(closed).await.unwrap().unwrap();
        assert_eq!(handle.read(|s| s.seq), 2, "its whole log");
        meetings.close().await;
    }

    #[tokio::test]
    async fn many_asking_at_once_load_a_closed_meeting_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = {
            let meetings = Meetings::load(store.clone(), settings()).unwrap();
            let id = meeting(&meetings, true).await;
            meetings.close().await;
            id
        };
        let meetings = Meetings::load(store, settings()).unwrap();
        assert_eq!(meetings.count(), (1, 0));
        let handles = futures_util::future::join_all((0..20).map(|_| meetings.get(id))).await;
        let first = handles[0].as_ref().unwrap().as_ref().unwrap().clone();
        for h in &handles {
            assert!(Arc::ptr_eq(h.as_ref().unwrap().as_ref().unwrap(), &first));
        }
        assert_eq!(meetings.count(), (1, 1));
        assert!(meetings
            .get(MeetingId::new_random())
            .await
            .unwrap()
            .is_none());
        meetings.close().await;
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_closed_meeting_is_dropped_but_never_one_in_use_or_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let settings = LiveSettings {
            closed_idle: Duration::from_secs(60),
            ..settings()
        };
        let meetings = Meetings::load(store, settings).unwrap();
        let closed = meeting(&meetings, true).await;
        let open = meeting(&meetings, false).await;
        let held = meetings.get(closed).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(meetings.count(), (2, 2), "held by a connection: kept");
        drop(held);
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert!(
            meetings.loaded(closed).is_none(),
            "idle and closed: dropped"
        );
        assert!(meetings.loaded(open).is_some(), "an open meeting stays");
        let back = meetings.get(closed).await.unwrap().unwrap();
        assert_eq!(back.read(|s| s.seq), 2, "its whole log again");
        meetings.close().await;
    }
}
