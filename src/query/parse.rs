//! Parsing `where` JSON into a [`Condition`].

use serde_json::{Map, Value};

use super::condition::{Condition, Op};
use super::error::QueryError;
use super::pattern::{
    compile as compile_pattern, with_flags, PatternError, MAX_COMPILED, MAX_PATTERN, MAX_REGEXES,
};
use super::sql::SqlValue;
use super::{FieldCatalog, QueryField};
use crate::domain::{GeoPoint, GeoPolygon, IsoDate};
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
            return Err(if KNOWN_OPS.contains(&op) {
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

/// Every operator of the query language.
const KNOWN_OPS: &[&str] = &[
    "$eq",
    "$ne",
    "$lt",
    "$lte",
    "$gt",
    "$gte",
    "$in",
    "$nin",
    "$contains",
    "$icontains",
    "$regex",
    "$exists",
    "$isnull",
    "$all",
    "$has_key",
    "$range",
    "$intersects",
    "$within",
    "$center",
    "$nearsphere",
];

/// The per-type operator table (HYDROGEN-API.md §3, plus ordering and
/// `$icontains` on strings, `$ne`/`$in` on dates and booleans).
fn allowed(kind: FieldKind, op: &str) -> bool {
    let common = matches!(op, "$exists" | "$isnull");
    let compare = matches!(
        op,
        "$eq" | "$ne" | "$lt" | "$lte" | "$gt" | "$gte" | "$in" | "$nin"
    );
    common
        || match kind {
            FieldKind::String => compare || matches!(op, "$contains" | "$icontains" | "$regex"),
            FieldKind::Integer | FieldKind::Number => compare || op == "$range",
            FieldKind::Date => compare,
            FieldKind::Boolean => matches!(op, "$eq" | "$ne"),
            FieldKind::Pointer => matches!(op, "$eq" | "$ne" | "$in" | "$nin"),
            FieldKind::Array => matches!(op, "$eq" | "$in" | "$nin" | "$all"),
            FieldKind::Object => matches!(op, "$eq" | "$has_key"),
            FieldKind::Point => matches!(op, "$within" | "$center" | "$nearsphere"),
            FieldKind::Polygon => op == "$intersects",
        }
}

fn is_key_name(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && k.len() <= 64
}

/// A `$regex` condition: a pattern of at most [`MAX_PATTERN`] bytes that
/// compiles, with its `$options`, within [`MAX_COMPILED`] bytes (the bounds
/// SQLite's `regexp()` compiles it under; PostgreSQL runs its own engine, but
/// the same patterns are refused there).
fn regex_op(name: &str, operand: &Value, options: Option<&Value>) -> Result<Op, QueryError> {
    let pattern = operand
        .as_str()
        .ok_or_else(|| error(format!("'$regex' on '{name}' takes a string")))?;
    if pattern.len() > MAX_PATTERN {
        return Err(error(format!(
            "'$regex' on '{name}' is longer than {MAX_PATTERN} bytes"
        )));
    }
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
    let case_insensitive = flags.contains('i');
    compile_pattern(&with_flags(pattern, case_insensitive)).map_err(|e| match e {
        PatternError::TooComplex => error(format!(
            "'$regex' on '{name}': the pattern is too complex (it compiles to more than \
             {} KiB); use fewer or shorter repetitions of character classes such as \\w",
            MAX_COMPILED / 1024
        )),
        PatternError::TooLong => error(format!(
            "'$regex' on '{name}' is longer than {MAX_PATTERN} bytes"
        )),
        PatternError::Invalid(e) => {
            error(format!("'$regex' on '{name}' is not a valid pattern: {e}"))
        }
    })?;
    Ok(Op::Regex {
        pattern: pattern.to_owned(),
        case_insensitive,
    })
}

/// `$intersects`, `$within`, `$center`, `$nearsphere`.
fn geo_op(name: &str, op: &str, operand: &Value) -> Result<Op, QueryError> {
    let geo_err = |e: crate::domain::InvalidInput| error(format!("'{op}' on '{name}': {}", e.rule));
    let distance = |key: &str, v: Option<&Value>| -> Result<Option<f64>, QueryError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(Some)
                .ok_or_else(|| error(format!("'{op}' on '{name}': {key} must be a number >= 0"))),
        }
    };
    Ok(match op {
        "$intersects" => Op::Intersects(GeoPoint::parse(name, operand).map_err(geo_err)?),
        "$within" => Op::Within(GeoPolygon::parse(name, operand).map_err(geo_err)?),
        "$center" => {
            let obj = operand.as_object().ok_or_else(|| {
                error(format!(
                    "'$center' on '{name}' takes {{\"radius\": km, \"coordinates\": [lng, lat]}}"
                ))
            })?;
            let center = GeoPoint::parse_pair(name, obj.get("coordinates").unwrap_or(&Value::Null))
                .map_err(geo_err)?;
            let km = distance("radius", obj.get("radius"))?.ok_or_else(|| {
                error(format!(
                    "'$center' on '{name}' needs a radius in kilometres"
                ))
            })?;
            Op::Center {
                center,
                radius_m: km * 1000.0,
            }
        }
        "$nearsphere" => {
            let obj = operand.as_object().ok_or_else(|| {
                error(format!("'$nearsphere' on '{name}' takes {{\"geometry\": Point, \"min_distance\": m, \"max_distance\": m}}"))
            })?;
            let point = GeoPoint::parse(name, obj.get("geometry").unwrap_or(&Value::Null))
                .map_err(geo_err)?;
            Op::NearSphere {
                point,
                min_m: distance("min_distance", obj.get("min_distance"))?.unwrap_or(0.0),
                max_m: distance("max_distance", obj.get("max_distance"))?,
            }
        }
        other => return Err(error(format!("unknown operator '{other}' on '{name}'"))),
    })
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
        (FieldKind::Date, Value::String(s)) => SqlValue::Text(
            IsoDate::parse(name, s)
                .map_err(|e| error(format!("'{op}' on '{name}': {}", e.rule)))?
                .stored(),
        ),
        (FieldKind::Pointer, Value::String(s)) => SqlValue::Text(s.clone()),
        (FieldKind::Pointer, Value::Number(n)) if n.is_i64() => SqlValue::Text(n.to_string()),
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
        FieldKind::Date => "an ISO-8601 date-time string",
        FieldKind::Pointer => "a record id (string) or user id",
        FieldKind::Point | FieldKind::Polygon => "a GeoJSON geometry",
    }
}

#[cfg(test)]
#[path = "parse_test.rs"]
mod tests;
