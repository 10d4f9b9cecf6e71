//! API keys and the audit log: `GET|POST /admin/api/keys/`,
//! `DELETE /admin/api/keys/{id}/`, `GET /admin/api/audit/`. A credential
//! creates keys with no more than it holds: scopes among its own (403 naming
//! the ones it lacks), and, for an expiring key, an expiry no later than its
//! own.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::admin_endpoint as endpoint;
use super::{path_id, AdminCaller};
use crate::api::error::ApiError;
use crate::api::openapi::{admin_details as details, Auth};
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::AppState;
use crate::auth::Scope;
use crate::domain::{now_unix, InvalidInput};
use crate::store::admins::KeyRow;
use crate::store::audit::{AuditFilter, AuditRow};

/// API keys and the audit log.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Get, "/keys/", || web::route().to(list),
        Doc::new(Tag::Admin, Auth::Admin, "API keys (never their secrets). Scope: keys:read.")),
    endpoint(Method::Post, "/keys/", || web::route().to(create),
        Doc::new(Tag::Admin, Auth::Admin, "Create an API key; the key is in this answer only. Its scopes must be among the caller's (403 naming the ones it lacks), and a key made by an expiring key expires no later. Scope: keys:write.")
            .with(details::key_create)),
    endpoint(Method::Delete, "/keys/{id}/", || web::route().to(revoke),
        Doc::new(Tag::Admin, Auth::Admin, "Revoke an API key. Scope: keys:write.")
            .with(details::no_content)),
    endpoint(Method::Get, "/audit/", || web::route().to(audit),
        Doc::new(Tag::Admin, Auth::Admin, "The audit log, newest first. Scope: audit:read.")
            .with(details::audit)),
];

/// A key as listed: never its secret.
pub(crate) fn key_wire(key: &KeyRow) -> Value {
    let now = now_unix();
    let status = if key.revoked_at.is_some() {
        "revoked"
    } else if key.expires_at.is_some_and(|e| e <= now) {
        "expired"
    } else {
        "active"
    };
    json!({
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": serde_json::from_str::<Value>(&key.scopes).unwrap_or(Value::Null),
        "created_at": key.created_at,
        "created_by": key.created_by,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
        "status": status,
    })
}

async fn list(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::KeysRead)?;
    let keys: Vec<Value> = state.auth.list_keys().await?.iter().map(key_wire).collect();
    Ok(HttpResponse::Ok().json(json!({"objects": keys})))
}

async fn create(
    state: web::Data<AppState>,
    caller: AdminCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::KeysWrite)?;
    let name = crate::api::extract::required_string(&body, "name")?;
    let scopes: Vec<String> = match body.get("scopes") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| InvalidInput::new("scopes", "must be a list of scope names"))?,
        _ => return Err(InvalidInput::new("scopes", "is required, e.g. [\"users:read\"]").into()),
    };
    let scopes = crate::auth::Scope::parse_list("scopes", &scopes)?;
    let expires_at = match (body.get("expires_at"), body.get("expires_in")) {
        (Some(v), _) if !v.is_null() => Some(
            v.as_i64()
                .ok_or_else(|| InvalidInput::new("expires_at", "must be a unix time in seconds"))?,
        ),
        (_, Some(v)) if !v.is_null() => Some(
            now_unix()
                + v.as_i64().filter(|n| *n > 0).ok_or_else(|| {
                    InvalidInput::new("expires_in", "must be a positive number of seconds")
                })?,
        ),
        _ => None,
    };
    let created = state
        .auth
        .create_key_as(&caller.grant, name, &scopes, expires_at, caller.actor)
        .await?;
    let mut out = key_wire(&created.key);
    out["key"] = json!(created.secret.expose());
    Ok(HttpResponse::Created().json(out))
}

async fn revoke(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::KeysWrite)?;
    state.auth.revoke_key(path_id(&path)?, caller.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Filters of the audit log.
#[derive(Debug, Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

fn audit_wire(row: AuditRow) -> Value {
    json!({
        "id": row.id,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "changes": serde_json::from_str::<Value>(&row.changes).unwrap_or(Value::Null),
        "ip": row.ip,
        "request_id": row.request_id,
    })
}

async fn audit(
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::AuditRead)?;
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(InvalidInput::new("limit", "must be an integer from 1 to 500").into());
    }
    let filter = AuditFilter {
        actor: q.actor.filter(|s| !s.is_empty()),
        action: q.action.filter(|s| !s.is_empty()),
        target_type: q.target_type.filter(|s| !s.is_empty()),
        target_id: q.target_id.filter(|s| !s.is_empty()),
        since: q.since,
        until: q.until,
        before_id: q.before,
    };
    let rows = state
        .audit
        .list(filter, limit)
        .await
        .map_err(crate::auth::AuthError::from)?;
    let next = if rows.len() as i64 == limit {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let objects: Vec<Value> = rows.into_iter().map(audit_wire).collect();
    Ok(HttpResponse::Ok().json(json!({"objects": objects, "next_before": next})))
}
