//! The admin console in headless Chromium (`tests/browser/console.js`, driven
//! by Playwright): sign in, find and edit a user, disable them, work on records,
//! watch a broken schema edit and its fix, create and revoke an API key — with
//! no console error, no failed request and no serious accessibility violation
//! (axe-core). The script also takes the screenshots of `docs/admin.md`.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{run_cli, spawn_app_with, Backend, ADMIN_TOKEN};

on_both_backends!(the_console_serves_an_admin_through_every_page);

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

async fn the_console_serves_an_admin_through_every_page(backend: Backend) {
    let schema = tempfile::tempdir().unwrap();
    copy_dir(&crate::helpers::records_schema_dir(), schema.path());
    let schema_dir = schema.path().to_path_buf();
    let app = spawn_app_with(backend, move |s| {
        s.schema_dir = schema_dir;
        s.schema_watch = true;
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    let (code, out, err) = run_cli(
        &app.db,
        schema.path(),
        &["admin", "create", "--email", "admin@example.com"],
        "console password 1\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    for (email, nickname, city, score) in [
        ("ann@example.com", "Ann", "Oslo", 10),
        ("bob@example.com", "Bob", "Lima", 50),
        ("cleo@example.com", "Cleo", "Kyoto", 90),
    ] {
        let (token, _) = app.register_email(email, "secret123").await;
        app.set_profile(
            &token,
            json!({"nickname": nickname, "city": city, "score": score}),
        )
        .await;
        app.create_record(
            "post",
            &token,
            json!({"title": format!("Hello from {nickname}")}),
        )
        .await;
    }
    // PROTIUM_SCREENSHOTS=docs/screenshots refreshes the pictures of the docs
    // (Postgres run only); otherwise they go to a scratch directory.
    let shots: PathBuf = match std::env::var_os("PROTIUM_SCREENSHOTS") {
        Some(dir) if backend == Backend::Postgres => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
        }
        _ => tempfile::tempdir().unwrap().keep(),
    };
    std::fs::create_dir_all(&shots).unwrap();
    let out = tokio::process::Command::new("node")
        .args([
            "console.js",
            &app.address,
            "admin@example.com",
            "console password 1",
            schema.path().to_str().unwrap(),
            shots.to_str().unwrap(),
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // What the console did is real: Cleo was disabled and cannot log in.
    let login = app.login_email("cleo@example.com", "secret123").await;
    assert_eq!(login.status, StatusCode::FORBIDDEN, "{stdout}");
}
