//! One declared field: its name, kind, access rules and compiled validator.

use serde_json::Value;

use super::counters::Counter;
use super::expr::Expr;
use super::extension::{FindBy, ReadRule, WriteRule};
use super::field_keywords::{ByteLimits, Generator, Mask};
use super::file_rules::FileRules;
use super::relations::{ReadLinked, Related, ViewerLink};
use crate::domain::InvalidInput;

/// A field name as Hydrogen allows it: `[A-Za-z][A-Za-z0-9_]{0,62}` (any
/// case, so `bookName` works; always quoted in SQL, so keywords such as
/// `order` work too). Names starting with `_` are reserved for built-in
/// fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldName(String);

impl FieldName {
    /// Parses a declared (custom) field name.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let mut chars = raw.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !first_ok || !rest_ok || raw.len() > 63 {
            return Err(InvalidInput::new(
                raw,
                "field names are 1-63 characters of letters, digits and '_', starting with a letter",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Wraps a built-in field name (trusted, from this crate's constants).
    pub fn builtin(name: &'static str) -> Self {
        Self(name.to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The storage kind of a field, from its JSON Schema `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `"type": "string"`.
    String,
    /// `"type": "integer"` (64-bit).
    Integer,
    /// `"type": "number"` (double).
    Number,
    /// `"type": "boolean"`.
    Boolean,
    /// `"type": "object"`, stored as JSON.
    Object,
    /// `"type": "array"`, stored as JSON.
    Array,
    /// `"type": "string", "format": "date-time"`: an ISO-8601 instant, stored
    /// as UTC text that sorts in time order.
    Date,
    /// An object with `"x-protium": {"geo": "point"}`: a GeoJSON point.
    Point,
    /// An object with `"x-protium": {"geo": "polygon"}`: a GeoJSON polygon.
    Polygon,
    /// A string with `"x-protium": {"pointer": …}`: the id of another record
    /// (or of a user), stored as text.
    Pointer,
    /// An object with `"x-protium": {"file": …}`: one uploaded file, stored
    /// as the SDK's file object.
    File,
    /// An array with `"x-protium": {"file": …}`: uploaded files, stored as
    /// a list of the SDK's file objects.
    Files,
}

impl FieldKind {
    /// Every kind, in the order the reference lists them.
    pub const ALL: [FieldKind; 12] = [
        Self::String,
        Self::Integer,
        Self::Number,
        Self::Boolean,
        Self::Date,
        Self::Pointer,
        Self::Array,
        Self::Object,
        Self::Point,
        Self::Polygon,
        Self::File,
        Self::Files,
    ];

    /// Maps a JSON Schema type name.
    pub fn from_type_name(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "object" => Self::Object,
            "array" => Self::Array,
            _ => return None,
        })
    }

    /// The JSON Schema type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Object => "object",
            Self::Array => "array",
            Self::Date => "date",
            Self::Point => "geojson point",
            Self::Polygon => "geojson polygon",
            Self::Pointer => "pointer",
            Self::File => "file",
            Self::Files => "file list",
        }
    }

    /// Whether values are stored as JSON documents.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            Self::Object | Self::Array | Self::Point | Self::Polygon | Self::File | Self::Files
        )
    }

    /// Whether values are uploaded files.
    pub fn is_file(self) -> bool {
        matches!(self, Self::File | Self::Files)
    }

    /// Whether values are GeoJSON geometries.
    pub fn is_geo(self) -> bool {
        matches!(self, Self::Point | Self::Polygon)
    }

    /// Whether values are numbers (`$incr_by`, range comparisons).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Number)
    }
}

/// What a pointer field references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointerTarget {
    /// Records of this table (`_userprofile` for users).
    Table(String),
    /// Records of the table named, per row, in this sibling field.
    ByField(String),
}

/// What a built-in field is to the engine. Declared fields have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// The record's id (`id`): assigned by the server.
    Id,
    /// `created_at`: unix seconds.
    CreatedAt,
    /// `updated_at`: unix seconds, set on every write.
    UpdatedAt,
    /// `created_by`: the creating user (the profile's own id on a profile).
    CreatedBy,
    /// `read_perm`: the row's read ACL (data tables).
    ReadPerm,
    /// `write_perm`: the row's write ACL (data tables).
    WritePerm,
    /// An account field of the profile (`_email`, `_username`, …), changed only
    /// by the account flows.
    Account,
}

/// A field of an object type, compiled: a built-in one (from the table in
/// `builtin.rs`) or one declared in a schema file.
#[derive(Debug)]
pub struct Field {
    /// Column and wire name.
    pub name: FieldName,
    /// `None` for declared fields; what the engine manages otherwise.
    pub builtin: Option<Builtin>,
    /// Storage kind.
    pub kind: FieldKind,
    /// Who may read it.
    pub read: ReadRule,
    /// Who may write it.
    pub write: WriteRule,
    /// Unique index.
    pub unique: bool,
    /// Plain index.
    pub indexed: bool,
    /// Unique/indexed on the lower-cased value.
    pub case_insensitive: bool,
    /// For pointer fields: what they reference.
    pub pointer: Option<PointerTarget>,
    /// The string values of `enum`, when the field declares one.
    pub enum_values: Option<Vec<String>>,
    /// Listed in the object's `required`: may not be set to null.
    pub required: bool,
    /// The `default` value given to new records.
    pub default: Option<Value>,
    /// Settable when the record is created, never changed afterwards.
    pub immutable: bool,
    /// Shown masked to everyone but the row's owner and admins.
    pub mask: Option<Mask>,
    /// Filled by the server on create.
    pub generated: Option<Generator>,
    /// Byte-length limits of a string in an encoding.
    pub bytes: Option<ByteLimits>,
    /// For file fields: the files they accept.
    pub file: Option<FileRules>,
    /// Evaluated at read time from the row's other fields; no column.
    pub computed: Option<Expr>,
    /// The number of records of another table pointing here, kept by the server.
    pub counter: Option<Counter>,
    /// True when a record of another table links the viewer and this record.
    pub viewer_link: Option<ViewerLink>,
    /// The records of another table pointing here, on `expand`.
    pub related: Option<Related>,
    /// Also readable by users linked to the owner.
    pub read_linked: Option<ReadLinked>,
    /// The profile field the server keeps the last-active time in.
    pub last_active: bool,
    /// A profile switch: may the user be found by this identifier?
    pub allows_find_by: Option<FindBy>,
    /// Users may be found by this profile field's exact value.
    pub find_key: bool,
    /// The profile field the server keeps the latest device login's platform in.
    pub device_platform: bool,
    /// The field's JSON Schema as written (with its `x-protium`), for OpenAPI
    /// and the admin console.
    pub raw: Value,
    /// The field's own subschema, compiled with formats enforced.
    pub validator: jsonschema::Validator,
}

impl Field {
    /// Whether the field has a column (computed fields, viewer flags and
    /// relations have none).
    pub fn is_stored(&self) -> bool {
        self.computed.is_none() && self.viewer_link.is_none() && self.related.is_none()
    }

    /// Whether only the server ever sets it (generated and computed fields,
    /// `write: nobody`).
    pub fn is_server_managed(&self) -> bool {
        self.write == WriteRule::Nobody
    }

    /// Checks `value` against the field's subschema. The error names the field,
    /// the failing keyword and the reason.
    pub fn validate(&self, value: &Value) -> Result<(), InvalidInput> {
        self.check(value, true)
    }

    /// [`Field::validate`] for a value the caller may not see — the result of
    /// an operator applied to a stored value they cannot read: the error says
    /// which rule failed but never shows the value.
    pub fn validate_hidden(&self, value: &Value) -> Result<(), InvalidInput> {
        self.check(value, false)
    }

    fn check(&self, value: &Value, reveal: bool) -> Result<(), InvalidInput> {
        if value.is_null() {
            if self.required {
                return Err(InvalidInput::new(
                    self.name.as_str(),
                    "is required and may not be null",
                ));
            }
            return Ok(());
        }
        if let Some(path) = nul_path(value, String::new()) {
            return Err(InvalidInput::new(
                format!("{}{path}", self.name.as_str()),
                "text may not contain NUL (\\u0000) characters",
            ));
        }
        if self.kind == FieldKind::Integer && value.is_number() && value.as_i64().is_none() {
            return Err(InvalidInput::new(
                self.name.as_str(),
                "must be an integer between -9223372036854775808 and 9223372036854775807",
            ));
        }
        if let (Some(limits), Value::String(s)) = (&self.bytes, value) {
            limits
                .check(s, reveal)
                .map_err(|rule| InvalidInput::new(self.name.as_str(), rule))?;
        }
        match self.validator.validate(value) {
            Ok(()) => Ok(()),
            Err(err) => {
                let path = err.instance_path().as_str().to_owned();
                let field = format!("{}{}", self.name.as_str(), path.replace('/', "."));
                let field = field.trim_end_matches('.').to_owned();
                let reason = if reveal {
                    err.to_string()
                } else {
                    err.masked_with("the resulting value").to_string()
                };
                Err(InvalidInput::new(
                    field,
                    format!("{reason} ({})", err.kind().keyword()),
                ))
            }
        }
    }
}

/// The dotted path of the first string (or key) holding a NUL character.
pub fn nul_path(value: &Value, at: String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, format!("{at}.{i}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(at.clone())
            } else {
                nul_path(v, format!("{at}.{k}"))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
#[path = "field_test.rs"]
mod tests;
