//! Wire shapes shared by several endpoints.

use actix_web::HttpRequest;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::Session;
use crate::domain::UserId;
use crate::records::ListResult;

/// `{"objects": […]}`: a whole list, unpaged.
#[derive(Debug, Serialize)]
pub struct Objects<T: Serialize> {
    /// The items.
    pub objects: Vec<T>,
}

/// `{"message": …}`: what happened, in words.
#[derive(Debug, Serialize)]
pub struct Message {
    /// The sentence.
    pub message: &'static str,
}

/// `{"status": "ok"}` and whatever else an answer carries beside it.
#[derive(Debug, Serialize)]
pub struct StatusOk<T: Serialize = ()> {
    status: &'static str,
    #[serde(flatten)]
    with: T,
}

impl StatusOk {
    /// Just `{"status": "ok"}`.
    pub fn plain() -> Self {
        StatusOk::with(())
    }
}

impl<T: Serialize> StatusOk<T> {
    /// `{"status": "ok", …fields of with}`.
    pub fn with(with: T) -> Self {
        StatusOk { status: "ok", with }
    }
}

/// The login object: `token`, `expires_in`, `user_id`, then the user's own
/// profile (its `id` the user's id).
#[derive(Debug, Serialize)]
pub struct LoginObject<'a> {
    token: &'a str,
    expires_in: u64,
    user_id: UserId,
    #[serde(flatten)]
    profile: Map<String, Value>,
}

/// The login object of `session` and its user's own `profile` (the
/// session's keys win over profile fields of the same name).
pub fn login_object(session: &Session, mut profile: Map<String, Value>) -> LoginObject<'_> {
    for key in ["token", "expires_in", "user_id"] {
        profile.shift_remove(key);
    }
    profile.insert("id".into(), Value::from(session.user_id.get()));
    LoginObject {
        token: session.token.expose(),
        expires_in: session.expires_in,
        user_id: session.user_id,
        profile,
    }
}

/// A page of a list: `{meta: {limit, offset, next, previous[, total_count]}, objects}`.
#[derive(Debug, Serialize)]
pub struct ListPage<T: Serialize = Map<String, Value>> {
    meta: ListMeta,
    objects: Vec<T>,
}

/// Where a page sits: `next` and `previous` are the request's path and query
/// with a new `offset` (`null` at either end).
#[derive(Debug, Serialize)]
struct ListMeta {
    limit: i64,
    offset: i64,
    next: Option<String>,
    previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_count: Option<i64>,
}

/// The page `page` of the list `req` asked for.
pub fn list_page(req: &HttpRequest, page: ListResult) -> ListPage {
    let ListResult {
        objects,
        total_count,
        limit,
        offset,
    } = page;
    page_of(req, objects, total_count, limit, offset)
}

/// A page of `objects` at `offset` of at most `limit`, of `total_count` in
/// all when counted.
pub fn page_of<T: Serialize>(
    req: &HttpRequest,
    objects: Vec<T>,
    total_count: Option<i64>,
    limit: i64,
    offset: i64,
) -> ListPage<T> {
    let more = match total_count {
        Some(total) => offset + limit < total,
        None => limit > 0 && objects.len() as i64 == limit,
    };
    let link = |new_offset: i64| -> Option<String> {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        pairs.retain(|(k, _)| k != "offset" && k != "limit");
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), new_offset.to_string()));
        serde_urlencoded::to_string(&pairs)
            .ok()
            .map(|qs| format!("{}?{}", req.path(), qs))
    };
    ListPage {
        meta: ListMeta {
            limit,
            offset,
            next: more.then(|| link(offset + limit)).flatten(),
            previous: (offset > 0)
                .then(|| link((offset - limit).max(0)))
                .flatten(),
            total_count,
        },
        objects,
    }
}
