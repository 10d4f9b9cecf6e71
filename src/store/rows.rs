//! Rows of schema-driven tables: select as JSON documents, count, insert, update.
//!
//! Callers pass only allow-listed column names. Rows come back as one JSON
//! document each, built by the database (`json_object` / `jsonb_build_object`),
//! then booleans are restored from SQLite's 0/1.

use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec::{self, DocRow, IntRow};
use crate::domain::Dialect;
use crate::query::{
    render_condition, render_order_near, Condition, OrderBy, SqlFragment, SqlValue,
};
use crate::schema::FieldKind;

/// A column to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Kind, for decoding.
    pub kind: FieldKind,
}

/// How an update changes one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Assign {
    /// Overwrite.
    Value(SqlValue),
    /// Add to a number (null counts as 0), atomically.
    IncrBy(SqlValue),
}

/// Page and order of a list.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// Sort keys.
    pub order: &'a [OrderBy],
    /// Last sort key (unique), for stable pages.
    pub tie_breaker: &'a str,
    /// Rows wanted.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// Sort by distance from this point first (`$nearsphere`).
    pub near: Option<(&'a str, crate::domain::GeoPoint)>,
}

/// Pairs per `jsonb_build_object` call: Postgres allows 100 arguments per call,
/// so wider rows are built from several objects joined with `||`. SQLite (3.53,
/// bundled) allows 1000 arguments: one `json_object` call covers every column the
/// schema layer admits ([`crate::schema::MAX_FIELDS`] plus built-ins).
const PG_PAIRS_PER_CALL: usize = 50;

/// Appends `'name', value` pairs for `columns`.
fn push_pairs(out: &mut SqlFragment, columns: &[Column]) {
    let sqlite = out.dialect() == Dialect::Sqlite;
    out.push_list(columns, ", ", |o, c| {
        // The key is a column name from the schema: safe as a literal.
        o.push("'").push(&c.name).push("', ");
        if sqlite && c.kind.is_json() {
            o.push("json(").push_ident(&c.name).push(")");
        } else {
            o.push_ident(&c.name);
        }
    });
}

/// Appends an expression building the row as JSON text.
pub(super) fn push_document(out: &mut SqlFragment, columns: &[Column]) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json_object(");
            push_pairs(out, columns);
            out.push(")");
        }
        Dialect::Postgres if columns.is_empty() => {
            out.push("'{}'");
        }
        Dialect::Postgres => {
            out.push("(");
            let chunks: Vec<&[Column]> = columns.chunks(PG_PAIRS_PER_CALL).collect();
            out.push_list(&chunks, " || ", |o, chunk| {
                o.push("jsonb_build_object(");
                push_pairs(o, chunk);
                o.push(")");
            });
            out.push(")::text");
        }
    }
}

/// Decodes one document, restoring booleans and absent nulls.
pub(super) fn decode(doc: &str, columns: &[Column]) -> Result<Map<String, Value>, StoreError> {
    let mut map: Map<String, Value> =
        serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    for c in columns {
        let v = map.entry(c.name.clone()).or_insert(Value::Null);
        match c.kind {
            FieldKind::Boolean => {
                if let Some(n) = v.as_i64() {
                    *v = Value::Bool(n != 0);
                }
            }
            // SQLite's REAL prints 3 as 3.0; answer 3 as Postgres does.
            FieldKind::Number => {
                if let Some(f) = v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                    *v = Value::from(f as i64);
                }
            }
            _ => {}
        }
    }
    Ok(map)
}

/// Rows of `table` matching `cond`, in page order.
pub fn select(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    cond: &Condition,
    page: &Page<'_>,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, columns);
    q.push(" AS doc FROM ").push_ident(table).push(" WHERE ");
    render_condition(cond, &mut q);
    render_order_near(page.near, page.order, page.tie_breaker, &mut q);
    q.push(" LIMIT ").push_bind(SqlValue::Int(page.limit));
    q.push(" OFFSET ").push_bind(SqlValue::Int(page.offset));
    exec::load::<DocRow>(conn, &q)?
        .iter()
        .map(|row| decode(&row.doc, columns))
        .collect()
}

