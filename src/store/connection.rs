//! The connection enum and an r2d2 manager that picks the backend by URL scheme.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{Error as R2d2Error, ManageConnection, R2D2Connection};
use diesel::sql_types::{Double, Nullable, Text};
use diesel::{PgConnection, SqliteConnection};

use super::error::StoreError;
use crate::domain::Dialect;

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL.
    Postgresql(PgConnection),
    /// SQLite (last: it would accept any string as a path).
    Sqlite(SqliteConnection),
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// SQLite has no regular expressions built in; this one uses the `regex`
    /// crate, under the query layer's bounds.
    fn regexp(pattern: Text, value: Nullable<Text>) -> Bool;

    /// Great-circle distance in metres ([`crate::domain::geo::distance_m`]).
    fn protium_distance(
        lng1: Nullable<Double>,
        lat1: Nullable<Double>,
        lng2: Nullable<Double>,
        lat2: Nullable<Double>,
    ) -> Nullable<Double>;

    /// Whether a GeoJSON polygon (text) holds a point.
    fn protium_in_polygon(
        lng: Nullable<Double>,
        lat: Nullable<Double>,
        polygon: Nullable<Text>,
    ) -> Bool;

    /// True while the work on this thread is within its time budget; an
    /// error (stopping the statement) after ([`super::budget`]).
    fn protium_budget() -> Bool;
}

/// Runs `$body` with `$c` bound to the backend's own connection. For
/// statements diesel's builder renders per backend but not for the
/// [`AnyConnection`] as a whole: `ON CONFLICT` (its multi-backend refuses the
/// clause although both backends speak it).
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::AnyConnection::Sqlite($c) => $body,
            $crate::store::AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(super) use per_backend;

impl AnyConnection {
    /// The SQL flavour of this connection.
    pub fn dialect(&self) -> Dialect {
        match self {
            AnyConnection::Sqlite(_) => Dialect::Sqlite,
            AnyConnection::Postgresql(_) => Dialect::Postgres,
        }
    }
}

/// Where to connect.
#[derive(Debug, Clone)]
enum Target {
    Sqlite(String),
    Postgres(String),
}

/// Opens connections for the pool.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
    /// PostgreSQL's `statement_timeout` (zero: none).
    statement_budget: std::time::Duration,
}

