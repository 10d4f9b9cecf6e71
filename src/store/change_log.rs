//! The change log: one entry per write of a record, read by the change feed
//! in an order in which no entry can appear behind one already served.
//!
//! On SQLite one transaction writes at a time, so the log's sequence is
//! commit order. On PostgreSQL transactions commit in any order, so each entry
//! carries its transaction id and the feed serves only entries of
//! transactions older than the oldest one still running
//! (`pg_snapshot_xmin(pg_current_snapshot())`), ordered by (transaction,
//! sequence): an entry served later always sorts after every entry served
//! before.

use diesel::sql_types::{BigInt, Bool, Text};
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use super::sql_dialect as sql;
use crate::query::{SqlFragment, SqlValue};

/// A place in the log: after the entry `(xid, seq)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The writing transaction (0 on SQLite).
    pub xid: i64,
    /// The entry's sequence number.
    pub seq: i64,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After this entry.
    After(Position),
    /// With the first entry written after this unix time.
    Since(i64),
}

/// One entry.
#[derive(Debug, Clone, QueryableByName)]
pub struct Entry {
    /// The record's type.
    #[diesel(sql_type = Text)]
    pub object_type: String,
    /// The writing transaction (0 on SQLite).
    #[diesel(sql_type = BigInt)]
    pub xid: i64,
    /// Sequence number.
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    /// The record.
    #[diesel(sql_type = Text)]
    pub record_id: String,
    /// Whether the write deleted it.
    #[diesel(sql_type = Bool)]
    pub deleted: bool,
    /// When (unix seconds).
    #[diesel(sql_type = BigInt)]
    pub at: i64,
}

impl Entry {
    /// The position just after this entry.
    pub fn position(&self) -> Position {
        Position {
            xid: self.xid,
            seq: self.seq,
        }
    }
}

/// Logs a write of `record_id` of `object_type` in the current transaction.
pub fn record(
    conn: &mut AnyConnection,
    object_type: &str,
    record_id: &str,
    deleted: bool,
    at: i64,
) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO change_log (object_type, record_id, deleted, at) VALUES (")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Text(record_id.to_owned()))
        .push(", ")
        .push_bind(SqlValue::Bool(deleted))
        .push(", ")
        .push_bind(SqlValue::Int(at))
        .push(")");
    exec::execute(conn, &q)?;
    Ok(())
}

/// Up to `limit` entries of the `object_types` from `start` that can no
/// longer be overtaken, in log order.
pub fn page(
    conn: &mut AnyConnection,
    object_types: &[String],
    start: Start,
    limit: i64,
) -> Result<Vec<Entry>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    sql::push_log_xid(&mut q);
    q.push(
        " AS xid, seq, object_type, record_id, deleted, at FROM change_log WHERE object_type IN (",
    );
    q.push_list(object_types, ", ", |o, t| {
        o.push_bind(SqlValue::Text(t.clone()));
    });
    q.push(")");
    match start {
        Start::After(p) => {
            q.push(" AND (xid > ");
            sql::push_xid_bind(&mut q, p.xid);
            q.push(" OR (xid = ");
            sql::push_xid_bind(&mut q, p.xid);
            q.push(" AND seq > ")
                .push_bind(SqlValue::Int(p.seq))
                .push("))");
        }
        Start::Since(t) => {
            q.push(" AND at > ").push_bind(SqlValue::Int(t));
        }
    }
    sql::push_settled_only(&mut q);
    q.push(" ORDER BY xid, seq LIMIT ")
        .push_bind(SqlValue::Int(limit));
    exec::load::<Entry>(conn, &q)
}

/// The position after the last entry of the `object_types` that can no longer
/// be overtaken (the start of the log when there is none).
pub fn last_settled(
    conn: &mut AnyConnection,
    object_types: &[String],
) -> Result<Position, StoreError> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = BigInt)]
        xid: i64,
        #[diesel(sql_type = BigInt)]
        seq: i64,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    sql::push_log_xid(&mut q);
    q.push(" AS xid, seq FROM change_log WHERE object_type IN (");
    q.push_list(object_types, ", ", |o, t| {
        o.push_bind(SqlValue::Text(t.clone()));
    });
    q.push(")");
    sql::push_settled_only(&mut q);
    q.push(" ORDER BY xid DESC, seq DESC LIMIT 1");
    Ok(exec::load::<Last>(conn, &q)?
        .first()
        .map_or(Position { xid: 0, seq: 0 }, |l| Position {
            xid: l.xid,
            seq: l.seq,
        }))
}

/// Logs every stored row and tombstone of `object_type` once, oldest first:
/// the rows written before the log existed.
pub fn backfill(
    conn: &mut AnyConnection,
    object_type: &str,
    table: &str,
) -> Result<usize, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO change_log (object_type, record_id, deleted, at) SELECT ")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(", record_id, deleted, at FROM (SELECT id AS record_id, FALSE AS deleted, updated_at AS at FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" UNION ALL SELECT record_id, TRUE AS deleted, deleted_at AS at FROM record_tombstones WHERE object_type = ")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(") AS old ORDER BY at, record_id");
    exec::execute(conn, &q)
}
