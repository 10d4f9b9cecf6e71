//! Turning stored rows into the records a caller sees: per-row field
//! visibility, the `_id` alias, pointers as `{id, _table}`, `expand` of
//! pointers and `created_by`, and `keys` (with `ptr.field` for expanded pointers).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::access::{self, Viewer};
use super::acl::{Access, Who};
use super::catalog::Catalog;
use super::list::Keys;
use super::table_fields::{readable_columns, TableCatalog};
use crate::query::{Condition, FieldCatalog, Op, QueryError, QueryField, SqlValue};
use crate::schema::{FieldKind, ObjectType, PointerTarget, PROFILE_TYPE};
use crate::store::rows::{self, Page};
use crate::store::users::PROFILE_TABLE;
use crate::store::{records as store_records, AnyConnection, StoreError};

/// How to shape records: which pointers to expand and which keys to keep.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Pointer fields (and `created_by`) to expand.
    pub expand: Vec<String>,
    /// Top-level keys.
    pub keys: Option<Keys>,
    /// Keys inside expanded pointers: pointer → selection.
    pub nested: BTreeMap<String, Keys>,
}

impl Shape {
    /// Parses `expand` and `keys` for `object` as `viewer` may query it.
    pub fn parse(
        object: &ObjectType,
        viewer: Viewer,
        keys: Option<&str>,
        expand: Option<&str>,
    ) -> Result<Self, QueryError> {
        let catalog = TableCatalog { object, viewer };
        let mut shape = Shape::default();
        for name in split(expand) {
            let ok = name == "created_by"
                || catalog
                    .resolve("expand", name)
                    .is_ok_and(|f| f.kind == FieldKind::Pointer);
            if !ok {
                return Err(QueryError::new(
                    "expand",
                    format!(
                        "'{name}' is not a pointer field (or created_by) of table '{}'",
                        object.name
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
                    catalog.resolve("keys", name)?;
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
        shape.keys = (!top.is_empty() || excluded == 0).then(|| wrap(top));
        Ok(shape)
    }
}

fn split(raw: Option<&str>) -> impl Iterator<Item = &str> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The viewer of one row.
pub fn row_viewer(who: Who, created_by: Option<i64>) -> Viewer {
    if who.admin {
        Viewer::Admin
    } else if who.user.is_some() && who.user == created_by {
        Viewer::Owner
    } else {
        Viewer::Other
    }
}

/// Applies field visibility for `who`, adds `_id`, and writes pointers as `{id, _table}`.
pub fn present(object: &ObjectType, who: Who, record: &mut Map<String, Value>) {
    let created_by = record.get("created_by").and_then(Value::as_i64);
    let viewer = row_viewer(who, created_by);
    for field in &object.fields {
        let name = field.name.as_str();
        if !viewer.may_read(field.read) {
            record.remove(name);
            continue;
        }
        if let (Some(target), Some(Value::String(id))) = (&field.pointer, record.get(name)) {
            let table = match target {
                PointerTarget::Table(t) => Some(t.clone()),
                PointerTarget::ByField(f) => {
                    record.get(f).and_then(Value::as_str).map(str::to_owned)
                }
            };
            let id_value = match (&table, id.parse::<i64>()) {
                (Some(t), Ok(n)) if t == PROFILE_TYPE => Value::from(n),
                _ => Value::String(id.clone()),
            };
            let mut ptr = Map::new();
            ptr.insert("id".into(), id_value);
            ptr.insert("_table".into(), table.map_or(Value::Null, Value::String));
            record.insert(name.to_owned(), Value::Object(ptr));
        }
    }
    if let Some(id) = record.get("id").cloned() {
        record.insert("_id".into(), id);
    }
}

/// Applies `keys` (top and nested) to a presented, expanded record.
pub fn select_keys(shape: &Shape, record: &mut Map<String, Value>) {
    for (ptr, keys) in &shape.nested {
        if let Some(Value::Object(inner)) = record.get_mut(ptr) {
            let keep_table = inner.get("_table").cloned();
            keys.apply(inner);
            if let Some(t) = keep_table {
                inner.insert("_table".into(), t);
            }
        }
    }
    if let Some(keys) = &shape.keys {
        let id = record.get("_id").cloned();
        keys.apply(record);
        if let (Some(id), Keys::Include(_)) = (id, keys) {
            record.insert("_id".into(), id);
        }
    }
}

/// Replaces the pointers named in `shape.expand` with the records they point to,
/// where `who` may read them (others keep the `{id, _table}` form).
pub fn expand(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    who: Who,
    records: &mut [Map<String, Value>],
    shape: &Shape,
) -> Result<(), StoreError> {
    for name in &shape.expand {
        // (table, id) of every pointer to expand.
        let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in records.iter() {
            if let Some((table, id)) = target_of(name, r.get(name)) {
                wanted.entry(table).or_default().insert(id);
            }
        }
        let mut found: BTreeMap<(String, String), Value> = BTreeMap::new();
        for (table, ids) in wanted {
            let ids: Vec<String> = ids.into_iter().collect();
            for (id, doc) in fetch(conn, catalog, who, &table, &ids)? {
                found.insert((table.clone(), id), doc);
            }
        }
        for r in records.iter_mut() {
            if let Some(key) = target_of(name, r.get(name)) {
                if let Some(doc) = found.get(&key) {
                    r.insert(name.clone(), doc.clone());
                }
            }
        }
    }
    Ok(())
}

/// The `(table, id)` a presented pointer value (or `created_by`) refers to.
fn target_of(name: &str, value: Option<&Value>) -> Option<(String, String)> {
    match value? {
        Value::Number(n) if name == "created_by" => Some((PROFILE_TYPE.to_owned(), n.to_string())),
        Value::Object(ptr) => {
            let table = ptr.get("_table")?.as_str()?.to_owned();
            let id = match ptr.get("id")? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((table, id))
        }
        _ => None,
    }
}

/// The readable records of `table` among `ids`, presented, with `_table`.
fn fetch(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    who: Who,
    table: &str,
    ids: &[String],
) -> Result<Vec<(String, Value)>, StoreError> {
    let mut out = Vec::new();
    if table == PROFILE_TYPE {
        let numeric: Vec<SqlValue> = ids
            .iter()
            .filter_map(|s| s.parse::<i64>().ok())
            .map(SqlValue::Int)
            .collect();
        if numeric.is_empty() {
            return Ok(out);
        }
        let widest = if who.admin {
            Viewer::Admin
        } else {
            Viewer::Owner
        };
        let columns = access::readable_columns(&catalog.profile, widest);
        let cond = Condition::Field {
            field: QueryField {
                column: "id".into(),
                kind: FieldKind::Integer,
            },
            op: Op::In(numeric),
        };
        let page = Page {
            order: &[],
            tie_breaker: "id",
            limit: ids.len() as i64,
            offset: 0,
            near: None,
        };
        for mut user in rows::select(conn, PROFILE_TABLE, &columns, &cond, &page)? {
            let id = user.get("id").and_then(Value::as_i64).unwrap_or_default();
            let viewer = row_viewer(who, Some(id));
            let visible: Vec<String> = access::readable_columns(&catalog.profile, viewer)
                .into_iter()
                .map(|c| c.name)
                .collect();
            user.retain(|k, _| visible.iter().any(|v| v == k));
            user.insert("user_id".into(), Value::from(id));
            user.insert("_table".into(), Value::String(PROFILE_TYPE.into()));
            out.push((id.to_string(), Value::Object(user)));
        }
        return Ok(out);
    }
    let Some(entry) = catalog.tables.get(table) else {
        return Ok(out);
    };
    let widest = if who.admin {
        Viewer::Admin
    } else {
        Viewer::Owner
    };
    let columns = readable_columns(&entry.object, widest);
    let cond = who
        .filter(Access::Read)
        .unwrap_or(Condition::And(Vec::new()));
    for mut doc in store_records::get_many(conn, &entry.sql, &columns, ids, &cond)? {
        present(&entry.object, who, &mut doc);
        doc.insert("_table".into(), Value::String(table.to_owned()));
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        out.push((id, Value::Object(doc)));
    }
    Ok(out)
}
