//! Records of every table as admins see them: `GET|POST
//! /admin/api/tables/{table}/records/` and `GET|PATCH|DELETE
//! /admin/api/tables/{table}/records/{id}/`, with the client API's query
//! language; writes act as the server (every field) and are audited. Reads
//! need `records:read`, and `users:read` as well to `expand` a pointer to the
//! user profile (`created_by` included) — see [`AdminCaller::reader`].
//! `GET /admin/api/tables/` lists the tables with their record counts.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::admin_endpoint as endpoint;
use super::AdminCaller;
use crate::admin::{DayCount, LoadError};
use crate::api::error::ApiError;
use crate::api::openapi::{admin_details as details, Auth};
use crate::api::route_table::{Doc, Endpoint, Method, Tag};
use crate::api::user_info::ReadQuery;
use crate::api::wire::{list_page, Objects};
use crate::api::AppState;
use crate::auth::Scope;
use crate::records::{Target, Who};

/// The overview, the tables and their records as admins see them.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::Get, "/overview/", || web::route().to(overview),
        Doc::new(Tag::Admin, Auth::Admin, "The console overview: users (totals, sign-ups per day for 30 days) and the tables with their record counts. Scope: users:read.")),
    endpoint(Method::Get, "/tables/", || web::route().to(tables),
        Doc::new(Tag::Admin, Auth::Admin, "The tables with their record counts. Scope: records:read.")),
    endpoint(Method::Get, "/tables/{table}/records/", || web::route().to(list),
        Doc::new(Tag::Admin, Auth::Admin, "Records of {table}, every field. Expanding a pointer to users (created_by included) also needs users:read (403 otherwise). Scope: records:read.")
            .with(details::records).per_table()),
    endpoint(Method::Post, "/tables/{table}/records/", || web::route().to(create),
        Doc::new(Tag::Admin, Auth::Admin, "Create a record of {table}, audited. Scope: records:write.")
            .with(details::record_create).per_table()),
    endpoint(Method::Get, "/tables/{table}/records/{id}/", || web::route().to(get),
        Doc::new(Tag::Admin, Auth::Admin, "One record of {table}. Expanding a pointer to users (created_by included) also needs users:read (403 otherwise). Scope: records:read.")
            .with(details::record).per_table()),
    endpoint(Method::Patch, "/tables/{table}/records/{id}/", || web::route().to(patch),
        Doc::new(Tag::Admin, Auth::Admin, "Update a record of {table}, audited. Scope: records:write.")
            .with(details::record_patch).per_table()),
    endpoint(Method::Delete, "/tables/{table}/records/{id}/", || web::route().to(delete),
        Doc::new(Tag::Admin, Auth::Admin, "Delete a record of {table}, audited. Scope: records:write.")
            .with(details::no_content).per_table()),
];

/// `GET /admin/api/overview/`: users (totals, sign-ups per day for 30 days),
/// the mail outbox, the schema's version and last reload error, and (with
/// records:read) the tables with their counts.
async fn overview(
    state: web::Data<AppState>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::UsersRead)?;
    let numbers = state
        .overview
        .get()
        .await
        .map_err(crate::auth::AuthError::from)?;
    let tables = if caller.require(Scope::RecordsRead).is_ok() {
        Some(
            state
                .records
                .counts()
                .await?
                .into_iter()
                .map(TableCount::from)
                .collect(),
        )
    } else {
        None
    };
    let snapshot = state.schema.live().load();
    Ok(HttpResponse::Ok().json(OverviewView {
        users: numbers.users,
        anonymous: numbers.anonymous,
        disabled: numbers.disabled,
        signups: numbers.signups,
        outbox: OutboxView {
            queued: numbers.outbox_queued,
            failed: numbers.outbox_failed,
        },
        schema: SchemaState {
            version: snapshot.version,
            digest: &snapshot.digest,
            last_error: state.schema.last_error(),
        },
        tables,
    }))
}

/// The console's first page: users, sign-ups, mail, the schema and, for a
/// caller who may read records, each table's size.
#[derive(Debug, Serialize)]
struct OverviewView<'a> {
    users: i64,
    anonymous: i64,
    disabled: i64,
    signups: Vec<DayCount>,
    outbox: OutboxView,
    schema: SchemaState<'a>,
    tables: Option<Vec<TableCount>>,
}

/// Mail waiting and mail that failed.
#[derive(Debug, Serialize)]
struct OutboxView {
    queued: i64,
    failed: i64,
}

/// The live schema's version and the last reload error.
#[derive(Debug, Serialize)]
struct SchemaState<'a> {
    version: u64,
    digest: &'a str,
    last_error: Option<LoadError>,
}

/// A table and how many records it holds.
#[derive(Debug, Serialize)]
struct TableCount {
    name: String,
    id: Option<i64>,
    count: i64,
}

impl From<(String, Option<i64>, i64)> for TableCount {
    fn from((name, id, count): (String, Option<i64>, i64)) -> Self {
        TableCount { name, id, count }
    }
}

async fn tables(state: web::Data<AppState>, caller: AdminCaller) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsRead)?;
    let counts = state.records.counts().await?;
    Ok(HttpResponse::Ok().json(Objects {
        objects: counts.into_iter().map(TableCount::from).collect(),
    }))
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ReadQuery>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsRead)?;
    let params = query.into_inner().list_params();
    let snapshot = state.records.live().load();
    let reader = caller.reader(&snapshot, Target::Table(&path), params.expand.as_deref())?;
    let page = state
        .records
        .list(&reader, Target::Table(&path), params)
        .await?;
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
}

async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: AdminCaller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsWrite)?;
    let record = state
        .records
        .create_as(
            Who::server(),
            &path,
            body.into_inner(),
            None,
            Some(caller.actor),
        )
        .await?;
    Ok(HttpResponse::Created().json(record))
}

async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<ReadQuery>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsRead)?;
    let (table, id) = path.into_inner();
    let (keys, expand) = query.into_inner().keys_and_expand();
    let snapshot = state.records.live().load();
    let reader = caller.reader(&snapshot, Target::Table(&table), expand.as_deref())?;
    let record = state
        .records
        .get(
            &reader,
            Target::Table(&table),
            &id,
            keys.as_deref(),
            expand.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn patch(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: AdminCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsWrite)?;
    let (table, id) = path.into_inner();
    let record = state
        .records
        .update_as(
            Who::server(),
            Target::Table(&table),
            &id,
            body.into_inner(),
            None,
            Some(caller.actor),
        )
        .await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn delete(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: AdminCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::RecordsWrite)?;
    let (table, id) = path.into_inner();
    state
        .records
        .delete_as(
            Who::server(),
            Target::Table(&table),
            &id,
            Some(caller.actor),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
