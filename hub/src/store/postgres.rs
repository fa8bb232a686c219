//! The standby engine: everything the store keeps, in PostgreSQL, so that a second hub on
//! another machine can take the hall over (see `lease`).
//!
//! | table            | holds                                                          |
//! |------------------|----------------------------------------------------------------|
//! | `hub_rows`       | every table of `keys`, as (`tbl`, `k` bytea, `v` bytea) rows     |
//! | `hub_lease`      | one row: the fencing epoch and who holds the hall               |
//! | `hub_keys`       | the key that seals kept tokens (shared: both hubs print badges) |
//! | `hub_blobs`      | document bytes in parts of 1 MiB, by SHA-256                     |
//! | `hub_blob_files` | a blob's size and parts, written last: a blob listed is whole   |
//!
//! The client is the blocking `postgres` crate. Its calls must not run on an async worker
//! (it drives a runtime of its own), so each connection lives on a thread of its own and a
//! call is a job sent to that thread; the caller waits for the answer, as it waits for
//! redb's disk. One connection writes (one batch at a time, like redb's one writer), a few
//! read, one stores blobs and one holds the lease.
//!
//! A batch is one PostgreSQL transaction that first reads the lease row `FOR SHARE` and
//! gives up unless the epoch is still the one this hub took: a hub that was deposed can
//! never write (fencing). The ack waits for `COMMIT`; with a synchronous standby
//! (`synchronous_standby_names` set, `synchronous_commit = on`) that means the batch is on
//! both servers.

use super::rows::{Row, Rows, WriteRows};
use super::StoreError;
use postgres::types::ToSql;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// The tables, made by whichever hub connects first (under a lock, so two at once agree).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS hub_rows (
    tbl text NOT NULL, k bytea NOT NULL, v bytea NOT NULL, PRIMARY KEY (tbl, k));
CREATE TABLE IF NOT EXISTS hub_lease (
    id integer PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL,
    holder text NOT NULL DEFAULT '', since timestamptz);
INSERT INTO hub_lease (id, epoch) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS hub_keys (name text PRIMARY KEY, bytes bytea NOT NULL);
CREATE TABLE IF NOT EXISTS hub_blobs (
    sha256 text NOT NULL, part integer NOT NULL, bytes bytea NOT NULL,
    PRIMARY KEY (sha256, part));
CREATE TABLE IF NOT EXISTS hub_blob_files (
    sha256 text PRIMARY KEY, size bigint NOT NULL, parts integer NOT NULL);
";

/// Advisory lock keys: the schema's creation, and the hall itself (see `lease`).
const SCHEMA_LOCK: i64 = 0x6875_625f_7363_6865;
pub(super) const HALL_LOCK: i64 = 0x6875_625f_6861_6c6c;

/// Connections that read: enough that a hall's tablets reconnecting at once do not queue
/// behind one.
const READERS: usize = 4;

/// A job for a connection's thread.
type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// A connection and its prepared statements, on its own thread.
pub(super) struct Session {
    pub(super) client: postgres::Client,
    statements: HashMap<&'static str, postgres::Statement>,
}

impl Session {
    /// Runs `sql` (prepared once per connection) and returns its rows.
    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        let statement = match self.statements.get(sql) {
            Some(s) => s.clone(),
            None => {
                let s = self.client.prepare(sql)?;
                self.statements.insert(sql, s.clone());
                s
            }
        };
        self.client.query(&statement, params)
    }
}

/// One PostgreSQL connection on a thread of its own; dropping it closes the connection.
pub(super) struct Connection {
    jobs: mpsc::Sender<Job>,
}

