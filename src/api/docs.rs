//! `GET /docs`: the API reference as a page, rendered by the server from the
//! OpenAPI document of the live schema with the project's own template and
//! styles. Nothing is fetched from elsewhere.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::error::ApiError;
use super::AppState;

const TEMPLATE: &str = include_str!("templates/docs.html");

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The template's view of the document.
fn view(doc: &Value, base: &str) -> Value {
    let tags: Vec<Value> = doc["tags"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|tag| {
            let name = tag["name"].as_str().unwrap_or_default().to_owned();
            let mut ops = Vec::new();
            for (path, item) in doc["paths"].as_object().into_iter().flatten() {
                for (method, op) in item.as_object().into_iter().flatten() {
                    if op["tags"][0].as_str() != Some(name.as_str()) {
                        continue;
                    }
                    let auth = match op["security"].as_array().map(Vec::len) {
                        Some(0) | None => "No credential needed.",
                        _ if op["security"].to_string().contains("HydrogenToken") => {
                            "Authorization: Hydrogen-r1 <token> (or an admin Bearer credential)."
                        }
                        _ => "Authorization: Bearer <admin session, API key or bootstrap token>.",
                    };
                    let params: Vec<Value> = op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| {
                            json!({
                                "name": p["name"], "in": p["in"], "required": p["required"],
                                "type": p["schema"]["type"], "description": p["description"],
                            })
                        })
                        .collect();
                    let responses: Vec<Value> = op["responses"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(status, r)| {
                            let schema = &r["content"]["application/json"]["schema"];
                            json!({
                                "status": status,
                                "description": r["description"],
                                "schema": if schema.is_null() || schema.to_string().contains("/Error\"") { Value::Null } else { Value::String(pretty(schema)) },
                            })
                        })
                        .collect();
                    let body = &op["requestBody"]["content"]["application/json"]["schema"];
                    ops.push(json!({
                        "id": op["operationId"],
                        "method": method,
                        "path": path,
                        "summary": op["summary"],
                        "auth": auth,
                        "params": params,
                        "body": if body.is_null() { Value::Null } else { Value::String(pretty(body)) },
                        "responses": responses,
                    }));
                }
            }
            json!({"name": name, "description": tag["description"], "ops": ops})
        })
        .collect();
    let schemas: Vec<Value> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| json!({"name": name, "json": pretty(s)}))
        .collect();
    json!({
        "title": doc["info"]["title"],
        "description": doc["info"]["description"],
        "base": base,
        "tags": tags,
        "schemas": schemas,
    })
}

/// `GET /docs/`.
pub async fn page(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let doc = state.openapi.get(&state.records.live().load());
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let html = env
        .template_from_str(TEMPLATE)
        .and_then(|t| t.render(view(&doc, &state.public_path)))
        .map_err(|e| ApiError::Internal(format!("docs page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
        ))
        .body(html))
}
