//! Parsing `where` JSON into a [`Condition`].

use serde_json::{Map, Value};

use super::condition::{Condition, Op};
use super::error::QueryError;
use super::sql::SqlValue;
use super::{FieldCatalog, QueryField};
use crate::schema::FieldKind;

/// Deepest nesting of `$and`/`$or` accepted.
pub const MAX_DEPTH: usize = 8;
/// Most field conditions in one query.
pub const MAX_CONDITIONS: usize = 200;
/// Most items in one `$in`/`$nin` list.
pub const MAX_LIST: usize = 1000;
/// Longest `$regex` pattern, in bytes.
pub const MAX_PATTERN: usize = 256;
/// Most bound values in one query (SQLite allows 32766 per statement).
pub const MAX_VALUES: usize = 5000;

const PARAM: &str = "where";

fn error(message: impl Into<String>) -> QueryError {
    QueryError::new(PARAM, message)
}

/// Parses the raw `where` parameter. An absent or empty value means "all rows".
pub fn parse_where(raw: Option<&str>, catalog: &dyn FieldCatalog) -> Result<Condition, QueryError> {
    let raw = raw.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Ok(Condition::And(Vec::new()));
    }
    let json: Value =
        serde_json::from_str(raw).map_err(|e| error(format!("is not valid JSON: {e}")))?;
    if crate::schema::nul_path(&json, String::new()).is_some() {
        return Err(error("values may not contain NUL (\\u0000) characters"));
    }
    let mut parser = Parser {
        catalog,
        conditions: 0,
        values: 0,
    };
    parser.object(&json, 0)
}

struct Parser<'a> {
    catalog: &'a dyn FieldCatalog,
    conditions: usize,
    values: usize,
}

