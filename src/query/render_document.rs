//! SQL for operators on JSON document columns (arrays and objects).
//!
//! SQLite walks arrays with `json_each`, whose `value` is a plain SQL value, so
//! operands bind as native scalars; Postgres compares `jsonb` values, so
//! operands bind as JSON.

use serde_json::Value;

use super::sql::{SqlFragment, SqlValue};
use super::sql_ident::SqlIdent;
use crate::domain::Dialect;

/// A scalar operand as SQLite sees an element of `json_each`.
fn sqlite_scalar(v: &Value) -> SqlValue {
    match v {
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Bool(b) => SqlValue::Int(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Int(i),
            None => SqlValue::Float(n.as_f64().unwrap_or_default()),
        },
        other => SqlValue::Text(other.to_string()),
    }
}

fn push_operands(out: &mut SqlFragment, values: &[Value]) {
    let sqlite = out.dialect() == Dialect::Sqlite;
    out.push_list(values, ", ", |o, v| {
        o.push_bind(if sqlite {
            sqlite_scalar(v)
        } else {
            SqlValue::Json(v.clone())
        });
    });
}

/// The whole document equals `value`.
pub fn json_eq(column: &SqlIdent, value: &Value, out: &mut SqlFragment) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json(").push_ident(column).push(") = json(");
            out.push_bind(SqlValue::Text(value.to_string())).push(")");
        }
        Dialect::Postgres => {
            out.push_ident(column)
                .push(" = ")
                .push_bind(SqlValue::Json(value.clone()));
        }
    }
}

/// Some element of the array is one of `values`.
pub fn array_any(column: &SqlIdent, values: &[Value], out: &mut SqlFragment) {
    if values.is_empty() {
        out.push("1=0");
        return;
    }
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("EXISTS (SELECT 1 FROM json_each(")
                .push_ident(column)
                .push(") WHERE value IN (");
        }
        Dialect::Postgres => {
            out.push("EXISTS (SELECT 1 FROM jsonb_array_elements(")
                .push_ident(column)
                .push(") AS e(v) WHERE e.v IN (");
        }
    }
    push_operands(out, values);
    out.push("))");
}

/// The array holds every one of `values`.
pub fn array_all(column: &SqlIdent, values: &[Value], out: &mut SqlFragment) {
    let mut distinct: Vec<&Value> = Vec::new();
    for v in values {
        if !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    if distinct.is_empty() {
        out.push_ident(column).push(" IS NOT NULL");
        return;
    }
    match out.dialect() {
        Dialect::Sqlite => {
            let owned: Vec<Value> = distinct.iter().map(|v| (*v).clone()).collect();
            out.push("(SELECT COUNT(DISTINCT value) FROM json_each(")
                .push_ident(column)
                .push(") WHERE value IN (");
            push_operands(out, &owned);
            out.push(&format!(")) = {}", owned.len()));
        }
        Dialect::Postgres => {
            out.push_ident(column)
                .push(" @> ")
                .push_bind(SqlValue::Json(Value::Array(values.to_vec())));
        }
    }
}

/// The object has the top-level `key` (already checked to be a plain name).
pub fn has_key(column: &SqlIdent, key: &str, out: &mut SqlFragment) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json_type(")
                .push_ident(column)
                .push(", ")
                .push_bind(SqlValue::Text(format!("$.{key}")))
                .push(") IS NOT NULL");
        }
        Dialect::Postgres => {
            out.push("jsonb_exists(")
                .push_ident(column)
                .push(", ")
                .push_bind(SqlValue::Text(key.to_owned()))
                .push(")");
        }
    }
}
