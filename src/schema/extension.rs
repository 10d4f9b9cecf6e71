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
    /// Makes an object field hold one uploaded file (the SDK's file object),
    /// an array field several; with the rules the files must meet.
    #[serde(default)]
    pub file: Option<FileExtension>,
    /// Settable when the record is created, never changed afterwards.
    #[serde(default)]
    pub immutable: bool,
    /// Shows a string field masked to everyone but the record's owner and
    /// admins, e.g. `187******82`.
    #[serde(default)]
    pub mask: Option<MaskExtension>,
    /// Filled by the server when a record is created; never written by clients.
    #[serde(default)]
    pub generated: Option<GeneratedExtension>,
    /// Fewest bytes a string field's value has in `encoding`.
    #[serde(default)]
    pub min_bytes: Option<u32>,
    /// Most bytes a string field's value has in `encoding`.
    #[serde(default)]
    pub max_bytes: Option<u32>,
    /// The encoding `min_bytes`/`max_bytes` count in; default `utf-8`.
    #[serde(default)]
    pub encoding: Option<ByteEncoding>,
    /// A CEL expression over the record's other fields and `now`, evaluated
    /// whenever the record is read; never stored, never writable.
    #[serde(default)]
    pub computed: Option<String>,
    /// Makes an integer field the number of records of another table that
    /// point at this record, kept by the server in each write's transaction.
    #[serde(default)]
    pub count: Option<CountExtension>,
    /// Makes a boolean field true when a record of another table links the
    /// viewer and this record (does the viewer follow this user?).
    #[serde(default)]
    pub viewer_link: Option<ViewerLinkExtension>,
    /// Makes an array field the records of another table that point at this
    /// one, returned when the field is named in `expand`.
    #[serde(default)]
    pub related: Option<RelatedExtension>,
    /// With `"read": "owner"`: also readable by users a record of another
    /// table links to the owner (their friends, say).
    #[serde(default)]
    pub read_linked: Option<ReadLinkedExtension>,
    /// On the user profile: the time of the user's last authenticated
    /// request, kept by the server at most once a minute (an integer of unix
    /// seconds, or a date-time string).
    #[serde(default)]
    pub last_active: bool,
    /// On a boolean profile field: whether other users may find this user by
    /// this identifier (`GET /hserve/v2.0/user/find/`): `phone`, `email`,
    /// `username` or a profile field declared `find_key`; false hides the user.
    #[serde(default)]
    pub allows_find_by: Option<FindBy>,
    /// On a unique string profile field: signed-in users may find a user by
    /// its exact value (`GET /hserve/v2.0/user/find/?<field>=…`), as by a
    /// username.
    #[serde(default)]
    pub find_key: bool,
    /// On a string profile field: the platform of the user's latest device
    /// login (`ios`, `android`, …), kept by the server, so users can be
    /// filtered and counted by it.
    #[serde(default)]
    pub device_platform: bool,
}

/// An identifier users can be found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindBy {
    /// `_phone`.
    Phone,
    /// `_email`.
    Email,
    /// `_username`.
    Username,
    /// A profile field declared `find_key`, by name.
    #[serde(untagged)]
    Field(String),
}

