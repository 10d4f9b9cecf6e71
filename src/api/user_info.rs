//! User info: one user (`GET /hserve/v2.5/user/info/:id/`, also v2.2), the user
//! list (`GET /hserve/v2.2/user/info/`) and the caller's profile update
//! (`PUT /hserve/v2.5/user/info/`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::extract::{require_version, LoggedIn};
use super::wire::list_page;
use super::AppState;
use crate::domain::UserId;
use crate::records::ListParams;

const GET_VERSIONS: &[&str] = &["v2.2", "v2.5"];
const LIST_VERSIONS: &[&str] = &["v2.2", "v2.5"];
const UPDATE_VERSIONS: &[&str] = &["v2.2", "v2.5"];

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{version}/user/info/", web::get().to(list))
        .route("/{version}/user/info/", web::put().to(update))
        .route("/{version}/user/info/{user_id}/", web::get().to(get));
}

/// Query parameters of user reads. Unknown parameters are ignored.
#[derive(Debug, Deserialize)]
struct ReadQuery {
    #[serde(rename = "where")]
    where_json: Option<String>,
    order_by: Option<String>,
    keys: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    return_total_count: Option<String>,
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ReadQuery>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (version, raw_id) = path.into_inner();
    require_version(&version, GET_VERSIONS)?;
    let user_id = UserId::parse(&raw_id)?;
    let record = state
        .profiles
        .get(&caller.0, user_id, query.keys.as_deref())
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
    require_version(&path.into_inner(), LIST_VERSIONS)?;
    let q = query.into_inner();
    let params = ListParams {
        where_json: q.where_json,
        order_by: q.order_by,
        keys: q.keys,
        limit: q.limit,
        offset: q.offset,
        return_total_count: matches!(q.return_total_count.as_deref(), Some("1" | "true")),
    };
    let page = state.profiles.list(&caller.0, params).await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

async fn update(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    require_version(&path.into_inner(), UPDATE_VERSIONS)?;
    let record = state
        .profiles
        .update_own(&caller.0, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(record))
}
