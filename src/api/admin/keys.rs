//! API keys and the audit log: `GET|POST /admin/api/keys/`,
//! `DELETE /admin/api/keys/{id}/`, `GET /admin/api/audit/`. A credential
//! creates keys with no more than it holds: scopes among its own (403 naming
//! the ones it lacks), and, for an expiring key, an expiry no later than its
//! own.

use std::collections::BTreeSet;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::admin_endpoint as endpoint;
use super::{path_id, AdminCaller};
use crate::api::body::{field, required, Body};
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
#[derive(Debug, Serialize)]
struct KeyView<'a> {
    id: i64,
    name: &'a str,
    prefix: &'a str,
    /// The stored JSON array of scope names.
    scopes: Value,
    created_at: i64,
    created_by: &'a str,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    /// `active`, `expired` or `revoked`.
    status: &'static str,
    /// The secret, in the answer that created the key only.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
}

impl<'a> From<&'a KeyRow> for KeyView<'a> {
    fn from(key: &'a KeyRow) -> Self {
        let status = if key.revoked_at.is_some() {
            "revoked"
        } else if key.expires_at.is_some_and(|e| e <= now_unix()) {
            "expired"
        } else {
            "active"
        };
        KeyView {
            id: key.id,
            name: &key.name,
            prefix: &key.prefix,
            scopes: serde_json::from_str(&key.scopes).unwrap_or(Value::Null),
            created_at: key.created_at,
            created_by: &key.created_by,
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
            revoked_at: key.revoked_at,
            status,
            key: None,
        }
    }
}

/// A list of objects, with the cursor to the next page where there is one.
#[derive(Debug, Serialize)]
struct Objects<T: Serialize> {
    objects: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_before: Option<Option<i64>>,
}

/// `{name, scopes, expires_at | expires_in}` of a new key.
#[derive(Debug, Deserialize)]
struct NewKeyBody {
    #[serde(default, deserialize_with = "field::text")]
    name: Option<String>,
    /// One scope name or a list of them.
    #[serde(default)]
    scopes: Option<Value>,
    #[serde(default)]
    expires_at: Option<Value>,
    #[serde(default)]
    expires_in: Option<Value>,
}

impl NewKeyBody {
    fn scopes(&self) -> Result<BTreeSet<Scope>, ApiError> {
        let names: Vec<String> = match &self.scopes {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| InvalidInput::new("scopes", "must be a list of scope names"))?,
            _ => {
                return Err(
                    InvalidInput::new("scopes", "is required, e.g. [\"users:read\"]").into(),
                )
            }
        };
        Ok(Scope::parse_list("scopes", &names)?)
    }

    /// When the key stops working: `expires_at` (unix seconds), else
    /// `expires_in` seconds from now, else never.
    fn expires_at(&self) -> Result<Option<i64>, InvalidInput> {
        Ok(match (&self.expires_at, &self.expires_in) {
            (Some(v), _) => Some(v.as_i64().ok_or_else(|| {
                InvalidInput::new("expires_at", "must be a unix time in seconds")
            })?),
            (None, Some(v)) => Some(
                now_unix()
                    + v.as_i64().filter(|n| *n > 0).ok_or_else(|| {
                        InvalidInput::new("expires_in", "must be a positive number of seconds")
                    })?,
            ),
            (None, None) => None,
        })
    }
}

async fn list(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::KeysRead)?;
    let keys = state.auth.list_keys().await?;
    Ok(HttpResponse::Ok().json(Objects {
        objects: keys.iter().map(KeyView::from).collect(),
        next_before: None,
    }))
}

async fn create(
    state: web::Data<AppState>,
    caller: AdminCaller,
    body: Body<NewKeyBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::KeysWrite)?;
    let body = body.0;
    let name = required(&body.name, "name")?;
    let scopes = body.scopes()?;
    let expires_at = body.expires_at()?;
    let created = state
        .auth
        .create_key_as(&caller.grant, name, &scopes, expires_at, caller.actor)
        .await?;
    Ok(HttpResponse::Created().json(KeyView {
        key: Some(created.secret.expose()),
        ..KeyView::from(&created.key)
    }))
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

/// An audit entry as listed.
#[derive(Debug, Serialize)]
struct AuditView {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    target_type: String,
    target_id: Option<String>,
    /// The stored JSON details.
    changes: Value,
    ip: Option<String>,
    request_id: Option<String>,
}

impl From<AuditRow> for AuditView {
    fn from(row: AuditRow) -> Self {
        AuditView {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            changes: serde_json::from_str(&row.changes).unwrap_or(Value::Null),
            ip: row.ip,
            request_id: row.request_id,
        }
    }
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
    Ok(HttpResponse::Ok().json(Objects {
        objects: rows.into_iter().map(AuditView::from).collect(),
        next_before: Some(next),
    }))
}
