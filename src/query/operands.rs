//! The operators of the query language and their operands: which operator
//! applies to which field kind ([`allowed`]), and each operand parsed into
//! the value the operator compares with (a regular expression within its
//! bounds, a geometry, a value of the field's kind).

use serde_json::Value;

use super::condition::Op;
use super::error::QueryError;
use super::parse::error;
use super::pattern::{
    compile as compile_pattern, with_flags, PatternError, MAX_COMPILED, MAX_PATTERN,
};
use super::sql::SqlValue;
use crate::domain::{GeoPoint, GeoPolygon, IsoDate};
use crate::schema::FieldKind;

/// What an operator's operand is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    /// A value of the field's kind (null allowed for `$eq`/`$ne`).
    Value,
    /// A list of values of the field's kind (items of an array field).
    Values,
    /// `[start, end]` integers, start <= end.
    Range,
    /// `true` or `false`.
    Flag,
    /// A string looked for in the field.
    Text,
    /// A regular expression, with `$options: "i"` beside it.
    Pattern,
    /// A key name of an object field.
    Key,
    /// A GeoJSON geometry (with a radius or distances for some).
    Geometry,
}

/// One operator of the query language: its name, its operand and the field
/// kinds it applies to. The parser, the console's filter builder (through
/// the admin schema API) and the OpenAPI document all read [`OPERATORS`].
#[derive(Debug, Clone, Copy)]
pub struct Operator {
    /// `$eq`, `$in`, …
    pub name: &'static str,
    /// What it compares with.
    pub operand: Operand,
    /// The field kinds it applies to.
    pub kinds: &'static [FieldKind],
}

use FieldKind::{
    Array, Boolean, Date, Integer, Number, Object, Point, Pointer, Polygon, String as Str,
};

/// Kinds with an order.
const ORDERED: &[FieldKind] = &[Str, Integer, Number, Date];
/// Every kind.
const EVERY: &[FieldKind] = &FieldKind::ALL;

/// Every operator of the query language (HYDROGEN-API.md §3, plus ordering
/// and `$icontains` on strings, `$ne`/`$in` on dates).
pub const OPERATORS: &[Operator] = &[
    Operator {
        name: "$eq",
        operand: Operand::Value,
        kinds: &[Str, Integer, Number, Date, Boolean, Pointer, Array, Object],
    },
    Operator {
        name: "$ne",
        operand: Operand::Value,
        kinds: &[Str, Integer, Number, Date, Boolean, Pointer],
    },
    Operator {
        name: "$lt",
        operand: Operand::Value,
        kinds: ORDERED,
    },
    Operator {
        name: "$lte",
        operand: Operand::Value,
        kinds: ORDERED,
    },
    Operator {
        name: "$gt",
        operand: Operand::Value,
        kinds: ORDERED,
    },
    Operator {
        name: "$gte",
        operand: Operand::Value,
        kinds: ORDERED,
    },
    Operator {
        name: "$in",
        operand: Operand::Values,
        kinds: &[Str, Integer, Number, Date, Pointer, Array],
    },
    Operator {
        name: "$nin",
        operand: Operand::Values,
        kinds: &[Str, Integer, Number, Date, Pointer, Array],
    },
    Operator {
        name: "$contains",
        operand: Operand::Text,
        kinds: &[Str],
    },
    Operator {
        name: "$icontains",
        operand: Operand::Text,
        kinds: &[Str],
    },
    Operator {
        name: "$regex",
        operand: Operand::Pattern,
        kinds: &[Str],
    },
    Operator {
        name: "$range",
        operand: Operand::Range,
        kinds: &[Integer, Number],
    },
    Operator {
        name: "$all",
        operand: Operand::Values,
        kinds: &[Array],
    },
    Operator {
        name: "$has_key",
        operand: Operand::Key,
        kinds: &[Object],
    },
    Operator {
        name: "$within",
        operand: Operand::Geometry,
        kinds: &[Point],
    },
    Operator {
        name: "$center",
        operand: Operand::Geometry,
        kinds: &[Point],
    },
    Operator {
        name: "$nearsphere",
        operand: Operand::Geometry,
        kinds: &[Point],
    },
    Operator {
        name: "$intersects",
        operand: Operand::Geometry,
        kinds: &[Polygon],
    },
    Operator {
        name: "$exists",
        operand: Operand::Flag,
        kinds: EVERY,
    },
    Operator {
        name: "$isnull",
        operand: Operand::Flag,
        kinds: EVERY,
    },
];

/// The operators that apply to a field of `kind`, in table order.
pub fn operators_for(kind: FieldKind) -> impl Iterator<Item = &'static Operator> {
    OPERATORS.iter().filter(move |o| o.kinds.contains(&kind))
}

/// Whether `op` is an operator of the language at all.
pub(super) fn is_known(op: &str) -> bool {
    OPERATORS.iter().any(|o| o.name == op)
}

/// Whether `op` applies to a field of `kind`.
pub(super) fn allowed(kind: FieldKind, op: &str) -> bool {
    operators_for(kind).any(|o| o.name == op)
}

pub(super) fn is_key_name(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && k.len() <= 64
}

/// A `$regex` condition: a pattern of at most [`MAX_PATTERN`] bytes that
/// compiles, with its `$options`, within [`MAX_COMPILED`] bytes (the bounds
/// SQLite's `regexp()` compiles it under; PostgreSQL runs its own engine, but
/// the same patterns are refused there).
pub(super) fn regex_op(
    name: &str,
    operand: &Value,
    options: Option<&Value>,
) -> Result<Op, QueryError> {
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
pub(super) fn geo_op(name: &str, op: &str, operand: &Value) -> Result<Op, QueryError> {
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
pub(super) fn value_for(
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

pub(super) fn expected(kind: FieldKind) -> &'static str {
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
        FieldKind::File | FieldKind::Files => "nothing: file fields take $isnull and $exists only",
    }
}
