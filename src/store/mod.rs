//! Storage: the only module that knows diesel.
//!
//! Rules: one connection type ([`AnyConnection`]) for SQLite and Postgres chosen by
//! the URL scheme; embedded migrations per backend for the system tables; the
//! schema-driven tables (the user profile and the data tables `tbl_<name>`) get their
//! columns and indexes from [`ddl`] through [`schema_sync`], and their rows through
//! [`objects`] (reads) and [`object_writes`] (writes), which run SQL built as
//! [`crate::query::SqlFragment`]s. Every call leaves the async executor through
//! [`Store::run`]; transactions carry the caller's own error type, so a rule
//! refused inside one comes back typed.

pub mod admins;
pub mod aggregates;
pub mod audit;
pub mod budget;
pub mod bulk_ops;
pub mod change_log;
mod connection;
pub mod counters;
mod credentials;
pub mod data_steps;
pub mod ddl;
pub mod devices;
pub mod documents;
mod error;
mod exec;
pub mod file_attachments;
pub mod file_categories;
pub mod files;
pub mod fit;
pub mod janitor;
pub mod leases;
mod migrate;
pub mod oauth;
pub mod object_writes;
pub mod objects;
pub mod outbox;
mod profile_init;
pub mod prune;
pub mod rate_counters;
pub mod record_tables;
pub mod schema_history;
pub mod schema_sync;
pub mod secrets;
mod sent;
mod sessions;
pub mod sms;
mod sql_dialect;
mod sql_dialect_acl;
mod tables;
pub mod tombstones;
pub mod users;
pub mod verification;

pub use connection::AnyConnection;
pub use credentials::{delete_password_hash, get_password_hash, set_password_hash};
pub use error::{RejectReason, StoreError};
pub use profile_init::{InitError, ProfileInit};
pub use sent::Sent;
pub use sessions::{
    delete_session, delete_sessions_of_user, find_session, insert_session, NewSession, SessionRow,
};

use std::sync::Arc;
use std::time::Duration;

use diesel::r2d2::Pool;

use crate::domain::Dialect;
use connection::Manager;

/// How long to wait for a pooled connection (and for the first one at start).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection pool for one database.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
    dialect: Dialect,
    /// SQLite admits one writer at a time: write transactions of this process
    /// queue here, in order, instead of sleeping in SQLite's busy handler
    /// (which made the slowest writes wait far longer than the others).
    writers: Option<Arc<tokio::sync::Semaphore>>,
    /// How long one request's reads may run (see [`budget`]).
    budget: std::time::Duration,
}

/// How long the statements of a command may run: unbounded (0).
const COMMAND_BUDGET: std::time::Duration = std::time::Duration::ZERO;

/// A database opened for a check.
#[derive(Debug)]
pub enum Existing {
    /// The SQLite file does not exist yet (start-up creates it).
    Missing,
    /// Start-up would first apply this many system migrations.
    NeedsMigrations(usize),
    /// Up to date, ready to compare.
    Ready(Store),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dialect", &self.dialect)
            .finish()
    }
}

impl Store {
    /// Opens `url` (`sqlite://PATH`, `sqlite::memory:` is not supported, or
    /// `postgres://…`), checks that one connection works within a few seconds,
    /// runs the migrations and sets SQLite's WAL mode.
    /// Statements of requests get `budget` to run (PostgreSQL's
    /// `statement_timeout`; on SQLite the reads' [`budget`] check); past it they
    /// stop with [`StoreError::Timeout`].
    pub fn connect(
        url: &str,
        pool_size: u32,
        budget: std::time::Duration,
    ) -> Result<Self, StoreError> {
        Self::connect_with(url, pool_size, 1, budget)
    }

