//! The fields of an object type as the engine uses them: resolving names in
//! queries (built-in and declared, with the id alias), the columns a viewer
//! may read, how a client's value becomes the stored value, and what a stored
//! row says about its id, owner and ACL.

use serde_json::Value;

use super::attach::file_refs;
use super::who::{Access, Viewer};
use crate::domain::{AclEntry, GeoPoint, GeoPolygon, InvalidInput, IsoDate, RecordId, UserId};
use crate::query::{FieldCatalog, QueryError, QueryField, SqlIdent, SqlValue};
use crate::schema::{Builtin, Field, FieldKind, FindBy, ObjectType, TypeClass};
use crate::store::documents::Column;

/// How an object type is named in messages: "the user profile" or "table 'x'".
pub fn describe(object: &ObjectType) -> String {
    match object.class {
        TypeClass::Profile => "the user profile".to_owned(),
        TypeClass::Table => format!("table '{}'", object.name),
    }
}

/// The column of a field.
pub fn column(field: &Field) -> Column {
    Column {
        name: field.name.as_str().to_owned(),
        kind: field.kind,
    }
}

/// Columns of `object` that `viewer` may read: built-in fields, then declared ones.
pub fn readable_columns(object: &ObjectType, viewer: Viewer) -> Vec<Column> {
    object
        .all_fields()
        .filter(|f| f.is_stored() && viewer.may_read(f.read))
        .map(column)
        .collect()
}

/// Resolves the field names of queries on one object type for one viewer:
/// unknown fields and fields the viewer may not read are refused alike, so a
/// query cannot probe values the caller may not see.
pub struct QueryFields<'a> {
    /// The object type.
    pub object: &'a ObjectType,
    /// The viewer (admins see all; others query public fields only).
    pub viewer: Viewer,
}

impl QueryFields<'_> {
    /// The readable field called `name` (or the id alias) in `param`.
    pub fn field(&self, param: &str, name: &str) -> Result<&Field, QueryError> {
        match self.object.lookup(name) {
            Some(f) if self.viewer.may_read(f.read) => Ok(f),
            Some(_) => Err(QueryError::new(
                param,
                format!("field '{name}' is not readable by the caller"),
            )),
            None => Err(QueryError::new(
                param,
                format!("unknown field '{name}' in {}", describe(self.object)),
            )),
        }
    }
}

impl FieldCatalog for QueryFields<'_> {
    /// A field for `where`, `order_by` and aggregates: also refuses computed
    /// fields (no column) and, for everyone but admins, masked ones (their
    /// hidden value could be probed) and `find_key` fields a switch gates
    /// (searching them would go around the switch).
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        let f = self.field(param, name)?;
        if !f.is_stored() {
            return Err(QueryError::new(
                param,
                format!("'{name}' is computed when read: it cannot be filtered or sorted on"),
            ));
        }
        if f.mask.is_some() && self.viewer != Viewer::Admin {
            return Err(QueryError::new(
                param,
                format!("'{name}' is masked for other users: only admins may filter or sort on it"),
            ));
        }
        let gated = f.find_key
            && self
                .object
                .fields
                .iter()
                .any(|g| matches!(&g.allows_find_by, Some(FindBy::Field(key)) if key == name));
        if gated && self.viewer != Viewer::Admin {
            return Err(QueryError::new(
                param,
                format!(
                    "'{name}' is searched with GET /hserve/v2.0/user/find/?{name}=, where users \
                     may hide from it; it cannot be filtered, sorted or grouped on"
                ),
            ));
        }
        Ok(QueryField {
            column: SqlIdent::from(&f.name),
            kind: f.kind,
        })
    }
}

/// Checks a client's value for `field` and returns the stored form: dates in
/// UTC, pointers as lower-case id strings, geometries in canonical GeoJSON,
/// files as `{"id": …}` references (filled in by the write, see `attach.rs`).
pub fn normalize(field: &Field, value: &Value) -> Result<Value, InvalidInput> {
    normalize_shown(field, value, true)
}

/// [`normalize`] for a value whose errors may (`reveal`) or may not show it:
/// the result of an operator on a stored value the caller cannot read is
/// checked without ever appearing in the message.
pub fn normalize_shown(field: &Field, value: &Value, reveal: bool) -> Result<Value, InvalidInput> {
    let name = field.name.as_str();
    let value = match (field.kind, value) {
        // The SDK writes user pointers as "42"; accept 42 as well.
        (FieldKind::Pointer, Value::Number(n)) if n.is_i64() => Value::String(n.to_string()),
        // Files are named by id; the write fills in the rest.
        (FieldKind::File | FieldKind::Files, v) => file_refs(field, v)?,
        _ => value.clone(),
    };
    if reveal {
        field.validate(&value)?;
    } else {
        field.validate_hidden(&value)?;
    }
    Ok(match (field.kind, &value) {
        (_, Value::Null) => Value::Null,
        (FieldKind::Date, Value::String(s)) => Value::String(IsoDate::parse(name, s)?.stored()),
        (FieldKind::Point, v) => GeoPoint::parse(name, v)?.to_json(),
        (FieldKind::Polygon, v) => GeoPolygon::parse(name, v)?.to_json(),
        (FieldKind::Pointer, Value::String(s)) if s.is_empty() || s.len() > 64 => {
            return Err(InvalidInput::new(
                name,
                "a pointer is a record id (or a user id)",
            ))
        }
        (FieldKind::Pointer, Value::String(s)) => Value::String(s.to_ascii_lowercase()),
        _ => value,
    })
}

/// The stored id of a row of `object` given as text (a user id or a record
/// id); `None` when it cannot be one.
pub fn parse_id(object: &ObjectType, raw: &str) -> Option<SqlValue> {
    match object.class {
        TypeClass::Profile => UserId::parse(raw).ok().map(|u| SqlValue::Int(u.get())),
        TypeClass::Table => RecordId::parse(raw)
            .ok()
            .map(|r| SqlValue::Text(r.as_str().to_owned())),
    }
}

/// The id of a stored row, as text.
pub fn id_text(row: &serde_json::Map<String, Value>) -> String {
    match row.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The owner of a stored row: on the profile the user themself, on a data
/// table the record's creator.
pub fn owner_of(object: &ObjectType, row: &serde_json::Map<String, Value>) -> Option<i64> {
    let role = match object.class {
        TypeClass::Profile => Builtin::Id,
        TypeClass::Table => Builtin::CreatedBy,
    };
    let name = object.builtin(role)?.name.as_str();
    row.get(name).and_then(Value::as_i64)
}

/// The ACL of a stored row for `access`. Profiles have none of their own:
/// every user may read every profile (field rules still apply), and only the
/// user (and admins) may write it.
pub fn acl_of(
    object: &ObjectType,
    row: &serde_json::Map<String, Value>,
    access: Access,
) -> Vec<AclEntry> {
    if !object.has_row_acl() {
        return match access {
            Access::Read => vec![AclEntry::Anonymous],
            Access::Write => Vec::new(),
        };
    }
    row.get(access.column())
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|s| AclEntry::parse("acl", s).ok())
                .collect()
        })
        .unwrap_or_default()
}
