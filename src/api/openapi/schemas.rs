//! Component schemas built from the live schema: the user profile and each
//! table's records as responses (every field with its type), as create and
//! update bodies (the field's own JSON Schema, or an update operator), and the
//! shapes every endpoint shares.

use serde_json::{json, Map, Value};

use super::build::{object, schema_ref, string};
use crate::schema::{Field, FieldKind, ObjectType, Snapshot, WriteRule};

/// The name of a table's component schemas: `post` → `PostRecord`.
pub fn record_name(table: &str) -> String {
    let mut out = String::new();
    for part in table.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    format!("{out}Record")
}

/// A field as it comes back: its JSON type (pointers as `{id, _table}` or the
/// expanded row), or null.
fn response_field(field: &Field) -> Value {
    let ty = match field.kind {
        FieldKind::String | FieldKind::Date => json!(["string", "null"]),
        FieldKind::Integer if field.pointer.is_some() => json!(["integer", "object", "null"]),
        FieldKind::Integer => json!(["integer", "null"]),
        FieldKind::Number => json!(["number", "null"]),
        FieldKind::Boolean => json!(["boolean", "null"]),
        FieldKind::Array | FieldKind::Files => json!(["array", "null"]),
        FieldKind::Object
        | FieldKind::Point
        | FieldKind::Polygon
        | FieldKind::Pointer
        | FieldKind::File => {
            json!(["object", "null"])
        }
    };
    let mut schema = json!({"type": ty});
    if let Some(d) = field.raw.get("description") {
        schema["description"] = d.clone();
    }
    if field.kind == FieldKind::Date {
        schema["description"] = json!("An instant in UTC, e.g. 2018-09-26T03:22:51.100000Z.");
    }
    if field.is_server_managed() {
        schema["readOnly"] = json!(true);
    }
    schema
}

/// A field as a client may send it: its own JSON Schema (with its
/// `x-protium` rules), or an update operator.
fn request_field(field: &Field) -> Value {
    let own = match field.kind {
        FieldKind::File => file_reference(field),
        FieldKind::Files => {
            let mut list = json!({"type": "array", "items": file_reference(field)});
            for bound in ["minItems", "maxItems"] {
                if let Some(n) = field.raw.get(bound) {
                    list[bound] = n.clone();
                }
            }
            list
        }
        _ => field.raw.clone(),
    };
    json!({"anyOf": [own, schema_ref("UpdateOperator")]})
}

