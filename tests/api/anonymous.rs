//! Anonymous (device) login and its upgrade on register.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(
    anonymous_login_creates_an_anonymous_user,
    registering_while_anonymous_keeps_the_same_user,
    password_login_while_anonymous_is_another_user,
    anonymous_users_cannot_change_account_settings,
);

async fn anonymous_login_creates_an_anonymous_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["user_id"].as_i64().unwrap();
    let token = r.body["token"].as_str().unwrap();
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await;
    assert_eq!(me.body["_anonymous"], true);
    let other = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    assert_ne!(other.body["user_id"], id, "each device login is a new user");
}

async fn registering_while_anonymous_keeps_the_same_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let anon_id = anon.body["user_id"].as_i64().unwrap();
    let anon_token = anon.body["token"].as_str().unwrap();
    app.set_profile(anon_token, json!({"nickname": "guest"}))
        .await;
    let reg = app
        .post(
            "/hserve/v2.1/register/email/",
            Some(anon_token),
            json!({"email": "h@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(reg.status, StatusCode::CREATED);
    assert_eq!(reg.body["user_id"], anon_id, "same user id after upgrade");
    assert_eq!(reg.body["_anonymous"], false);
    assert_eq!(reg.body["nickname"], "guest", "profile kept");
    assert_eq!(reg.body["_email"], "h@example.com");
}

async fn password_login_while_anonymous_is_another_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, id) = app.register_email("i@example.com", "secret123").await;
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let token = anon.body["token"].as_str().unwrap();
    let login = app
        .post(
            "/hserve/v2.1/login/email/",
            Some(token),
            json!({"email": "i@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(login.body["user_id"], id);
    assert_ne!(login.body["user_id"], anon.body["user_id"]);
}

async fn anonymous_users_cannot_change_account_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let token = anon.body["token"].as_str().unwrap();
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(token),
            json!({"username": "sneaky"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error_msg().contains("anonymous"));
}
