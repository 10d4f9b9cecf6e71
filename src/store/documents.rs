//! Rows of schema-driven tables as JSON documents: the database builds one
//! document per row (`json_object` on SQLite, `jsonb_build_object` on
//! Postgres), so any set of columns loads through one row type; decoding
//! restores booleans and absent nulls. Values go the other way through
//! [`to_sql_value`].

use serde_json::{Map, Value};

use super::error::StoreError;
use super::exec;
use super::sql_dialect as sql;
use crate::query::{SqlFragment, SqlIdent, SqlValue};
use crate::schema::FieldKind;

/// A column to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name (allow-listed by the caller).
    pub name: String,
    /// Kind, for decoding.
    pub kind: FieldKind,
}

/// Appends an expression building the row of `columns` as JSON text: each
/// column under its name (JSON columns as JSON values).
pub(super) fn push_document(out: &mut SqlFragment, columns: &[Column]) -> Result<(), StoreError> {
    let names = exec::idents(columns.iter().map(|c| c.name.as_str()))?;
    let pairs: Vec<(&SqlIdent, &Column)> = names.iter().zip(columns).collect();
    sql::push_json_object(out, &pairs, |o, (name, c)| {
        o.push_ident_text(name).push(", ");
        if c.kind.is_json() {
            sql::push_json_value(o, name);
        } else {
            o.push_ident(name);
        }
    });
    Ok(())
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
