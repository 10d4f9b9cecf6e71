//! Unit tests of `method_override`.

use super::*;

#[test]
fn a_post_is_routed_as_the_write_it_names() {
    assert_eq!(intended(&Method::POST, Some("PUT")), Method::PUT);
    assert_eq!(intended(&Method::POST, Some("delete")), Method::DELETE);
    assert_eq!(intended(&Method::POST, Some("PATCH")), Method::PATCH);
    assert_eq!(intended(&Method::POST, None), Method::POST);
}

#[test]
fn nothing_else_is_rewritten() {
    assert_eq!(
        intended(&Method::GET, Some("DELETE")),
        Method::GET,
        "a GET never becomes a write"
    );
    assert_eq!(
        intended(&Method::POST, Some("GET")),
        Method::POST,
        "a write never becomes a read"
    );
    assert_eq!(intended(&Method::PUT, Some("DELETE")), Method::PUT);
    assert_eq!(intended(&Method::POST, Some("TRACE")), Method::POST);
}