impl Manager {
    /// Parses `sqlite://PATH` or `postgres://…`/`postgresql://…`.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        let target = if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::BadUrl(
                    "sqlite:// needs a file path, e.g. sqlite://data/protium.db".into(),
                ));
            }
            if let Some(dir) = std::path::Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::BadUrl(format!("cannot create directory {}: {e}", dir.display()))
                })?;
            }
            Target::Sqlite(path.to_owned())
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let sep = if url.contains('?') { '&' } else { '?' };
            let url = if url.contains("connect_timeout=") {
                url.to_owned()
            } else {
                format!("{url}{sep}connect_timeout=5")
            };
            Target::Postgres(url)
        } else {
            return Err(StoreError::BadUrl(format!(
                "'{}' is neither sqlite://PATH nor postgres://…",
                crate::domain::redact_url(url)
            )));
        };
        Ok(Self {
            target,
            statement_budget: std::time::Duration::ZERO,
        })
    }

    /// Sets how long a statement may run on PostgreSQL (zero: no limit).
    pub fn with_statement_budget(mut self, budget: std::time::Duration) -> Self {
        self.statement_budget = budget;
        self
    }

    /// The backend's SQL flavour.
    pub fn dialect(&self) -> Dialect {
        match self.target {
            Target::Sqlite(_) => Dialect::Sqlite,
            Target::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Opens and prepares one connection.
    pub fn open(&self) -> Result<AnyConnection, StoreError> {
        match &self.target {
            Target::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(url).map_err(|e| StoreError::Connect(e.into()))?;
                // A runaway query cannot hold a pooled connection for long
                // (zero: no limit, for commands).
                conn.batch_execute(&format!(
                    "SET statement_timeout = '{}ms'",
                    self.statement_budget.as_millis()
                ))?;
                Ok(AnyConnection::Postgresql(conn))
            }
            Target::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(|e| StoreError::Connect(e.into()))?;
                prepare_sqlite(&mut conn)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// Per-connection SQLite settings: wait for locks instead of failing, enforce
/// foreign keys, and provide `regexp` and the geometry functions.
fn prepare_sqlite(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    )?;
    regexp_utils::register_impl(conn, |pattern: String, value: Option<String>| {
        value.is_some_and(|v| regex_cache::matches(&pattern, &v))
    })?;
    protium_distance_utils::register_impl(
        conn,
        |lng1: Option<f64>, lat1: Option<f64>, lng2: Option<f64>, lat2: Option<f64>| {
            Some(crate::domain::geo::distance_m(lng1?, lat1?, lng2?, lat2?))
        },
    )?;
    protium_in_polygon_utils::register_impl(
        conn,
        |lng: Option<f64>, lat: Option<f64>, polygon: Option<String>| match (lng, lat, polygon) {
            (Some(lng), Some(lat), Some(p)) => polygon_cache::contains(&p, lng, lat),
            _ => false,
        },
    )?;
    protium_budget_utils::register_nondeterministic_impl(conn, || super::budget::WithinBudget)?;
    Ok(())
}

mod polygon_cache {
    //! The last polygon parsed, per thread: a `$within` query binds one polygon
    //! that SQLite passes again for every row.
    use std::cell::RefCell;

    use crate::domain::{GeoPoint, GeoPolygon};

    thread_local! {
        static LAST: RefCell<Option<(String, Option<GeoPolygon>)>> = const { RefCell::new(None) };
    }

    /// Whether the GeoJSON polygon `text` holds the point; bad JSON holds nothing.
    pub fn contains(text: &str, lng: f64, lat: f64) -> bool {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if last.as_ref().is_none_or(|(t, _)| t != text) {
                let parsed = serde_json::from_str(text)
                    .ok()
                    .and_then(|v| GeoPolygon::parse("polygon", &v).ok());
                *last = Some((text.to_owned(), parsed));
            }
            last.as_ref()
                .and_then(|(_, p)| p.as_ref())
                .is_some_and(|p| p.contains(GeoPoint { lng, lat }))
        })
    }
}

mod regex_cache {
    //! Compiled patterns, cached per thread (SQLite calls `regexp` once per
    //! row). Each is compiled under the query layer's bounds
    //! ([`crate::query::compile_pattern`]: a pattern of at most 256 bytes, a
    //! program of at most 256 KiB, a lazy-DFA cache of at most 256 KiB — under
    //! a megabyte kept per pattern after searching, half that typically), and
    //! at most [`CAPACITY`] are kept, the oldest dropped first: a thread holds a
    //! few megabytes of patterns at worst (unbounded, `\w{200}N` alone kept
    //! about 17 MB). A query holds at most as many `$regex`
    //! conditions ([`crate::query::MAX_REGEXES`]), so one statement never
    //! compiles a pattern again per row.
    use std::cell::RefCell;

    /// Patterns kept per thread.
    pub const CAPACITY: usize = crate::query::MAX_REGEXES;

    thread_local! {
        static CACHE: RefCell<Vec<(String, Option<regex::Regex>)>> =
            const { RefCell::new(Vec::new()) };
    }

    /// Whether `value` matches `pattern`; a pattern that is invalid or past
    /// the bounds matches nothing (the query parser refuses those first).
    pub fn matches(pattern: &str, value: &str) -> bool {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let at = match cache.iter().position(|(p, _)| p == pattern) {
                Some(at) => at,
                None => {
                    if cache.len() >= CAPACITY {
                        cache.remove(0);
                    }
                    let compiled = crate::query::compile_pattern(pattern).ok();
                    cache.push((pattern.to_owned(), compiled));
                    cache.len() - 1
                }
            };
            cache
                .get(at)
                .and_then(|(_, re)| re.as_ref())
                .is_some_and(|re| re.is_match(value))
        })
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = R2d2Error;

    fn connect(&self) -> Result<AnyConnection, R2d2Error> {
        self.open().map_err(|e| {
            R2d2Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string()))
        })
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), R2d2Error> {
        conn.ping().map_err(R2d2Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}
