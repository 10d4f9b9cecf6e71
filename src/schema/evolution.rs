//! How a schema changes between two versions: which changes narrow what may be
//! stored (stored rows might no longer fit) as opposed to additive ones. Pure:
//! the store counts the rows that do not fit.

use serde_json::Value;

use super::object_type::ObjectType;
use super::EXTENSION_KEYWORD;

/// A rule that admits fewer values than before.
#[derive(Debug, Clone, PartialEq)]
pub enum Narrowing {
    /// The field's type (or its kind: date, pointer, geometry) changed: from, to.
    TypeChange(String, String),
    /// Strings longer than this no longer fit.
    MaxLength(u64),
    /// Strings shorter than this no longer fit.
    MinLength(u64),
    /// Numbers above this no longer fit.
    Maximum(f64),
    /// Numbers below this no longer fit.
    Minimum(f64),
    /// Only these values fit.
    Enum(Vec<Value>),
    /// Null no longer fits.
    Required,
}

/// One narrowing change of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrowingStep {
    /// The object type.
    pub object_type: String,
    /// The field.
    pub field: String,
    /// What narrowed.
    pub rule: Narrowing,
    /// Whether the field is new (its column does not exist yet).
    pub new_field: bool,
}

impl NarrowingStep {
    /// Says what changed, e.g. `post.title: maxLength 32`.
    pub fn describe(&self) -> String {
        let rule = match &self.rule {
            Narrowing::TypeChange(from, to) => format!("type changed from {from} to {to}"),
            Narrowing::MaxLength(n) => format!("maxLength {n}"),
            Narrowing::MinLength(n) => format!("minLength {n}"),
            Narrowing::Maximum(n) => format!("maximum {n}"),
            Narrowing::Minimum(n) => format!("minimum {n}"),
            Narrowing::Enum(values) => format!("enum {}", Value::Array(values.clone())),
            Narrowing::Required => "required".to_owned(),
        };
        format!("{}.{}: {rule}", self.object_type, self.field)
    }
}

/// The narrowing changes from `old` (the type's schema document as last
/// applied) to `new`.
pub fn narrowings(old: &Value, new: &ObjectType) -> Vec<NarrowingStep> {
    let old_required: Vec<&str> = old
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut steps = Vec::new();
    for field in new.fields.iter().filter(|f| f.is_stored()) {
        let name = field.name.as_str();
        let step = |rule| NarrowingStep {
            object_type: new.name.clone(),
            field: name.to_owned(),
            rule,
            new_field: false,
        };
        let Some(before) = old.get("properties").and_then(|p| p.get(name)) else {
            if field.required && field.default.is_none() {
                steps.push(NarrowingStep {
                    new_field: true,
                    ..step(Narrowing::Required)
                });
            }
            continue;
        };
        let after = &field.raw;
        if kind_of(before) != kind_of(after) {
            steps.push(step(Narrowing::TypeChange(kind_of(before), kind_of(after))));
            continue;
        }
        let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64);
        if let Some(n) = number(after, "maxLength") {
            if number(before, "maxLength").is_none_or(|o| o > n) {
                steps.push(step(Narrowing::MaxLength(n as u64)));
            }
        }
        if let Some(n) = number(after, "minLength") {
            if number(before, "minLength").is_none_or(|o| o < n) {
                steps.push(step(Narrowing::MinLength(n as u64)));
            }
        }
        if let Some(n) = number(after, "maximum") {
            if number(before, "maximum").is_none_or(|o| o > n) {
                steps.push(step(Narrowing::Maximum(n)));
            }
        }
        if let Some(n) = number(after, "minimum") {
            if number(before, "minimum").is_none_or(|o| o < n) {
                steps.push(step(Narrowing::Minimum(n)));
            }
        }
        if let Some(allowed) = after.get("enum").and_then(Value::as_array) {
            let widened_or_same = before
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|old| old.iter().all(|v| allowed.contains(v)));
            if !widened_or_same {
                steps.push(step(Narrowing::Enum(allowed.clone())));
            }
        }
        if field.required && !old_required.contains(&name) {
            steps.push(step(Narrowing::Required));
        }
    }
    steps
}

/// What decides a field's storage, said as a person would: its type (without
/// `null`), refined by `date-time` or the pointer or geometry of its extension.
fn kind_of(schema: &Value) -> String {
    let ty = match schema.get("type") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        Some(t) => t.as_str().unwrap_or("?"),
        None => "?",
    };
    let ext = schema.get(EXTENSION_KEYWORD);
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        format!("{ty} (date-time)")
    } else if ext.and_then(|e| e.get("pointer")).is_some() {
        format!("{ty} (pointer)")
    } else if let Some(geo) = ext.and_then(|e| e.get("geo")).and_then(Value::as_str) {
        format!("{ty} (geo {geo})")
    } else {
        ty.to_owned()
    }
}

#[cfg(test)]
#[path = "evolution_test.rs"]
mod tests;
