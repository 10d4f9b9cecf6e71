//! Attempt counters every node shares (`rate_counters`): fixed windows per
//! key, counted with one atomic upsert, so N nodes do not get N budgets and
//! parallel requests cannot slip past a limit.

use diesel::prelude::*;

use super::connection::{per_backend, AnyConnection};
use super::error::StoreError;
use super::tables::rate_counters;

/// Counts one hit on `key` in the window starting at `window_start`; returns
/// the window's hits, this one included. One statement (`INSERT … ON CONFLICT
/// DO UPDATE … RETURNING`), so parallel hits each see their own count.
pub fn hit(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<i64, StoreError> {
    let upsert = diesel::insert_into(rate_counters::table)
        .values((
            rate_counters::key.eq(key),
            rate_counters::window_start.eq(window_start),
            rate_counters::hits.eq(1),
        ))
        .on_conflict((rate_counters::key, rate_counters::window_start))
        .do_update()
        .set(rate_counters::hits.eq(rate_counters::hits + 1))
        .returning(rate_counters::hits);
    let hits: i32 = per_backend!(conn, c => upsert.get_result(c))?;
    Ok(i64::from(hits))
}

/// The hits of `key` in the window starting at `window_start`.
pub fn hits(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<i64, StoreError> {
    let hits = rate_counters::table
        .filter(rate_counters::key.eq(key))
        .filter(rate_counters::window_start.eq(window_start))
        .select(rate_counters::hits)
        .first::<i32>(conn)
        .optional()?;
    Ok(hits.map_or(0, i64::from))
}

/// Takes back one hit on `key` in the window starting at `window_start` (an
/// attempt counted before it was made turned out to be a success); never
/// below zero.
pub fn unhit(conn: &mut AnyConnection, key: &str, window_start: i64) -> Result<(), StoreError> {
    diesel::update(
        rate_counters::table
            .filter(rate_counters::key.eq(key))
            .filter(rate_counters::window_start.eq(window_start))
            .filter(rate_counters::hits.gt(0)),
    )
    .set(rate_counters::hits.eq(rate_counters::hits - 1))
    .execute(conn)?;
    Ok(())
}

/// Forgets every window of `key` (a lockout lifted by a password reset).
pub fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    diesel::delete(rate_counters::table.filter(rate_counters::key.eq(key))).execute(conn)?;
    Ok(())
}

/// Deletes windows that started before `before`; returns how many.
pub fn prune(conn: &mut AnyConnection, before: i64) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(rate_counters::table.filter(rate_counters::window_start.lt(before)))
            .execute(conn)?,
    )
}
