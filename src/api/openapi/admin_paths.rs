//! The admin API's operations.

use serde_json::json;

use super::build::{list_params, object, query, schema_ref, string, Auth, Op};
use super::schemas::record_name;
use crate::schema::Snapshot;

fn admin(method: &'static str, path: &str, summary: &str, scope: &str) -> Op {
    Op::new(
        method,
        format!("/admin/api{path}"),
        "Admin",
        format!("{summary} Scope: {scope}."),
    )
    .auth(Auth::Admin)
}

/// Every admin operation.
pub fn operations(snapshot: &Snapshot) -> Vec<Op> {
    let mut ops = vec![
        Op::new("post", "/admin/api/session/", "Admin", "Sign an admin in: a token for 12 hours. After 10 attempts on one address within 15 minutes its sign-in is locked (429, even with the right password) until the window ends; every failed sign-in is audited as admin.sign_in_failed.")
            .body(object(&[("email", string()), ("password", string())], &["email", "password"]))
            .ok(201, object(&[("token", string()), ("expires_in", json!({"type": "integer"})), ("email", string())], &["token"])),
        Op::new("delete", "/admin/api/session/", "Admin", "Sign out.").ok(204, serde_json::Value::Null).auth(Auth::Admin),
        admin("get", "/me/", "The credential and its scopes.", "any"),
        admin("get", "/users/", "Users matching a query, every field. Expanding a pointer or related field into a data table also needs records:read (403 otherwise).", "users:read")
            .params(list_params(true))
            .ok(200, schema_ref("UserList")),
        admin("get", "/users/{id}/", "One user, every field. Expanding a pointer or related field into a data table also needs records:read (403 otherwise).", "users:read").ok(200, schema_ref("User")),
        admin("patch", "/users/{id}/", "Set any field (write: admin and write: nobody ones too), audited.", "users:write")
            .body(schema_ref("UserUpdate"))
            .ok(200, schema_ref("User")),
        admin("delete", "/users/{id}/", "Delete a user (sessions, credentials and codes go too), audited.", "users:write")
            .ok(204, serde_json::Value::Null),
        admin("post", "/users/{id}/disable/", "Disable a user: every login refused, sessions ended.", "users:write"),
        admin("post", "/users/{id}/enable/", "Enable a disabled user.", "users:write"),
        admin("post", "/users/{id}/sessions/revoke/", "End every session of a user.", "users:write"),
        admin("post", "/users/{id}/password-reset/", "Mail the user a password-reset link.", "users:write").ok(201, json!({"type": "object"})),
        admin("get", "/tables/", "The tables with their record counts.", "records:read"),
        admin("get", "/schema/", "Every type with its fields, rules and raw JSON Schema; the version and the last reload error.", "schema:read"),
        admin("post", "/schema/reload/", "Reload the schema directory (409 with the file and pointer when it is broken).", "schema:write"),
        admin("post", "/schema/recount/", "Recount every counter field from the records it counts.", "schema:write"),
        admin("get", "/schema/history/", "The applied schema versions.", "schema:read"),
        admin("get", "/keys/", "API keys (never their secrets).", "keys:read"),
        admin("post", "/keys/", "Create an API key; the key is in this answer only. Its scopes must be among the caller's (403 naming the ones it lacks), and a key made by an expiring key expires no later.", "keys:write")
            .body(object(&[
                ("name", string()),
                ("scopes", json!({"type": "array", "items": {"type": "string"}})),
                ("expires_in", json!({"type": "integer", "minimum": 1})),
                ("expires_at", json!({"type": "integer"})),
            ], &["name", "scopes"]))
            .ok(201, json!({"type": "object"})),
        admin("delete", "/keys/{id}/", "Revoke an API key.", "keys:write").ok(204, serde_json::Value::Null),
        admin("get", "/audit/", "The audit log, newest first.", "audit:read").params(vec![
            query("actor", "token, admin:<email>, key:<id>:<name>, node:…, guest (failed admin sign-ins).", string()),
            query("action", "e.g. user.update; `user.` for every user action.", string()),
            query("target_type", "_userprofile, a table, api_key, schema.", string()),
            query("target_id", "The object's id.", string()),
            query("since", "Unix time, inclusive.", json!({"type": "integer"})),
            query("until", "Unix time, exclusive.", json!({"type": "integer"})),
            query("before", "Entries older than this id (paging).", json!({"type": "integer"})),
            query("limit", "1 to 500 (default 50).", json!({"type": "integer", "minimum": 1, "maximum": 500})),
        ]),
    ];
    for table in snapshot.tables() {
        let (name, record) = (&table.name, record_name(&table.name));
        ops.extend([
            admin(
                "get",
                &format!("/tables/{name}/records/"),
                &format!("Records of {name}, every field. Expanding a pointer to users (created_by included) also needs users:read (403 otherwise)."),
                "records:read",
            )
            .params(list_params(true))
            .ok(200, schema_ref(&format!("{record}List"))),
            admin(
                "post",
                &format!("/tables/{name}/records/"),
                &format!("Create a record of {name}, audited."),
                "records:write",
            )
            .body(schema_ref(&format!("{record}Input")))
            .ok(201, schema_ref(&record)),
            admin(
                "get",
                &format!("/tables/{name}/records/{{id}}/"),
                &format!("One record of {name}. Expanding a pointer to users (created_by included) also needs users:read (403 otherwise)."),
                "records:read",
            )
            .ok(200, schema_ref(&record)),
            admin(
                "patch",
                &format!("/tables/{name}/records/{{id}}/"),
                &format!("Update a record of {name}, audited."),
                "records:write",
            )
            .body(schema_ref(&format!("{record}Update")))
            .ok(200, schema_ref(&record)),
            admin(
                "delete",
                &format!("/tables/{name}/records/{{id}}/"),
                &format!("Delete a record of {name}, audited."),
                "records:write",
            )
            .ok(204, serde_json::Value::Null),
        ]);
    }
    ops
}
