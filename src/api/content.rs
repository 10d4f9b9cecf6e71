//! The content library (`BaaS.ContentGroup`), served from three ordinary
//! schema-declared tables a schema set adds (`schema/examples/content/`):
//! `content_group` (`name`), `content_category` (`name`, `group_id`, `parent`)
//! and `content` (`title`, `content`, `cover`, `description`, `group_id`,
//! `categories`: category ids). Their permissions make them read-only for
//! clients (admins write them through the admin API or the console); every
//! read goes through the one engine, row rules and field rules included.
//!
//! - `GET …/content/group/` and `…/content/group/:id/`;
//! - `GET …/content/detail/?content_group_id=&where=&order_by=&keys=&expand=`
//!   (a list leaves out the `content` body, as Hydrogen's does) and
//!   `…/content/detail/:id/`;
//! - `GET …/content/category/?content_group_id=` (each with `have_children`)
//!   and `…/content/category/:id/` (with its `children`).

use std::collections::BTreeSet;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::extract::Caller;
use super::openapi::{record_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::user_info::ReadQuery;
use super::versions;
use super::wire::list_page;
use super::AppState;
use crate::auth::Principal;
use crate::records::{ListParams, ListResult, Target};

/// The tables the library is read from.
const GROUPS: &str = "content_group";
const CATEGORIES: &str = "content_category";
const CONTENTS: &str = "content";

/// A content-library endpoint, under every version an SDK build sends.
const fn library(path: &'static str, handler: fn() -> actix_web::Route, doc: Doc) -> Endpoint {
    Endpoint::new(Method::Get, path, versions::CONTENT, handler, doc)
}

/// The content library.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    library(
        "/content/group/",
        || web::route().to(groups),
        Doc::new(Tag::Content, Auth::Optional, "The content groups.").with(details::content_list),
    ),
    library(
        "/content/group/{id}/",
        || web::route().to(group),
        Doc::new(Tag::Content, Auth::Optional, "One content group.").with(details::content_one),
    ),
    library(
        "/content/detail/",
        || web::route().to(contents),
        Doc::new(
            Tag::Content,
            Auth::Optional,
            "The contents of a group (without their bodies).",
        )
        .with(details::content_list),
    ),
    library(
        "/content/detail/{id}/",
        || web::route().to(content),
        Doc::new(Tag::Content, Auth::Optional, "One content, with its body.")
            .with(details::content_one),
    ),
    library(
        "/content/category/",
        || web::route().to(categories),
        Doc::new(
            Tag::Content,
            Auth::Optional,
            "The categories of a group, each with have_children.",
        )
        .with(details::content_list),
    ),
    library(
        "/content/category/{id}/",
        || web::route().to(category),
        Doc::new(
            Tag::Content,
            Auth::Optional,
            "One category, with its children.",
        )
        .with(details::content_one),
    ),
];

/// The query parameters the SDK sends: a read's, and the group.
#[derive(Debug, Default, Deserialize)]
struct ContentQuery {
    content_group_id: Option<String>,
    #[serde(flatten)]
    read: ReadQuery,
}

impl ContentQuery {
    /// List parameters with the caller's `where` and `extra` both holding.
    fn params(&self, extra: Option<Value>) -> Result<ListParams, ApiError> {
        let mut params = self.read.clone().list_params();
        let given = match params.where_json.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                serde_json::from_str::<Value>(text)
                    .map_err(|_| ApiError::BadRequest("where: is not JSON".into()))?,
            ),
        };
        let parts: Vec<Value> = given.into_iter().chain(extra).collect();
        params.where_json = match parts.len() {
            0 => None,
            1 => Some(parts[0].to_string()),
            _ => Some(json!({"$and": parts}).to_string()),
        };
        params.since = None;
        Ok(params)
    }

    /// A query of `limit` rows in `order_by` order with `keys`.
    fn page(limit: &str, order_by: Option<&str>, keys: Option<&str>) -> Self {
        Self {
            content_group_id: None,
            read: ReadQuery::page(limit, order_by, keys),
        }
    }

    /// `{"group_id": <content_group_id>}`, required where a list is per group.
    fn group_filter(&self) -> Result<Value, ApiError> {
        let id = self
            .content_group_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ApiError::BadRequest("content_group_id: is required".into()))?;
        Ok(json!({"group_id": id.trim()}))
    }
}

