//! The schema as admins see it: `GET /admin/api/schema/` (every type with its
//! fields, kinds, rules and raw JSON Schema, the live version and the last
//! reload error), `POST /admin/api/schema/reload/`, `GET /admin/api/schema/history/`.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::admin_endpoint as endpoint;
use super::AdminCaller;
use crate::api::error::ApiError;
use crate::api::openapi::Auth;
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::AppState;
use crate::auth::Scope;
use crate::query::operators_for;
use crate::schema::{Field, ObjectType, PointerTarget, Snapshot, TypeClass};

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
pub(crate) fn field_wire(field: &Field) -> Value {
    let pointer = match &field.pointer {
        Some(PointerTarget::Table(t)) => json!(t),
        Some(PointerTarget::ByField(f)) => json!({"type_field": f}),
        None => Value::Null,
    };
    json!({
        "name": field.name.as_str(),
        "kind": field.kind.type_name(),
        "builtin": field.builtin.is_some(),
        "read": field.read,
        "write": field.write,
        "unique": field.unique,
        "indexed": field.indexed,
        "case_insensitive": field.case_insensitive,
        "required": field.required,
        "immutable": field.immutable,
        "masked": field.mask.is_some(),
        "generated": field.generated.is_some(),
        "computed": field.computed.is_some(),
        "pointer": pointer,
        "enum": field.raw.get("enum").cloned().unwrap_or(Value::Null),
        "default": field.default,
        "schema": field.raw,
        "operators": operators_for(field.kind)
            .map(|o| json!({"name": o.name, "operand": o.operand}))
            .collect::<Vec<_>>(),
    })
}

/// One object type with its fields and rules.
pub(crate) fn type_wire(snapshot: &Snapshot, object: &ObjectType) -> Value {
    let rules = &object.rules;
    let acl = |entries: &[crate::domain::AclEntry]| -> Vec<String> {
        entries.iter().map(|e| e.to_wire()).collect()
    };
    json!({
        "name": object.name,
        "class": match object.class { TypeClass::Profile => "profile", TypeClass::Table => "table" },
        "table_id": snapshot.table_id(&object.name),
        "description": object.raw.get("description").cloned().or_else(|| object.extension.description.clone().map(Value::String)),
        "fields": object.all_fields().map(field_wire).collect::<Vec<_>>(),
        "rules": if object.is_profile() { Value::Null } else { json!({
            "create": acl(&rules.create),
            "read": acl(&rules.default_read),
            "write": acl(&rules.default_write),
            "client_acl": rules.client_acl,
            "unique": rules.uniques.iter().map(|u| json!({"fields": u.fields, "where": u.filter.iter().map(|(f, v)| (f.clone(), v.clone())).collect::<serde_json::Map<_, _>>(), "case_insensitive": u.case_insensitive})).collect::<Vec<_>>(),
            "max_per_owner": rules.max_per_owner,
        })},
        "raw": object.raw,
    })
}

async fn get(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaRead)?;
    let snapshot = state.schema.live().load();
    let types: Vec<Value> = std::iter::once(snapshot.profile())
        .chain(snapshot.tables())
        .map(|o| type_wire(&snapshot, o))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "version": snapshot.version,
        "digest": snapshot.digest,
        "dir": state.schema.dir().display().to_string(),
        "last_error": state.schema.last_error(),
        "types": types,
    })))
}

async fn reload(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SchemaWrite)?;
    match state.schema.reload(&caller.actor.name).await {
        Ok(done) => Ok(HttpResponse::Ok().json(json!({
            "status": "ok",
            "version": done.version,
            "changed": done.changed,
            "ddl": done.ddl,
        }))),
        Err(e) => Ok(HttpResponse::Conflict().json(json!({
            "status": "error",
            "error_msg": e.to_string(),
            "file": e.file,
            "pointer": e.pointer,
        }))),
    }
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
    let counters: serde_json::Map<String, Value> =
        done.into_iter().map(|(c, n)| (c, json!(n))).collect();
    Ok(HttpResponse::Ok().json(json!({"status": "ok", "counters": counters})))
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
    let objects: Vec<Value> = versions
        .into_iter()
        .map(|v| {
            let files: serde_json::Map<String, Value> = serde_json::from_str(&v.files).unwrap_or_default();
            let digests: serde_json::Map<String, Value> = files
                .iter()
                .map(|(name, f)| (name.clone(), f.get("sha256").cloned().unwrap_or(Value::Null)))
                .collect();
            json!({
                "id": v.id,
                "digest": v.digest,
                "files": digests,
                "schemas": files.into_iter().map(|(n, f)| (n, f.get("schema").cloned().unwrap_or(Value::Null))).collect::<serde_json::Map<_, _>>(),
                "ddl": serde_json::from_str::<Value>(&v.ddl).unwrap_or(Value::Null),
                "applied_at": v.applied_at,
                "applied_by": v.applied_by,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"objects": objects})))
}
