//! Data-table records (HYDROGEN-API.md §2.6): create and batch create
//! (`POST …/table/:table/record/`), list and count (`GET`), batch update and
//! delete with `where` in the URL (`PUT`/`DELETE`), one record
//! (`GET/PUT/PATCH/DELETE …/record/:id/`), the change feed (`GET …/changes/`)
//! and the status of asynchronous batch operations (`GET /hserve/v1/bulk-operation/:id/`).
//! Lists, aggregates, feed pages and batch writes run under the caller's cap
//! of costly requests at once (`query_gate`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::extract::{Caller, LoggedIn};
use super::openapi::{record_details as details, Auth};
use super::record_wire;
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::list_page;
use super::{versions, AppState};
use crate::records::{AggregateParams, BatchParams, ListParams, Target};

/// A record endpoint, under every version an SDK build sends
/// ([`versions::RECORDS`]).
const fn record(
    method: Method,
    path: &'static str,
    handler: fn() -> actix_web::Route,
    doc: Doc,
) -> Endpoint {
    Endpoint::new(method, path, versions::RECORDS, handler, doc)
}

/// Records of every table, their change feeds and aggregates.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    record(Method::Post, "/table/{table}/record/", || web::route().to(create),
        Doc::new(Tag::Records, Auth::User, "Create a record of {table} (or up to 1000 with an array); with upsert, update the record holding the key instead when there is one.")
            .with(details::record_create).per_table()),
    record(Method::Get, "/table/{table}/record/", || web::route().to(list),
        Doc::new(Tag::Records, Auth::Optional, "Records of {table} the caller may read.")
            .with(details::record_list).per_table()),
    record(Method::Put, "/table/{table}/record/", || web::route().to(batch_update),
        Doc::new(Tag::Records, Auth::User, "Update every record of {table} a where matches.")
            .with(details::record_batch_update).per_table()),
    record(Method::Delete, "/table/{table}/record/", || web::route().to(batch_delete),
        Doc::new(Tag::Records, Auth::User, "Delete every record of {table} a where matches.")
            .with(details::record_batch_delete).per_table()),
    record(Method::Get, "/table/{table}/record/{id}/", || web::route().to(get),
        Doc::new(Tag::Records, Auth::Optional, "One record of {table}.")
            .with(details::record_get).per_table()),
    record(Method::Put, "/table/{table}/record/{id}/", || web::route().to(update),
        Doc::new(Tag::Records, Auth::User, "Update one record of {table}.")
            .with(details::record_update).per_table()),
    record(Method::Patch, "/table/{table}/record/{id}/", || web::route().to(update),
        Doc::new(Tag::Records, Auth::User, "Update one record of {table} (as PUT).")
            .with(details::record_update).per_table()),
    record(Method::Delete, "/table/{table}/record/{id}/", || web::route().to(delete),
        Doc::new(Tag::Records, Auth::User, "Delete one record of {table}.")
            .with(details::no_content).per_table()),
    record(Method::Get, "/table/{table}/changes/", || web::route().to(changes),
        Doc::new(Tag::Records, Auth::Optional, "Changes of {table} since a time or cursor (sync).")
            .with(details::table_changes).per_table()),
    record(Method::Get, "/table/{table}/aggregate/", || web::route().to(aggregate),
        Doc::new(Tag::Records, Auth::Optional, "Counts and sums by group over the records of {table} the caller may read.")
            .with(details::aggregate).per_table()),
    record(Method::Get, "/user/aggregate/", || web::route().to(user_aggregate),
        Doc::new(Tag::Users, Auth::User, "Counts and sums by group over the users, on fields the caller may read (users by device platform, say).")
            .with(details::aggregate)),
    record(Method::Get, "/changes/", || web::route().to(changes_of),
        Doc::new(Tag::Records, Auth::Optional, "The change feed of several tables with one cursor, and the caller's own profile when it changed (profile=1).")
            .with(details::changes)),
    Endpoint::new(
        Method::Get,
        "/bulk-operation/{id}/",
        versions::BULK_OPERATION,
        || web::route().to(bulk_status),
        Doc::new(Tag::Records, Auth::User, "The status of an asynchronous batch operation."),
    ),
];

/// Query parameters of record endpoints. Unknown parameters are ignored.
#[derive(Debug, Default, Deserialize)]
struct RecordQuery {
    #[serde(rename = "where")]
    where_json: Option<String>,
    order_by: Option<String>,
    keys: Option<String>,
    expand: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    return_total_count: Option<String>,
    enable_trigger: Option<String>,
    since: Option<String>,
    cursor: Option<String>,
    group_by: Option<String>,
    sum: Option<String>,
    upsert: Option<String>,
    tables: Option<String>,
    profile: Option<String>,
}

fn flag(raw: &Option<String>) -> bool {
    matches!(raw.as_deref(), Some("1" | "true"))
}

fn list_params(q: &RecordQuery) -> ListParams {
    ListParams {
        where_json: q.where_json.clone(),
        order_by: q.order_by.clone(),
        keys: q.keys.clone(),
        expand: q.expand.clone(),
        limit: q.limit.clone(),
        offset: q.offset.clone(),
        since: q.since.clone(),
        return_total_count: flag(&q.return_total_count),
    }
}