async fn groups(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ContentQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let page = list(&req, &state, &caller, GROUPS, query.params(None)?).await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

/// A page of `table` under the caller's cap of costly requests.
async fn list(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    table: &str,
    params: ListParams,
) -> Result<ListResult, ApiError> {
    let _running = state.query_gate.enter(req, &caller.0)?;
    Ok(state
        .records
        .list(&caller.0, Target::Table(table), params)
        .await?)
}

async fn group(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let row = one(
        &state,
        path.into_inner(),
        &caller,
        GROUPS,
        &ContentQuery::default(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// One row of `table` by the path's `(version, id)`, with the query's
/// `keys` and `expand`.
async fn one(
    state: &AppState,
    (_, id): (String, String),
    caller: &Caller,
    table: &str,
    query: &ContentQuery,
) -> Result<Map<String, Value>, ApiError> {
    let (keys, expand) = query.read.clone().keys_and_expand();
    Ok(state
        .records
        .get(
            &caller.0,
            Target::Table(table),
            &id,
            keys.as_deref(),
            expand.as_deref(),
        )
        .await?)
}

async fn contents(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ContentQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let params = query.params(Some(query.group_filter()?))?;
    let mut page = list(&req, &state, &caller, CONTENTS, params).await?;
    // A list carries no bodies; `getContent` reads one.
    for row in &mut page.objects {
        row.remove("content");
    }
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

async fn content(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ContentQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let row = one(&state, path.into_inner(), &caller, CONTENTS, &query).await?;
    Ok(HttpResponse::Ok().json(row))
}

async fn categories(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ContentQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let params = query.params(Some(query.group_filter()?))?;
    let mut page = list(&req, &state, &caller, CATEGORIES, params).await?;
    let parents = with_children(&state, &caller.0, &page.objects).await?;
    for row in &mut page.objects {
        let id = row.get("id").and_then(Value::as_str).unwrap_or_default();
        let has = parents.contains(id);
        row.insert("have_children".into(), Value::Bool(has));
    }
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

async fn category(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ContentQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (version, id) = path.into_inner();
    let plain = ContentQuery::default();
    let mut row = one(&state, (version, id.clone()), &caller, CATEGORIES, &plain).await?;
    // The SDK names the group in `where` (`group_id`): a category of
    // another group is as absent as a missing one.
    if let Some(text) = query.read.where_json() {
        let wanted = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|w| group_in_where(&w));
        if wanted.is_some_and(|g| row.get("group_id").and_then(Value::as_str) != Some(g.as_str())) {
            return Err(ApiError::NotFound);
        }
    }
    let children_query = ContentQuery::page("100", Some("created_at"), None);
    let mut children = state
        .records
        .list(
            &caller.0,
            Target::Table(CATEGORIES),
            children_query.params(Some(json!({"parent": id})))?,
        )
        .await?
        .objects;
    let parents = with_children(&state, &caller.0, &children).await?;
    let children: Vec<Value> = children
        .iter_mut()
        .map(|child| {
            let id = child.get("id").and_then(Value::as_str).unwrap_or_default();
            json!({
                "id": id, "name": child.get("name").cloned().unwrap_or(Value::Null),
                "have_children": parents.contains(id),
            })
        })
        .collect();
    row.insert("have_children".into(), Value::Bool(!children.is_empty()));
    row.insert("children".into(), Value::Array(children));
    Ok(HttpResponse::Ok().json(row))
}

/// The ids among `rows` that are some readable category's `parent`.
async fn with_children(
    state: &AppState,
    caller: &Principal,
    rows: &[Map<String, Value>],
) -> Result<BTreeSet<String>, ApiError> {
    let ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str))
        .collect();
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let query = ContentQuery::page("1000", None, Some("parent"));
    let children = state
        .records
        .list(
            caller,
            Target::Table(CATEGORIES),
            query.params(Some(json!({"parent": {"$in": ids}})))?,
        )
        .await?;
    Ok(children
        .objects
        .iter()
        .filter_map(|c| c.get("parent").and_then(Value::as_str).map(str::to_owned))
        .collect())
}

/// The group a `where` of the SDK's `getCategory` names:
/// `{"$and": [{"group_id": {"$eq": <id>}}]}` or `{"group_id": <id>}`.
fn group_in_where(w: &Value) -> Option<String> {
    if let Some(all) = w.get("$and").and_then(Value::as_array) {
        return all.iter().find_map(group_in_where);
    }
    let g = w.get("group_id")?;
    let value = g.get("$eq").unwrap_or(g);
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
