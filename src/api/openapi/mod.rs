//! The OpenAPI 3.1 document of the live schema (`GET /openapi.json`): the
//! client API and the admin API, each table's records and the user profile as
//! component schemas built from their JSON Schema files. Built once per schema
//! version and cached.

pub mod admin_details;
mod build;
pub mod client_details;
pub mod file_details;
pub mod record_details;
mod schemas;

use std::sync::{Arc, Mutex};

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};

use super::route_table::{Each, Endpoint, SCOPE};
use super::AppState;
use crate::schema::Snapshot;
pub use build::{Auth, DocContext, Op};

/// Every operation: `/health/`, each client endpoint of the route table under
/// the newest version it is served at, and each admin endpoint (per-table
/// paths once per table of `snapshot`).
fn operations(snapshot: &Snapshot) -> Vec<Op> {
    let mut ops =
        vec![Op::new("get", "/health/", "Server", "Liveness check.")
            .ok(200, build::schema_ref("Ok"))];
    // The upload target and the files at their paths, outside the route table.
    ops.push(file_details::upload_target());
    ops.push(file_details::served_file());
    for endpoint in super::routes::client_endpoints() {
        let path = format!("{SCOPE}/{}{}", endpoint.documented_version(), endpoint.path);
        listed(endpoint, &path, snapshot, &mut ops);
    }
    for endpoint in super::admin::endpoints() {
        let path = format!("{}{}", super::admin::SCOPE, endpoint.path);
        listed(endpoint, &path, snapshot, &mut ops);
    }
    ops
}

/// Adds the operations of `endpoint` at `path`: one, or one per table or
/// per value of its path parameter.
fn listed(endpoint: &Endpoint, path: &str, snapshot: &Snapshot, ops: &mut Vec<Op>) {
    match endpoint.doc.each {
        Each::Once => ops.push(operation(endpoint, path, None, snapshot)),
        Each::Table => {
            for table in snapshot.tables() {
                let filled = Some(("table", table.name.as_str()));
                ops.push(operation(endpoint, path, filled, snapshot));
            }
        }
        Each::Value(name, values) => {
            for value in values {
                ops.push(operation(endpoint, path, Some((name, value)), snapshot));
            }
        }
    }
}

/// The operation of `endpoint` at `path`, with the path parameter `filled`
/// (name, value) written in.
fn operation(
    endpoint: &Endpoint,
    path: &str,
    filled: Option<(&str, &str)>,
    snapshot: &Snapshot,
) -> Op {
    let (path, summary) = match filled {
        Some((name, value)) => {
            let placeholder = format!("{{{name}}}");
            (
                path.replace(&placeholder, value),
                endpoint.doc.summary.replace(&placeholder, value),
            )
        }
        None => (path.to_owned(), endpoint.doc.summary.to_owned()),
    };
    let ctx = DocContext {
        snapshot,
        value: filled.map(|(_, value)| value),
    };
    let op = Op::new(
        endpoint.method.openapi(),
        path,
        endpoint.doc.tag.name(),
        summary,
    )
    .auth(endpoint.doc.auth);
    (endpoint.doc.detail)(op, &ctx)
}

/// The document for `snapshot`.
pub fn document(snapshot: &Snapshot) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    let ops = operations(snapshot);
    for op in ops {
        let entry = paths
            .entry(op.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[op.method] = op.to_value();
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Protium",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The Hydrogen client API and the admin API of this server, from schema version {} ({}).",
                snapshot.version, &snapshot.digest[..12.min(snapshot.digest.len())]
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "Users", "description": "Sign-up, sign-in, profiles and accounts."},
            {"name": "Email", "description": "Mailed links and codes."},
            {"name": "SMS", "description": "Texted codes and phone flows."},
            {"name": "Sign-in providers", "description": "OAuth, app-SDK and mini-program sign-in and account links."},
            {"name": "Records", "description": "The record API of every table."},
            {"name": "Content", "description": "The content library (groups, categories, contents)."},
            {"name": "Server", "description": "Liveness, clock and table metadata."},
            {"name": "Admin", "description": "The admin API (Bearer: an admin session, an API key or the bootstrap token)."},
        ],
        "paths": paths,
        "components": {
            "schemas": schemas::components(snapshot),
            "securitySchemes": {
                "HydrogenToken": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Hydrogen-r1 <token>` from a login object."},
                "AdminBearer": {"type": "http", "scheme": "bearer", "description": "An admin session (pts_…), an API key (ptk_…) or the bootstrap token."},
            },
        },
    })
}

/// A document and the schema version it was built from.
type Built = (u64, Arc<Value>);

/// The document of the current schema version, rebuilt after a reload.
#[derive(Debug, Default, Clone)]
pub struct DocumentCache {
    current: Arc<Mutex<Option<Built>>>,
}

impl DocumentCache {
    /// The document of `snapshot`, from the cache when its version was built.
    pub fn get(&self, snapshot: &Snapshot) -> Arc<Value> {
        if let Ok(guard) = self.current.lock() {
            if let Some((version, doc)) = guard.as_ref() {
                if *version == snapshot.version {
                    return doc.clone();
                }
            }
        }
        let doc = Arc::new(document(snapshot));
        if let Ok(mut guard) = self.current.lock() {
            *guard = Some((snapshot.version, doc.clone()));
        }
        doc
    }
}

/// `GET /openapi.json`.
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    let doc = state.openapi.get(&state.records.live().load());
    HttpResponse::Ok().json(doc.as_ref())
}

#[cfg(test)]
#[path = "document_test.rs"]
mod tests;
