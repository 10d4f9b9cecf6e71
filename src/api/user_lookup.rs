//! Finding users and checking identifiers:
//! `GET /hserve/v2.0/user/find/?id=|username=|email=|phone=[&region=]`, or
//! `?<field>=` for a profile field declared `find_key` (signed up, not
//! anonymous: one user's public profile; a user whose `allows_find_by` switch
//! for that identifier is off is not found, with the same 404 as an unknown
//! one; email and phone only under `find_by_contact`, and only as proven
//! identifiers)
//! and `POST /hserve/v2.0/user/available/` (`{username|email|phone}`: is it
//! free to register? Off unless `availability_check` is set, since it tells
//! whether an account exists). Both are limited per client address.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::body::read;
use super::error::ApiError;
use super::extract::LoggedIn;
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::session::SignIn;
use super::wire::StatusOk;
use super::{versions, AppState};
use crate::auth::{AuthError, Principal};
use crate::records::Target;
use crate::schema::FindBy;

/// The identifiers a lookup may name.
const KINDS: &[&str] = &["id", "username", "email", "phone"];

/// Finding users and checking identifiers.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Get,
        "/user/find/",
        versions::USER_LOOKUP,
        || web::route().to(find),
        Doc::new(Tag::Users, Auth::User, "Find one user by id, username, email, phone (with region) or a profile field declared find_key: their public profile; the same 404 for an unknown user and one who does not want to be found.")
            .with(details::user_find),
    ),
    Endpoint::new(
        Method::Post,
        "/user/available/",
        versions::USER_LOOKUP,
        || web::route().to(available),
        Doc::new(Tag::Users, Auth::Public, "Is this username, email or phone free to register? Off (403) unless availability_check is set.")
            .with(details::user_available),
    ),
];

/// The one identifier kind `fields` names among `allowed`.
fn one_kind<'a>(fields: &Map<String, Value>, allowed: &[&'a str]) -> Result<&'a str, ApiError> {
    let named: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|k| fields.contains_key(*k))
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        _ => Err(ApiError::BadRequest(format!(
            "name exactly one of {}",
            allowed.join(", ")
        ))),
    }
}

async fn find(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    if matches!(
        caller.0,
        Principal::User {
            anonymous: true,
            ..
        }
    ) {
        return Err(AuthError::Forbidden(
            "anonymous users must register before finding users".into(),
        )
        .into());
    }
    state.lookup_limit.check(&req).await?;
    let fields: Map<String, Value> = query
        .into_inner()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let keys = state.records.find_keys();
    let kinds: Vec<&str> = KINDS
        .iter()
        .copied()
        .chain(keys.iter().map(String::as_str))
        .collect();
    let kind = one_kind(&fields, &kinds)?;
    let id = if keys.iter().any(|k| k == kind) {
        let value = fields.get(kind).and_then(Value::as_str).unwrap_or_default();
        let found = state.records.user_with_key(kind, value).await?;
        match found {
            Some(id)
                if state
                    .records
                    .findable(id, FindBy::Field(kind.to_owned()))
                    .await? =>
            {
                id
            }
            _ => return Err(ApiError::NotFound),
        }
    } else if kind == "id" {
        fields
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| ApiError::BadRequest("id: must be a user id".into()))?
    } else {
        let by = match kind {
            "email" => FindBy::Email,
            "username" => FindBy::Username,
            _ => FindBy::Phone,
        };
        if by != FindBy::Username && !state.find_by_contact {
            return Err(AuthError::Forbidden(format!(
                "finding users by {kind} is off on this server (it tells whether an address has \
                 an account); an admin turns it on with find_by_contact"
            ))
            .into());
        }
        let ident = read::<SignIn>(fields)?.identifier(&state, kind)?;
        let found = state.auth.proven_user_with(ident).await?;
        match found {
            Some(id) if state.records.findable(id, by).await? => id,
            // Unknown and hidden users look the same.
            _ => return Err(ApiError::NotFound),
        }
    };
    let user = state
        .records
        .get(&caller.0, Target::Users, &id.to_string(), None, None)
        .await?;
    Ok(HttpResponse::Ok().json(user))
}

async fn available(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    if !state.availability_check {
        return Err(AuthError::Forbidden(
            "availability checks are off on this server (they tell whether an account exists); \
             an admin turns them on with availability_check"
                .into(),
        )
        .into());
    }
    state.lookup_limit.check(&req).await?;
    let kind = one_kind(&body, &KINDS[1..])?;
    let ident = read::<SignIn>(body.into_inner())?.identifier(&state, kind)?;
    let taken = state.auth.user_with(ident).await?.is_some();
    Ok(HttpResponse::Ok().json(StatusOk::with(Available { available: !taken })))
}

/// Whether an identifier is free to register.
#[derive(Debug, Serialize)]
struct Available {
    available: bool,
}
