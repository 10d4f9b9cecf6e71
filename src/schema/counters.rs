//! Counter fields: an integer field of type X declared as the number of
//! records of table T whose pointer P points at the X record (optionally only
//! those matching literal values). Each counter is checked against T once
//! every file is compiled, and T learns which counters its writes move.

use std::path::Path;

use serde_json::{Map, Value};

use super::error::SchemaError;
use super::extension::CountExtension;
use super::field::{Builtin, FieldKind, PointerTarget};
use super::load::Registry;
use super::object_type::{ObjectType, TypeClass};
use super::EXTENSION_KEYWORD;

/// A counter as declared on its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// The table whose records are counted.
    pub table: String,
    /// The pointer of that table pointing at the counting record.
    pub pointer: String,
    /// Field values a counted record must have.
    pub filter: Vec<(String, Value)>,
}

impl Counter {
    /// From the `count` keyword.
    pub fn new(ext: &CountExtension) -> Self {
        Self {
            table: ext.table.clone(),
            pointer: ext.pointer.clone(),
            filter: ext
                .where_
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// A counter as the counted table sees it: which record's which field a
/// write of one of its rows moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterLink {
    /// The type holding the counter.
    pub target: String,
    /// Its class (how its ids are stored).
    pub target_class: TypeClass,
    /// The counter field.
    pub field: String,
    /// The counted table's pointer field.
    pub pointer: String,
    /// Whether that pointer is stored as a user id number (`created_by`)
    /// rather than as text.
    pub pointer_is_integer: bool,
    /// With a polymorphic pointer: the type field, which must name `target`.
    pub type_field: Option<String>,
    /// Field values a counted row must have.
    pub filter: Vec<(String, Value)>,
}

impl CounterLink {
    /// The id of the record whose counter `row` (a stored row of the counted
    /// table) adds one to, if it counts at all.
    pub fn counted_in(&self, row: &Map<String, Value>) -> Option<String> {
        if let Some(tf) = &self.type_field {
            if row.get(tf).and_then(Value::as_str) != Some(self.target.as_str()) {
                return None;
            }
        }
        if !self
            .filter
            .iter()
            .all(|(f, v)| row.get(f).unwrap_or(&Value::Null) == v)
        {
            return None;
        }
        match row.get(&self.pointer)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Checks every counter of `registry` against the table it counts and gives
/// each counted table its links.
pub fn link_counters(dir: &Path, registry: &mut Registry) -> Result<(), SchemaError> {
    let mut links: Vec<(String, CounterLink)> = Vec::new();
    for object in std::iter::once(&registry.profile).chain(registry.tables.values()) {
        for field in &object.fields {
            let Some(counter) = &field.counter else {
                continue;
            };
            let at = format!(
                "/properties/{}/{EXTENSION_KEYWORD}/count",
                field.name.as_str()
            );
            let fail = |key: &str, message: String| {
                SchemaError::new(
                    dir.join(format!("{}.json", object.name)),
                    format!("{at}/{key}"),
                    message,
                )
            };
            let source = registry.get(&counter.table).ok_or_else(|| {
                fail(
                    "table",
                    format!("no schema file declares the table '{}'", counter.table),
                )
            })?;
            let link =
                link(object, field.name.as_str(), counter, source).map_err(|(k, m)| fail(k, m))?;
            links.push((counter.table.clone(), link));
        }
    }
    for (table, link) in links {
        if let Some(source) = registry.get_mut(&table) {
            source.counted_by.push(link);
        }
    }
    Ok(())
}

fn link(
    target: &ObjectType,
    field: &str,
    counter: &Counter,
    source: &ObjectType,
) -> Result<CounterLink, (&'static str, String)> {
    if source.is_profile() {
        return Err((
            "table",
            "a counter counts records of a data table (users cannot be counted yet)".into(),
        ));
    }
    let (pointer_is_integer, type_field) =
        pointer_to(source, &counter.pointer, &target.name).map_err(|m| ("pointer", m))?;
    check_filter(source, &counter.filter, false).map_err(|m| ("where", m))?;
    Ok(CounterLink {
        target: target.name.clone(),
        target_class: target.class,
        field: field.to_owned(),
        pointer: counter.pointer.clone(),
        pointer_is_integer,
        type_field,
        filter: counter.filter.clone(),
    })
}

/// Checks that `name` is a pointer of `source` to the type `target` (a
/// pointer field, a polymorphic one whose type field may name it, or
/// `created_by` for users). Returns whether it is stored as an integer and
/// the type field of a polymorphic pointer.
pub(super) fn pointer_to(
    source: &ObjectType,
    name: &str,
    target: &str,
) -> Result<(bool, Option<String>), String> {
    let pointer = source
        .lookup(name)
        .ok_or_else(|| format!("'{name}' is not a field of '{}'", source.name))?;
    let type_field = match &pointer.pointer {
        Some(PointerTarget::Table(t)) if t == target => None,
        Some(PointerTarget::ByField(tf))
            if source
                .field(tf)
                .and_then(|f| f.enum_values.as_ref())
                .is_some_and(|e| e.iter().any(|t| t == target)) =>
        {
            Some(tf.clone())
        }
        _ => {
            return Err(format!(
                "'{}.{name}' is not a pointer to '{target}'",
                source.name
            ))
        }
    };
    let integer = pointer.builtin == Some(Builtin::CreatedBy);
    Ok((integer, type_field))
}

/// Checks that each `(field, literal)` names a stored boolean, integer or
/// string field of `source` and a literal of its type.
pub(super) fn check_filter(
    source: &ObjectType,
    filter: &[(String, Value)],
    one_of: bool,
) -> Result<(), String> {
    for (name, literal) in filter {
        let f = source
            .field(name)
            .ok_or_else(|| format!("'{name}' is not a declared field of '{}'", source.name))?;
        let fits = |literal: &Value| {
            matches!(
                (f.kind, literal),
                (FieldKind::Boolean, Value::Bool(_))
                    | (FieldKind::Integer, Value::Number(_))
                    | (FieldKind::String, Value::String(_))
            )
        };
        let fits = match literal {
            Value::Array(items) if one_of => !items.is_empty() && items.iter().all(fits),
            single => fits(single),
        };
        if !fits || !f.is_stored() {
            let what = if one_of {
                "a literal of its type, or a non-empty list of them (any one matches)"
            } else {
                "a literal of its type"
            };
            return Err(format!(
                "'{name}': a where compares a stored boolean, integer or string field with {what}"
            ));
        }
    }
    Ok(())
}