impl Parser<'_> {
    fn object(&mut self, json: &Value, depth: usize) -> Result<Condition, QueryError> {
        if depth > MAX_DEPTH {
            return Err(error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let obj = json
            .as_object()
            .ok_or_else(|| error("each condition must be a JSON object"))?;
        let mut parts = Vec::with_capacity(obj.len());
        for (key, value) in obj {
            parts.push(match key.as_str() {
                "$and" | "$or" => {
                    let items = value
                        .as_array()
                        .ok_or_else(|| error(format!("'{key}' takes an array of conditions")))?;
                    let subs = items
                        .iter()
                        .map(|item| self.object(item, depth + 1))
                        .collect::<Result<Vec<_>, _>>()?;
                    if key == "$and" {
                        Condition::And(subs)
                    } else {
                        Condition::Or(subs)
                    }
                }
                k if k.starts_with('$') => return Err(error(format!("unknown operator '{k}'"))),
                name => {
                    let field = self.catalog.resolve(PARAM, name)?;
                    self.field(field, name, value)?
                }
            });
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::And(parts)
        })
    }

    fn field(
        &mut self,
        field: QueryField,
        name: &str,
        value: &Value,
    ) -> Result<Condition, QueryError> {
        let ops = match value {
            Value::Object(ops) if ops.keys().all(|k| k.starts_with('$')) && !ops.is_empty() => {
                ops.clone()
            }
            bare => {
                let mut eq = Map::new();
                eq.insert("$eq".into(), bare.clone());
                eq
            }
        };
        let mut parts = Vec::new();
        for (op, operand) in &ops {
            if op == "$options" {
                if !ops.contains_key("$regex") {
                    return Err(error(format!("'$options' on '{name}' needs '$regex'")));
                }
                continue;
            }
            self.conditions += 1;
            if self.conditions > MAX_CONDITIONS {
                return Err(error(format!("more than {MAX_CONDITIONS} conditions")));
            }
            let op = self.operator(&field, name, op, operand, ops.get("$options"))?;
            parts.push(Condition::Field {
                field: field.clone(),
                op,
            });
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::And(parts)
        })
    }

    fn operator(
        &mut self,
        field: &QueryField,
        name: &str,
        op: &str,
        operand: &Value,
        options: Option<&Value>,
    ) -> Result<Op, QueryError> {
        let kind = field.kind;
        let unsupported = || {
            error(format!(
                "operator '{op}' is not supported on '{name}' ({} field)",
                kind.type_name()
            ))
        };
        let scalar = !kind.is_json();
        let ordered = matches!(
            kind,
            FieldKind::Integer | FieldKind::Number | FieldKind::String
        );
        let text = kind == FieldKind::String;
        Ok(match op {
            "$eq" if scalar => Op::Eq(value_for(kind, name, op, operand, true)?),
            "$ne" if scalar => Op::Ne(value_for(kind, name, op, operand, true)?),
            "$lt" if ordered => Op::Lt(value_for(kind, name, op, operand, false)?),
            "$lte" if ordered => Op::Lte(value_for(kind, name, op, operand, false)?),
            "$gt" if ordered => Op::Gt(value_for(kind, name, op, operand, false)?),
            "$gte" if ordered => Op::Gte(value_for(kind, name, op, operand, false)?),
            "$in" | "$nin" if scalar => {
                let items = operand
                    .as_array()
                    .ok_or_else(|| error(format!("'{op}' on '{name}' takes an array")))?;
                if items.len() > MAX_LIST {
                    return Err(error(format!(
                        "'{op}' on '{name}' takes at most {MAX_LIST} values"
                    )));
                }
                self.values += items.len();
                if self.values > MAX_VALUES {
                    return Err(error(format!("more than {MAX_VALUES} values in one query")));
                }
                let values = items
                    .iter()
                    .map(|v| value_for(kind, name, op, v, false))
                    .collect::<Result<Vec<_>, _>>()?;
                if op == "$in" {
                    Op::In(values)
                } else {
                    Op::Nin(values)
                }
            }
            "$contains" | "$icontains" if text => {
                let s = operand
                    .as_str()
                    .ok_or_else(|| error(format!("'{op}' on '{name}' takes a string")))?
                    .to_owned();
                if op == "$contains" {
                    Op::Contains(s)
                } else {
                    Op::IContains(s)
                }
            }
            "$regex" if text => {
                let pattern = operand
                    .as_str()
                    .ok_or_else(|| error(format!("'$regex' on '{name}' takes a string")))?;
                if pattern.len() > MAX_PATTERN {
                    return Err(error(format!(
                        "'$regex' on '{name}' is longer than {MAX_PATTERN} bytes"
                    )));
                }
                regex::Regex::new(pattern).map_err(|e| {
                    error(format!("'$regex' on '{name}' is not a valid pattern: {e}"))
                })?;
                let flags = match options {
                    None => "",
                    Some(Value::String(s)) => s.as_str(),
                    Some(_) => return Err(error(format!("'$options' on '{name}' takes a string"))),
                };
                if let Some(bad) = flags.chars().find(|c| *c != 'i') {
                    return Err(error(format!(
                        "'$options' on '{name}': unsupported flag '{bad}' (only 'i')"
                    )));
                }
                Op::Regex {
                    pattern: pattern.to_owned(),
                    case_insensitive: flags.contains('i'),
                }
            }
            "$exists" | "$isnull" => {
                let b = operand
                    .as_bool()
                    .ok_or_else(|| error(format!("'{op}' on '{name}' takes true or false")))?;
                if op == "$exists" {
                    Op::Exists(b)
                } else {
                    Op::IsNull(b)
                }
            }
            "$eq" | "$ne" | "$lt" | "$lte" | "$gt" | "$gte" | "$in" | "$nin" | "$contains"
            | "$icontains" | "$regex" => return Err(unsupported()),
            other => return Err(error(format!("unknown operator '{other}' on '{name}'"))),
        })
    }
}

/// Converts an operand to a bind value of the field's kind.
fn value_for(
    kind: FieldKind,
    name: &str,
    op: &str,
    v: &Value,
    allow_null: bool,
) -> Result<SqlValue, QueryError> {
    let wrong = || error(format!("'{op}' on '{name}' needs {}", expected(kind)));
    Ok(match (kind, v) {
        (_, Value::Null) if allow_null => SqlValue::Null,
        (FieldKind::String, Value::String(s)) => SqlValue::Text(s.clone()),
        (FieldKind::Integer, Value::Number(n)) => SqlValue::Int(n.as_i64().ok_or_else(wrong)?),
        (FieldKind::Number, Value::Number(n)) => SqlValue::Float(n.as_f64().ok_or_else(wrong)?),
        (FieldKind::Boolean, Value::Bool(b)) => SqlValue::Bool(*b),
        _ => return Err(wrong()),
    })
}

fn expected(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::String => "a string",
        FieldKind::Integer => "an integer",
        FieldKind::Number => "a number",
        FieldKind::Boolean => "true or false",
        FieldKind::Object => "an object",
        FieldKind::Array => "an array",
    }
}

#[cfg(test)]
#[path = "parse_test.rs"]
mod tests;
