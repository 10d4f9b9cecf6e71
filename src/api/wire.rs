//! Wire shapes shared by several endpoints.

use actix_web::HttpRequest;
use serde_json::{json, Map, Value};

use crate::auth::Session;
use crate::records::ListResult;

/// The login object: `token`, `expires_in`, `user_id`, `id`, then the user's own profile.
pub fn login_object(session: &Session, mut profile: Map<String, Value>) -> Value {
    profile.insert("token".into(), json!(session.token.expose()));
    profile.insert("expires_in".into(), json!(session.expires_in));
    profile.insert("user_id".into(), json!(session.user_id));
    profile.insert("id".into(), json!(session.user_id));
    Value::Object(profile)
}

/// `{meta: {limit, offset, next, previous[, total_count]}, objects}`; `next` and
/// `previous` are the request's path and query with a new `offset`.
pub fn list_page(req: &HttpRequest, page: ListResult) -> Value {
    let ListResult {
        objects,
        total_count,
        limit,
        offset,
    } = page;
    let more = match total_count {
        Some(total) => offset + limit < total,
        None => limit > 0 && objects.len() as i64 == limit,
    };
    let link = |new_offset: i64| -> Value {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        pairs.retain(|(k, _)| k != "offset" && k != "limit");
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), new_offset.to_string()));
        match serde_urlencoded::to_string(&pairs) {
            Ok(qs) => json!(format!("{}?{}", req.path(), qs)),
            Err(_) => Value::Null,
        }
    };
    let mut meta = Map::new();
    meta.insert("limit".into(), json!(limit));
    meta.insert("offset".into(), json!(offset));
    meta.insert(
        "next".into(),
        if more {
            link(offset + limit)
        } else {
            Value::Null
        },
    );
    meta.insert(
        "previous".into(),
        if offset > 0 {
            link((offset - limit).max(0))
        } else {
            Value::Null
        },
    );
    if let Some(total) = total_count {
        meta.insert("total_count".into(), json!(total));
    }
    json!({"meta": meta, "objects": objects})
}
