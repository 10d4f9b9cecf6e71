//! What the SDK asks of the server beside records: the tables with their fields
//! (`GET /hserve/v2.0/table/`, `GET /hserve/v2.0/table/:id/`, for
//! `BaaS.getTableList()` and `getTable()`), served from the live schema and
//! showing only the fields the caller may read, and the server's clock
//! (`GET /hserve/v2.2/server/time/`, for `BaaS.getServerDate()`).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::error::ApiError;
use super::extract::Caller;
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::versions;
use super::wire::list_page;
use super::AppState;
use crate::records::{ListResult, RecordsError, Viewer, Who};
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
        other => other.type_name(),
    }
}

fn table_wire(snapshot: &Snapshot, object: &ObjectType, viewer: Viewer) -> Value {
    let fields: Vec<Value> = object
        .all_fields()
        .filter(|f| viewer.may_read(f.read))
        .map(|f| {
            json!({
                "name": f.name.as_str(),
                "type": hydrogen_type(f.kind),
                "description": f.raw.get("description").cloned().unwrap_or(Value::Null),
                "required": f.required,
                "default": f.default,
            })
        })
        .collect();
    let acl = |entries: &[crate::domain::AclEntry]| -> Vec<String> {
        entries.iter().map(|e| e.to_wire()).collect()
    };
    json!({
        "id": snapshot.table_id(&object.name),
        "name": object.name,
        "description": object.raw.get("description").cloned().unwrap_or(Value::Null),
        "schema": {"fields": fields},
        "write_perm": acl(&object.rules.create),
        "row_read_perm": acl(&object.rules.default_read),
        "row_write_perm": acl(&object.rules.default_write),
    })
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
        .map(|t| table_wire(&snapshot, t, viewer))
        .filter_map(|v| v.as_object().cloned())
        .collect();
    let total = objects.len() as i64;
    let page = ListResult {
        objects,
        total_count: Some(total),
        limit: total.max(1),
        offset: 0,
    };
    Ok(HttpResponse::Ok().json(list_page(&req, page)))
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
    Ok(HttpResponse::Ok().json(table_wire(&snapshot, object, viewer)))
}

async fn time() -> Result<HttpResponse, ApiError> {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, false);
    Ok(HttpResponse::Ok().json(json!({"time": now})))
}
