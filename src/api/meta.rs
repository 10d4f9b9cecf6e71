//! What the SDK asks of the server beside records: the tables with their fields
//! (`GET /hserve/v2.0/table/`, `GET /hserve/v2.0/table/:id/`, for
//! `BaaS.getTableList()` and `getTable()`), served from the live schema and
//! showing only the fields the caller may read, and the server's clock
//! (`GET /hserve/v2.2/server/time/`, for `BaaS.getServerDate()`).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::extract::Caller;
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::versions;
use super::wire::page_of;
use super::AppState;
use crate::records::{RecordsError, Viewer, Who};
use crate::schema::{FieldKind, ObjectType, Snapshot};

/// Tables and the clock.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Get,
        "/table/",
        versions::TABLES,
        || web::route().to(tables),
        Doc::new(
            Tag::Server,
            Auth::Optional,
            "The tables with the fields the caller may read (BaaS.getTableList).",
        ),
    ),
    Endpoint::new(
        Method::Get,
        "/table/{table}/",
        versions::TABLES,
        || web::route().to(table),
        Doc::new(
            Tag::Server,
            Auth::Optional,
            "One table by name or numeric id (BaaS.getTable).",
        ),
    ),
    Endpoint::new(
        Method::Get,
        "/server/time/",
        versions::SERVER_TIME,
        || web::route().to(time),
        Doc::new(
            Tag::Server,
            Auth::Public,
            "The server's clock (BaaS.getServerDate).",
        )
        .with(details::server_time),
    ),
];

/// Hydrogen's name of a field kind.
fn hydrogen_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Point | FieldKind::Polygon => "geojson",
        FieldKind::Date => "date",
        FieldKind::Pointer => "reference",
        FieldKind::Files => "array",
        other => other.type_name(),
    }
}

/// A table as the SDK's `getTable` reads it: its fields the caller may
/// read, and its permissions.
#[derive(Debug, Serialize)]
struct TableView<'a> {
    id: Option<i64>,
    name: &'a str,
    description: Value,
    schema: TableFields<'a>,
    write_perm: Vec<String>,
    row_read_perm: Vec<String>,
    row_write_perm: Vec<String>,
}

/// `{"fields": […]}`.
#[derive(Debug, Serialize)]
struct TableFields<'a> {
    fields: Vec<FieldView<'a>>,
}

/// One field of a table.
#[derive(Debug, Serialize)]
struct FieldView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    description: Value,
    required: bool,
    default: &'a Option<Value>,
}

impl<'a> TableView<'a> {
    fn of(snapshot: &Snapshot, object: &'a ObjectType, viewer: Viewer) -> Self {
        let acl = |entries: &[crate::domain::AclEntry]| -> Vec<String> {
            entries.iter().map(|e| e.to_wire()).collect()
        };
        let description = |raw: &Value| raw.get("description").cloned().unwrap_or(Value::Null);
        TableView {
            id: snapshot.table_id(&object.name),
            name: &object.name,
            description: description(&object.raw),
            schema: TableFields {
                fields: object
                    .all_fields()
                    .filter(|f| viewer.may_read(f.read))
                    .map(|f| FieldView {
                        name: f.name.as_str(),
                        kind: hydrogen_type(f.kind),
                        description: description(&f.raw),
                        required: f.required,
                        default: &f.default,
                    })
                    .collect(),
            },
            write_perm: acl(&object.rules.create),
            row_read_perm: acl(&object.rules.default_read),
            row_write_perm: acl(&object.rules.default_write),
        }
    }
}

async fn tables(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::for_queries(Who::of(&caller.0));
    let snapshot = state.records.live().load();
    let objects: Vec<_> = snapshot
        .tables()
        .map(|t| TableView::of(&snapshot, t, viewer))
        .collect();
    let total = objects.len() as i64;
    Ok(HttpResponse::Ok().json(page_of(&req, objects, Some(total), total.max(1), 0)))
}

async fn table(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (_, key) = path.into_inner();
    let viewer = Viewer::for_queries(Who::of(&caller.0));
    let snapshot = state.records.live().load();
    let object = snapshot
        .table(&key)
        .ok_or_else(|| RecordsError::NoTable(key.clone()))?;
    Ok(HttpResponse::Ok().json(TableView::of(&snapshot, object, viewer)))
}

/// The server's clock.
#[derive(Debug, Serialize)]
struct ServerTime {
    time: String,
}

async fn time() -> Result<HttpResponse, ApiError> {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, false);
    Ok(HttpResponse::Ok().json(ServerTime { time: now }))
}