/// The row of `table` whose `id` is `id`.
pub fn select_by_id(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    id: i64,
) -> Result<Option<Map<String, Value>>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, columns);
    q.push(" AS doc FROM ")
        .push_ident(table)
        .push(" WHERE id = ")
        .push_bind(SqlValue::Int(id));
    exec::load::<DocRow>(conn, &q)?
        .first()
        .map(|row| decode(&row.doc, columns))
        .transpose()
}

/// Number of rows of `table` matching `cond`.
pub fn count(conn: &mut AnyConnection, table: &str, cond: &Condition) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS n FROM ")
        .push_ident(table)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}

/// Inserts a row; returns its new `id`.
pub fn insert(
    conn: &mut AnyConnection,
    table: &str,
    values: &[(String, SqlValue)],
) -> Result<i64, StoreError> {
    let mut q = insert_statement(conn.dialect(), table, values);
    q.push(" RETURNING id AS n");
    exec::load::<IntRow>(conn, &q)?
        .first()
        .map(|r| r.n)
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))
}

/// `INSERT INTO table (columns) VALUES (binds)`.
pub(super) fn insert_statement(
    dialect: Dialect,
    table: &str,
    values: &[(String, SqlValue)],
) -> SqlFragment {
    let mut q = SqlFragment::new(dialect);
    q.push("INSERT INTO ").push_ident(table).push(" (");
    q.push_list(values, ", ", |o, (name, _)| {
        o.push_ident(name);
    });
    q.push(") VALUES (");
    q.push_list(values, ", ", |o, (_, v)| {
        o.push_bind(v.clone());
    });
    q.push(")");
    q
}

/// Updates the row `id`; returns whether it exists.
pub fn update(
    conn: &mut AnyConnection,
    table: &str,
    id: i64,
    set: &[(String, Assign)],
) -> Result<bool, StoreError> {
    update_where(conn, table, id, None, set)
}

/// Updates the row `id` only while `guard` (column equals value) holds; returns
/// whether a row was updated.
pub fn update_where(
    conn: &mut AnyConnection,
    table: &str,
    id: i64,
    guard: Option<(&str, SqlValue)>,
    set: &[(String, Assign)],
) -> Result<bool, StoreError> {
    if set.is_empty() {
        return Ok(true);
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE ").push_ident(table).push(" SET ");
    q.push_list(set, ", ", |o, (name, assign)| {
        o.push_ident(name).push(" = ");
        match assign {
            Assign::Value(v) => {
                o.push_bind(v.clone());
            }
            Assign::IncrBy(v) => {
                o.push("COALESCE(")
                    .push_ident(name)
                    .push(", 0) + ")
                    .push_bind(v.clone());
            }
        }
    });
    q.push(" WHERE id = ").push_bind(SqlValue::Int(id));
    if let Some((column, value)) = guard {
        q.push(" AND ")
            .push_ident(column)
            .push(" = ")
            .push_bind(value);
    }
    Ok(exec::execute(conn, &q)? > 0)
}

/// Converts a JSON value (already validated against the field) to its stored form.
pub fn to_sql_value(kind: FieldKind, value: &Value) -> SqlValue {
    match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        (FieldKind::String | FieldKind::Date | FieldKind::Pointer, Value::String(s)) => {
            SqlValue::Text(s.clone())
        }
        (FieldKind::Integer, Value::Number(n)) => SqlValue::Int(
            n.as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .unwrap_or(0),
        ),
        (FieldKind::Number, Value::Number(n)) => SqlValue::Float(n.as_f64().unwrap_or(0.0)),
        (FieldKind::Boolean, Value::Bool(b)) => SqlValue::Bool(*b),
        (FieldKind::String, other) => SqlValue::Text(other.to_string()),
        (_, other) => SqlValue::Json(other.clone()),
    }
}