impl Connection {
    /// Connects to `url` (a `postgres://` URL or `key=value` string).
    pub(super) fn open(url: &str, name: &str) -> Result<Connection, StoreError> {
        let mut config: postgres::Config = url.parse()?;
        config
            .connect_timeout(Duration::from_secs(5))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .application_name(&format!("hub {name}"));
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name(format!("pg-{name}"))
            .spawn(move || {
                let client = match config.connect(postgres::NoTls) {
                    Ok(client) => {
                        let _ = ready.send(Ok(()));
                        client
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let mut session = Session {
                    client,
                    statements: HashMap::new(),
                };
                while let Ok(job) = inbox.recv() {
                    job(&mut session);
                }
            })?;
        connected.recv().map_err(|_| StoreError::Disconnected)??;
        Ok(Connection { jobs })
    }

    /// Runs `f` on the connection's thread and waits for its answer.
    pub(super) fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Session) -> Result<R, StoreError> + Send + 'static,
    {
        let (answer, answered) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |session| {
            let _ = answer.send(f(session));
        });
        self.jobs.send(job).map_err(|_| StoreError::Disconnected)?;
        answered.recv().map_err(|_| StoreError::Disconnected)?
    }

    /// Runs SQL without parameters or rows (several statements may be given).
    pub(super) fn execute(&self, sql: &'static str) -> Result<(), StoreError> {
        self.call(move |s| Ok(s.client.batch_execute(sql)?))
    }
}

/// Makes the tables if they are missing.
pub(super) fn ensure_schema(conn: &Connection) -> Result<(), StoreError> {
    conn.call(|s| {
        let mut txn = s.client.transaction()?;
        txn.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        txn.batch_execute(SCHEMA)?;
        txn.commit()?;
        Ok(())
    })
}

/// What a store opened under a lease checks before it writes.
#[derive(Clone, Debug)]
pub(super) struct Fence {
    /// The epoch this hub took; a write under any other is refused.
    pub(super) epoch: i64,
    /// Set when the lease's connection is found gone: writes stop at once, before the
    /// epoch check would stop them.
    pub(super) lost: Arc<AtomicBool>,
}

/// The store's PostgreSQL connections. Cheap to clone.
#[derive(Clone)]
pub(super) struct Pg {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    blobs: Mutex<Connection>,
    fence: Fence,
}

