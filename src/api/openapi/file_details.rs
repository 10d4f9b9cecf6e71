//! The parameters, bodies and answers of the File API's operations, named in
//! the endpoint table of `api/files.rs`.

use serde_json::{json, Value};

use super::build::{object, query, string, DocContext, Op};

fn integer() -> Value {
    json!({"type": "integer"})
}

/// A file as the API answers it.
fn file_object() -> Value {
    object(
        &[
            ("id", string()),
            ("name", string()),
            ("path", string()),
            ("cdn_path", string()),
            ("mime_type", string()),
            ("size", integer()),
            ("created_at", integer()),
            (
                "category",
                json!({"type": ["object", "null"], "properties": {"id": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]}}}),
            ),
        ],
        &[
            "id",
            "name",
            "path",
            "cdn_path",
            "mime_type",
            "size",
            "created_at",
        ],
    )
}

/// `POST …/upload/`.
pub fn upload(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("filename", string()),
            ("category_id", string()),
            ("category_name", string()),
        ],
        &["filename"],
    ))
    .ok(
        200,
        object(
            &[
                ("id", string()),
                ("policy", string()),
                ("authorization", string()),
                ("upload_url", string()),
                ("path", string()),
                ("file_link", string()),
                ("name", string()),
                ("cdn_path", string()),
                ("created_at", integer()),
            ],
            &["id", "policy", "authorization", "upload_url", "path"],
        ),
    )
}

/// `GET …/uploaded-file/{id}/`.
pub fn file(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(200, file_object())
}

/// `DELETE …/uploaded-file/{id}/`.
pub fn no_content(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(204, Value::Null)
}

/// `GET …/uploaded-file/`.
pub fn file_list(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![
        query(
            "order_by",
            "created_at, name or size; `-` for descending. Default `-created_at`.",
            json!({"type": "string", "enum": ["created_at", "-created_at", "name", "-name", "size", "-size"]}),
        ),
        where_param("id, name, size, category_id, category_name and created_at"),
    ])
    .params(page_params())
    .ok(200, page_of(file_object()))
}

/// `limit`, `offset` and `return_total_count` of a list.
fn page_params() -> Vec<Value> {
    vec![
        query(
            "limit",
            "Page size, 0 to 1000 (default 20).",
            json!({"type": "integer", "minimum": 0, "maximum": 1000}),
        ),
        query(
            "offset",
            "Rows skipped.",
            json!({"type": "integer", "minimum": 0}),
        ),
        query(
            "return_total_count",
            "`1`: add `meta.total_count`.",
            json!({"type": "string", "enum": ["0", "1"]}),
        ),
    ]
}

/// `where` on the list's `fields`.
fn where_param(fields: &str) -> Value {
    query(
        "where",
        &format!("A JSON query, as for records, on {fields}."),
        json!({"type": "string"}),
    )
}

/// A page of `item`s.
fn page_of(item: Value) -> Value {
    object(
        &[
            ("meta", json!({"type": "object"})),
            ("objects", json!({"type": "array", "items": item})),
        ],
        &["meta", "objects"],
    )
}

/// `DELETE …/uploaded-file/`.
pub fn file_delete_many(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[(
            "id__in",
            json!({"type": "array", "maxItems": 1000, "items": {"type": "string"}}),
        )],
        &["id__in"],
    ))
    .ok(204, Value::Null)
}

/// A file category as the API answers it.
fn category_object() -> Value {
    object(
        &[
            ("id", string()),
            ("name", string()),
            ("files", integer()),
            ("created_at", integer()),
            ("updated_at", integer()),
        ],
        &["id", "name", "files", "created_at", "updated_at"],
    )
}

/// `GET …/file-category/` (and the admin API's list).
pub fn category_list(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![
        query(
            "order_by",
            "created_at or name; `-` for descending. Default `-created_at`.",
            json!({"type": "string", "enum": ["created_at", "-created_at", "name", "-name"]}),
        ),
        where_param("id, name, created_at and updated_at"),
    ])
    .params(page_params())
    .ok(200, page_of(category_object()))
}

/// `GET …/file-category/{id}/`.
pub fn category(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(200, category_object())
}

/// `POST /admin/api/file-categories/`, `PUT …/{id}/`: `{name}`.
pub fn category_write(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(&[("name", string())], &["name"]))
        .ok(200, category_object())
}

/// `GET /admin/api/files/{id}/`: the file with the record fields holding it.
pub fn admin_file(op: Op, _: &DocContext<'_>) -> Op {
    let mut file = file_object();
    file["properties"]["held_by"] = json!({
        "type": "array",
        "items": object(
            &[("object_type", string()), ("record_id", string()), ("field", string())],
            &["object_type", "record_id", "field"],
        ),
    });
    op.ok(200, file)
}

/// `POST /files/upload/`: the second step of an upload, the SDK's form.
pub fn upload_target() -> Op {
    Op::new(
        "post",
        "/files/upload/",
        "Files",
        "The bytes of an announced upload: the multipart form the SDK sends (file, policy, authorization), without a session; the authorization is used up by its first use.",
    )
    .form(object(
        &[
            ("file", json!({"type": "string", "format": "binary"})),
            ("policy", string()),
            ("authorization", string()),
        ],
        &["file", "policy", "authorization"],
    ))
    .ok(
        200,
        object(
            &[
                ("code", integer()),
                ("message", string()),
                ("url", string()),
                ("time", integer()),
                ("mimetype", string()),
                ("file_size", integer()),
                ("image-width", integer()),
                ("image-height", integer()),
                ("image-type", string()),
            ],
            &["code", "message", "url", "time", "mimetype", "file_size"],
        ),
    )
    .also(413, json!({"$ref": "#/components/schemas/Error"}))
}

/// `GET /files/{id}/{key}/{name}`: a stored file, or an image version of
/// it when the name ends in `!/<processing>`.
pub fn served_file() -> Op {
    Op::new(
        "get",
        "/files/{id}/{key}/{name}",
        "Files",
        "A stored file's bytes at its path (Range, ETag, If-None-Match; nosniff and a sandboxing CSP; attachment unless an image, audio, video or PDF). `{name}!/fw/200` and the other whitelisted suffixes serve an image version.",
    )
    .ok(200, Value::Null)
    .also(206, Value::Null)
}