    /// [`Store::connect`] for a command that runs and exits: connections are
    /// opened only when asked for, never ahead in the pool's background
    /// thread — one still opening when the process exits crashes it inside
    /// the Postgres client library.
    pub fn connect_for_command(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, 2, 0, COMMAND_BUDGET)
    }

    fn connect_with(
        url: &str,
        pool_size: u32,
        min_idle: u32,
        budget: std::time::Duration,
    ) -> Result<Self, StoreError> {
        let manager = Manager::from_url(url)?.with_statement_budget(budget);
        let dialect = manager.dialect();
        // One direct connection first: its error says what is wrong, where the
        // pool would only report a time-out.
        let mut first = manager.open()?;
        migrate::run(&mut first)?;
        drop(first);
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(min_idle))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(manager)
            .map_err(|e| StoreError::Connect(e.into()))?;
        let writers =
            (dialect == Dialect::Sqlite).then(|| Arc::new(tokio::sync::Semaphore::new(1)));
        Ok(Self {
            pool,
            dialect,
            writers,
            budget,
        })
    }

    /// Opens `url` for a check, changing nothing: no file is created and no
    /// migration runs.
    pub fn open_existing(url: &str) -> Result<Existing, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if !std::path::Path::new(path).exists() {
                return Ok(Existing::Missing);
            }
        }
        let manager = Manager::from_url(url)?;
        let dialect = manager.dialect();
        let mut first = manager.open()?;
        let pending = migrate::pending(&mut first)?;
        drop(first);
        if pending > 0 {
            return Ok(Existing::NeedsMigrations(pending));
        }
        let pool = Pool::builder()
            .max_size(2)
            .min_idle(Some(0))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(manager)
            .map_err(|e| StoreError::Connect(e.into()))?;
        Ok(Existing::Ready(Self {
            pool,
            dialect,
            writers: None,
            budget: COMMAND_BUDGET,
        }))
    }

    /// The SQL flavour of this database.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs blocking database work on the blocking thread pool with a pooled
    /// connection; `work` may fail with any error a [`StoreError`] converts into.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let budget = self.budget;
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::Pool)?;
            let _budget = (!budget.is_zero()).then(|| budget::start(budget));
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Blocking(e.to_string()))?
    }

    /// Runs `work` inside one transaction, committed when it returns `Ok` and
    /// rolled back when it returns `Err` (any error type that a [`StoreError`]
    /// converts into, so a rule refused inside comes back as itself). On SQLite
    /// the transaction is `IMMEDIATE`: it takes the write lock first (waiting up
    /// to the busy timeout), so a read-then-write transaction cannot fail when
    /// another writer commits in between.
    pub async fn transaction<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let _writing = match &self.writers {
            Some(queue) => Some(
                queue
                    .acquire()
                    .await
                    .map_err(|e| StoreError::Blocking(e.to_string()))?,
            ),
            None => None,
        };
        let pool = self.pool.clone();
        let budget = self.budget;
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::Pool)?;
            let _budget = (!budget.is_zero()).then(|| budget::start(budget));
            let begin = match &*conn {
                AnyConnection::Sqlite(_) => "BEGIN IMMEDIATE",
                AnyConnection::Postgresql(_) => "BEGIN",
            };
            in_transaction(&mut conn, begin, "COMMIT", "ROLLBACK", work)
        })
        .await
        .map_err(|e| StoreError::Blocking(e.to_string()))?
    }

    /// Synchronous access for start-up work (schema sync), outside any executor.
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.pool.get().map_err(StoreError::Pool)?;
        work(&mut conn)
    }
}

/// Runs schema work (DDL, the schema history) in one transaction that holds the
/// write lock from its start (`BEGIN IMMEDIATE` on SQLite, so it waits for
/// writers instead of failing; the start-up advisory lock on Postgres, so nodes
/// apply one at a time). A `dry_run` is rolled back at the end.
pub fn schema_transaction<T>(
    conn: &mut AnyConnection,
    dry_run: bool,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::SimpleConnection;
    let (begin, lock) = match conn {
        AnyConnection::Sqlite(_) => ("BEGIN IMMEDIATE", None),
        AnyConnection::Postgresql(_) => ("BEGIN", Some(migrate::STARTUP_LOCK)),
    };
    let end = if dry_run { "ROLLBACK" } else { "COMMIT" };
    in_transaction(conn, begin, end, "ROLLBACK", |conn| {
        if let Some(key) = lock {
            conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({key})"))?;
        }
        work(conn)
    })
}

/// Runs `work` inside a savepoint of the current transaction: when it fails,
/// only its own changes are rolled back and the transaction goes on.
pub fn savepoint<T, E: From<StoreError>>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E> {
    in_transaction(
        conn,
        "SAVEPOINT protium_row",
        "RELEASE SAVEPOINT protium_row",
        "ROLLBACK TO SAVEPOINT protium_row; RELEASE SAVEPOINT protium_row",
        work,
    )
}

/// `begin`, then `work`, then `commit` when it succeeded or `rollback` when not.
fn in_transaction<T, E: From<StoreError>>(
    conn: &mut AnyConnection,
    begin: &str,
    commit: &str,
    rollback: &str,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(begin).map_err(StoreError::from)?;
    match work(conn) {
        Ok(value) => match conn.batch_execute(commit) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.batch_execute(rollback);
                Err(StoreError::from(e).into())
            }
        },
        Err(e) => {
            if let Err(undo) = conn.batch_execute(rollback) {
                tracing::error!(error = %undo, "rollback failed");
            }
            Err(e)
        }
    }
}
