//! The record's exports under way: at most two heavy builds at once across the hub, a
//! bounded queue behind them, and the progress of each meeting's dossier for its route.

use protocol::MeetingId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How far a dossier's build has got, in bytes of content; read by the progress route.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub total: AtomicU64,
}

/// Heavy exports built at once across the hub (each is CPU and disk).
const BUILDS_AT_ONCE: usize = 2;
/// Export requests that may wait for a build's turn; past them one is refused as busy at
/// once, so a flood of export requests holds no memory and no connection for long.
pub const MAX_WAITING: usize = 16;

/// The hub's record exports in progress: at most two heavy builds at once, a bounded
/// queue behind them, and the progress of each meeting's dossier.
#[derive(Debug)]
pub struct Exports {
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    building: Mutex<HashMap<MeetingId, Arc<Progress>>>,
}

impl Default for Exports {
    fn default() -> Self {
        Exports {
            permits: tokio::sync::Semaphore::new(BUILDS_AT_ONCE),
            waiting: Default::default(),
            building: Mutex::default(),
        }
    }
}

/// One waiter counted while it waits; dropped when it gets its turn or is cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Exports {
    /// A turn to build an export, waiting behind at most [`MAX_WAITING`] others; `None`
    /// when that many already wait (the caller answers `busy`).
    pub async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        if let Ok(permit) = self.permits.try_acquire() {
            return Some(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let _waiting = Waiting(&self.waiting);
        self.permits.acquire().await.ok()
    }

    /// Registers a build of `meeting`'s dossier; it is forgotten when the guard drops.
    pub fn start(&self, meeting: MeetingId) -> BuildGuard<'_> {
        let progress = Arc::new(Progress::default());
        self.lock().insert(meeting, progress.clone());
        BuildGuard {
            exports: self,
            meeting,
            progress,
        }
    }

    /// The progress of the dossier being built for `meeting`, if one is.
    pub fn progress(&self, meeting: MeetingId) -> Option<Arc<Progress>> {
        self.lock().get(&meeting).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<MeetingId, Arc<Progress>>> {
        self.building.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A build in progress; dropping it forgets it.
#[derive(Debug)]
pub struct BuildGuard<'a> {
    exports: &'a Exports,
    meeting: MeetingId,
    pub progress: Arc<Progress>,
}

impl Drop for BuildGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.exports.lock();
        if map
            .get(&self.meeting)
            .is_some_and(|p| Arc::ptr_eq(p, &self.progress))
        {
            map.remove(&self.meeting);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_build_at_once_a_bounded_queue_waits_and_the_rest_are_refused_at_once() {
        let exports = Arc::new(Exports::default());
        let first = exports.permit().await.expect("a free turn");
        let second = exports.permit().await.expect("a free turn");
        let (tx, mut turns) = tokio::sync::mpsc::unbounded_channel();
        let mut waiters = Vec::new();
        for n in 0..MAX_WAITING {
            let (exports, tx) = (exports.clone(), tx.clone());
            waiters.push(tokio::spawn(async move {
                let permit = exports.permit().await;
                tx.send((n, permit.is_some())).unwrap();
            }));
        }
        while exports.waiting.load(Ordering::SeqCst) < MAX_WAITING {
            tokio::task::yield_now().await;
        }
        assert!(exports.permit().await.is_none(), "one too many is refused");
        assert_eq!(exports.waiting.load(Ordering::SeqCst), MAX_WAITING);
        drop((first, second));
        for waiter in waiters {
            waiter.await.unwrap();
        }
        let mut served = 0;
        while let Ok((_, got)) = turns.try_recv() {
            assert!(got, "every waiter got its turn");
            served += 1;
        }
        assert_eq!(served, MAX_WAITING);
        assert_eq!(exports.waiting.load(Ordering::SeqCst), 0);
        // A waiter that gives up (its request is dropped) leaves the queue.
        let _a = exports.permit().await.unwrap();
        let _b = exports.permit().await.unwrap();
        let gave_up =
            tokio::time::timeout(std::time::Duration::from_millis(10), exports.permit()).await;
        assert!(gave_up.is_err());
        assert_eq!(exports.waiting.load(Ordering::SeqCst), 0);
    }
}
