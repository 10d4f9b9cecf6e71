//! Registration by email, username and phone.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(
    registering_by_email_returns_a_login_object,
    emails_are_stored_lower_case_and_unique,
    usernames_are_unique_regardless_of_case,
    registering_by_phone_works,
    bad_registration_input_is_a_400_naming_the_field,
    stale_authorization_is_ignored_on_register,
    unknown_register_kind_is_404,
);

async fn registering_by_email_returns_a_login_object(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "ann@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let b = &r.body;
    assert!(b["token"].as_str().unwrap().len() >= 32);
    assert_eq!(b["expires_in"], 2_592_000);
    assert!(b["user_id"].as_i64().unwrap() > 0);
    assert_eq!(b["id"], b["user_id"]);
    assert_eq!(b["_email"], "ann@example.com");
    assert_eq!(b["_email_verified"], false);
    assert_eq!(b["_provider"], json!({}));
    assert_eq!(b["_anonymous"], false);
    assert_eq!(b["created_by"], b["user_id"]);
    assert_eq!(b["gender"], 0, "schema default applied");
    assert!(b.get("password").is_none() && b.get("password_hash").is_none());
}

async fn emails_are_stored_lower_case_and_unique(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, id) = app.register_email("Bob@Example.COM", "secret123").await;
    let login = app.login_email("bob@example.com", "secret123").await;
    assert_eq!(login.status, StatusCode::CREATED);
    assert_eq!(login.body["user_id"], id);
    assert_eq!(login.body["_email"], "bob@example.com");
    let dup = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "BOB@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert_eq!(dup.body["status"], "error");
    assert!(dup.error_msg().starts_with("email:"), "{}", dup.error_msg());
}

async fn usernames_are_unique_regardless_of_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, id) = app.register_username("Alice", "secret123").await;
    let dup = app
        .post(
            "/hserve/v2.1/register/username/",
            None,
            json!({"username": "aLICE", "password": "secret123"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(
        dup.error_msg().starts_with("username:"),
        "{}",
        dup.error_msg()
    );
    let login = app
        .post(
            "/hserve/v2.1/login/username/",
            None,
            json!({"username": "ALICE", "password": "secret123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED);
    assert_eq!(login.body["user_id"], id);
    assert_eq!(login.body["_username"], "Alice", "kept as typed");
}

async fn registering_by_phone_works(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13800000000", "password": "secret123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["_phone"], "+8613800000000", "stored in E.164");
    assert_eq!(r.body["_phone_verified"], false);
    let dup = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13800000000", "password": "secret123"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.error_msg().starts_with("phone:"));
}

async fn bad_registration_input_is_a_400_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            "email",
            json!({"email": "not-an-email", "password": "secret123"}),
            "email:",
        ),
        (
            "email",
            json!({"password": "secret123"}),
            "email: is required",
        ),
        (
            "email",
            json!({"email": 5, "password": "secret123"}),
            "email: must be a string",
        ),
        (
            "email",
            json!({"email": "a@b.co", "password": "123"}),
            "password: must be 6",
        ),
        ("email", json!({"email": "a@b.co"}), "password: is required"),
        (
            "username",
            json!({"username": "has space", "password": "secret123"}),
            "username:",
        ),
        (
            "phone",
            json!({"phone": "12ab", "password": "secret123"}),
            "phone:",
        ),
    ];
    for (kind, body, expected) in cases {
        let r = app
            .post(
                &format!("/hserve/v2.1/register/{kind}/"),
                None,
                body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.body["status"], "error");
        assert!(
            r.error_msg().starts_with(expected),
            "{body}: {}",
            r.error_msg()
        );
    }
    let not_json = app
        .client
        .post(format!("{}/hserve/v2.1/register/email/", app.address))
        .header("Content-Type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = not_json.json().await.unwrap();
    assert!(body["error_msg"].as_str().unwrap().contains("request body"));
}

async fn stale_authorization_is_ignored_on_register(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post(
            "/hserve/v2.1/register/email/",
            Some("stale-token"),
            json!({"email": "c@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let login = app
        .post(
            "/hserve/v2.1/login/email/",
            Some("stale-token"),
            json!({"email": "c@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED);
}

async fn unknown_register_kind_is_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post(
            "/hserve/v2.1/register/fax/",
            None,
            json!({"fax": "1", "password": "secret123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["status"], "error");
}
