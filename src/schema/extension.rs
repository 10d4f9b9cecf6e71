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
}

/// `x-protium` at the top level of a schema file. Table-level rules
/// (permissions, limits, compound uniqueness) grow here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableExtension {
    /// Free text shown in the admin console.
    #[serde(default)]
    pub description: Option<String>,
}

/// The JSON Schema of both extension objects, for documentation.
pub fn vocabulary_schema() -> serde_json::Value {
    serde_json::json!({
        "field": schemars::schema_for!(FieldExtension),
        "table": schemars::schema_for!(TableExtension),
    })
}
