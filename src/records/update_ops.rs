//! Write bodies of records: plain values and Hydrogen's atomic operators
//! (`$incr_by $append $append_unique $remove $update $pop`), parsed into
//! [`Change`]s and applied to a field's current value. Pure: the caller applies
//! changes inside a transaction holding the row, so concurrent operators on one
//! record never lose each other's effect.

use serde_json::{Map, Number, Value};

use crate::domain::InvalidInput;
use crate::schema::FieldKind;

/// Most items one `$append`/`$append_unique`/`$remove` may carry.
pub const MAX_OP_ITEMS: usize = 1000;

/// How a write changes one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Overwrite (null clears).
    Set(Value),
    /// Clear (`$unset`).
    Unset,
    /// Add to a number; null counts as 0.
    IncrBy(Number),
    /// Push items onto an array.
    Append(Vec<Value>),
    /// Push items not already present.
    AppendUnique(Vec<Value>),
    /// Remove every occurrence of these items.
    Remove(Vec<Value>),
    /// Shallow-merge keys into an object.
    Update(Map<String, Value>),
    /// Remove the last (`1`) or first (`-1`) element.
    Pop(i64),
}

/// Parses the value sent for the field `name` of `kind`: an operator object
/// (one `$…` key) or a plain value.
pub fn parse_change(name: &str, kind: FieldKind, value: &Value) -> Result<Change, InvalidInput> {
    let Value::Object(map) = value else {
        return Ok(Change::Set(value.clone()));
    };
    let Some((op, operand)) = map.iter().next().filter(|(k, _)| k.starts_with('$')) else {
        return Ok(Change::Set(value.clone()));
    };
    if map.len() != 1 {
        return Err(InvalidInput::new(
            name,
            "an update operator object has exactly one key",
        ));
    }
    let wrong_kind = |what: &str| {
        InvalidInput::new(
            name,
            format!(
                "{op} applies to {what} fields, and '{name}' is a {} field",
                kind.type_name()
            ),
        )
    };
    let items = |v: &Value| -> Result<Vec<Value>, InvalidInput> {
        let list = match v {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        if list.len() > MAX_OP_ITEMS {
            return Err(InvalidInput::new(
                name,
                format!("{op} takes at most {MAX_OP_ITEMS} items"),
            ));
        }
        Ok(list)
    };
    match op.as_str() {
        "$incr_by" => {
            if !kind.is_numeric() {
                return Err(wrong_kind("number"));
            }
            let n = operand
                .as_number()
                .ok_or_else(|| InvalidInput::new(name, "$incr_by takes a number"))?;
            if kind == FieldKind::Integer && !n.is_i64() {
                return Err(InvalidInput::new(name, "$incr_by on an integer field takes an integer"));
            }
            Ok(Change::IncrBy(n.clone()))
        }
        "$append" | "$append_unique" | "$remove" if kind != FieldKind::Array => Err(wrong_kind("array")),
        "$append" => Ok(Change::Append(items(operand)?)),
        "$append_unique" => Ok(Change::AppendUnique(items(operand)?)),
        "$remove" => Ok(Change::Remove(items(operand)?)),
        "$pop" if kind != FieldKind::Array => Err(wrong_kind("array")),
        "$pop" => match operand.as_i64() {
            Some(d @ (1 | -1)) => Ok(Change::Pop(d)),
            _ => Err(InvalidInput::new(name, "$pop takes 1 (last element) or -1 (first element)")),
        },
        "$update" if kind != FieldKind::Object => Err(wrong_kind("object")),
        "$update" => operand
            .as_object()
            .cloned()
            .map(Change::Update)
            .ok_or_else(|| InvalidInput::new(name, "$update takes an object")),
        other => Err(InvalidInput::new(
            name,
            format!("unknown update operator '{other}'; use $incr_by, $append, $append_unique, $remove, $update or $pop"),
        )),
    }
}

/// The field's new value after `change`, given its `current` value.
pub fn apply(name: &str, current: &Value, change: &Change) -> Result<Value, InvalidInput> {
    let array = || match current {
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    Ok(match change {
        Change::Set(v) => v.clone(),
        Change::Unset => Value::Null,
        Change::IncrBy(n) => {
            if let (Some(a), Some(b)) = (
                current.as_i64().or(current.is_null().then_some(0)),
                n.as_i64(),
            ) {
                Value::from(a.checked_add(b).ok_or_else(|| {
                    InvalidInput::new(name, "$incr_by would overflow a 64-bit integer")
                })?)
            } else {
                let sum = current.as_f64().unwrap_or(0.0) + n.as_f64().unwrap_or(0.0);
                Number::from_f64(sum).map(Value::Number).ok_or_else(|| {
                    InvalidInput::new(name, "$incr_by result is not a finite number")
                })?
            }
        }
        Change::Append(items) => {
            let mut a = array();
            a.extend(items.iter().cloned());
            Value::Array(a)
        }
        Change::AppendUnique(items) => {
            let mut a = array();
            for item in items {
                if !a.contains(item) {
                    a.push(item.clone());
                }
            }
            Value::Array(a)
        }
        Change::Remove(items) => {
            let mut a = array();
            a.retain(|v| !items.contains(v));
            Value::Array(a)
        }
        Change::Pop(direction) => {
            let mut a = array();
            if !a.is_empty() {
                if *direction == 1 {
                    a.pop();
                } else {
                    a.remove(0);
                }
            }
            Value::Array(a)
        }
        Change::Update(patch) => {
            let mut obj = match current {
                Value::Object(o) => o.clone(),
                _ => Map::new(),
            };
            for (k, v) in patch {
                obj.insert(k.clone(), v.clone());
            }
            Value::Object(obj)
        }
    })
}

/// Splits an update body into `(field, change)` pairs: either
/// `{"$set": {…}, "$unset": {…}}` or a flat object (an implicit `$set`).
pub fn split_update_body(
    body: &Map<String, Value>,
) -> Result<Vec<(String, Value, bool)>, InvalidInput> {
    let structured = body.keys().any(|k| k.starts_with('$'));
    if !structured {
        return Ok(body
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), false))
            .collect());
    }
    let mut out = Vec::new();
    for (key, value) in body {
        match key.as_str() {
            "$set" | "$unset" => {
                let map = value.as_object().ok_or_else(|| {
                    InvalidInput::new(key.as_str(), "must be an object of field names")
                })?;
                for (field, v) in map {
                    out.push((field.clone(), v.clone(), key == "$unset"));
                }
            }
            other if other.starts_with('$') => {
                return Err(InvalidInput::new(
                    other,
                    "unknown top-level operator; use $set and $unset",
                ))
            }
            other => {
                return Err(InvalidInput::new(
                    other,
                    "a body with $set/$unset cannot also carry plain fields",
                ))
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    if let Some((dup, _, _)) = out.iter().find(|(f, _, _)| !seen.insert(f.clone())) {
        return Err(InvalidInput::new(dup.as_str(), "is both set and unset"));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "update_ops_test.rs"]
mod tests;