/// `"read_linked": {"table": "friendship", "viewer": "friend", "owner": "created_by", "mutual": true}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadLinkedExtension {
    /// The table holding the links.
    pub table: String,
    /// Its pointer to the user who may read (a user pointer the link's
    /// creator sets).
    pub viewer: String,
    /// Its pointer to the owner of the record being read: `created_by`, so
    /// that only links the owner made grant anything.
    pub owner: String,
    /// Both links must exist: one the owner made to the viewer and one the
    /// viewer made to the owner.
    #[serde(default)]
    pub mutual: bool,
    /// Refused: a link either way let the viewer grant themselves (`mutual`
    /// asks for both).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub both_ways: bool,
    /// Only links whose fields equal these literal values count (a list: any
    /// one of them); only the owner (the link's creator) or the server may
    /// write those fields.
    #[serde(default, rename = "where")]
    pub where_: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `"viewer_link": {"table": "follow", "viewer": "created_by", "record": "followee"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewerLinkExtension {
    /// The table holding the links.
    pub table: String,
    /// Its pointer to the viewing user (`created_by` or a user pointer).
    pub viewer: String,
    /// Its pointer to this record.
    pub record: String,
    /// Only links whose fields equal these literal values count (a list: any
    /// one of them).
    #[serde(default, rename = "where")]
    pub where_: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `"related": {"table": "post", "pointer": "created_by", "order_by": "-created_at", "limit": 5}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedExtension {
    /// The table whose records are returned.
    pub table: String,
    /// Its pointer (or `created_by`) that points at this record.
    pub pointer: String,
    /// Their order: a field of that table, `-` for descending; default `-created_at`.
    #[serde(default)]
    pub order_by: Option<String>,
    /// How many at most (1 to 100); default 10.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only records whose fields equal these literal values (a list: any one
    /// of them).
    #[serde(default, rename = "where")]
    pub where_: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `"count": {"table": "follow", "pointer": "followee", "where": {"hidden": false}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountExtension {
    /// The table whose records are counted.
    pub table: String,
    /// Its pointer field (or `created_by`) that points at this record.
    pub pointer: String,
    /// Only records whose fields equal these literal values count.
    #[serde(default, rename = "where")]
    pub where_: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How a masked field is shown to other users.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaskExtension {
    /// Characters shown at the start.
    #[serde(default)]
    pub keep_start: u8,
    /// Characters shown at the end.
    #[serde(default)]
    pub keep_end: u8,
}

/// What the server generates for a new record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum GeneratedExtension {
    /// A random version-4 UUID, e.g. `"generated": "uuid"`.
    Uuid,
    /// A random code, unique in the table:
    /// `"generated": {"code": {"alphabet": "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", "length": 8}}`.
    Code {
        /// The characters a code is drawn from (at least two, no repeats).
        alphabet: String,
        /// How many characters (4 to 64).
        length: u8,
    },
}

/// A character encoding byte limits count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ByteEncoding {
    /// UTF-8 (the default).
    #[serde(rename = "utf-8")]
    Utf8,
    /// GB18030 (Chinese national standard: 2 bytes for most Chinese characters).
    #[serde(rename = "gb18030")]
    Gb18030,
}

/// The rules of a file field: which uploaded files it may hold. Each is
/// checked when a file is attached, against what the server measured when
/// the bytes arrived (never what the client said).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileExtension {
    /// The largest file, in bytes.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// The media types accepted, as sniffed from the content: `image/png`,
    /// or a whole family such as `image/*`.
    #[serde(default)]
    pub types: Option<Vec<String>>,
    /// The widest image, in pixels (files that are not images are refused).
    #[serde(default)]
    pub max_width: Option<u32>,
    /// The tallest image, in pixels (files that are not images are refused).
    #[serde(default)]
    pub max_height: Option<u32>,
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
    /// The user profile only: the public fields guests see of a user, where
    /// a record's user pointer (`created_by`) is expanded for them (a blog's
    /// comment authors). Without it, guests see no user.
    #[serde(default)]
    pub guest_view: Vec<String>,
    /// Rules every create and update must pass, as CEL expressions over the
    /// record before (`old`, null on create) and after (`new`) and the `caller`.
    #[serde(default)]
    pub guards: Vec<GuardExtension>,
    /// What happens to a user's records in this table when the user is
    /// deleted; default `keep`.
    #[serde(default)]
    pub on_owner_deleted: Option<OwnerDeleted>,
}

/// What a user's records become when the user is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerDeleted {
    /// They stay, with `created_by` cleared (the default).
    Keep,
    /// They are deleted with the user.
    Delete,
    /// The user cannot be deleted while they have any.
    Refuse,
}

/// A write rule: `{"field": "status", "rule": "caller.admin || old.status == 0",
/// "message": "may be edited only while rejected"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardExtension {
    /// A CEL expression that must be true for the write to go ahead.
    pub rule: String,
    /// What a refused caller is told.
    pub message: String,
    /// The field the rule is about, named in the refusal (optional).
    #[serde(default)]
    pub field: Option<String>,
    /// When it applies: `create`, `update` or both (the default).
    #[serde(default)]
    pub on: Option<GuardOn>,
    /// How a refusal answers: `forbidden` (403, the default) or `invalid`
    /// (400, for a transition that can never be right).
    #[serde(default)]
    pub refuse: Option<GuardRefusal>,
}

/// Which writes a guard checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardOn {
    /// Creating a record only.
    Create,
    /// Updating a record only.
    Update,
}

/// The answer to a write a guard refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardRefusal {
    /// 403: the caller may not make this change.
    Forbidden,
    /// 400: the change is not a valid transition.
    Invalid,
}

/// The JSON Schema of both extension objects, for documentation.
pub fn vocabulary_schema() -> serde_json::Value {
    serde_json::json!({
        "field": schemars::schema_for!(FieldExtension),
        "table": schemars::schema_for!(TableExtension),
    })
}
