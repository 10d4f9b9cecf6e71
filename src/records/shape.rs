//! How a caller wants rows shaped: which pointers to `expand` and which `keys`
//! to keep (with `ptr.field` inside expanded pointers). Parsed against the
//! object type for the caller's query viewer, applied after presentation.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fields::{describe, QueryFields};
use super::who::Viewer;
use crate::query::QueryError;
use crate::schema::ObjectType;

/// Which fields to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// Every readable field.
    All,
    /// Only these (plus the type's kept keys).
    Include(Vec<String>),
    /// All but these.
    Exclude(Vec<String>),
}

impl Keys {
    /// Applies the selection to one row; an inclusion keeps `kept` too.
    pub fn apply(&self, record: &mut Map<String, Value>, kept: &[&str]) {
        match self {
            Keys::All => {}
            Keys::Include(names) => {
                record.retain(|k, _| kept.contains(&k.as_str()) || names.iter().any(|n| n == k));
            }
            Keys::Exclude(names) => record.retain(|k, _| !names.iter().any(|n| n == k)),
        }
    }
}

/// How to shape rows: which pointers to expand and which keys to keep.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Pointer fields (and `created_by`) to expand.
    pub expand: Vec<String>,
    /// Top-level keys.
    pub keys: Keys,
    /// Keys inside expanded pointers: pointer → selection.
    pub nested: BTreeMap<String, Keys>,
    /// Keys an inclusion always keeps on this type (`id`, and `_id` on records).
    kept: &'static [&'static str],
}

impl Shape {
    /// Every readable field, nothing expanded.
    pub fn all(object: &ObjectType) -> Self {
        Self {
            expand: Vec::new(),
            keys: Keys::All,
            nested: BTreeMap::new(),
            kept: object.kept_keys(),
        }
    }

    /// Parses `keys` and `expand` for `object` as `viewer` may query it.
    pub fn parse(
        object: &ObjectType,
        viewer: Viewer,
        keys: Option<&str>,
        expand: Option<&str>,
    ) -> Result<Self, QueryError> {
        let fields = QueryFields { object, viewer };
        let mut shape = Shape::all(object);
        for name in split(expand) {
            let field = fields.field("expand", name)?;
            if field.pointer.is_none() && field.related.is_none() {
                return Err(QueryError::new(
                    "expand",
                    format!(
                        "'{name}' is not a pointer field (or created_by) or a related field of {}",
                        describe(object)
                    ),
                ));
            }
            if !shape.expand.iter().any(|e| e == name) {
                shape.expand.push(name.to_owned());
            }
        }
        let parts: Vec<&str> = split(keys).collect();
        if parts.is_empty() {
            return Ok(shape);
        }
        let excluded = parts.iter().filter(|p| p.starts_with('-')).count();
        if excluded != 0 && excluded != parts.len() {
            return Err(QueryError::new(
                "keys",
                "cannot mix included and excluded ('-') keys",
            ));
        }
        let mut top = Vec::new();
        let mut nested: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for part in parts {
            let name = part.trim_start_matches('-');
            match name.split_once('.') {
                Some((ptr, sub)) => {
                    if !shape.expand.iter().any(|e| e == ptr) {
                        return Err(QueryError::new(
                            "keys",
                            format!(
                                "'{name}' selects inside '{ptr}', which must also be in expand"
                            ),
                        ));
                    }
                    nested
                        .entry(ptr.to_owned())
                        .or_default()
                        .push(sub.to_owned());
                    if excluded == 0 && !top.iter().any(|t| t == ptr) {
                        top.push(ptr.to_owned());
                    }
                }
                None => {
                    fields.field("keys", name)?;
                    if !top.iter().any(|t| t == name) {
                        top.push(name.to_owned());
                    }
                }
            }
        }
        let wrap = |names: Vec<String>| {
            if excluded == 0 {
                Keys::Include(names)
            } else {
                Keys::Exclude(names)
            }
        };
        shape.nested = nested.into_iter().map(|(k, v)| (k, wrap(v))).collect();
        shape.keys = wrap(top);
        Ok(shape)
    }

    /// Applies `keys` (top and nested) to a presented, expanded row. Inside an
    /// expanded pointer `id`, the id alias and `_table` stay.
    pub fn select(&self, record: &mut Map<String, Value>) {
        for (ptr, keys) in &self.nested {
            if let Some(Value::Object(inner)) = record.get_mut(ptr) {
                keys.apply(inner, &["id", "_id", "user_id", "_table"]);
            }
        }
        self.keys.apply(record, self.kept);
    }
}

fn split(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
