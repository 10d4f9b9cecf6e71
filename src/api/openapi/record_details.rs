//! The parameters, bodies and answers of the record, change-feed, aggregate
//! and content-library operations, named in the endpoint tables of
//! `api/records.rs` and `api/content.rs`.

use serde_json::{json, Value};

use super::build::{list_params, query, schema_ref, string, DocContext, Op};
use super::client_details::read_params;

/// `since`, `cursor` and `limit` of the change feeds.
fn feed_params() -> Vec<Value> {
    vec![
        query(
            "since",
            "Unix time: changes after it.",
            json!({"type": "integer", "minimum": 0}),
        ),
        query("cursor", "The cursor of the previous page.", string()),
        query(
            "limit",
            "1 to 1000 (default 100).",
            json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        ),
    ]
}

/// `GET …/table/{table}/record/`.
pub fn record_list(op: Op, ctx: &DocContext<'_>) -> Op {
    op.params(list_params(true))
        .ok(200, schema_ref(&format!("{}List", ctx.record())))
}

/// `POST …/table/{table}/record/`.
pub fn record_create(op: Op, ctx: &DocContext<'_>) -> Op {
    let input = schema_ref(&format!("{}Input", ctx.record()));
    op.params(vec![
        query("expand", "Comma list of pointer fields to expand in the answer.", string()),
        query("upsert", "A unique key (a unique field, the fields of a unique rule, or created_by on a table of one record per user): update the record holding the body's key values (200), or create it (201).", string()),
    ])
    .body(json!({"anyOf": [input, {"type": "array", "maxItems": 1000, "items": input}]}))
    .ok(201, json!({"type": "object"}))
    .also(200, json!({"type": "object"}))
}

/// The `where`, paging and trigger parameters of batch writes.
fn batch_params() -> Vec<Value> {
    vec![
        query(
            "where",
            "Hydrogen query, JSON, selecting the records to change.",
            string(),
        ),
        query(
            "limit",
            "At most this many (1000 with triggers).",
            json!({"type": "integer", "minimum": 0}),
        ),
        query(
            "offset",
            "Skip this many matches.",
            json!({"type": "integer", "minimum": 0}),
        ),
        query(
            "enable_trigger",
            "`0`: above 1000 matches, run as a background job.",
            json!({"type": "string", "enum": ["0", "1"]}),
        ),
    ]
}

/// `PUT …/table/{table}/record/`.
pub fn record_batch_update(op: Op, ctx: &DocContext<'_>) -> Op {
    op.params(batch_params())
        .body(schema_ref(&format!("{}Update", ctx.record())))
        .ok(200, schema_ref("BatchResult"))
}

/// `DELETE …/table/{table}/record/`.
pub fn record_batch_delete(op: Op, _: &DocContext<'_>) -> Op {
    op.params(batch_params()).ok(200, schema_ref("BatchResult"))
}

/// `GET …/table/{table}/record/{id}/`.
pub fn record_get(op: Op, ctx: &DocContext<'_>) -> Op {
    op.params(read_params()).ok(200, schema_ref(&ctx.record()))
}

/// `PUT`/`PATCH …/table/{table}/record/{id}/`.
pub fn record_update(op: Op, ctx: &DocContext<'_>) -> Op {
    op.body(schema_ref(&format!("{}Update", ctx.record())))
        .ok(200, schema_ref(&ctx.record()))
}

/// `DELETE …/table/{table}/record/{id}/`.
pub fn no_content(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(204, Value::Null)
}

/// `GET …/table/{table}/changes/`.
pub fn table_changes(op: Op, _: &DocContext<'_>) -> Op {
    op.params(feed_params()).ok(200, schema_ref("ChangePage"))
}

/// `GET …/changes/`: several tables and the caller's profile.
pub fn changes(op: Op, _: &DocContext<'_>) -> Op {
    let mut params = vec![
        query("tables", "Comma list of tables.", string()),
        query(
            "profile",
            "1 adds the caller's own profile when it changed.",
            string(),
        ),
    ];
    params.extend(feed_params());
    op.params(params).ok(200, json!({"type": "object"}))
}

/// `GET …/table/{table}/aggregate/` and `…/user/aggregate/`.
pub fn aggregate(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![
        query("where", "A query (JSON), as for lists.", string()),
        query(
            "group_by",
            "Comma list of fields to group by (at most 4).",
            string(),
        ),
        query(
            "sum",
            "Comma list of number fields to sum (at most 8).",
            string(),
        ),
        query(
            "order_by",
            "count, -count (the default) or a grouped field.",
            string(),
        ),
        query(
            "limit",
            "Groups, 0 to 1000 (default 20).",
            json!({"type": "integer", "minimum": 0, "maximum": 1000}),
        ),
    ])
    .ok(200, json!({"type": "object", "properties": {"objects": {"type": "array", "items": {"type": "object",
        "properties": {"group": {"type": "object"}, "count": {"type": "integer"}, "sum": {"type": "object"}}}}}}))
}

/// A list of the content library.
pub fn content_list(op: Op, _: &DocContext<'_>) -> Op {
    let mut params = vec![query(
        "content_group_id",
        "The content group read from.",
        string(),
    )];
    params.extend(list_params(false));
    op.params(params).ok(200, json!({"type": "object"}))
}

/// One object of the content library.
pub fn content_one(op: Op, _: &DocContext<'_>) -> Op {
    op.params(read_params()).ok(200, json!({"type": "object"}))
}
