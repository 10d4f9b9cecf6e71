//! Hydrogen's method override: the Alipay SDK sends `PUT` and `DELETE` as
//! `POST` with `X-Hydrogen-Request-Method: PUT|DELETE` (its request API has
//! no other methods). A `POST` carrying the header is routed as the method it
//! names. Only `PUT`, `PATCH` and `DELETE` can be named, and only a `POST`
//! is ever rewritten, so a `GET` (which links, images and prefetches make)
//! never becomes a write, and no write becomes a read.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::Error;

/// The header naming the intended method.
pub const METHOD_HEADER: &str = "X-Hydrogen-Request-Method";

/// The method a request means: its own, or the one a `POST` names.
pub fn intended(actual: &Method, header: Option<&str>) -> Method {
    let named = header.map(|h| h.trim().to_ascii_uppercase());
    match (actual, named.as_deref()) {
        (&Method::POST, Some("PUT")) => Method::PUT,
        (&Method::POST, Some("PATCH")) => Method::PATCH,
        (&Method::POST, Some("DELETE")) => Method::DELETE,
        _ => actual.clone(),
    }
}

/// Rewrites an overridden `POST` before routing.
pub async fn method_override(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let header = req
        .headers()
        .get(METHOD_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let method = intended(req.method(), header.as_deref());
    if method != req.method() {
        req.head_mut().method = method;
    }
    next.call(req).await
}

#[cfg(test)]
#[path = "method_override_test.rs"]
mod tests;
