//! The shipped schemas compile and serve: the default one and every example set.

use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app_with, Backend};

#[test]
fn every_shipped_schema_directory_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let mut dirs = vec![root.clone()];
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    assert!(dirs.len() >= 4);
    for dir in dirs {
        let registry =
            protium::schema::load_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert!(
            !registry.profile.fields.is_empty(),
            "{} declares profile fields",
            dir.display()
        );
    }
}

on_both_backends!(the_dating_example_enforces_enums_and_server_managed_fields);

async fn the_dating_example_enforces_enums_and_server_managed_fields(backend: Backend) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/dating");
    let app = spawn_app_with(backend, |s| s.schema_dir = dir).await;
    let (t, _) = app.register_email("date@example.com", "secret123").await;
    let ok = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"job": "student", "age": 30}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["vip_left"], 0);
    assert_eq!(
        ok.body["profit"], 0,
        "the seed shows the profit on the homepage"
    );
    let bad = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"job": "pirate"}),
        )
        .await;
    assert!(
        bad.error_msg().starts_with("job:") && bad.error_msg().contains("enum"),
        "{}",
        bad.error_msg()
    );
    let young = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"age": 12}))
        .await;
    assert!(young.error_msg().starts_with("age:") && young.error_msg().contains("minimum"));
    let cleared = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"age": null}))
        .await;
    assert!(
        cleared.error_msg().starts_with("age: is required"),
        "{}",
        cleared.error_msg()
    );
    let vip = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"vip_left": 99}))
        .await;
    assert_eq!(vip.status, StatusCode::FORBIDDEN);
}
