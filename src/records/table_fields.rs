//! Fields of data-table records: the system fields every record has, the
//! declared ones, who may read each, and how a client's value becomes the
//! stored value.

use serde_json::Value;

use super::access::Viewer;
use crate::domain::{GeoPoint, GeoPolygon, InvalidInput, IsoDate};
use crate::query::{FieldCatalog, QueryError, QueryField};
use crate::schema::{Field, FieldKind, ObjectType};
use crate::store::rows::Column;

/// System fields of every record (all readable by whoever reads the record).
pub const SYSTEM_FIELDS: &[(&str, FieldKind)] = &[
    ("id", FieldKind::String),
    ("created_at", FieldKind::Integer),
    ("updated_at", FieldKind::Integer),
    ("created_by", FieldKind::Integer),
    ("read_perm", FieldKind::Array),
    ("write_perm", FieldKind::Array),
];

/// Columns of `object` that `viewer` may read: system fields, then declared ones.
pub fn readable_columns(object: &ObjectType, viewer: Viewer) -> Vec<Column> {
    SYSTEM_FIELDS
        .iter()
        .map(|(n, k)| Column {
            name: (*n).to_owned(),
            kind: *k,
        })
        .chain(
            object
                .fields
                .iter()
                .filter(|f| viewer.may_read(f.read))
                .map(|f| Column {
                    name: f.name.as_str().to_owned(),
                    kind: f.kind,
                }),
        )
        .collect()
}

/// Resolves query field names of one table for one viewer: unknown fields and
/// fields the viewer may not read are refused alike.
pub struct TableCatalog<'a> {
    /// The table.
    pub object: &'a ObjectType,
    /// The viewer (admins see all; others query public fields only).
    pub viewer: Viewer,
}

impl FieldCatalog for TableCatalog<'_> {
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        if let Some((n, kind)) = SYSTEM_FIELDS.iter().find(|(n, _)| *n == name) {
            return Ok(QueryField {
                column: (*n).to_owned(),
                kind: *kind,
            });
        }
        if name == "_id" {
            return Ok(QueryField {
                column: "id".into(),
                kind: FieldKind::String,
            });
        }
        match self.object.field(name) {
            Some(f) if self.viewer.may_read(f.read) => Ok(QueryField {
                column: f.name.as_str().to_owned(),
                kind: f.kind,
            }),
            Some(_) => Err(QueryError::new(
                param,
                format!("field '{name}' is not readable by the caller"),
            )),
            None => Err(QueryError::new(
                param,
                format!("unknown field '{name}' in table '{}'", self.object.name),
            )),
        }
    }
}

/// Checks a client's value for `field` and returns the stored form: dates in
/// UTC, pointers as id strings, geometries in canonical GeoJSON.
pub fn normalize(field: &Field, value: &Value) -> Result<Value, InvalidInput> {
    let name = field.name.as_str();
    let value = match (field.kind, value) {
        // The SDK writes user pointers as "42"; accept 42 as well.
        (FieldKind::Pointer, Value::Number(n)) if n.is_i64() => Value::String(n.to_string()),
        _ => value.clone(),
    };
    field.validate(&value)?;
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
        // Record ids are stored lower-case, as the record API writes them.
        (FieldKind::Pointer, Value::String(s)) => Value::String(s.to_ascii_lowercase()),
        _ => value,
    })
}
