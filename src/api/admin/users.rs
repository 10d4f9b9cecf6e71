//! Users as admins see them: `GET /admin/api/users/` (the client API's query
//! language over every built-in and profile field), `GET|PATCH|DELETE
//! /admin/api/users/{id}/` (PATCH sets any field, `write: admin` and `write:
//! nobody` ones included, validated against the schema), and
//! `POST …/{id}/disable/`, `…/enable/`, `…/sessions/revoke/`, `…/password-reset/`.
//! Reads need `users:read`, and `records:read` as well to `expand` a pointer
//! or a `related` field into a data table — see [`AdminCaller::reader`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::admin_endpoint as endpoint;
use super::{path_id, AdminCaller};
use crate::api::error::ApiError;
use crate::api::openapi::{admin_details as details, Auth};
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::user_info::ReadQuery;
use crate::api::wire::{list_page, StatusOk};
use crate::api::AppState;
use crate::auth::Scope;
use crate::records::{Target, Who};

/// Users as admins see them.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Get, "/users/", || web::route().to(list),
        Doc::new(Tag::Admin, Auth::Admin, "Users matching a query, every field. Expanding a pointer or related field into a data table also needs records:read (403 otherwise). Scope: users:read.")
            .with(details::users)),
    endpoint(Method::Get, "/users/{id}/", || web::route().to(get),
        Doc::new(Tag::Admin, Auth::Admin, "One user, every field. Expanding a pointer or related field into a data table also needs records:read (403 otherwise). Scope: users:read.")
            .with(details::user)),
    endpoint(Method::Patch, "/users/{id}/", || web::route().to(patch),
        Doc::new(Tag::Admin, Auth::Admin, "Set any field (write: admin and write: nobody ones too), audited. Scope: users:write.")
            .with(details::user_patch)),
    endpoint(Method::Delete, "/users/{id}/", || web::route().to(delete),
        Doc::new(Tag::Admin, Auth::Admin, "Delete a user (sessions, credentials and codes go too), audited. Scope: users:write.")
            .with(details::no_content)),
    endpoint(Method::Post, "/users/{id}/disable/", || web::route().to(disable),
        Doc::new(Tag::Admin, Auth::Admin, "Disable a user: every login refused, sessions ended. Scope: users:write.")),
    endpoint(Method::Post, "/users/{id}/enable/", || web::route().to(enable),
        Doc::new(Tag::Admin, Auth::Admin, "Enable a disabled user. Scope: users:write.")),
    endpoint(Method::Post, "/users/{id}/sessions/revoke/", || web::route().to(revoke_sessions),
        Doc::new(Tag::Admin, Auth::Admin, "End every session of a user. Scope: users:write.")),
    endpoint(Method::Post, "/users/{id}/password-reset/", || web::route().to(password_reset),
        Doc::new(Tag::Admin, Auth::Admin, "Mail the user a password-reset link. Scope: users:write.")
            .with(details::created)),
];

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ReadQuery>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersRead)?;
    let params = query.into_inner().list_params();
    let snapshot = state.records.live().load();
    let reader = caller.reader(&snapshot, Target::Users, params.expand.as_deref())?;
    let page = state.records.list(&reader, Target::Users, params).await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersRead)?;
    let id = path_id(&path)?;
    let (keys, expand) = query.into_inner().keys_and_expand();
    let snapshot = state.records.live().load();
    let reader = caller.reader(&snapshot, Target::Users, expand.as_deref())?;
    let user = state
        .records
        .get(
            &reader,
            Target::Users,
            &id.to_string(),
            keys.as_deref(),
            expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(user))
}

async fn patch(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersWrite)?;
    let id = path_id(&path)?;
    let user = state
        .records
        .update_as(
            Who::server(),
            Target::Users,
            &id.to_string(),
            body.into_inner(),
            None,
            Some(caller.actor),
        )
        .await?;
    Ok(HttpResponse::Ok().json(user))
}

async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersWrite)?;
    let id = path_id(&path)?;
    state
        .records
        .delete_as(
            Who::server(),
            Target::Users,
            &id.to_string(),
            Some(caller.actor),
        )
        .await?;
    state.auth.forget_user(id);
    Ok(HttpResponse::NoContent().finish())
}

async fn disable(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    set_disabled(state, path, caller, true).await
}

async fn enable(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    set_disabled(state, path, caller, false).await
}

/// What an admin action did to a user.
#[derive(Debug, Serialize)]
struct UserDone {
    user_id: i64,
    #[serde(flatten)]
    done: Done,
}

/// The outcome of one admin action on a user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum Done {
    /// Whether the user is now disabled.
    Disabled(bool),
    /// How many sessions were ended.
    SessionsEnded(usize),
    /// The address the reset link went to.
    Email(String),
}

async fn set_disabled(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
    disabled: bool,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersWrite)?;
    let id = path_id(&path)?;
    state.auth.set_disabled(id, disabled, caller.actor).await?;
    Ok(HttpResponse::Ok().json(StatusOk::with(UserDone {
        user_id: id,
        done: Done::Disabled(disabled),
    })))
}

async fn revoke_sessions(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersWrite)?;
    let id = path_id(&path)?;
    let ended = state.auth.revoke_sessions(id, caller.actor).await?;
    Ok(HttpResponse::Ok().json(StatusOk::with(UserDone {
        user_id: id,
        done: Done::SessionsEnded(ended),
    })))
}

async fn password_reset(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersWrite)?;
    let id = path_id(&path)?;
    let email = state.email.admin_password_reset(id, caller.actor).await?;
    Ok(HttpResponse::Created().json(StatusOk::with(UserDone {
        user_id: id,
        done: Done::Email(email),
    })))
}
