//! Password login and logout.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(
    login_by_each_identifier,
    wrong_password_and_unknown_account_get_the_same_answer,
    logout_ends_the_session,
    logout_with_an_unknown_token_still_succeeds,
    expired_sessions_are_refused,
);

async fn login_by_each_identifier(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, id) = app.register_email("d@example.com", "secret123").await;
    app.put(
        "/hserve/v2.2/user/account/",
        Some(&token),
        json!({"username": "dee", "phone": "13900000000"}),
    )
    .await;
    for (kind, value) in [
        ("email", "d@example.com"),
        ("username", "dee"),
        ("phone", "13900000000"),
    ] {
        let r = app
            .post(
                &format!("/hserve/v2.1/login/{kind}/"),
                None,
                json!({kind: value, "password": "secret123"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {:?}", r.body);
        assert_eq!(r.body["user_id"], id);
        assert_ne!(
            r.body["token"],
            token.as_str(),
            "each login opens a new session"
        );
    }
}

async fn wrong_password_and_unknown_account_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_email("e@example.com", "secret123").await;
    let wrong = app.login_email("e@example.com", "nope-nope").await;
    let unknown = app.login_email("x@example.com", "nope-nope").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.body, unknown.body,
        "no account enumeration through login"
    );
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, id) = app.register_email("f@example.com", "secret123").await;
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post("/hserve/v2.0/session/destroy/", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        r.body,
        json!({"message": "Destroy succeed.", "status": "ok"})
    );
    let after = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.body["status"], "error");
}

async fn logout_with_an_unknown_token_still_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .post("/hserve/v2.0/session/destroy/", Some("unknown"), json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the SDK clears its session only on 2xx"
    );
}

async fn expired_sessions_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, id) = app.register_email("g@example.com", "secret123").await;
    app.db.execute("UPDATE sessions SET expires_at = 1");
    let r = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

on_both_backends!(password_attempts_are_rate_limited_per_address);

async fn password_attempts_are_rate_limited_per_address(backend: Backend) {
    // 8 a minute allows a burst of 2.
    let app = crate::helpers::spawn_app_with(backend, |s| s.auth_rate_per_minute = 8).await;
    let (_, _) = app.register_email("rl@example.com", "secret123").await;
    let wrong = json!({"email": "rl@example.com", "password": "guess-one"});
    let first = app
        .post("/hserve/v2.1/login/email/", None, wrong.clone())
        .await;
    assert_eq!(first.status, StatusCode::BAD_REQUEST);
    let limited = app.post("/hserve/v2.1/login/email/", None, wrong).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["status"], "error");
    assert!(limited.error_msg().contains("too many attempts"));
    assert!(
        limited.retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "the 429 says when to retry: {:?}",
        limited.retry_after
    );
    let right = json!({"email": "rl@example.com", "password": "secret123"});
    let still = app.post("/hserve/v2.1/login/email/", None, right).await;
    assert_eq!(
        still.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
}
