//! The verification and reset pages in headless Chromium (Playwright): open the
//! link from the mail actually received, fill the form, see the success page,
//! then log in with the new password.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::smtp::SmtpServer;

on_both_backends!(
    a_person_confirms_their_email_in_the_browser,
    a_person_resets_their_password_in_the_browser,
);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn screenshot(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-shots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

async fn run_browser(args: &[&str]) {
    assert!(
        browser_dir().join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/test does it)"
    );
    let out = tokio::process::Command::new("node")
        .arg("pages.js")
        .args(args)
        .current_dir(browser_dir())
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser run failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("browser pages: ok"), "{stdout}");
}

async fn app_with_mail(backend: Backend, smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    spawn_app_with(backend, move |s| s.smtp_url = url).await
}

fn local(app: &TestApp, link: &str) -> String {
    link.replacen("http://protium.test", &app.address, 1)
}

async fn a_person_confirms_their_email_in_the_browser(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp).await;
    let (t, id) = app
        .register_email("browser-verify@example.com", "secret123")
        .await;
    app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let link = local(
        &app,
        &smtp.wait_for("browser-verify@example.com", 0).await.link(),
    );
    run_browser(&[
        "verify",
        &link,
        &screenshot(&format!("verified-{backend:?}.png")),
    ])
    .await;
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["_email_verified"], true);
}

async fn a_person_resets_their_password_in_the_browser(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp).await;
    let (_, id) = app
        .register_email("browser-reset@example.com", "secret123")
        .await;
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email_verified = TRUE WHERE id = {id}"
    ));
    app.post(
        "/hserve/v2.0/user/password/reset/",
        None,
        json!({"email": "browser-reset@example.com"}),
    )
    .await;
    let link = local(
        &app,
        &smtp.wait_for("browser-reset@example.com", 0).await.link(),
    );
    run_browser(&[
        "reset",
        &link,
        "Browser-pass-1",
        &screenshot(&format!("reset-{backend:?}.png")),
    ])
    .await;
    let login = app
        .login_email("browser-reset@example.com", "Browser-pass-1")
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
    assert_eq!(login.body["user_id"], id);
}
