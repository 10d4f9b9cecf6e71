//! The `x-protium` extension vocabulary, as typed structs.
//!
//! Unknown keys are refused (`deny_unknown_fields`) so a typo never silently
//! changes access rules. `schemars` derives the vocabulary's own JSON Schema,
//! printed by `protium schema-vocabulary` and kept in `docs/x-protium.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who may read a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadRule {
    /// Everyone who may see the record.
    Public,
    /// The record's owner (for the profile: the user) and admins.
    Owner,
    /// Admins only.
    Admin,
}

/// Who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WriteRule {
    /// The record's owner and admins.
    Owner,
    /// Admins only.
    Admin,
    /// Nobody through the API: the server manages the value.
    Nobody,
}

/// `x-protium` on a property of an object type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldExtension {
    /// Who may read the field; default `public`.
    #[serde(default)]
    pub read: Option<ReadRule>,
    /// Who may write the field; default `owner`.
    #[serde(default)]
    pub write: Option<WriteRule>,
    /// No two records may hold the same non-null value (enforced by a unique index).
    #[serde(default)]
    pub unique: bool,
    /// Create a database index for filters and sorting on this field.
    #[serde(default)]
    pub indexed: bool,
    /// With `unique` or `indexed` on a string field: compare lower-cased, so
    /// `Bob` and `bob` clash.
    #[serde(default)]
    pub case_insensitive: bool,
    /// Makes a string field a pointer: the name of the table it references,
    /// `_userprofile` for users, or `*` for any table named by `type_field`.
    #[serde(default)]
    pub pointer: Option<String>,
    /// With `"pointer": "*"`: the sibling string field holding the target's table name.
    #[serde(default)]
    pub type_field: Option<String>,
    /// Makes an object field a GeoJSON geometry.
    #[serde(default)]
    pub geo: Option<GeoKind>,
}

/// The geometry of a GeoJSON field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeoKind {
    /// `{"type":"Point","coordinates":[lng,lat]}`.
    Point,
    /// `{"type":"Polygon","coordinates":[[[lng,lat],…]]}`.
    Polygon,
}

/// Who may do what with a table's records, as Hydrogen ACL entries
/// (`user:anonymous`, `user:*`, `user:<id>`). The creator of a record and
/// admins may always read and write it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsExtension {
    /// Who may create records; default `["user:*"]` (registered users). An
    /// empty list means admins only.
    #[serde(default)]
    pub create: Option<Vec<String>>,
    /// The `read_perm` new records get when the client sends none; default
    /// `["user:anonymous"]` (everyone).
    #[serde(default)]
    pub read: Option<Vec<String>>,
    /// The `write_perm` new records get when the client sends none; default
    /// `[]` (the creator and admins only).
    #[serde(default)]
    pub write: Option<Vec<String>>,
    /// Whether clients may send their own `read_perm`/`write_perm`; default true.
    #[serde(default)]
    pub client_acl: Option<bool>,
}

/// A uniqueness rule over one or more fields, optionally only among the rows
/// matching `where` (a partial unique index).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UniqueExtension {
    /// The fields (declared fields or `created_by`) whose combination is unique.
    pub fields: Vec<String>,
    /// Only rows whose fields equal these literal values take part, e.g.
    /// `{"is_default": true}`.
    #[serde(default, rename = "where")]
    pub where_: Option<serde_json::Map<String, serde_json::Value>>,
    /// Compare string fields lower-cased.
    #[serde(default)]
    pub case_insensitive: bool,
}

/// `x-protium` at the top level of a schema file: table-level rules.
/// Everything but `description` applies to data tables only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableExtension {
    /// Free text shown in the admin console.
    #[serde(default)]
    pub description: Option<String>,
    /// Who may create, read and write records.
    #[serde(default)]
    pub permissions: Option<PermissionsExtension>,
    /// Compound and partial uniqueness rules.
    #[serde(default)]
    pub unique: Vec<UniqueExtension>,
    /// Most records one user may have created in this table.
    #[serde(default)]
    pub max_per_owner: Option<u32>,
}

/// The JSON Schema of both extension objects, for documentation.
pub fn vocabulary_schema() -> serde_json::Value {
    serde_json::json!({
        "field": schemars::schema_for!(FieldExtension),
        "table": schemars::schema_for!(TableExtension),
    })
}
