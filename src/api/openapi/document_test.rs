//! Unit tests of the OpenAPI document: it lists what the route table serves.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::api::route_table::Each;
use crate::schema::load_dir;

fn records_schema() -> Snapshot {
    let registry = load_dir(Path::new("tests/schema/records")).expect("the records test schema");
    Snapshot::new(registry, BTreeMap::new())
}

#[test]
fn every_registered_client_endpoint_is_documented_under_a_version_it_serves() {
    let snapshot = records_schema();
    let doc = document(&snapshot);
    let table = snapshot.tables().next().expect("a table").name.clone();
    for endpoint in super::super::routes::client_endpoints() {
        let version = endpoint.documented_version();
        assert!(endpoint.versions.contains(&version), "{}", endpoint.path);
        let mut path = format!("/hserve/{version}{}", endpoint.path);
        match endpoint.doc.each {
            Each::Once => {}
            Each::Table => path = path.replace("{table}", &table),
            Each::Value(name, values) => path = path.replace(&format!("{{{name}}}"), values[0]),
        }
        let op = &doc["paths"][&path][endpoint.method.openapi()];
        assert!(
            op.is_object(),
            "{} {path} is not documented",
            endpoint.method.openapi()
        );
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.contains('{')),
            "{path}: {}",
            op["summary"]
        );
    }
}

#[test]
fn every_registered_admin_endpoint_is_documented() {
    let snapshot = records_schema();
    let doc = document(&snapshot);
    let table = snapshot.tables().next().expect("a table").name.clone();
    for endpoint in super::super::admin::endpoints() {
        let path = format!("/admin/api{}", endpoint.path).replace("{table}", &table);
        let op = &doc["paths"][&path][endpoint.method.openapi()];
        assert!(
            op.is_object(),
            "{} {path} is not documented",
            endpoint.method.openapi()
        );
    }
}

#[test]
fn per_value_paths_are_listed_once_per_value_with_their_own_body() {
    let doc = document(&records_schema());
    let by_sms = &doc["paths"]["/hserve/v2.1/login/sms/"]["post"];
    let required = by_sms["requestBody"]["content"]["application/json"]["schema"]["required"]
        .as_array()
        .expect("required fields");
    assert!(required.contains(&json!("code")), "{required:?}");
    assert!(doc["paths"]["/hserve/v2.1/login/{kind}/"].is_null());
}
