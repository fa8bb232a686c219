//! What time it is, for the meeting tasks. The engine only knows the `now` it is given; the
//! live layer takes it from here, and sleeps until a deadline with tokio's timer.
//!
//! In a hall that is the system clock. Tests move time instead of waiting for it: a clock
//! that follows tokio's moves with `tokio::time::pause`/`advance` (the engine's `now` and
//! the timers together), and [`Clock::advance`] jumps any clock ahead, waking every task
//! that waits for a deadline so it looks again. A countdown or an opinion request's
//! deadline is then tested in milliseconds, on a real hub over real sockets.

use protocol::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;
use tokio::time::Instant;

/// The hub's source of time. Cheap to clone: clones share one time.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// `Some((base, start))`: `base` at `start`, then moving with tokio's clock.
    tokio: Option<(Timestamp, Instant)>,
    /// How far [`Clock::advance`] has moved this clock ahead, in milliseconds.
    ahead_ms: AtomicI64,
    /// Told whenever the clock jumps.
    moved: watch::Sender<()>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Clock {
        Clock::with(None)
    }

    /// A clock that follows tokio's, starting from the wall clock's time now.
    pub fn following_tokio() -> Clock {
        Clock::with(Some((system_now(), Instant::now())))
    }

    fn with(tokio: Option<(Timestamp, Instant)>) -> Clock {
        Clock(Arc::new(Inner {
            tokio,
            ahead_ms: AtomicI64::new(0),
            moved: watch::channel(()).0,
        }))
    }

    pub fn now(&self) -> Timestamp {
        let base = match self.0.tokio {
            None => system_now(),
            Some((base, start)) => Timestamp(base.0 + start.elapsed().as_millis() as i64),
        };
        Timestamp(base.0 + self.0.ahead_ms.load(Ordering::Acquire))
    }

    /// The tokio instant at which this clock will read `at` (now, if that is past).
    pub fn instant_at(&self, at: Timestamp) -> Instant {
        let wait = u64::try_from(at.0 - self.now().0).unwrap_or(0);
        Instant::now() + Duration::from_millis(wait)
    }

    /// Jumps the clock ahead by `by`: a test's way to reach a deadline without waiting.
    pub fn advance(&self, by: Duration) {
        self.0
            .ahead_ms
            .fetch_add(by.as_millis() as i64, Ordering::AcqRel);
        self.0.moved.send_replace(());
    }

    /// Changes whenever the clock jumps: a task sleeping until a deadline must look again.
    pub fn jumps(&self) -> watch::Receiver<()> {
        self.0.moved.subscribe()
    }
}

fn system_now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_tokio_clock_moves_only_with_tokio_time() {
        let clock = Clock::following_tokio();
        let t0 = clock.now();
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.now().0 - t0.0, 90_000);
        let at = Timestamp(clock.now().0 + 5_000);
        assert_eq!(
            clock.instant_at(at) - Instant::now(),
            Duration::from_secs(5)
        );
    }

    #[tokio::test]
    async fn a_jump_moves_now_and_tells_whoever_waits() {
        let clock = Clock::system();
        let mut jumps = clock.jumps();
        let before = clock.now();
        clock.advance(Duration::from_secs(3_600));
        jumps.changed().await.unwrap();
        assert!(clock.now().0 - before.0 >= 3_600_000);
    }
}
