//! Admin sign-in: `POST /admin/api/session/` (`{email, password}` → a
//! short-lived token), `DELETE /admin/api/session/` (sign out), and
//! `GET /admin/api/me/` (the credential and its scopes). Sign-in is limited
//! per client address and locked per admin address after repeated attempts;
//! every failure is audited with the address tried and the client's address.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::admin_endpoint as endpoint;
use super::{origin, AdminCaller};
use crate::api::body::{field, Body};
use crate::api::error::ApiError;
use crate::api::openapi::{admin_details as details, Auth};
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::AppState;
use crate::domain::{Email, Password};

/// Admin sign-in.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Post, "/session/", || web::route().to(sign_in),
        Doc::new(Tag::Admin, Auth::Public, "Sign an admin in: a token for 12 hours. After 10 attempts on one address within 15 minutes its sign-in is locked (429, even with the right password) until the window ends; every failed sign-in is audited as admin.sign_in_failed.")
            .with(details::sign_in)),
    endpoint(Method::Delete, "/session/", || web::route().to(sign_out),
        Doc::new(Tag::Admin, Auth::Admin, "Sign out.").with(details::no_content)),
    endpoint(Method::Get, "/me/", || web::route().to(me),
        Doc::new(Tag::Admin, Auth::Admin, "The credential and its scopes. Scope: any.")),
];

/// `{email, password}` of an admin's sign-in.
#[derive(Debug, Deserialize)]
struct SignIn {
    #[serde(deserialize_with = "field::required_text")]
    email: String,
    #[serde(deserialize_with = "field::required_text")]
    password: String,
}

/// A signed-in admin's token.
#[derive(Debug, Serialize)]
struct AdminToken<'a> {
    token: &'a str,
    expires_in: i64,
    email: &'a str,
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<SignIn>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let body = body.0;
    let email = Email::parse(&body.email)?;
    let password = Password::candidate("password", &body.password)?;
    let session = state
        .auth
        .admin_login(email, password, origin(&req))
        .await?;
    Ok(HttpResponse::Created().json(AdminToken {
        token: session.token.expose(),
        expires_in: session.expires_in,
        email: &session.email,
    }))
}

async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Some(token) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        state.auth.admin_logout(token.trim()).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Who is calling and what they may do.
#[derive(Debug, Serialize)]
struct Me<'a> {
    actor: &'a str,
    scopes: Vec<&'a str>,
}

async fn me(caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Me {
        actor: &caller.actor.name,
        scopes: caller.grant.scopes.iter().map(|s| s.as_str()).collect(),
    }))
}
