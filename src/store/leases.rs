//! Leases (`leases`): periodic work that one node at a time should do. A
//! lease is taken when free or expired, renewed by its holder, and lapses by
//! itself when the holder stops.

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use crate::query::{SqlFragment, SqlValue};

/// Takes (or renews) lease `name` for `holder` until `until`, when it is free,
/// expired at `now`, or already `holder`'s; returns whether `holder` has it.
pub fn acquire(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO leases (name, holder, until) VALUES (")
        .push_bind(SqlValue::Text(name.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Text(holder.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Int(until))
        .push(") ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE leases.until < ")
        .push_bind(SqlValue::Int(now))
        .push(" OR leases.holder = excluded.holder");
    Ok(exec::execute(conn, &q)? > 0)
}
