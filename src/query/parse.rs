//! Parsing `where` JSON into a [`Condition`].

use serde_json::{Map, Value};

use super::condition::{Condition, Op};
use super::error::QueryError;
use super::operands::{allowed, geo_op, is_key_name, is_known, regex_op, value_for};
use super::pattern::MAX_REGEXES;
use super::{FieldCatalog, QueryField};
use crate::schema::FieldKind;

/// Deepest nesting of `$and`/`$or` accepted.
pub const MAX_DEPTH: usize = 8;
/// Most field conditions in one query.
pub const MAX_CONDITIONS: usize = 200;
/// Most items in one `$in`/`$nin` list.
pub const MAX_LIST: usize = 1000;
/// Most bound values in one query (SQLite allows 32766 per statement).
pub const MAX_VALUES: usize = 5000;

const PARAM: &str = "where";

pub(super) fn error(message: impl Into<String>) -> QueryError {
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
        regexes: 0,
    };
    parser.object(&json, 0)
}

struct Parser<'a> {
    catalog: &'a dyn FieldCatalog,
    conditions: usize,
    values: usize,
    regexes: usize,
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
        if !allowed(kind, op) {
            return Err(if is_known(op) {
                error(format!(
                    "operator '{op}' is not supported on '{name}' ({} field)",
                    kind.type_name()
                ))
            } else {
                error(format!("unknown operator '{op}' on '{name}'"))
            });
        }
        let json_doc = matches!(kind, FieldKind::Array | FieldKind::Object);
        Ok(match op {
            "$eq" if json_doc => Op::JsonEq(operand.clone()),
            "$eq" => Op::Eq(value_for(kind, name, op, operand, true)?),
            "$ne" => Op::Ne(value_for(kind, name, op, operand, true)?),
            "$lt" => Op::Lt(value_for(kind, name, op, operand, false)?),
            "$lte" => Op::Lte(value_for(kind, name, op, operand, false)?),
            "$gt" => Op::Gt(value_for(kind, name, op, operand, false)?),
            "$gte" => Op::Gte(value_for(kind, name, op, operand, false)?),
            "$in" | "$nin" | "$all" if kind == FieldKind::Array => {
                let items = self.list(name, op, operand)?;
                if let Some(bad) = items
                    .iter()
                    .find(|v| !(v.is_string() || v.is_number() || v.is_boolean()))
                {
                    return Err(error(format!(
                        "'{op}' on '{name}' takes strings, numbers or booleans, not {bad}"
                    )));
                }
                match op {
                    "$in" => Op::ArrayIn(items.to_vec()),
                    "$nin" => Op::ArrayNin(items.to_vec()),
                    _ => Op::All(items.to_vec()),
                }
            }
            "$in" | "$nin" => {
                let items = self.list(name, op, operand)?;
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
            "$contains" | "$icontains" => {
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
            "$regex" => {
                self.regexes += 1;
                if self.regexes > MAX_REGEXES {
                    return Err(error(format!(
                        "more than {MAX_REGEXES} '$regex' conditions in one query"
                    )));
                }
                regex_op(name, operand, options)?
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
            "$has_key" => {
                let key = operand
                    .as_str()
                    .filter(|k| is_key_name(k))
                    .ok_or_else(|| {
                        error(format!(
                            "'$has_key' on '{name}' takes a key name: letters, digits and '_', starting with a letter"
                        ))
                    })?;
                Op::HasKey(key.to_owned())
            }
            "$range" => {
                let bad = || {
                    error(format!(
                        "'$range' on '{name}' takes [start, end] integers with start <= end"
                    ))
                };
                let pair = operand
                    .as_array()
                    .filter(|a| a.len() == 2)
                    .ok_or_else(bad)?;
                let (a, b) = (
                    pair[0].as_i64().ok_or_else(bad)?,
                    pair[1].as_i64().ok_or_else(bad)?,
                );
                if a > b {
                    return Err(bad());
                }
                Op::Range(a, b)
            }
            _ => geo_op(name, op, operand)?,
        })
    }

    /// A bounded `$in`/`$nin`/`$all` list.
    fn list<'v>(
        &mut self,
        name: &str,
        op: &str,
        operand: &'v Value,
    ) -> Result<&'v [Value], QueryError> {
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
        Ok(items)
    }
}

#[cfg(test)]
#[path = "parse_test.rs"]
mod tests;
