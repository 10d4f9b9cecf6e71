//! The official Hydrogen web SDK (`minapp-sdk`) drives the server under Node:
//! register, login, getCurrentUser, `set().update()`, `new User().find()` with a
//! query, `updatePassword`, logout (see `tests/sdk/compat.js`).

use std::path::Path;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(minapp_sdk_runs_its_user_flows_unchanged);

async fn minapp_sdk_runs_its_user_flows_unchanged(backend: Backend) {
    let sdk_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk");
    assert!(
        sdk_dir.join("node_modules/minapp-sdk/lib/web.js").exists(),
        "minapp-sdk is not installed: run `npm ci --prefix tests/sdk` (scripts/test does it)"
    );
    let app = spawn_app(backend).await;
    let out = tokio::process::Command::new("node")
        .arg("compat.js")
        .arg(&app.address)
        .current_dir(&sdk_dir)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK compat failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("sdk compat: all steps passed"), "{stdout}");
}
