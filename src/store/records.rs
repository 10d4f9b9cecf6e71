//! Rows of data tables (`tbl_<name>`): records with text ids, their tombstones,
//! and the per-owner lock and count behind `max_per_owner`.
//!
//! Callers pass allow-listed column names and compiled conditions; values are binds.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec::{self, DocRow, IntRow};
use super::rows::{decode, insert_statement, push_document, Column};
use crate::domain::Dialect;
use crate::query::{render_condition, Condition, SqlFragment, SqlValue};

/// Inserts a record; `values` hold every column to set, `id` included.
pub fn insert(
    conn: &mut AnyConnection,
    table: &str,
    values: &[(String, SqlValue)],
) -> Result<(), StoreError> {
    exec::execute(conn, &insert_statement(conn.dialect(), table, values))?;
    Ok(())
}

/// The record `id`, locked for update on Postgres when `for_update` (SQLite's
/// write transactions are exclusive already).
pub fn get(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    id: &str,
    for_update: bool,
) -> Result<Option<Map<String, Value>>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, columns);
    q.push(" AS doc FROM ")
        .push_ident(table)
        .push(" WHERE id = ")
        .push_bind(SqlValue::Text(id.to_owned()));
    if for_update && conn.dialect() == Dialect::Postgres {
        q.push(" FOR UPDATE");
    }
    exec::load::<DocRow>(conn, &q)?
        .first()
        .map(|row| decode(&row.doc, columns))
        .transpose()
}

/// Records of `table` whose ids are in `ids` (any order), restricted by `cond`.
pub fn get_many(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    ids: &[String],
    cond: &Condition,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, columns);
    q.push(" AS doc FROM ")
        .push_ident(table)
        .push(" WHERE id IN (");
    q.push_list(ids, ", ", |o, id| {
        o.push_bind(SqlValue::Text(id.clone()));
    });
    q.push(") AND ");
    render_condition(cond, &mut q);
    exec::load::<DocRow>(conn, &q)?
        .iter()
        .map(|row| decode(&row.doc, columns))
        .collect()
}

/// Overwrites columns of the record `id`; returns whether it exists.
pub fn update(
    conn: &mut AnyConnection,
    table: &str,
    id: &str,
    set: &[(String, SqlValue)],
) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE ").push_ident(table).push(" SET ");
    q.push_list(set, ", ", |o, (name, v)| {
        o.push_ident(name).push(" = ").push_bind(v.clone());
    });
    q.push(" WHERE id = ")
        .push_bind(SqlValue::Text(id.to_owned()));
    Ok(exec::execute(conn, &q)? > 0)
}

/// What a deleted record leaves behind for the change feed.
#[derive(Debug, Clone)]
pub struct Tombstone {
    /// Object type name (not the SQL table).
    pub object_type: String,
    /// The record's id.
    pub record_id: String,
    /// Unix seconds.
    pub deleted_at: i64,
    /// The record's creator.
    pub created_by: Option<i64>,
    /// The record's `read_perm`, so the feed shows the deletion only to those
    /// who could read the record.
    pub read_perm: Value,
}

/// Deletes the record and writes its tombstone; returns whether it existed.
pub fn delete(
    conn: &mut AnyConnection,
    table: &str,
    tombstone: &Tombstone,
) -> Result<bool, StoreError> {
    let dialect = conn.dialect();
    let mut q = SqlFragment::new(dialect);
    q.push("DELETE FROM ")
        .push_ident(table)
        .push(" WHERE id = ")
        .push_bind(SqlValue::Text(tombstone.record_id.clone()));
    if exec::execute(conn, &q)? == 0 {
        return Ok(false);
    }
    let mut t = SqlFragment::new(dialect);
    t.push("INSERT INTO record_tombstones (object_type, record_id, deleted_at, created_by, read_perm) VALUES (")
        .push_bind(SqlValue::Text(tombstone.object_type.clone()))
        .push(", ")
        .push_bind(SqlValue::Text(tombstone.record_id.clone()))
        .push(", ")
        .push_bind(SqlValue::Int(tombstone.deleted_at))
        .push(", ")
        .push_bind(tombstone.created_by.map_or(SqlValue::Null, SqlValue::Int))
        .push(", ")
        .push_bind(SqlValue::Json(tombstone.read_perm.clone()))
        .push(") ON CONFLICT (object_type, record_id) DO UPDATE SET deleted_at = excluded.deleted_at");
    exec::execute(conn, &t)?;
    Ok(true)
}

