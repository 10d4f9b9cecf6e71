//! Files attached to a row. A write names uploaded files by id, or by the
//! file object an upload answered (only its `id` is read). Inside the
//! write's transaction each is looked up and replaced by the file object
//! the server builds, so a record never holds a name, size, type or URL the
//! client made up.
//!
//! A caller may attach a stored file they uploaded, or one an admin
//! uploaded; admins may attach any. A file the field already holds stays
//! without a new check, so editing a record never fails on a file someone
//! else attached. Each newly attached file must meet its field's rules
//! (`max_bytes`, `types`, `max_width`, `max_height`), judged on what the
//! server measured when the bytes arrived.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::error::RecordsError;
use super::fields::id_text;
use super::who::Who;
use crate::domain::{now_unix, FileLinks, InvalidInput};
use crate::schema::{Field, FieldKind, FileFacts, ObjectType};
use crate::store::file_attachments::{self, Holder};
use crate::store::files::{self, FileRow};
use crate::store::AnyConnection;

/// Longest file id taken (ids are 24 hex digits; this bounds what is looked up).
const MAX_ID: usize = 64;

/// A client's value for a file field reduced to what the server reads of
/// it: `{"id": …}` for a file (`null` stays null), a list of those for a
/// file list. The rest is filled in by [`attach_files`].
pub fn file_refs(field: &Field, value: &Value) -> Result<Value, InvalidInput> {
    let name = field.name.as_str();
    match (field.kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (FieldKind::File, v) => file_ref(name, v),
        (FieldKind::Files, Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| file_ref(&format!("{name}.{i}"), v))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (FieldKind::Files, _) => Err(InvalidInput::new(
            name,
            "takes a list of uploaded files (file objects or their ids)",
        )),
        _ => Ok(value.clone()),
    }
}

/// One file named by its id or by a file object.
fn file_ref(name: &str, value: &Value) -> Result<Value, InvalidInput> {
    let id = match value {
        Value::String(id) => Some(id.as_str()),
        Value::Object(map) => map.get("id").and_then(Value::as_str),
        _ => None,
    };
    match id {
        Some(id) if !id.is_empty() && id.len() <= MAX_ID => Ok(json!({ "id": id })),
        _ => Err(InvalidInput::new(
            name,
            "takes an uploaded file: the file object its upload answered, or its id",
        )),
    }
}

/// The ids a file field's value names (one, several or none).
fn ids_in(value: Option<&Value>) -> Vec<&str> {
    fn id(v: &Value) -> Option<&str> {
        v.get("id").and_then(Value::as_str)
    }
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(id).collect(),
        Some(v) => id(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The file object a file field stores: what the SDK's `File.upload` gives.
pub fn file_object(links: &FileLinks, file: &FileRow) -> Value {
    let path = links.url(&file.id, &file.storage_key, &file.name);
    json!({
        "id": file.id,
        "name": file.name,
        "path": path,
        "cdn_path": path,
        "mime_type": file.mime_type,
        "size": file.size,
        "created_at": file.created_at,
    })
}

/// Replaces the file references in the file fields of `row` (a new row, or
/// an update's new values) with the files' objects, checking that `who`
/// may attach each and that it meets its field's rules. `current` is the
/// row before an update.
pub fn attach_files(
    conn: &mut AnyConnection,
    object: &ObjectType,
    who: Who,
    links: &FileLinks,
    row: &mut Map<String, Value>,
    current: Option<&Map<String, Value>>,
) -> Result<(), RecordsError> {
    let fields: Vec<&Field> = object
        .fields
        .iter()
        .filter(|f| f.kind.is_file() && row.get(f.name.as_str()).is_some_and(|v| !v.is_null()))
        .collect();
    if fields.is_empty() {
        return Ok(());
    }
    let wanted: Vec<String> = fields
        .iter()
        .flat_map(|f| ids_in(row.get(f.name.as_str())))
        .map(str::to_owned)
        .collect();
    files::take(conn, &wanted)?;
    let found: HashMap<String, FileRow> = files::get_stored(conn, &wanted)?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    for field in fields {
        let name = field.name.as_str();
        let held: HashSet<&str> = ids_in(current.and_then(|c| c.get(name)))
            .into_iter()
            .collect();
        let Some(value) = row.get_mut(name) else {
            continue;
        };
        let slots: Vec<&mut Value> = match value {
            Value::Array(items) => items.iter_mut().collect(),
            one => vec![one],
        };
        for slot in slots {
            let id = slot.get("id").and_then(Value::as_str).unwrap_or_default();
            let file = found
                .get(id)
                .filter(|f| held.contains(id) || may_attach(who, f))
                .ok_or_else(|| {
                    InvalidInput::new(
                        name,
                        format!("no uploaded file '{id}' that you may attach (upload it first)"),
                    )
                })?;
            if !held.contains(id) {
                check_rules(field, file)?;
            }
            *slot = file_object(links, file);
        }
    }
    Ok(())
}

/// Notes which files the file fields of the stored `row` hold: every file
/// field after an insert (`changed` is `None`), the fields among `changed`
/// after an update. Files a field let go of, and that no other record
/// holds, are marked detached for the janitor.
pub fn track_files(
    conn: &mut AnyConnection,
    object: &ObjectType,
    row: &Map<String, Value>,
    changed: Option<&Map<String, Value>>,
) -> Result<(), RecordsError> {
    let record_id = id_text(row);
    for field in object.fields.iter().filter(|f| f.kind.is_file()) {
        let name = field.name.as_str();
        if changed.is_some_and(|c| !c.contains_key(name)) {
            continue;
        }
        let ids: Vec<String> = ids_in(row.get(name))
            .into_iter()
            .map(str::to_owned)
            .collect();
        if changed.is_none() && ids.is_empty() {
            continue;
        }
        let holder = Holder {
            object_type: &object.name,
            record_id: &record_id,
            field: name,
        };
        file_attachments::set_field(conn, holder, &ids, now_unix())?;
    }
    Ok(())
}

/// Forgets the files a deleted row held, if its type has file fields.
pub fn untrack_files(
    conn: &mut AnyConnection,
    object: &ObjectType,
    row: &Map<String, Value>,
) -> Result<(), RecordsError> {
    if object.fields.iter().any(|f| f.kind.is_file()) {
        file_attachments::drop_record(conn, &object.name, &id_text(row), now_unix())?;
    }
    Ok(())
}

/// Whether `who` may attach `file`: their own upload or an admin's; admins
/// any.
fn may_attach(who: Who, file: &FileRow) -> bool {
    who.is_admin() || file.created_by.is_none() || file.created_by == who.user
}

/// A 400 naming the field and the rule `file` breaks, if it breaks one.
fn check_rules(field: &Field, file: &FileRow) -> Result<(), InvalidInput> {
    let Some(rules) = &field.file else {
        return Ok(());
    };
    let facts = FileFacts {
        size: file.size,
        media_type: &file.mime_type,
        dimensions: file
            .width
            .zip(file.height)
            .map(|(w, h)| (i64::from(w), i64::from(h))),
    };
    rules
        .check(facts)
        .map_err(|rule| InvalidInput::new(field.name.as_str(), rule))
}
