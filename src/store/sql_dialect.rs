//! What SQLite and PostgreSQL write differently in the store's own statements
//! (column types, catalog queries, locks, the change log's transaction ids,
//! row documents, the ACL index's triggers), as named operations: the code
//! building a statement says what it needs, and only this file says how each
//! database spells it. (The query renderer's differences are in
//! `query/dialect.rs`.)

use crate::domain::Dialect;
use crate::query::{SqlFragment, SqlIdent, SqlValue};

/// The column type of JSON documents: text on SQLite, `JSONB` on PostgreSQL.
pub fn json_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "JSONB",
    }
}

/// The column type of doubles.
pub fn double_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "REAL",
        Dialect::Postgres => "DOUBLE PRECISION",
    }
}

/// The column type of booleans (an integer 0/1 on SQLite).
pub fn bool_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "INTEGER",
        Dialect::Postgres => "BOOLEAN",
    }
}

/// A boolean written as a literal (DDL takes no bind parameters).
pub fn bool_literal(dialect: Dialect, value: bool) -> String {
    match dialect {
        Dialect::Sqlite => i32::from(value).to_string(),
        Dialect::Postgres => value.to_string().to_uppercase(),
    }
}

/// Starts a query of the names (as `name`) of the indexes on a table; the
/// table's name follows as a bind.
pub fn push_index_names_on(out: &mut SqlFragment) {
    out.push(match out.dialect() {
        Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ",
        Dialect::Postgres => "SELECT indexname AS name FROM pg_indexes WHERE tablename = ",
    });
}

/// Starts a count (as `n`) of the tables with a name; the name follows as a bind.
pub fn push_count_tables_named(out: &mut SqlFragment) {
    out.push(match out.dialect() {
        Dialect::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ",
        Dialect::Postgres => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ",
    });
}

/// Holds the rows a `SELECT` reads until the transaction ends: `FOR UPDATE`
/// on PostgreSQL; SQLite's write transactions are exclusive already.
pub fn push_row_lock(out: &mut SqlFragment) {
    if out.dialect() == Dialect::Postgres {
        out.push(" FOR UPDATE");
    }
}

/// A statement serialising the writers of `key` in `table` until the
/// transaction ends, where one is needed: a PostgreSQL advisory lock (SQLite's
/// write transactions are exclusive already). Loads one row `n`.
pub fn key_lock(dialect: Dialect, table: &str, key: &str) -> Option<SqlFragment> {
    (dialect == Dialect::Postgres).then(|| {
        let mut q = SqlFragment::new(dialect);
        q.push("SELECT CAST(1 AS BIGINT) AS n FROM (SELECT pg_advisory_xact_lock(hashtext(")
            .push_bind(SqlValue::Text(table.to_owned()))
            .push("), hashtext(")
            .push_bind(SqlValue::Text(key.to_owned()))
            .push("))) AS locked");
        q
    })
}

/// The change log's `xid` column read as a `BIGINT` (PostgreSQL stores an
/// `xid8`, SQLite a plain 0).
pub fn push_log_xid(out: &mut SqlFragment) {
    out.push(match out.dialect() {
        Dialect::Postgres => "CAST(CAST(xid AS TEXT) AS BIGINT)",
        Dialect::Sqlite => "xid",
    });
}

/// `xid` bound so it compares with the log's `xid` column as its own type
/// (on PostgreSQL an `xid8`, so the index serves the range).
pub fn push_xid_bind(out: &mut SqlFragment, xid: i64) {
    match out.dialect() {
        Dialect::Postgres => {
            out.push("CAST(")
                .push_bind(SqlValue::Text(xid.to_string()))
                .push(" AS xid8)");
        }
        Dialect::Sqlite => {
            out.push_bind(SqlValue::Int(xid));
        }
    }
}

/// ` AND` only log entries no running transaction can still be overtaken by:
/// on PostgreSQL those of transactions older than the oldest one running; on
/// SQLite (one writer at a time) every committed entry.
pub fn push_settled_only(out: &mut SqlFragment) {
    if out.dialect() == Dialect::Postgres {
        out.push(" AND xid < pg_snapshot_xmin(pg_current_snapshot())");
    }
}

/// Whether the planner's statistics must be refreshed (`ANALYZE`) after new
/// indexes: SQLite's are only gathered on request, PostgreSQL keeps its own.
pub fn needs_analyze_after_new_indexes(dialect: Dialect) -> bool {
    dialect == Dialect::Sqlite
}

/// A number column as summed exactly: as `NUMERIC` on PostgreSQL (whose
/// `SUM` of doubles raises past the range), as it is on SQLite.
pub fn push_exact_number(out: &mut SqlFragment, column: &SqlIdent) {
    match out.dialect() {
        Dialect::Postgres => {
            out.push("CAST(").push_ident(column).push(" AS NUMERIC)");
        }
        Dialect::Sqlite => {
            out.push_ident(column);
        }
    }
}

/// The number `write` appends, as a double (PostgreSQL's `NUMERIC` cast back;
/// SQLite's is one already).
pub fn push_as_double(out: &mut SqlFragment, write: impl FnOnce(&mut SqlFragment)) {
    let postgres = out.dialect() == Dialect::Postgres;
    if postgres {
        out.push("CAST(");
    }
    write(out);
    if postgres {
        out.push(" AS DOUBLE PRECISION)");
    }
}

/// A JSON column as a JSON value inside a row document: SQLite stores the
/// text, which `json()` marks as JSON; PostgreSQL's `JSONB` is one already.
pub fn push_json_value(out: &mut SqlFragment, column: &SqlIdent) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json(").push_ident(column).push(")");
        }
        Dialect::Postgres => {
            out.push_ident(column);
        }
    }
}

/// Pairs per `jsonb_build_object` call: Postgres allows 100 arguments per call,
/// so wider rows are built from several objects joined with `||`. SQLite (3.53,
/// bundled) allows 1000 arguments: one `json_object` call covers every column the
/// schema layer admits ([`crate::schema::MAX_FIELDS`] plus built-ins).
const PG_PAIRS_PER_CALL: usize = 50;

/// A JSON object built by the database, as text, from `pairs` (each written
/// by `pair` as `'key', value`): `json_object` on SQLite, `jsonb_build_object`
/// calls joined with `||` on PostgreSQL.
pub fn push_json_object<T>(
    out: &mut SqlFragment,
    pairs: &[T],
    mut pair: impl FnMut(&mut SqlFragment, &T),
) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json_object(");
            out.push_list(pairs, ", ", pair);
            out.push(")");
        }
        Dialect::Postgres if pairs.is_empty() => {
            out.push("'{}'");
        }
        Dialect::Postgres => {
            out.push("(");
            let chunks: Vec<&[T]> = pairs.chunks(PG_PAIRS_PER_CALL).collect();
            out.push_list(&chunks, " || ", |o, chunk| {
                o.push("jsonb_build_object(");
                o.push_list(chunk, ", ", &mut pair);
                o.push(")");
            });
            out.push(")::text");
        }
    }
}

pub use super::sql_dialect_acl::acl_index_ddl;

#[cfg(test)]
#[path = "sql_dialect_test.rs"]
mod tests;
