//! The official Hydrogen web SDK (`minapp-sdk`) drives the server under Node:
//! register, login, getCurrentUser, `set().update()`, `new User().find()` with a
//! query, `updatePassword`, logout (see `tests/sdk/compat.js`); and `TableObject`
//! on the record-test schema: create, `createMany`, get with `select`/`expand`,
//! update with atomic ops, `Query.or`/`Query.and` finds and counts, batch update
//! and delete, single delete, pointers, and 400/403/404 errors (see
//! `tests/sdk/tables.js`); and every build an app may ship — 3.23, 3.6, 2.9
//! and 2.0, web and WeChat — through one everyday flow (`tests/sdk/builds.js`).

use std::path::{Path, PathBuf};

use crate::helpers::{
    records_schema_dir, spawn_app, spawn_app_public, spawn_records_app, Backend, ADMIN_TOKEN,
};

on_both_backends!(
    minapp_sdk_runs_its_user_flows_unchanged,
    minapp_sdk_runs_its_table_flows_unchanged,
    every_sdk_build_an_app_may_ship_runs_the_everyday_flow,
    minapp_sdk_uploads_reads_and_deletes_files,
);

/// The builds the npm registry keeps, as `tests/sdk/package.json` aliases
/// them: the current 3.x, an older 3.x, the last 2.x and an early 2.x.
const BUILDS: &[&str] = &[
    "minapp-sdk",
    "minapp-sdk-3-6",
    "minapp-sdk-2-9",
    "minapp-sdk-2-0",
];

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
    sdk_dir();
    crate::helpers::run_node("tests/sdk", script, &[address], &[], done).await;
}

async fn minapp_sdk_runs_its_user_flows_unchanged(backend: Backend) {
    let app = spawn_app(backend).await;
    run_sdk_script("compat.js", &app.address, "sdk compat: all steps passed").await;
}

/// `File.upload` in its two steps, the file downloaded from its path (with a
/// range), a record and the profile holding the uploaded file (the schema of
/// `tests/schema/files`), `File.get`/`find` (counted), another user seeing
/// none of it, and `File.delete` of one and of a list (`tests/sdk/files.js`).
async fn minapp_sdk_uploads_reads_and_deletes_files(backend: Backend) {
    let app = spawn_app_public(backend, |s| {
        s.schema_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/files");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    crate::files::create_category(&app, "docs").await;
    run_sdk_script("files.js", &app.address, "files done").await;
}

async fn minapp_sdk_runs_its_table_flows_unchanged(backend: Backend) {
    let app = spawn_records_app(backend).await;
    run_sdk_script("tables.js", &app.address, "sdk tables: all steps passed").await;
}

/// Sign-up, login, profile read and update, record create, list with a query,
/// update and delete, and a file uploaded, read back and deleted, through each
/// build, web and WeChat (`tests/sdk/builds.js`):
/// SDK 2.x calls v2.0 paths throughout, 3.x up to 3.15 reads the user under
/// v2.0 after signing in, the WeChat build runs on a `wx` global.
async fn every_sdk_build_an_app_may_ship_runs_the_everyday_flow(backend: Backend) {
    let app = spawn_app_public(backend, |s| {
        s.schema_dir = records_schema_dir();
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    for build in BUILDS {
        for platform in ["web", "wechat"] {
            crate::helpers::run_node(
                "tests/sdk",
                "builds.js",
                &[&app.address, build, platform],
                &[],
                &format!("{platform}: all steps passed"),
            )
            .await;
        }
    }
}