fn batch_params(q: &RecordQuery) -> BatchParams {
    BatchParams {
        where_json: q.where_json.clone(),
        limit: q.limit.clone(),
        offset: q.offset.clone(),
        return_total_count: flag(&q.return_total_count),
        // Hydrogen's default is triggers on; Protium has no triggers, only their limits.
        enable_trigger: q.enable_trigger.as_deref() != Some("0"),
    }
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (_, table) = path.into_inner();
    let records = &state.records;
    match body.into_inner() {
        Value::Array(_) if query.upsert.is_some() => Err(ApiError::BadRequest(
            "upsert: takes one record (an object), not an array".into(),
        )),
        Value::Array(rows) => {
            // A batch create counts against the caller's cap like a query.
            let _running = state.query_gate.enter(&req, &caller.0)?;
            let outcome = records.create_many(&caller.0, &table, rows).await?;
            Ok(HttpResponse::Created().json(record_wire::created(outcome)))
        }
        body => {
            let expand = query.expand.as_deref();
            if let Some(key) = query.upsert.as_deref() {
                let (record, created) =
                    records.upsert(&caller.0, &table, key, body, expand).await?;
                return Ok(if created {
                    HttpResponse::Created().json(record)
                } else {
                    HttpResponse::Ok().json(record)
                });
            }
            let record = records.create(&caller.0, &table, body, expand).await?;
            Ok(HttpResponse::Created().json(record))
        }
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (version, table) = path.into_inner();
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let mut params = list_params(&query);
    if query.return_total_count.is_none() && versions::counts_by_default(&version) {
        params.return_total_count = true;
    }
    let page = state
        .records
        .list(&caller.0, Target::Table(&table), params)
        .await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

/// `GET …/table/{table}/aggregate/?where=&group_by=&sum=&order_by=&limit=`:
/// counts and sums by group over the records the caller may read.
async fn aggregate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, table) = path.into_inner();
    aggregate_of(&req, &state, &caller, Target::Table(&table), &query).await
}

/// `GET …/user/aggregate/` (same parameters, signed in as user lists are):
/// counts and sums by group over the users, on the fields the caller may
/// read (users by device platform, say).
async fn user_aggregate(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RecordQuery>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    aggregate_of(&req, &state, &Caller(caller.0), Target::Users, &query).await
}

async fn aggregate_of(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    target: Target<'_>,
    query: &RecordQuery,
) -> Result<HttpResponse, ApiError> {
    let _running = state.query_gate.enter(req, &caller.0)?;
    let params = AggregateParams {
        where_json: query.where_json.clone(),
        group_by: query.group_by.clone(),
        sum: query.sum.clone(),
        order_by: query.order_by.clone(),
        limit: query.limit.clone(),
    };
    let groups = state.records.aggregate(&caller.0, target, params).await?;
    Ok(HttpResponse::Ok().json(super::wire::Objects { objects: groups }))
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, table, id) = path.into_inner();
    let record = state
        .records
        .get(
            &caller.0,
            Target::Table(&table),
            &id,
            query.keys.as_deref(),
            query.expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn update(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (_, table, id) = path.into_inner();
    let record = state
        .records
        .update(
            &caller.0,
            Target::Table(&table),
            &id,
            body.into_inner(),
            query.expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, table, id) = path.into_inner();
    state.records.delete(&caller.0, &table, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn batch_update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (_, table) = path.into_inner();
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let outcome = state
        .records
        .batch_update(&caller.0, &table, batch_params(&query), body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(record_wire::batch(outcome, req.path(), req.query_string())))
}

async fn batch_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, table) = path.into_inner();
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let outcome = state
        .records
        .batch_delete(&caller.0, &table, batch_params(&query))
        .await?;
    Ok(HttpResponse::Ok().json(record_wire::batch(outcome, req.path(), req.query_string())))
}

async fn changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, table) = path.into_inner();
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let page = state
        .records
        .changes(
            &caller.0,
            &table,
            query.since.as_deref(),
            query.cursor.as_deref(),
            query.limit.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record_wire::change_page(page)))
}

/// `GET …/changes/?tables=a,b&profile=1&since=&cursor=&limit=`: the change
/// feed of several tables with one cursor, and the caller's own profile when
/// it changed.
async fn changes_of(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RecordQuery>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let _running = state.query_gate.enter(&req, &caller.0)?;
    let tables: Vec<&str> = query
        .tables
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let page = state
        .records
        .changes_of(
            &caller.0,
            &tables,
            matches!(query.profile.as_deref(), Some("1" | "true")),
            query.since.as_deref(),
            query.cursor.as_deref(),
            query.limit.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record_wire::multi_change_page(page)))
}

async fn bulk_status(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path
        .into_inner()
        .1
        .parse::<i64>()
        .map_err(|_| ApiError::NotFound)?;
    let status = state.records.bulk_status(&caller.0, id).await?;
    Ok(HttpResponse::Ok().json(record_wire::bulk_status(status)))
}