/// Ids of rows matching `cond` with `id > after`, in id order, at most `limit`.
pub fn ids_after(
    conn: &mut AnyConnection,
    table: &str,
    cond: &Condition,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT id FROM ").push_ident(table).push(" WHERE ");
    render_condition(cond, &mut q);
    if let Some(after) = after {
        q.push(" AND id > ")
            .push_bind(SqlValue::Text(after.to_owned()));
    }
    q.push(" ORDER BY id LIMIT ")
        .push_bind(SqlValue::Int(limit));
    Ok(exec::load::<IdRow>(conn, &q)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Serialises creations by one owner in one table until the transaction ends
/// (Postgres advisory lock; SQLite's write transactions are exclusive already).
pub fn lock_owner(conn: &mut AnyConnection, table: &str, owner: i64) -> Result<(), StoreError> {
    if conn.dialect() == Dialect::Postgres {
        let mut q = SqlFragment::new(Dialect::Postgres);
        q.push("SELECT CAST(1 AS BIGINT) AS n FROM (SELECT pg_advisory_xact_lock(hashtext(")
            .push_bind(SqlValue::Text(table.to_owned()))
            .push("), hashtext(")
            .push_bind(SqlValue::Text(owner.to_string()))
            .push("))) AS locked");
        exec::load::<IntRow>(conn, &q)?;
    }
    Ok(())
}

/// Number of records of `table` created by `owner`.
pub fn count_owned(conn: &mut AnyConnection, table: &str, owner: i64) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS n FROM ")
        .push_ident(table)
        .push(" WHERE created_by = ")
        .push_bind(SqlValue::Int(owner));
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}

/// Whether `table` has a row `id`.
pub fn exists(
    conn: &mut AnyConnection,
    table: &str,
    id_column: &str,
    id: SqlValue,
) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS n FROM ")
        .push_ident(table)
        .push(" WHERE ")
        .push_ident(id_column)
        .push(" = ")
        .push_bind(id);
    Ok(exec::load::<IntRow>(conn, &q)?
        .first()
        .is_some_and(|r| r.n > 0))
}

/// One tombstone row of the change feed.
#[derive(Debug, Clone, QueryableByName)]
pub struct TombstoneRow {
    /// The deleted record's id.
    #[diesel(sql_type = Text)]
    pub record_id: String,
    /// When it was deleted.
    #[diesel(sql_type = BigInt)]
    pub deleted_at: i64,
    /// Its creator.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub created_by: Option<i64>,
}

/// Tombstones of `object_type` after the position `(since, after_id)` and not
/// after `until`, that `acl` lets the caller see, in (time, id) order.
pub fn tombstones_after(
    conn: &mut AnyConnection,
    object_type: &str,
    since: i64,
    after_id: &str,
    until: i64,
    acl: &Condition,
    limit: i64,
) -> Result<Vec<TombstoneRow>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT record_id, deleted_at, created_by FROM record_tombstones WHERE object_type = ")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(" AND (deleted_at > ")
        .push_bind(SqlValue::Int(since))
        .push(" OR (deleted_at = ")
        .push_bind(SqlValue::Int(since))
        .push(" AND record_id > ")
        .push_bind(SqlValue::Text(after_id.to_owned()))
        .push(")) AND deleted_at <= ")
        .push_bind(SqlValue::Int(until))
        .push(" AND ");
    render_condition(acl, &mut q);
    q.push(" ORDER BY deleted_at, record_id LIMIT ")
        .push_bind(SqlValue::Int(limit));
    exec::load::<TombstoneRow>(conn, &q)
}

/// Forgets tombstones older than `before` (unix seconds).
pub fn prune_tombstones(conn: &mut AnyConnection, before: i64) -> Result<usize, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("DELETE FROM record_tombstones WHERE deleted_at < ")
        .push_bind(SqlValue::Int(before));
    exec::execute(conn, &q)
}

/// Runs `ANALYZE` (planner statistics) after bulk loads.
pub fn analyze(conn: &mut AnyConnection) -> Result<(), StoreError> {
    conn.batch_execute("ANALYZE")?;
    Ok(())
}
