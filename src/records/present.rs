//! Turning stored rows into the rows a caller sees: per-row field visibility,
//! the id alias (`user_id` or `_id`), pointers as `{id, _table}`, and `expand`
//! of pointers (and `created_by`) into the rows they point to.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::fields::{acl_of, owner_of, parse_id, readable_columns};
use super::relations::{add_related, add_viewer_flags, read_grants, Grants};
use super::shape::Shape;
use super::who::{Access, Viewer, Who};
use crate::query::Condition;
use crate::schema::{
    cel_now, from_cel, to_cel, Builtin, FieldKind, ObjectType, PointerTarget, Snapshot,
    PROFILE_TYPE,
};
use crate::store::{objects, AnyConnection, StoreError};

/// Applies field visibility for `who`, adds the id alias, writes pointers
/// as `{id, _table}` (user ids as numbers), and leaves out declared and
/// account fields without a value (Hydrogen answers them absent, not null).
pub fn present(object: &ObjectType, who: Who, record: &mut Map<String, Value>, grants: &Grants) {
    let owner = owner_of(object, record);
    let viewer = Viewer::of_row(who, owner);
    add_computed(object, viewer, record);
    for field in object.all_fields() {
        let name = field.name.as_str();
        if !viewer.may_read(field.read) && !grants.allows(name, owner) {
            record.remove(name);
            continue;
        }
        if let (Some(mask), Viewer::Other) = (&field.mask, viewer) {
            if let Some(Value::String(s)) = record.get(name) {
                let masked = mask.apply(s);
                record.insert(name.to_owned(), Value::String(masked));
            }
            continue;
        }
        if field.kind != FieldKind::Pointer {
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
    // As on Hydrogen, a field without a value is absent, not null: declared
    // fields never set (or `$unset`), and the account's identifiers it lacks.
    for field in object.all_fields() {
        let omitted = matches!(field.builtin, None | Some(Builtin::Account));
        if omitted && record.get(field.name.as_str()).is_some_and(Value::is_null) {
            record.remove(field.name.as_str());
        }
    }
    if let Some(id) = record.get("id").cloned() {
        record.insert(object.id_alias().to_owned(), id);
    }
}

/// Adds the computed fields `viewer` may read, evaluated over the stored
/// values of `record` (dates as timestamps) and the current time. A value the
/// expression cannot give — a field it reads is empty, a result of the wrong
/// type — is null.
fn add_computed(object: &ObjectType, viewer: Viewer, record: &mut Map<String, Value>) {
    for field in &object.fields {
        let Some(expr) = &field.computed else {
            continue;
        };
        if !viewer.may_read(field.read) {
            continue;
        }
        let mut vars = BTreeMap::new();
        for name in expr.variables() {
            let value = if name == "now" {
                cel_now()
            } else {
                let date = object
                    .lookup(name)
                    .is_some_and(|f| f.kind == FieldKind::Date);
                to_cel(record.get(name).unwrap_or(&Value::Null), date)
            };
            vars.insert(name.as_str(), value);
        }
        let value = expr
            .eval(vars)
            .ok()
            .and_then(|v| from_cel(&v))
            .filter(|v| field.validate(v).is_ok())
            .unwrap_or(Value::Null);
        record.insert(field.name.as_str().to_owned(), value);
    }
}

/// Presents `records`, expands what `shape` asks for, then applies its keys.
pub fn finish(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    records: &mut [Map<String, Value>],
    shape: &Shape,
) -> Result<(), StoreError> {
    add_viewer_flags(conn, snapshot, object, who, records)?;
    add_related(conn, snapshot, object, who, records, shape)?;
    let grants = read_grants(conn, snapshot, object, who, records)?;
    for r in records.iter_mut() {
        present(object, who, r, &grants);
    }
    expand(conn, snapshot, who, records, shape)?;
    for r in records.iter_mut() {
        shape.select(r);
    }
    Ok(())
}

/// Replaces the pointers named in `shape.expand` with the rows they point to,
/// where `who` may read them (others keep the `{id, _table}` form). One query
/// per pointer and target table.
fn expand(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    who: Who,
    records: &mut [Map<String, Value>],
    shape: &Shape,
) -> Result<(), StoreError> {
    for name in &shape.expand {
        let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in records.iter() {
            if let Some((table, id)) = target_of(r.get(name)) {
                wanted.entry(table).or_default().insert(id);
            }
        }
        let mut found: BTreeMap<(String, String), Value> = BTreeMap::new();
        for (table, ids) in wanted {
            let Some(target) = snapshot.get(&table) else {
                continue;
            };
            if target.is_profile() && !who.may_read_users() {
                // Guests see the profile's `guest_view`, if it declares one;
                // otherwise the pointer stays `{id, _table}`, as for a missing user.
                if !target.rules.guest_view.is_empty() {
                    for (id, doc) in fetch_guest_view(conn, target, who, &ids)? {
                        found.insert((table.clone(), id), doc);
                    }
                }
                continue;
            }
            for (id, doc) in fetch(conn, snapshot, target, who, &ids)? {
                found.insert((table.clone(), id), doc);
            }
        }
        for r in records.iter_mut() {
            if let Some(key) = target_of(r.get(name)) {
                if let Some(doc) = found.get(&key) {
                    r.insert(name.clone(), doc.clone());
                }
            }
        }
    }
    Ok(())
}

/// The `(type, id)` a presented pointer (or a user id such as `created_by`)
/// refers to.
fn target_of(value: Option<&Value>) -> Option<(String, String)> {
    match value? {
        Value::Number(n) => Some((PROFILE_TYPE.to_owned(), n.to_string())),
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

/// The users among `ids` as guests see them: the id and the profile's
/// `guest_view` fields, with `_table`, by id.
fn fetch_guest_view(
    conn: &mut AnyConnection,
    profile: &ObjectType,
    who: Who,
    ids: &BTreeSet<String>,
) -> Result<Vec<(String, Value)>, StoreError> {
    let shown = |name: &str| name == "id" || profile.rules.guest_view.iter().any(|g| g == name);
    let keys: Vec<_> = ids.iter().filter_map(|id| parse_id(profile, id)).collect();
    let columns: Vec<_> = readable_columns(profile, Viewer::widest(who))
        .into_iter()
        .filter(|c| shown(&c.name))
        .collect();
    let table = objects::sql_table(profile);
    let rows = objects::get_many(conn, &table, &columns, &keys, &Condition::And(Vec::new()))?;
    let mut out = Vec::with_capacity(rows.len());
    for mut doc in rows {
        present(profile, who, &mut doc, &Grants::none());
        doc.retain(|name, _| shown(name));
        doc.insert("_table".into(), Value::String(profile.name.clone()));
        let id = super::fields::id_text(&doc);
        out.push((id, Value::Object(doc)));
    }
    Ok(out)
}

/// The rows of `object` among `ids` that `who` may read, presented, with
/// `_table`, by id.
fn fetch(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    ids: &BTreeSet<String>,
) -> Result<Vec<(String, Value)>, StoreError> {
    let keys: Vec<_> = ids.iter().filter_map(|id| parse_id(object, id)).collect();
    let columns = readable_columns(object, Viewer::widest(who));
    let table = objects::sql_table(object);
    let rows = objects::get_many(conn, &table, &columns, &keys, &Condition::And(Vec::new()))?;
    let grants = read_grants(conn, snapshot, object, who, &rows)?;
    let mut out = Vec::with_capacity(rows.len());
    for mut doc in rows {
        if !who.may(
            Access::Read,
            owner_of(object, &doc),
            &acl_of(object, &doc, Access::Read),
        ) {
            continue;
        }
        present(object, who, &mut doc, &grants);
        doc.insert("_table".into(), Value::String(object.name.clone()));
        let id = super::fields::id_text(&doc);
        out.push((id, Value::Object(doc)));
    }
    Ok(out)
}
