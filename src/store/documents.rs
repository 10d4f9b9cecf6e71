//! Rows of schema-driven tables as JSON documents: the database builds one
//! document per row (`json_object` on SQLite, `jsonb_build_object` on
//! Postgres), so any set of columns loads through one row type; decoding
//! restores booleans and absent nulls. Values go the other way through
//! [`to_sql_value`].

use serde_json::{Map, Value};

use super::error::StoreError;
use crate::domain::Dialect;
use crate::query::{SqlFragment, SqlValue};
use crate::schema::FieldKind;

/// A column to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (allow-listed by the caller).
    pub name: String,
    /// Kind, for decoding.
    pub kind: FieldKind,
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
