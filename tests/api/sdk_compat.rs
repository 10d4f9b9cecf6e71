//! The official Hydrogen web SDK (`minapp-sdk`) drives the server under Node:
//! register, login, getCurrentUser, `set().update()`, `new User().find()` with a
//! query, `updatePassword`, logout (see `tests/sdk/compat.js`); and `TableObject`
//! on the record-test schema: create, `createMany`, get with `select`/`expand`,
//! update with atomic ops, `Query.or`/`Query.and` finds and counts, batch update
//! and delete, single delete, pointers, and 400/403/404 errors (see
//! `tests/sdk/tables.js`).

use std::path::{Path, PathBuf};

use crate::helpers::{spawn_app, spawn_records_app, Backend};

on_both_backends!(
    minapp_sdk_runs_its_user_flows_unchanged,
    minapp_sdk_runs_its_table_flows_unchanged,
);

/// `tests/sdk`, checked to have `minapp-sdk` installed.
fn sdk_dir() -> PathBuf {
    let sdk_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk");
    assert!(
        sdk_dir.join("node_modules/minapp-sdk/lib/web.js").exists(),
        "minapp-sdk is not installed: run `npm ci --prefix tests/sdk` (scripts/test does it)"
    );
    sdk_dir
}

/// Runs `node <script> <address>` in `tests/sdk`; asserts it succeeds and prints `done`.
async fn run_sdk_script(script: &str, address: &str, done: &str) {
    let out = tokio::process::Command::new("node")
        .arg(script)
        .arg(address)
        .current_dir(sdk_dir())
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK script {script} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains(done), "{stdout}");
}

async fn minapp_sdk_runs_its_user_flows_unchanged(backend: Backend) {
    let app = spawn_app(backend).await;
    run_sdk_script("compat.js", &app.address, "sdk compat: all steps passed").await;
}

async fn minapp_sdk_runs_its_table_flows_unchanged(backend: Backend) {
    let app = spawn_records_app(backend).await;
    run_sdk_script("tables.js", &app.address, "sdk tables: all steps passed").await;
}
