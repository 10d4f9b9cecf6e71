//! Schema changes on restart: new fields become columns, removed fields are kept
//! hidden with their data, type changes are refused.

use std::sync::Arc;

use protium::startup::Application;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{start, test_settings, Backend, TestDb};

on_both_backends!(fields_are_added_hidden_and_restored_without_losing_data);

fn write_profile(dir: &std::path::Path, properties: serde_json::Value) {
    let doc = json!({"type": "object", "properties": properties});
    std::fs::write(dir.join("_userprofile.json"), doc.to_string()).unwrap();
}

async fn fields_are_added_hidden_and_restored_without_losing_data(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let schema = tempfile::tempdir().unwrap();
    let settings = test_settings(&db, schema.path());

    write_profile(
        schema.path(),
        json!({"nickname": {"type": "string"}, "level": {"type": "integer"}}),
    );
    let app = start(db.clone(), settings.clone(), backend);
    let (t, id) = app.register_email("v@example.com", "secret123").await;
    app.set_profile(&t, json!({"nickname": "vee", "level": 3}))
        .await;
    drop(app);

    // v2: `level` removed, `motto` added with a default.
    write_profile(
        schema.path(),
        json!({"nickname": {"type": "string"}, "motto": {"type": "string", "default": "hi"}}),
    );
    let app = start(db.clone(), settings.clone(), backend);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(
        me.body.get("level").is_none(),
        "removed field hidden: {}",
        me.body
    );
    assert_eq!(
        me.body["motto"], "hi",
        "existing rows get the new field's default"
    );
    assert_eq!(me.body["nickname"], "vee");
    let q = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&t),
            &[("where", r#"{"level":{"$eq":3}}"#)],
        )
        .await;
    assert_eq!(
        q.status,
        StatusCode::BAD_REQUEST,
        "a hidden field cannot be queried"
    );
    let w = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"level": 4}))
        .await;
    assert_eq!(w.status, StatusCode::BAD_REQUEST);
    drop(app);

    // v3: `level` declared again: its data is back.
    write_profile(
        schema.path(),
        json!({"nickname": {"type": "string"}, "level": {"type": "integer"}}),
    );
    let app = start(db.clone(), settings.clone(), backend);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["level"], 3, "data kept while hidden");
    drop(app);

    // v4: `level` as a string would rewrite stored data: refused at start.
    write_profile(schema.path(), json!({"level": {"type": "string"}}));
    let err = Application::build(&settings)
        .err()
        .expect("type change refused")
        .to_string();
    assert!(
        err.contains("level") && err.contains("integer") && err.contains("string"),
        "{err}"
    );
}
