//! Unit tests of `route_table`: the one map of the client API.

use std::collections::HashSet;

use actix_web::http;

use super::super::routes::client_endpoints;
use super::*;

#[test]
fn the_version_is_the_segment_after_the_scope() {
    assert_eq!(
        split_version("/hserve/v2.0/user/info/"),
        Some(("v2.0", "/user/info/"))
    );
    assert_eq!(split_version("/hserve/v2.0"), None);
    assert_eq!(split_version("/admin/api/users/"), None);
}

#[test]
fn a_known_path_under_an_unserved_version_names_the_served_ones() {
    let endpoints = client_endpoints();
    let (version, served) = unserved_version(
        endpoints,
        &http::Method::GET,
        "/hserve/v9.9/table/post/record/",
    )
    .expect("a record path");
    assert_eq!(version, "v9.9");
    assert!(
        served.starts_with("v1, v1.1") && served.ends_with("v2.5"),
        "{served}"
    );
    assert_eq!(
        unserved_version(endpoints, &http::Method::GET, "/hserve/v2.0/no/such/thing/"),
        None,
        "an unknown path is a plain 404"
    );
    let (_, served) = unserved_version(endpoints, &http::Method::POST, "/hserve/v2.4/login/")
        .expect("the kind-less login");
    assert_eq!(served, "v2.0");
}

#[test]
fn every_endpoint_is_served_at_a_version_and_listed_once() {
    let mut seen = HashSet::new();
    for endpoint in client_endpoints() {
        assert!(!endpoint.versions.is_empty(), "{}", endpoint.path);
        assert!(
            endpoint.path.starts_with('/') && endpoint.path.ends_with('/'),
            "{}",
            endpoint.path
        );
        assert!(
            seen.insert((endpoint.method, endpoint.path)),
            "{:?} {} twice",
            endpoint.method,
            endpoint.path
        );
        assert!(!endpoint.doc.summary.is_empty(), "{}", endpoint.path);
    }
}
