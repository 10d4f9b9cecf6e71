//! Attempt counters every node shares (`rate_counters`): fixed windows per
//! key, counted with one atomic upsert, so N nodes do not get N budgets and
//! parallel requests cannot slip past a limit.

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec::{self, IntRow};
use crate::query::{SqlFragment, SqlValue};

/// Counts one hit on `key` in the window starting at `window_start`; returns
/// the window's hits, this one included.
pub fn hit(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO rate_counters (key, window_start, hits) VALUES (")
        .push_bind(SqlValue::Text(key.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Int(window_start))
        .push(", 1) ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counters.hits + 1 RETURNING CAST(hits AS BIGINT) AS n");
    exec::load::<IntRow>(conn, &q)?
        .first()
        .map(|r| r.n)
        .ok_or_else(|| StoreError::Corrupt("the counter upsert returned nothing".into()))
}

/// The hits of `key` in the window starting at `window_start`.
pub fn hits(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT CAST(COALESCE(SUM(hits), 0) AS BIGINT) AS n FROM rate_counters WHERE key = ")
        .push_bind(SqlValue::Text(key.to_owned()))
        .push(" AND window_start = ")
        .push_bind(SqlValue::Int(window_start));
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}

/// Takes back one hit on `key` in the window starting at `window_start` (an
/// attempt counted before it was made turned out to be a success); never
/// below zero.
pub fn unhit(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE rate_counters SET hits = hits - 1 WHERE key = ")
        .push_bind(SqlValue::Text(key.to_owned()))
        .push(" AND window_start = ")
        .push_bind(SqlValue::Int(window_start))
        .push(" AND hits > 0");
    exec::execute(conn, &q)?;
    Ok(())
}

/// Forgets every window of `key` (a lockout lifted by a password reset).
pub fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("DELETE FROM rate_counters WHERE key = ")
        .push_bind(SqlValue::Text(key.to_owned()));
    exec::execute(conn, &q)?;
    Ok(())
}

/// Deletes windows that started before `before`; returns how many.
pub fn prune(conn: &mut AnyConnection, before: i64) -> Result<usize, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("DELETE FROM rate_counters WHERE window_start < ")
        .push_bind(SqlValue::Int(before));
    exec::execute(conn, &q)
}
