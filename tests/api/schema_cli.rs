//! `protium schema check | diff | apply | prune` against real databases, with
//! stored data that does and does not fit a narrowing change.

use std::sync::Arc;

use protium::startup::Application;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{run_cli, start, test_settings, Backend, TestDb};

on_both_backends!(
    narrowing_changes_wait_for_the_command_line_and_fitting_rows,
    prune_drops_only_when_told
);

fn write_post(dir: &std::path::Path, properties: Value) {
    let doc = json!({"type": "object", "properties": properties});
    std::fs::write(dir.join("post.json"), doc.to_string()).unwrap();
}

#[test]
fn schema_check_exits_0_or_1_and_names_the_fault() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    write_post(dir.path(), json!({"title": {"type": "string"}}));
    let (code, out, _) = run_cli(&db, dir.path(), &["schema", "check"], "");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("ok: 0 profile field(s), 1 data table(s)"),
        "{out}"
    );
    std::fs::write(
        dir.path().join("post.json"),
        r#"{"properties":{"title":{"type":"strin"}}}"#,
    )
    .unwrap();
    let (code, _, err) = run_cli(
        &db,
        dir.path(),
        &["schema", "check", dir.path().to_str().unwrap()],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("post.json") && err.contains("/properties/title"),
        "{err}"
    );
}

async fn narrowing_changes_wait_for_the_command_line_and_fitting_rows(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let dir = tempfile::tempdir().unwrap();
    write_post(
        dir.path(),
        json!({"title": {"type": "string", "maxLength": 200}}),
    );
    let settings = test_settings(&db, dir.path());
    let app = start(db.clone(), settings.clone(), backend);
    let (token, _) = app.register_email("cli@example.com", "secret123").await;
    app.create_record("post", &token, json!({"title": "short"}))
        .await;
    let long = app
        .create_record(
            "post",
            &token,
            json!({"title": "a title of forty characters, more or less"}),
        )
        .await;
    let long_id = long["id"].as_str().unwrap().to_owned();
    drop(app);

    write_post(
        dir.path(),
        json!({"title": {"type": "string", "maxLength": 20}, "tag": {"type": "string", "x-protium": {"unique": true}}}),
    );
    let (code, out, err) = run_cli(&db, dir.path(), &["schema", "diff"], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ADD COLUMN \"tag\"") && out.contains("CREATE UNIQUE INDEX"),
        "{out}"
    );
    assert!(
        out.contains("post.title: maxLength 20: 1 stored row(s) do not fit")
            && out.contains(&long_id),
        "{out}"
    );
    let refused = Application::build(&settings)
        .err()
        .expect("start-up refuses narrowing")
        .to_string();
    assert!(
        refused.contains("narrowing") && refused.contains("--allow-narrowing"),
        "{refused}"
    );
    let (code, _, err) = run_cli(&db, dir.path(), &["schema", "apply"], "");
    assert_eq!(code, 1);
    assert!(err.contains("--allow-narrowing"), "{err}");
    let (code, _, err) = run_cli(
        &db,
        dir.path(),
        &["schema", "apply", "--allow-narrowing"],
        "",
    );
    assert_eq!(code, 1, "refused while a row does not fit");
    assert!(
        err.contains("do not fit") && err.contains(&long_id),
        "{err}"
    );
    let (code, out, _) = run_cli(&db, dir.path(), &["schema", "diff"], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("ADD COLUMN \"tag\""),
        "a refused apply changed nothing: {out}"
    );

    db.execute(&format!("DELETE FROM tbl_post WHERE id = '{long_id}'"));
    let (code, out, err) = run_cli(
        &db,
        dir.path(),
        &["schema", "apply", "--allow-narrowing"],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("applied; recorded in the schema history"),
        "{out}"
    );
    let app = start(db.clone(), settings, backend);
    let too_long = app
        .post(
            "/hserve/v2.4/table/post/record/",
            Some(&token),
            json!({"title": "x".repeat(21)}),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    let history = db.texts("SELECT applied_by AS v FROM schema_versions ORDER BY id");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history[0].starts_with("node:") && history[1].starts_with("cli:"),
        "{history:?}"
    );
}

async fn prune_drops_only_when_told(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let dir = tempfile::tempdir().unwrap();
    write_post(
        dir.path(),
        json!({"title": {"type": "string"}, "code": {"type": "string", "x-protium": {"unique": true}}}),
    );
    let settings = test_settings(&db, dir.path());
    let app = start(db.clone(), settings.clone(), backend);
    let (token, _) = app.register_email("prune@example.com", "secret123").await;
    app.create_record("post", &token, json!({"title": "kept", "code": "a"}))
        .await;
    drop(app);
    // `title` removed, `code` no longer unique: both stay until pruned.
    write_post(dir.path(), json!({"code": {"type": "string"}}));
    let app = start(db.clone(), settings.clone(), backend);
    let dup = app
        .post(
            "/hserve/v2.4/table/post/record/",
            Some(&token),
            json!({"code": "a"}),
        )
        .await;
    assert_eq!(
        dup.status,
        StatusCode::BAD_REQUEST,
        "no node drops an index by itself"
    );
    drop(app);
    let (code, out, _) = run_cli(&db, dir.path(), &["schema", "prune"], "");
    assert_eq!(code, 0);
    assert!(
        out.contains("column tbl_post.title") && out.contains("index uq.tbl_post.code"),
        "{out}"
    );
    assert!(out.contains("--yes"), "{out}");
    assert_eq!(
        db.texts("SELECT title AS v FROM tbl_post"),
        vec!["kept".to_owned()],
        "nothing dropped yet"
    );
    let (code, out, err) = run_cli(&db, dir.path(), &["schema", "prune", "--yes"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("pruned"), "{out}");
    let app = start(db.clone(), settings, backend);
    let dup = app
        .post(
            "/hserve/v2.4/table/post/record/",
            Some(&token),
            json!({"code": "a"}),
        )
        .await;
    assert_eq!(
        dup.status,
        StatusCode::CREATED,
        "the unwanted index is gone: {:?}",
        dup.body
    );
    let columns = db.texts("SELECT field AS v FROM schema_columns WHERE object_type = 'tbl_post'");
    assert_eq!(columns, vec!["code".to_owned()]);
    let (_, out, _) = run_cli(&db, dir.path(), &["schema", "prune"], "");
    assert_eq!(out.trim(), "nothing to prune");
}
