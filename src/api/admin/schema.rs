//! The schema as admins see it: `GET /admin/api/schema/` (every type with its
//! fields, kinds, rules and raw JSON Schema, the live version and the last
//! reload error), `POST /admin/api/schema/reload/`, `GET /admin/api/schema/history/`.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::admin_endpoint as endpoint;
use super::AdminCaller;
use crate::admin::LoadError;
use crate::api::error::ApiError;
use crate::api::openapi::Auth;
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::wire::{Objects, StatusOk};
use crate::api::AppState;
use crate::auth::Scope;
use crate::query::{operators_for, Operand};
use crate::schema::{Field, ObjectType, PointerTarget, ReadRule, Snapshot, TypeClass, WriteRule};
use crate::store::schema_history::VersionRow;

/// The live schema's lifecycle.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Get, "/schema/", || web::route().to(get),
        Doc::new(Tag::Admin, Auth::Admin, "Every type with its fields (each with the query operators it takes), rules and raw JSON Schema; the version and the last reload error. Scope: schema:read.")),
    endpoint(Method::Post, "/schema/reload/", || web::route().to(reload),
        Doc::new(Tag::Admin, Auth::Admin, "Reload the schema directory (409 with the file and pointer when it is broken). Scope: schema:write.")),
    endpoint(Method::Post, "/schema/recount/", || web::route().to(recount),
        Doc::new(Tag::Admin, Auth::Admin, "Recount every counter field from the records it counts. Scope: schema:write.")),
    endpoint(Method::Get, "/schema/history/", || web::route().to(history),
        Doc::new(Tag::Admin, Auth::Admin, "The applied schema versions. Scope: schema:read.")),
];

/// One field, as the console and the API describe it.
#[derive(Debug, Serialize)]
struct FieldView<'a> {
    name: &'a str,
    kind: &'static str,
    builtin: bool,
    read: &'a ReadRule,
    write: &'a WriteRule,
    unique: bool,
    indexed: bool,
    case_insensitive: bool,
    required: bool,
    immutable: bool,
    masked: bool,
    generated: bool,
    computed: bool,
    pointer: Option<PointerView<'a>>,
    #[serde(rename = "enum")]
    choices: Option<&'a Value>,
    default: &'a Option<Value>,
    schema: &'a Value,
    /// The query operators the field takes, from the operator table.
    operators: Vec<OperatorView>,
}

/// Where a pointer points: a table's name, or the field naming the table.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PointerView<'a> {
    Table(&'a str),
    ByField { type_field: &'a str },
}

/// An operator and the shape of its operand.
#[derive(Debug, Serialize)]
struct OperatorView {
    name: &'static str,
    operand: Operand,
}

impl<'a> From<&'a Field> for FieldView<'a> {
    fn from(field: &'a Field) -> Self {
        FieldView {
            name: field.name.as_str(),
            kind: field.kind.type_name(),
            builtin: field.builtin.is_some(),
            read: &field.read,
            write: &field.write,
            unique: field.unique,
            indexed: field.indexed,
            case_insensitive: field.case_insensitive,
            required: field.required,
            immutable: field.immutable,
            masked: field.mask.is_some(),
            generated: field.generated.is_some(),
            computed: field.computed.is_some(),
            pointer: field.pointer.as_ref().map(|p| match p {
                PointerTarget::Table(t) => PointerView::Table(t),
                PointerTarget::ByField(f) => PointerView::ByField { type_field: f },
            }),
            choices: field.raw.get("enum"),
            default: &field.default,
            schema: &field.raw,
            operators: operators_for(field.kind)
                .map(|o| OperatorView {
                    name: o.name,
                    operand: o.operand,
                })
                .collect(),
        }
    }
}

/// One object type with its fields and rules.
#[derive(Debug, Serialize)]
struct TypeView<'a> {
    name: &'a str,
    class: &'static str,
    table_id: Option<i64>,
    description: Option<Value>,
    fields: Vec<FieldView<'a>>,
    /// A table's rules (`null` for the profile).
    rules: Option<RulesView<'a>>,
    raw: &'a Value,
}

/// A table's permissions and limits.
#[derive(Debug, Serialize)]
struct RulesView<'a> {
    create: Vec<String>,
    read: Vec<String>,
    write: Vec<String>,
    client_acl: bool,
    unique: Vec<UniqueView<'a>>,
    max_per_owner: Option<u32>,
}

/// A table-level unique rule.
#[derive(Debug, Serialize)]
struct UniqueView<'a> {
    fields: &'a [String],
    #[serde(rename = "where")]
    filter: Map<String, Value>,
    case_insensitive: bool,
}

