//! Storage: the only module that knows diesel.
//!
//! Rules: one connection type ([`AnyConnection`]) for SQLite and Postgres chosen by
//! the URL scheme; embedded migrations per backend for the system tables; the
//! schema-driven tables (the user profile and the data tables `tbl_<name>`) get their
//! columns and indexes from [`ddl`] and their rows through [`rows`], which runs SQL
//! built as [`crate::query::SqlFragment`]s. Every call leaves the async executor
//! through [`Store::run`].

pub mod bulk_ops;
mod connection;
mod credentials;
pub mod ddl;
mod error;
mod exec;
mod migrate;
pub mod oauth;
pub mod outbox;
pub mod record_tables;
pub mod records;
pub mod rows;
pub mod secrets;
mod sessions;
pub mod sms;
mod tables;
pub mod users;
pub mod verification;

pub use connection::AnyConnection;
pub use credentials::{delete_password_hash, get_password_hash, set_password_hash};
pub use error::StoreError;
pub use sessions::{
    delete_session, delete_sessions_of_user, find_session, insert_session, NewSession, SessionRow,
};

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
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let manager = Manager::from_url(url)?;
        let dialect = manager.dialect();
        // One direct connection first: its error says what is wrong, where the
        // pool would only report a time-out.
        let mut first = manager.open()?;
        migrate::run(&mut first)?;
        drop(first);
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .build(manager)
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Self { pool, dialect })
    }

    /// The SQL flavour of this database.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs blocking database work on the blocking thread pool with a pooled connection.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| StoreError::Pool(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Blocking(e.to_string()))?
    }

    /// Runs `work` inside one transaction. On SQLite the transaction is
    /// `IMMEDIATE`: it takes the write lock first (waiting up to the busy timeout),
    /// so a read-then-write transaction cannot fail when another writer commits
    /// in between.
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        use diesel::Connection;
        self.run(move |conn| match conn {
            AnyConnection::Sqlite(_) => sqlite_immediate(conn, work),
            AnyConnection::Postgresql(_) => conn.transaction(work),
        })
        .await
    }

    /// Synchronous access for start-up work (schema sync), outside any executor.
    pub fn run_blocking<T>(
        &self,
        work: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        work(&mut conn)
    }
}

/// Runs `work` inside a savepoint of the current transaction: when it fails,
/// only its own changes are rolled back and the transaction goes on.
pub fn savepoint<T>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SAVEPOINT protium_row")?;
    match work(conn) {
        Ok(value) => {
            conn.batch_execute("RELEASE SAVEPOINT protium_row")?;
            Ok(value)
        }
        Err(e) => {
            conn.batch_execute("ROLLBACK TO SAVEPOINT protium_row; RELEASE SAVEPOINT protium_row")?;
            Err(e)
        }
    }
}

/// `BEGIN IMMEDIATE` … `COMMIT`, rolled back when `work` fails.
fn sqlite_immediate<T>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("BEGIN IMMEDIATE")?;
    let result = work(conn).and_then(|value| {
        conn.batch_execute("COMMIT")?;
        Ok(value)
    });
    if result.is_err() {
        let _ = conn.batch_execute("ROLLBACK");
    }
    result
}