/// A file as a write names it: its id, or the file object its upload
/// answered (only `id` is read); the field's rules in the description.
fn file_reference(field: &Field) -> Value {
    json!({
        "description": format!(
            "An uploaded file: its id or its file object; the server stores the file object. {}",
            field.raw.get("x-protium").map(|x| format!("Rules: {}", x["file"])).unwrap_or_default()
        ),
        "anyOf": [
            {"type": "string"},
            {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
            {"type": "null"},
        ],
    })
}

/// The response schema of a row of `object`.
fn row_schema(object: &ObjectType) -> Value {
    let mut props = Map::new();
    for field in object.all_fields() {
        props.insert(field.name.as_str().to_owned(), response_field(field));
    }
    props.insert(
        object.id_alias().to_owned(),
        props.get("id").cloned().unwrap_or(Value::Null),
    );
    json!({
        "type": "object",
        "description": object.raw.get("description").cloned().unwrap_or(json!(format!("A row of {}.", object.name))),
        "properties": props,
        "additionalProperties": true,
    })
}

/// The body that sets declared fields a client may write.
fn input_schema(object: &ObjectType, create: bool) -> Value {
    let mut props = Map::new();
    for field in &object.fields {
        if field.write == WriteRule::Nobody {
            continue;
        }
        props.insert(field.name.as_str().to_owned(), request_field(field));
    }
    if object.has_row_acl() {
        let acl = json!({"type": "array", "items": {"type": "string"}, "description": "ACL entries: user:anonymous, user:*, user:<id>."});
        props.insert("read_perm".into(), acl.clone());
        props.insert("write_perm".into(), acl);
    }
    let required: Vec<&str> = if create {
        object
            .fields
            .iter()
            .filter(|f| f.required && f.default.is_none())
            .map(|f| f.name.as_str())
            .collect()
    } else {
        Vec::new()
    };
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// A sign-up body: the `credentials` (strings, required) beside the profile
/// fields a new user may set.
pub fn sign_up_body(
    profile: &ObjectType,
    credentials: &[&str],
    optional: &[(&str, Value)],
) -> Value {
    let mut body = input_schema(profile, true);
    for name in credentials {
        body["properties"][*name] = json!({"type": "string"});
    }
    for (name, schema) in optional {
        body["properties"][*name] = schema.clone();
    }
    if let Some(required) = body["required"].as_array_mut() {
        required.extend(credentials.iter().map(|c| json!(c)));
    }
    body
}

/// An update body: flat, or `{$set, $unset}`.
fn update_schema(input: &str) -> Value {
    json!({"anyOf": [
        schema_ref(input),
        {"type": "object", "properties": {"$set": schema_ref(input), "$unset": {"type": "object"}}, "additionalProperties": false},
    ]})
}

/// A page of rows of `item`.
fn list_of(item: &str) -> Value {
    object(
        &[
            ("meta", schema_ref("ListMeta")),
            (
                "objects",
                json!({"type": "array", "items": schema_ref(item)}),
            ),
        ],
        &["meta", "objects"],
    )
}

/// Every component schema.
pub fn components(snapshot: &Snapshot) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("Error".into(), json!({
        "type": "object",
        "properties": {"status": {"const": "error"}, "error_msg": {"type": "string", "description": "Names the field (or parameter) and the rule."}},
        "required": ["status", "error_msg"],
    }));
    out.insert(
        "Ok".into(),
        json!({"type": "object", "properties": {"status": {"type": "string"}}}),
    );
    out.insert(
        "ListMeta".into(),
        object(
            &[
                ("limit", json!({"type": "integer"})),
                ("offset", json!({"type": "integer"})),
                ("next", json!({"type": ["string", "null"]})),
                ("previous", json!({"type": ["string", "null"]})),
                ("total_count", json!({"type": "integer"})),
            ],
            &["limit", "offset"],
        ),
    );
    out.insert("UpdateOperator".into(), json!({
        "type": "object",
        "description": "One atomic operator: $incr_by (numbers), $append, $append_unique, $remove, $pop (arrays), $update (objects).",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": ["$incr_by", "$append", "$append_unique", "$remove", "$pop", "$update"]},
    }));
    let profile = snapshot.profile();
    out.insert("User".into(), row_schema(profile));
    out.insert("UserInput".into(), input_schema(profile, true));
    out.insert("UserUpdate".into(), update_schema("UserInput"));
    out.insert("UserList".into(), list_of("User"));
    out.insert(
        "LoginObject".into(),
        json!({"allOf": [schema_ref("User"), object(&[
        ("token", string()),
        ("expires_in", json!({"type": "integer"})),
        ("user_id", json!({"type": "integer"})),
    ], &["token", "expires_in", "user_id"])]}),
    );
    for table in snapshot.tables() {
        let name = record_name(&table.name);
        out.insert(name.clone(), row_schema(table));
        out.insert(format!("{name}Input"), input_schema(table, true));
        out.insert(
            format!("{name}Update"),
            update_schema(&format!("{name}Input")),
        );
        out.insert(format!("{name}List"), list_of(&name));
    }
    out.insert("BatchResult".into(), json!({"type": "object", "properties": {
        "succeed": {"type": "integer"}, "total_count": {"type": "integer"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"}, "next": {"type": ["string", "null"]},
        "operation_result": {"type": "array", "items": {"type": "object"}},
        "status": {"type": "string"}, "operation_id": {"type": "integer"},
    }}));
    out.insert("ChangePage".into(), object(&[
        ("objects", json!({"type": "array", "items": {"type": "object"}})),
        ("deleted", json!({"type": "array", "items": object(&[("id", string()), ("deleted_at", json!({"type": "integer"}))], &["id", "deleted_at"])})),
        ("cursor", string()),
        ("has_more", json!({"type": "boolean"})),
    ], &["objects", "deleted", "cursor", "has_more"]));
    out
}
