//! Small builders for OpenAPI operations, so the path tables read as tables.

use serde_json::{json, Map, Value};

use super::schemas::record_name;
use crate::query::operators_for;
use crate::schema::{FieldKind, Snapshot};

/// What an endpoint's reference entry is written for: the live schema, and
/// the value its path parameter was filled with when it is listed once per
/// value (a table's name, a sign-in kind).
#[derive(Debug, Clone, Copy)]
pub struct DocContext<'a> {
    /// The live schema.
    pub snapshot: &'a Snapshot,
    /// The filled-in path parameter, if any.
    pub value: Option<&'a str>,
}

impl DocContext<'_> {
    /// The component name of the table's records (`post` → `PostRecord`).
    pub fn record(&self) -> String {
        record_name(self.value.unwrap_or_default())
    }
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone.
    Public,
    /// Anyone; a session token, when sent, identifies the caller.
    Optional,
    /// A user session (`Authorization: Hydrogen-r1 <token>`).
    User,
    /// An admin credential with the scope named in the description.
    Admin,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Op {
    /// `get`, `post`, …
    pub method: &'static str,
    /// The path, with `{parameters}`.
    pub path: String,
    /// Grouping in the reference.
    pub tag: &'static str,
    /// A line saying what it does.
    pub summary: String,
    /// Parameters (path parameters are added from the path).
    pub params: Vec<Value>,
    /// The request body schema, if any.
    pub body: Option<Value>,
    /// The request body's media type.
    pub body_type: &'static str,
    /// The success status and its body schema (`Null` for no body).
    pub ok: (u16, Value),
    /// Other success statuses with their body schemas.
    pub also: Vec<(u16, Value)>,
    /// Who may call it.
    pub auth: Auth,
}

impl Op {
    /// A new operation answering 200 with `ok`.
    pub fn new(
        method: &'static str,
        path: impl Into<String>,
        tag: &'static str,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            tag,
            summary: summary.into(),
            params: Vec::new(),
            body: None,
            body_type: "application/json",
            ok: (200, json!({"type": "object"})),
            also: Vec::new(),
            auth: Auth::Public,
        }
    }

    /// With these query (or header) parameters.
    pub fn params(mut self, params: Vec<Value>) -> Self {
        self.params.extend(params);
        self
    }

    /// With a JSON body.
    pub fn body(mut self, schema: Value) -> Self {
        self.body = Some(schema);
        self
    }

    /// With a `multipart/form-data` body.
    pub fn form(mut self, schema: Value) -> Self {
        self.body = Some(schema);
        self.body_type = "multipart/form-data";
        self
    }

    /// Answering `status` with `schema`.
    pub fn ok(mut self, status: u16, schema: Value) -> Self {
        self.ok = (status, schema);
        self
    }

    /// Also answering `status` with `schema`.
    pub fn also(mut self, status: u16, schema: Value) -> Self {
        self.also.push((status, schema));
        self
    }

    /// Called as `auth`.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The operation object.
    pub fn to_value(&self) -> Value {
        let mut params: Vec<Value> = path_params(&self.path);
        params.extend(self.params.iter().cloned());
        let mut responses = Map::new();
        let ok = if self.ok.1.is_null() {
            json!({"description": "Done."})
        } else {
            json!({"description": "Done.", "content": {"application/json": {"schema": self.ok.1}}})
        };
        responses.insert(self.ok.0.to_string(), ok);
        for (status, schema) in &self.also {
            let also = if schema.is_null() {
                json!({"description": "Done."})
            } else {
                json!({"description": "Done.", "content": {"application/json": {"schema": schema}}})
            };
            responses.insert(status.to_string(), also);
        }
        for (code, why) in [
            (
                400,
                "The request breaks a rule; `error_msg` names the field and the rule.",
            ),
            (401, "No valid credential."),
            (403, "The caller may not do this."),
            (404, "No such object, or not visible to the caller."),
            (429, "Too many attempts; retry later."),
            (503, "Busy; retry after `Retry-After` seconds."),
        ] {
            responses.insert(code.to_string(), error_response(why));
        }
        let mut op = json!({
            "tags": [self.tag],
            "summary": self.summary,
            "operationId": format!("{}_{}", self.method, self.path.replace(['/', '{', '}', '.', '-'], "_").trim_matches('_')),
            "parameters": params,
            "responses": responses,
        });
        if let Some(body) = &self.body {
            op["requestBody"] =
                json!({"required": true, "content": {self.body_type: {"schema": body}}});
        }
        op["security"] = match self.auth {
            Auth::Public => json!([]),
            Auth::Optional => json!([{}, {"HydrogenToken": []}]),
            Auth::User => json!([{"HydrogenToken": []}, {"AdminBearer": []}]),
            Auth::Admin => json!([{"AdminBearer": []}]),
        };
        op
    }
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The path parameters of `path`, as strings.
fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

/// A query parameter.
pub fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

/// A `$ref` to a component schema.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An object of string properties, `required` ones listed.
pub fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
    let props: Map<String, Value> = properties
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    json!({"type": "object", "properties": props, "required": required})
}

/// `{"type": "string"}`.
pub fn string() -> Value {
    json!({"type": "string"})
}

/// What `where` takes: the query language's operators by field kind, from
/// the operator table.
fn where_description() -> String {
    let by_kind: Vec<String> = FieldKind::ALL
        .iter()
        .map(|kind| {
            let names: Vec<&str> = operators_for(*kind).map(|o| o.name).collect();
            format!("{}: {}", kind.type_name(), names.join(" "))
        })
        .collect();
    format!(
        "Hydrogen query, JSON: `{{\"age\":{{\"$gt\":30}}}}`, combined with `$and` and `$or`. \
         Operators by field kind — {}.",
        by_kind.join("; ")
    )
}

/// The list parameters of the query language.
pub fn list_params(with_since: bool) -> Vec<Value> {
    let mut out = vec![
        query("where", &where_description(), string()),
        query(
            "order_by",
            "Comma list of fields; `-` for descending. Default `-created_at`.",
            string(),
        ),
        query(
            "keys",
            "Comma list of fields to return (`a,b`, `ptr.field`) or to leave out (`-a`).",
            string(),
        ),
        query(
            "expand",
            "Comma list of pointer fields (and `created_by`) to expand into their rows.",
            string(),
        ),
        query(
            "limit",
            "Page size, 0 to 1000 (default 20).",
            json!({"type": "integer", "minimum": 0, "maximum": 1000}),
        ),
        query(
            "offset",
            "Rows skipped (deep offsets are slow; prefer `since`).",
            json!({"type": "integer", "minimum": 0}),
        ),
        query(
            "return_total_count",
            "`1`: add `meta.total_count`.",
            json!({"type": "string", "enum": ["0", "1"]}),
        ),
    ];
    if with_since {
        out.push(query(
            "since",
            "Keyset paging: the rows after this id in the current order.",
            string(),
        ));
    }
    out
}