impl<'a> TypeView<'a> {
    fn of(snapshot: &Snapshot, object: &'a ObjectType) -> Self {
        let rules = &object.rules;
        let acl = |entries: &[crate::domain::AclEntry]| -> Vec<String> {
            entries.iter().map(|e| e.to_wire()).collect()
        };
        TypeView {
            name: &object.name,
            class: match object.class {
                TypeClass::Profile => "profile",
                TypeClass::Table => "table",
            },
            table_id: snapshot.table_id(&object.name),
            description: object
                .raw
                .get("description")
                .cloned()
                .or_else(|| object.extension.description.clone().map(Value::String)),
            fields: object.all_fields().map(FieldView::from).collect(),
            rules: (!object.is_profile()).then(|| RulesView {
                create: acl(&rules.create),
                read: acl(&rules.default_read),
                write: acl(&rules.default_write),
                client_acl: rules.client_acl,
                unique: rules
                    .uniques
                    .iter()
                    .map(|u| UniqueView {
                        fields: &u.fields,
                        filter: u.filter.iter().cloned().collect(),
                        case_insensitive: u.case_insensitive,
                    })
                    .collect(),
                max_per_owner: rules.max_per_owner,
            }),
            raw: &object.raw,
        }
    }
}

/// The live schema.
#[derive(Debug, Serialize)]
struct SchemaView<'a> {
    version: u64,
    digest: &'a str,
    dir: String,
    last_error: Option<LoadError>,
    types: Vec<TypeView<'a>>,
}

async fn get(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaRead)?;
    let snapshot = state.schema.live().load();
    Ok(HttpResponse::Ok().json(SchemaView {
        version: snapshot.version,
        digest: &snapshot.digest,
        dir: state.schema.dir().display().to_string(),
        last_error: state.schema.last_error(),
        types: std::iter::once(snapshot.profile())
            .chain(snapshot.tables())
            .map(|o| TypeView::of(&snapshot, o))
            .collect(),
    }))
}

/// A reload that applied.
#[derive(Debug, Serialize)]
struct ReloadView<'a> {
    version: u64,
    changed: bool,
    ddl: &'a [String],
}

/// A reload refused: the error, the file and the JSON pointer in it.
#[derive(Debug, Serialize)]
struct ReloadRefused<'a> {
    status: &'static str,
    error_msg: String,
    file: &'a Option<String>,
    pointer: &'a str,
}

async fn reload(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaWrite)?;
    match state.schema.reload(&caller.actor.name).await {
        Ok(done) => Ok(HttpResponse::Ok().json(StatusOk::with(ReloadView {
            version: done.version,
            changed: done.changed,
            ddl: &done.ddl,
        }))),
        Err(e) => Ok(HttpResponse::Conflict().json(ReloadRefused {
            status: "error",
            error_msg: e.to_string(),
            file: &e.file,
            pointer: &e.pointer,
        })),
    }
}

/// Every counter recounted, with its count.
#[derive(Debug, Serialize)]
struct Recounted {
    counters: Map<String, Value>,
}

/// `POST /admin/api/schema/recount/`: every counter field recounted from
/// the rows it counts.
async fn recount(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaWrite)?;
    let done = state
        .schema
        .recount(caller.actor)
        .await
        .map_err(crate::auth::AuthError::from)?;
    Ok(HttpResponse::Ok().json(StatusOk::with(Recounted {
        counters: done.into_iter().map(|(c, n)| (c, Value::from(n))).collect(),
    })))
}

/// An applied schema version: each file's digest and schema, the DDL it ran.
#[derive(Debug, Serialize)]
struct VersionView {
    id: i64,
    digest: String,
    files: Map<String, Value>,
    schemas: Map<String, Value>,
    ddl: Value,
    applied_at: i64,
    applied_by: String,
}

impl From<VersionRow> for VersionView {
    fn from(v: VersionRow) -> Self {
        let files: Map<String, Value> = serde_json::from_str(&v.files).unwrap_or_default();
        let pick = |key: &str| -> Map<String, Value> {
            files
                .iter()
                .map(|(name, f)| (name.clone(), f.get(key).cloned().unwrap_or(Value::Null)))
                .collect()
        };
        VersionView {
            id: v.id,
            digest: v.digest,
            files: pick("sha256"),
            schemas: pick("schema"),
            ddl: serde_json::from_str(&v.ddl).unwrap_or(Value::Null),
            applied_at: v.applied_at,
            applied_by: v.applied_by,
        }
    }
}

async fn history(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaRead)?;
    let versions = state
        .schema
        .history(100)
        .await
        .map_err(crate::auth::AuthError::from)?;
    Ok(HttpResponse::Ok().json(Objects {
        objects: versions.into_iter().map(VersionView::from).collect(),
    }))
}