/// Locks a connection; a panic on another thread while holding it leaves it usable.
fn lock(m: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Pg {
    /// Connects the store's connections to `url`, under the lease's fence.
    pub(super) fn connect(url: &str, fence: Fence) -> Result<Pg, StoreError> {
        let writer = Connection::open(url, "writer")?;
        ensure_schema(&writer)?;
        let readers = (0..READERS)
            .map(|n| Connection::open(url, &format!("reader-{n}")).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Pg {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next: AtomicUsize::new(0),
                blobs: Mutex::new(Connection::open(url, "blobs")?),
                fence,
            }),
        })
    }

    /// Runs `f` on a reader connection, each statement on its own (read committed).
    pub(super) fn read<R>(
        &self,
        f: impl FnOnce(&mut dyn Rows) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let n = self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.readers.len();
        let conn = lock(&self.inner.readers[n]);
        f(&mut PgRows(&conn))
    }

    /// Runs `f` in one transaction on the writer, after checking the fence; commits if
    /// it succeeds, rolls back if it fails.
    pub(super) fn write<R>(
        &self,
        f: impl FnOnce(&mut dyn WriteRows) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let fence = &self.inner.fence;
        if fence.lost.load(Ordering::SeqCst) {
            return Err(StoreError::LeaseLost);
        }
        let conn = lock(&self.inner.writer);
        conn.execute("BEGIN")?;
        let held = fence.epoch;
        let checked = conn.call(move |s| {
            let rows = s.query("SELECT epoch FROM hub_lease WHERE id = 1 FOR SHARE", &[])?;
            let current: i64 = rows.first().map_or(-1, |r| r.get(0));
            if current == held {
                Ok(())
            } else {
                Err(StoreError::Fenced { held, current })
            }
        });
        let done = checked.and_then(|()| f(&mut PgRows(&conn)));
        match done {
            Ok(value) => {
                conn.execute("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                // A failed rollback leaves the transaction to die with the connection.
                let _ = conn.execute("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The connection that stores and fetches document bytes.
    pub(super) fn blobs(&self) -> std::sync::MutexGuard<'_, Connection> {
        lock(&self.inner.blobs)
    }

    /// The key that seals kept tokens: made by the first hub, then the same for every hub
    /// on this database (so the standby can print the badges the primary issued).
    pub(super) fn token_key(&self, fresh: [u8; 32]) -> Result<Vec<u8>, StoreError> {
        self.blobs().call(move |s| {
            s.query(
                "INSERT INTO hub_keys (name, bytes) VALUES ('token', $1) ON CONFLICT DO NOTHING",
                &[&&fresh[..]],
            )?;
            let rows = s.query("SELECT bytes FROM hub_keys WHERE name = 'token'", &[])?;
            Ok(rows
                .first()
                .map(|r| r.get::<_, Vec<u8>>(0))
                .unwrap_or_default())
        })
    }

    /// Every row of every table: (table, key, value).
    pub(super) fn dump(&self) -> Result<Vec<super::RawRecord>, StoreError> {
        let conn = lock(&self.inner.readers[0]);
        conn.call(|s| {
            let rows = s.query("SELECT tbl, k, v FROM hub_rows ORDER BY tbl, k", &[])?;
            Ok(rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })
    }
}

/// Rows through one connection (in a transaction when the writer's).
struct PgRows<'c>(&'c Connection);

fn rows_of(rows: Vec<postgres::Row>) -> Vec<Row> {
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

impl Rows for PgRows<'_> {
    fn get(&mut self, table: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_vec();
        self.0.call(move |s| {
            let rows = s.query(
                "SELECT v FROM hub_rows WHERE tbl = $1 AND k = $2",
                &[&table, &key],
            )?;
            Ok(rows.first().map(|r| r.get(0)))
        })
    }

    fn range(
        &mut self,
        table: &'static str,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<Vec<Row>, StoreError> {
        let (from, to) = (from.to_vec(), to.map(<[u8]>::to_vec));
        self.0.call(move |s| {
            let rows = match &to {
                Some(to) => s.query(
                    "SELECT k, v FROM hub_rows WHERE tbl = $1 AND k >= $2 AND k < $3 ORDER BY k",
                    &[&table, &from, to],
                )?,
                None => s.query(
                    "SELECT k, v FROM hub_rows WHERE tbl = $1 AND k >= $2 ORDER BY k",
                    &[&table, &from],
                )?,
            };
            Ok(rows_of(rows))
        })
    }

    fn last(&mut self, table: &'static str, prefix: &[u8]) -> Result<Option<Row>, StoreError> {
        let from = prefix.to_vec();
        let to = super::keys::after_prefix(prefix);
        self.0.call(move |s| {
            let rows = match &to {
                Some(to) => s.query(
                    "SELECT k, v FROM hub_rows WHERE tbl = $1 AND k >= $2 AND k < $3 \
                     ORDER BY k DESC LIMIT 1",
                    &[&table, &from, to],
                )?,
                None => s.query(
                    "SELECT k, v FROM hub_rows WHERE tbl = $1 AND k >= $2 ORDER BY k DESC LIMIT 1",
                    &[&table, &from],
                )?,
            };
            Ok(rows_of(rows).pop())
        })
    }
}

impl WriteRows for PgRows<'_> {
    fn insert(
        &mut self,
        table: &'static str,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let (key, value) = (key.to_vec(), value.to_vec());
        self.0.call(move |s| {
            // The CTE reads the row as it was before the upsert.
            let rows = s.query(
                "WITH old AS (SELECT v FROM hub_rows WHERE tbl = $1 AND k = $2) \
                 INSERT INTO hub_rows (tbl, k, v) VALUES ($1, $2, $3) \
                 ON CONFLICT (tbl, k) DO UPDATE SET v = EXCLUDED.v \
                 RETURNING (SELECT v FROM old)",
                &[&table, &key, &value],
            )?;
            Ok(rows.first().and_then(|r| r.get(0)))
        })
    }

    fn remove(&mut self, table: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_vec();
        self.0.call(move |s| {
            let rows = s.query(
                "DELETE FROM hub_rows WHERE tbl = $1 AND k = $2 RETURNING v",
                &[&table, &key],
            )?;
            Ok(rows.first().map(|r| r.get(0)))
        })
    }
}
