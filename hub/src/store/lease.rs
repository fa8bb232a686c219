//! The lease on the hall: which of the hubs sharing one PostgreSQL serves it.
//!
//! The holder has a session advisory lock (`pg_try_advisory_lock`) on a connection of its
//! own. PostgreSQL lets go of it when that connection ends, however the hub died (kill -9,
//! power, network), and then the next hub to try gets it. Taking the lock also raises the
//! epoch in `hub_lease` by one, and every batch the holder writes first checks that the
//! epoch is still its own (see `postgres::Pg::write`): a hub that lost its lease but still
//! has a writing connection can write nothing more (a fencing token). The holder pings its
//! lease connection; when that fails it stops writing at once and its server stops.

use super::postgres::{ensure_schema, Connection, Fence, HALL_LOCK};
use super::StoreError;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// How often a standby tries for the lease, and the holder checks it still has it.
pub const LEASE_POLL: Duration = Duration::from_millis(500);

/// A hub waiting for the lease: a connection that asks for the lock.
pub struct Contender {
    conn: Connection,
    url: String,
}

impl fmt::Debug for Contender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contender").finish_non_exhaustive()
    }
}

impl Contender {
    /// Connects to the database at `url` (making the tables if this is the first hub).
    /// Blocks: call it on a blocking thread.
    pub fn connect(url: &str) -> Result<Contender, StoreError> {
        let conn = Connection::open(url, "lease")?;
        ensure_schema(&conn)?;
        Ok(Contender {
            conn,
            url: url.to_owned(),
        })
    }

    /// Tries once for the lease: the lease with its new epoch, or the contender back if
    /// another hub holds it. `holder` is recorded for operators (which machine serves).
    pub fn try_take(self, holder: &str) -> Result<Result<Lease, Contender>, StoreError> {
        let holder = holder.to_owned();
        let epoch = self.conn.call(move |s| {
            let locked: bool = s
                .query("SELECT pg_try_advisory_lock($1)", &[&HALL_LOCK])?
                .first()
                .is_some_and(|r| r.get(0));
            if !locked {
                return Ok(None);
            }
            let rows = s.query(
                "UPDATE hub_lease SET epoch = epoch + 1, holder = $1, since = now() \
                 WHERE id = 1 RETURNING epoch",
                &[&holder],
            )?;
            Ok(rows.first().map(|r| r.get::<_, i64>(0)))
        })?;
        Ok(match epoch {
            Some(epoch) => {
                tracing::info!(epoch, "took the lease on the hall");
                Ok(Lease {
                    inner: Arc::new(Held {
                        conn: self.conn,
                        url: self.url,
                        fence: Fence {
                            epoch,
                            lost: Arc::default(),
                        },
                    }),
                })
            }
            None => Err(self),
        })
    }
}

/// The lease, held: dropping the last clone closes its connection, which lets it go.
#[derive(Clone)]
pub struct Lease {
    inner: Arc<Held>,
}

struct Held {
    conn: Connection,
    url: String,
    fence: Fence,
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("epoch", &self.inner.fence.epoch)
            .field("lost", &self.is_lost())
            .finish_non_exhaustive()
    }
}

impl Lease {
    /// The fencing token: one more than the previous holder's.
    pub fn epoch(&self) -> i64 {
        self.inner.fence.epoch
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    pub(super) fn fence(&self) -> Fence {
        self.inner.fence.clone()
    }

    /// Whether the lease's connection was found gone.
    pub fn is_lost(&self) -> bool {
        self.inner.fence.lost.load(Ordering::SeqCst)
    }

    /// Checks once that the lease's connection still answers; when it does not, marks the
    /// lease lost (so every write refuses from now on) and says why. Blocks.
    pub fn check(&self) -> Result<(), StoreError> {
        let alive = self.inner.conn.call(|s| {
            s.query("SELECT 1", &[])?;
            Ok(())
        });
        if let Err(e) = &alive {
            self.inner.fence.lost.store(true, Ordering::SeqCst);
            tracing::error!(error = %e, "lost the lease on the hall: writes stop now");
        }
        alive
    }

    /// Resolves when the lease is lost, checking every [`LEASE_POLL`].
    pub async fn lost(&self) {
        loop {
            tokio::time::sleep(LEASE_POLL).await;
            let lease = self.clone();
            let checked = tokio::task::spawn_blocking(move || lease.check()).await;
            if !matches!(checked, Ok(Ok(()))) {
                self.inner.fence.lost.store(true, Ordering::SeqCst);
                return;
            }
        }
    }

    /// Lets go of the lease at once (a test's way to simulate losing it without dying).
    pub fn mark_lost(&self) {
        self.inner.fence.lost.store(true, Ordering::SeqCst);
    }
}
