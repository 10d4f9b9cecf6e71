//! The OpenAPI 3.1 document of the live schema (`GET /openapi.json`): the
//! client API and the admin API, each table's records and the user profile as
//! component schemas built from their JSON Schema files. Built once per schema
//! version and cached.

mod admin_paths;
mod build;
mod client_paths;
mod schemas;

use std::sync::{Arc, Mutex};

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};

use super::AppState;
use crate::schema::Snapshot;

/// The document for `snapshot`.
pub fn document(snapshot: &Snapshot) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    let ops = client_paths::operations(snapshot)
        .into_iter()
        .chain(admin_paths::operations(snapshot));
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
            {"name": "Records", "description": "The record API of every table."},
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
