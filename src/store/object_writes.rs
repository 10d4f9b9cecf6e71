//! Writes of schema-driven rows — the user profile and every data table — through
//! one set of functions. Every update of a row, the account flows' included, goes
//! through [`update`] or [`update_returning`], which also set `updated_at`.
//! Inserts and updates return the stored row in the same statement (`RETURNING`).

use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::documents::{decode, push_document, Column};
use super::error::StoreError;
use super::exec::{self, DocRow, IntRow};
use super::sql_dialect as sql;
use crate::domain::{now_unix, Dialect};
use crate::query::{SqlFragment, SqlIdent, SqlValue};

/// Inserts a row (`values` hold every column to set) and returns `returning`
/// of the stored row.
pub fn insert(
    conn: &mut AnyConnection,
    table: &str,
    values: &[(String, SqlValue)],
    returning: &[Column],
) -> Result<Map<String, Value>, StoreError> {
    let names = exec::idents(values.iter().map(|(name, _)| name.as_str()))?;
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO ")
        .push_ident(&exec::ident(table)?)
        .push(" (");
    q.push_list(&names, ", ", |o, name| {
        o.push_ident(name);
    });
    q.push(") VALUES (");
    q.push_list(values, ", ", |o, (_, v)| {
        o.push_bind(v.clone());
    });
    q.push(") RETURNING ");
    push_document(&mut q, returning)?;
    q.push(" AS doc");
    let row = exec::load::<DocRow>(conn, &q)?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no row".into()))?;
    decode(&row.doc, returning)
}

/// `UPDATE table SET <set>, updated_at = now WHERE id = <id> [AND guard]`.
fn update_statement(
    dialect: Dialect,
    table: &str,
    id: &SqlValue,
    guard: Option<(&str, SqlValue)>,
    set: &[(String, SqlValue)],
) -> Result<SqlFragment, StoreError> {
    let names = exec::idents(set.iter().map(|(name, _)| name.as_str()))?;
    let set_values: Vec<(&SqlIdent, &SqlValue)> =
        names.iter().zip(set.iter().map(|(_, v)| v)).collect();
    let mut q = SqlFragment::new(dialect);
    q.push("UPDATE ")
        .push_ident(&exec::ident(table)?)
        .push(" SET ");
    q.push_list(&set_values, ", ", |o, (name, v)| {
        o.push_ident(name).push(" = ").push_bind((*v).clone());
    });
    if !set.iter().any(|(name, _)| name == "updated_at") {
        if !set.is_empty() {
            q.push(", ");
        }
        q.push("updated_at = ").push_bind(SqlValue::Int(now_unix()));
    }
    q.push(" WHERE id = ").push_bind(id.clone());
    if let Some((column, value)) = guard {
        q.push(" AND ")
            .push_ident(&exec::ident(column)?)
            .push(" = ")
            .push_bind(value);
    }
    Ok(q)
}

/// Sets columns of the row `id` (and `updated_at`), only while `guard` (a
/// column equal to a value) holds; returns whether a row was updated.
pub fn update(
    conn: &mut AnyConnection,
    table: &str,
    id: &SqlValue,
    guard: Option<(&str, SqlValue)>,
    set: &[(String, SqlValue)],
) -> Result<bool, StoreError> {
    let q = update_statement(conn.dialect(), table, id, guard, set)?;
    Ok(exec::execute(conn, &q)? > 0)
}

/// [`update`] without a guard, returning `returning` of the updated row.
pub fn update_returning(
    conn: &mut AnyConnection,
    table: &str,
    id: &SqlValue,
    set: &[(String, SqlValue)],
    returning: &[Column],
) -> Result<Option<Map<String, Value>>, StoreError> {
    let mut q = update_statement(conn.dialect(), table, id, None, set)?;
    q.push(" RETURNING ");
    push_document(&mut q, returning)?;
    q.push(" AS doc");
    exec::load::<DocRow>(conn, &q)?
        .first()
        .map(|row| decode(&row.doc, returning))
        .transpose()
}

/// Deletes the row `id`; returns whether it existed.
pub fn delete(conn: &mut AnyConnection, table: &str, id: &SqlValue) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("DELETE FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE id = ")
        .push_bind(id.clone());
    Ok(exec::execute(conn, &q)? > 0)
}

/// Serialises creations by one owner in one table until the transaction ends
/// (Postgres advisory lock; SQLite's write transactions are exclusive already).
pub fn lock_owner(conn: &mut AnyConnection, table: &str, owner: i64) -> Result<(), StoreError> {
    lock_key(conn, table, &owner.to_string())
}

/// Serialises the writes of one key (an owner, the values of a unique key)
/// in one table until the transaction ends.
pub fn lock_key(conn: &mut AnyConnection, table: &str, key: &str) -> Result<(), StoreError> {
    if let Some(lock) = sql::key_lock(conn.dialect(), table, key) {
        exec::load::<IntRow>(conn, &lock)?;
    }
    Ok(())
}

/// Sets `column` of row `id` to `value` unless it holds that already (no
/// write then): true when it changed. Not a change of the object
/// (`updated_at` stays).
pub fn set_if_distinct(
    conn: &mut AnyConnection,
    table: &str,
    id: &SqlValue,
    column: &str,
    value: SqlValue,
) -> Result<bool, StoreError> {
    let current = value.clone();
    set_when(conn, table, id, column, value, "<>", current)
}

/// Sets `column` of the row `id` to `value` when it is null or older than
/// `older_than`, without touching `updated_at` (bookkeeping, not a change).
pub fn set_if_older(
    conn: &mut AnyConnection,
    table: &str,
    id: &SqlValue,
    column: &str,
    value: SqlValue,
    older_than: SqlValue,
) -> Result<bool, StoreError> {
    set_when(conn, table, id, column, value, "<", older_than)
}

/// `UPDATE table SET column = value WHERE id = … AND (column IS NULL OR
/// column <op> operand)`: true when the row was written. `op` is one of our
/// comparison operators, never client input.
fn set_when(
    conn: &mut AnyConnection,
    table: &str,
    id: &SqlValue,
    column: &str,
    value: SqlValue,
    op: &'static str,
    operand: SqlValue,
) -> Result<bool, StoreError> {
    let column = exec::ident(column)?;
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE ")
        .push_ident(&exec::ident(table)?)
        .push(" SET ")
        .push_ident(&column)
        .push(" = ")
        .push_bind(value)
        .push(" WHERE id = ")
        .push_bind(id.clone())
        .push(" AND (")
        .push_ident(&column)
        .push(" IS NULL OR ")
        .push_ident(&column)
        .push(" ")
        .push(op)
        .push(" ")
        .push_bind(operand)
        .push(")");
    Ok(exec::execute(conn, &q)? > 0)
}
