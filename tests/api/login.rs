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

on_both_backends!(
    password_attempts_are_rate_limited_per_address,
    an_identifier_is_locked_after_repeated_wrong_passwords,
    a_password_reset_lifts_the_lockout,
    forwarding_headers_count_only_through_trusted_proxies,
);

async fn password_attempts_are_rate_limited_per_address(backend: Backend) {
    // 3 a minute: the fourth attempt in the window is refused.
    let app = crate::helpers::spawn_app_with(backend, |s| s.auth_rate_per_minute = 3).await;
    let wrong = json!({"email": "rl@example.com", "password": "guess-one"});
    for _ in 0..3 {
        let r = app
            .post("/hserve/v2.1/login/email/", None, wrong.clone())
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            // The minute turned over between two attempts: start again.
            return Box::pin(password_attempts_are_rate_limited_per_address(backend)).await;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let limited = app.post("/hserve/v2.1/login/email/", None, wrong).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["status"], "error");
    assert!(
        limited
            .error_msg()
            .starts_with("too many attempts from this address; retry in "),
        "{}",
        limited.error_msg()
    );
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

/// Ten wrong passwords for one address lock its logins — even the right
/// password — until the window ends; an address nobody registered locks the
/// same way, so the lockout tells nobody which accounts exist.
async fn an_identifier_is_locked_after_repeated_wrong_passwords(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.login_lockout_failures = 3).await;
    app.register_email("lock@example.com", "secret123").await;
    for email in ["lock@example.com", "nobody@example.com"] {
        for _ in 0..3 {
            let r = app
                .post(
                    "/hserve/v2.1/login/email/",
                    None,
                    json!({"email": email, "password": "wrong-guess"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{email}: {:?}", r.body);
        }
        let locked = app
            .post(
                "/hserve/v2.1/login/email/",
                None,
                json!({"email": email, "password": "secret123"}),
            )
            .await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert!(
            locked
                .error_msg()
                .starts_with("too many attempts from this account; retry in "),
            "{}",
            locked.error_msg()
        );
        assert!(
            locked.retry_after.is_some_and(|s| (1..=900).contains(&s)),
            "{:?}",
            locked.retry_after
        );
    }
    // Other identifiers are not affected.
    app.register_email("free@example.com", "secret123").await;
    assert_eq!(
        app.login_email("free@example.com", "secret123")
            .await
            .status,
        StatusCode::CREATED
    );
}

/// The owner of a locked account gets back in by resetting the password.
async fn a_password_reset_lifts_the_lockout(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.login_lockout_failures = 2;
        s.sms_sender = protium::config::SmsSenderKind::Memory;
        s.sms_per_number_per_minute = 10;
    })
    .await;
    // Registered with a texted code: a reset by SMS needs a proven number.
    let code = app.texted_code("+8613800000000").await;
    let registered = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13800000000", "password": "secret123", "code": code}),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{:?}",
        registered.body
    );
    for _ in 0..2 {
        app.post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": "13800000000", "password": "wrong-guess"}),
        )
        .await;
    }
    let locked = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": "13800000000", "password": "secret123"}),
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": "13800000000"}),
    )
    .await;
    let code = app.last_sms_code("+8613800000000");
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": "13800000000", "code": code, "password": "new-secret-1"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    let back = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": "13800000000", "password": "new-secret-1"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::CREATED, "{:?}", back.body);
}

/// Behind a trusted proxy each client has its own budget; a client that is
/// not a trusted proxy cannot choose its address with a header.
async fn forwarding_headers_count_only_through_trusted_proxies(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.auth_rate_per_minute = 2;
        s.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let attempt = |client: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/hserve/v2.1/login/email/", app.address))
                .header("X-Hydrogen-Client-ID", "t")
                .header("X-Forwarded-For", format!("{client}, 127.0.0.1"))
                .json(&json!({"email": "x@example.com", "password": "wrong-guess"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(attempt("203.0.113.1").await, StatusCode::BAD_REQUEST);
    assert_eq!(attempt("203.0.113.1").await, StatusCode::BAD_REQUEST);
    let third = attempt("203.0.113.1").await;
    let other = attempt("203.0.113.2").await;
    if third == StatusCode::BAD_REQUEST {
        return; // the minute turned over in between; nothing to conclude
    }
    assert_eq!(third, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        other,
        StatusCode::BAD_REQUEST,
        "another client behind the proxy has its own budget"
    );

    // Untrusted: the header is ignored and everything counts under the peer.
    let direct = crate::helpers::spawn_app_with(backend, |s| s.auth_rate_per_minute = 2).await;
    let mut statuses = Vec::new();
    for client in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        let status = direct
            .client
            .post(format!("{}/hserve/v2.1/login/email/", direct.address))
            .header("X-Hydrogen-Client-ID", "t")
            .header("X-Forwarded-For", client)
            .json(&json!({"email": "x@example.com", "password": "wrong-guess"}))
            .send()
            .await
            .unwrap()
            .status();
        statuses.push(status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "a forged header bought no budget: {statuses:?}"
    );
}
