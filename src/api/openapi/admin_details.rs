//! The parameters, bodies and answers of the admin API's operations, named
//! in the endpoint tables of `api/admin/`.

use serde_json::{json, Value};

use super::build::{list_params, object, query, schema_ref, string, DocContext, Op};

/// `POST /admin/api/session/`.
pub fn sign_in(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[("email", string()), ("password", string())],
        &["email", "password"],
    ))
    .ok(
        201,
        object(
            &[
                ("token", string()),
                ("expires_in", json!({"type": "integer"})),
                ("email", string()),
            ],
            &["token"],
        ),
    )
}

/// An answer without a body.
pub fn no_content(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(204, Value::Null)
}

/// `GET /admin/api/users/`.
pub fn users(op: Op, _: &DocContext<'_>) -> Op {
    op.params(list_params(true)).ok(200, schema_ref("UserList"))
}

/// `GET /admin/api/users/{id}/`.
pub fn user(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(200, schema_ref("User"))
}

/// `PATCH /admin/api/users/{id}/`.
pub fn user_patch(op: Op, _: &DocContext<'_>) -> Op {
    op.body(schema_ref("UserUpdate"))
        .ok(200, schema_ref("User"))
}

/// An action answered with an object (201).
pub fn created(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(201, json!({"type": "object"}))
}

/// `POST /admin/api/keys/`.
pub fn key_create(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("name", string()),
            (
                "scopes",
                json!({"type": "array", "items": {"type": "string"}}),
            ),
            ("expires_in", json!({"type": "integer", "minimum": 1})),
            ("expires_at", json!({"type": "integer"})),
        ],
        &["name", "scopes"],
    ))
    .ok(201, json!({"type": "object"}))
}

/// `GET /admin/api/audit/`.
pub fn audit(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![
        query(
            "actor",
            "token, admin:<email>, key:<id>:<name>, node:…, guest (failed admin sign-ins).",
            string(),
        ),
        query(
            "action",
            "e.g. user.update; `user.` for every user action.",
            string(),
        ),
        query(
            "target_type",
            "_userprofile, a table, api_key, schema.",
            string(),
        ),
        query("target_id", "The object's id.", string()),
        query("since", "Unix time, inclusive.", json!({"type": "integer"})),
        query("until", "Unix time, exclusive.", json!({"type": "integer"})),
        query(
            "before",
            "Entries older than this id (paging).",
            json!({"type": "integer"}),
        ),
        query(
            "limit",
            "1 to 500 (default 50).",
            json!({"type": "integer", "minimum": 1, "maximum": 500}),
        ),
    ])
}

/// `GET /admin/api/tables/{table}/records/`.
pub fn records(op: Op, ctx: &DocContext<'_>) -> Op {
    op.params(list_params(true))
        .ok(200, schema_ref(&format!("{}List", ctx.record())))
}

/// `POST /admin/api/tables/{table}/records/`.
pub fn record_create(op: Op, ctx: &DocContext<'_>) -> Op {
    op.body(schema_ref(&format!("{}Input", ctx.record())))
        .ok(201, schema_ref(&ctx.record()))
}

/// `GET /admin/api/tables/{table}/records/{id}/`.
pub fn record(op: Op, ctx: &DocContext<'_>) -> Op {
    op.ok(200, schema_ref(&ctx.record()))
}

/// `PATCH /admin/api/tables/{table}/records/{id}/`.
pub fn record_patch(op: Op, ctx: &DocContext<'_>) -> Op {
    op.body(schema_ref(&format!("{}Update", ctx.record())))
        .ok(200, schema_ref(&ctx.record()))
}
