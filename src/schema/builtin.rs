//! The built-in fields of object types, declared once: name, kind, who may read
//! and write each, and on which class of object type it exists. The engine treats
//! them like declared fields; their [`Builtin`] role says what the server
//! manages about them.

use serde_json::{json, Value};

use super::error::SchemaError;
use super::extension::{ReadRule, WriteRule};
use super::field::{Builtin, Field, FieldKind, FieldName, PointerTarget};
use super::object_type::{TypeClass, PROFILE_TYPE};

/// Which object types have a built-in field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Profile,
    Table,
}

impl On {
    fn covers(self, class: TypeClass) -> bool {
        matches!(
            (self, class),
            (On::Profile, TypeClass::Profile) | (On::Table, TypeClass::Table)
        )
    }
}

/// One row of the table of built-in fields.
struct Spec {
    name: &'static str,
    on: On,
    role: Builtin,
    kind: FieldKind,
    read: ReadRule,
    write: WriteRule,
    /// Writable on create only (by whoever `write` admits).
    immutable: bool,
    description: &'static str,
}

/// Every built-in field. Account fields are for the user and admins only, so no
/// query can enumerate login names; they change through the account endpoints.
const SPECS: &[Spec] = &[
    Spec {
        name: "id",
        on: On::Profile,
        role: Builtin::Id,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Nobody,
        immutable: true,
        description: "The user's id (also shown as user_id).",
    },
    Spec {
        name: "id",
        on: On::Table,
        role: Builtin::Id,
        kind: FieldKind::String,
        read: ReadRule::Public,
        write: WriteRule::Nobody,
        immutable: true,
        description: "The record's id: 24 lower-case hex digits (also shown as _id).",
    },
    Spec {
        name: "created_at",
        on: On::Profile,
        role: Builtin::CreatedAt,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Nobody,
        immutable: true,
        description: "When the user signed up, in unix seconds.",
    },
    Spec {
        name: "created_at",
        on: On::Table,
        role: Builtin::CreatedAt,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Admin,
        immutable: true,
        description: "When the record was created, in unix seconds; admins may set it on create.",
    },
    Spec {
        name: "updated_at",
        on: On::Profile,
        role: Builtin::UpdatedAt,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Nobody,
        immutable: true,
        description: "When the profile last changed, in unix seconds.",
    },
    Spec {
        name: "updated_at",
        on: On::Table,
        role: Builtin::UpdatedAt,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Admin,
        immutable: true,
        description: "When the record last changed, in unix seconds; admins may set it on create.",
    },
    Spec {
        name: "created_by",
        on: On::Profile,
        role: Builtin::CreatedBy,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Nobody,
        immutable: true,
        description: "The user's own id.",
    },
    Spec {
        name: "created_by",
        on: On::Table,
        role: Builtin::CreatedBy,
        kind: FieldKind::Integer,
        read: ReadRule::Public,
        write: WriteRule::Admin,
        immutable: true,
        description:
            "The id of the user who created the record (expandable); admins may set it on create.",
    },
    Spec {
        name: "read_perm",
        on: On::Table,
        role: Builtin::ReadPerm,
        kind: FieldKind::Array,
        read: ReadRule::Public,
        write: WriteRule::Owner,
        immutable: false,
        description: "Who may read the record: user:anonymous, user:*, user:<id>.",
    },
    Spec {
        name: "write_perm",
        on: On::Table,
        role: Builtin::WritePerm,
        kind: FieldKind::Array,
        read: ReadRule::Public,
        write: WriteRule::Owner,
        immutable: false,
        description: "Who may change or delete the record: user:anonymous, user:*, user:<id>.",
    },
    account(
        "_username",
        FieldKind::String,
        "The login name, unique ignoring case.",
    ),
    account(
        "_anonymous",
        FieldKind::Boolean,
        "Whether the user logged in anonymously and has not registered.",
    ),
    account(
        "_email",
        FieldKind::String,
        "The email address, stored lower-case, unique.",
    ),
    account(
        "_email_verified",
        FieldKind::Boolean,
        "Whether the email address was verified.",
    ),
    account(
        "_phone",
        FieldKind::String,
        "The phone number in E.164, unique.",
    ),
    account(
        "_phone_verified",
        FieldKind::Boolean,
        "Whether the phone number was verified.",
    ),
    account(
        "_provider",
        FieldKind::Object,
        "Identity data from linked third-party accounts, by provider.",
    ),
    Spec {
        name: "_disabled",
        on: On::Profile,
        role: Builtin::Account,
        kind: FieldKind::Boolean,
        read: ReadRule::Admin,
        write: WriteRule::Nobody,
        immutable: false,
        description: "Whether an admin disabled the account (it cannot log in).",
    },
];

const fn account(name: &'static str, kind: FieldKind, description: &'static str) -> Spec {
    Spec {
        name,
        on: On::Profile,
        role: Builtin::Account,
        kind,
        read: ReadRule::Owner,
        write: WriteRule::Nobody,
        immutable: false,
        description,
    }
}

/// Names no schema file may declare: every built-in name, and the id aliases.
pub fn is_builtin_name(name: &str) -> bool {
    name == "user_id" || name == "_id" || SPECS.iter().any(|s| s.name == name)
}

/// The built-in fields of an object type of `class`, compiled.
pub fn builtin_fields(class: TypeClass) -> Result<Vec<Field>, SchemaError> {
    SPECS
        .iter()
        .filter(|s| s.on.covers(class))
        .map(compile)
        .collect()
}

fn compile(spec: &Spec) -> Result<Field, SchemaError> {
    let json_type = match spec.kind {
        FieldKind::Integer => "integer",
        FieldKind::Boolean => "boolean",
        FieldKind::Object => "object",
        FieldKind::Array => "array",
        _ => "string",
    };
    let nullable = !matches!(
        spec.role,
        Builtin::Id | Builtin::CreatedAt | Builtin::UpdatedAt
    );
    let mut raw = json!({
        "type": if nullable { json!([json_type, "null"]) } else { json!(json_type) },
        "description": spec.description,
    });
    if spec.write == WriteRule::Nobody {
        raw["readOnly"] = Value::Bool(true);
    }
    if matches!(spec.role, Builtin::ReadPerm | Builtin::WritePerm) {
        raw["items"] = json!({"type": "string"});
    }
    let validator = jsonschema::draft202012::options()
        .build(&raw)
        .map_err(|e| SchemaError::new("(built-in)", spec.name, e.to_string()))?;
    Ok(Field {
        name: FieldName::builtin(spec.name),
        builtin: Some(spec.role),
        kind: spec.kind,
        read: spec.read,
        write: spec.write,
        unique: false,
        indexed: false,
        case_insensitive: false,
        pointer: (spec.role == Builtin::CreatedBy)
            .then(|| PointerTarget::Table(PROFILE_TYPE.to_owned())),
        enum_values: None,
        required: !nullable,
        default: None,
        immutable: spec.immutable,
        mask: None,
        generated: None,
        bytes: None,
        file: None,
        computed: None,
        counter: None,
        viewer_link: None,
        related: None,
        read_linked: None,
        last_active: false,
        allows_find_by: None,
        find_key: false,
        device_platform: false,
        raw,
        validator,
    })
}
