//! User info: one user (`GET /hserve/v2.5/user/info/:id/`, also v2.2), the user
//! list (`GET /hserve/v2.2/user/info/`) and the caller's profile update
//! (`PUT` or `PATCH /hserve/v2.5/user/info/`). The profile is an object type
//! like every table: the same `where`, `order_by`, `keys`, `expand`, `since`
//! and update operators apply.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::extract::LoggedIn;
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::versions;
use super::wire::list_page;
use super::AppState;
use crate::auth::AuthError;
use crate::domain::UserId;
use crate::records::{ListParams, Target};

/// Users and the caller's profile.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Get,
        "/user/info/",
        versions::USER_LIST,
        || web::route().to(list),
        Doc::new(
            Tag::Users,
            Auth::User,
            "Users matching a query (public fields; all for admins).",
        )
        .with(details::user_list),
    ),
    Endpoint::new(
        Method::Put,
        "/user/info/",
        versions::USER_UPDATE,
        || web::route().to(update),
        Doc::new(
            Tag::Users,
            Auth::User,
            "Update the caller's profile (flat body or $set/$unset; atomic operators).",
        )
        .with(details::user_update),
    ),
    Endpoint::new(
        Method::Patch,
        "/user/info/",
        versions::USER_UPDATE,
        || web::route().to(update),
        Doc::new(
            Tag::Users,
            Auth::User,
            "Update the caller's profile (as PUT).",
        )
        .with(details::user_update),
    ),
    Endpoint::new(
        Method::Get,
        "/user/info/{user_id}/",
        versions::USER_DETAIL,
        || web::route().to(get),
        Doc::new(
            Tag::Users,
            Auth::User,
            "One user as the caller may see them.",
        )
        .with(details::user_get),
    ),
];

/// Query parameters of user (and record) reads. Unknown parameters are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ReadQuery {
    #[serde(rename = "where")]
    where_json: Option<String>,
    order_by: Option<String>,
    keys: Option<String>,
    expand: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    since: Option<String>,
    return_total_count: Option<String>,
}

impl ReadQuery {
    /// A query of `limit` rows in `order_by` order with `keys`, made by the
    /// server (the children of a content category, say).
    pub(super) fn page(limit: &str, order_by: Option<&str>, keys: Option<&str>) -> Self {
        Self {
            limit: Some(limit.to_owned()),
            order_by: order_by.map(str::to_owned),
            keys: keys.map(str::to_owned),
            ..Self::default()
        }
    }

    /// The `where` JSON as sent.
    pub(super) fn where_json(&self) -> Option<&str> {
        self.where_json.as_deref()
    }

    /// `keys` and `expand`, for reads of one object.
    pub(super) fn keys_and_expand(self) -> (Option<String>, Option<String>) {
        (self.keys, self.expand)
    }

    /// The list parameters of this query.
    pub(super) fn list_params(self) -> ListParams {
        ListParams {
            where_json: self.where_json,
            order_by: self.order_by,
            keys: self.keys,
            expand: self.expand,
            limit: self.limit,
            offset: self.offset,
            since: self.since,
            return_total_count: matches!(self.return_total_count.as_deref(), Some("1" | "true")),
        }
    }
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ReadQuery>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (_, raw_id) = path.into_inner();
    let user_id = UserId::parse(&raw_id)?;
    let record = state
        .records
        .get(
            &caller.0,
            Target::Users,
            &user_id.to_string(),
            query.keys.as_deref(),
            query.expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let query = query.into_inner();
    let asked = query.return_total_count.is_some();
    let mut params = query.list_params();
    if !asked && versions::counts_by_default(&version) {
        params.return_total_count = true;
    }
    let page = state.records.list(&caller.0, Target::Users, params).await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

/// Query parameters of the profile update.
#[derive(Debug, Deserialize)]
struct UpdateQuery {
    expand: Option<String>,
}

async fn update(
    state: web::Data<AppState>,
    query: web::Query<UpdateQuery>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    // The caller's own profile: admins have none and use the admin API.
    let me = caller.0.user_id().ok_or(AuthError::Unauthorized)?;
    let record = state
        .records
        .update(
            &caller.0,
            Target::Users,
            &me.to_string(),
            body.into_inner(),
            query.expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}
