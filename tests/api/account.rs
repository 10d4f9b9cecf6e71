//! `PUT /hserve/v2.2/user/account/` (and v2.1).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};

on_both_backends!(
    changes_username_email_and_phone,
    null_clears_an_identifier_but_not_the_last,
    password_change_needs_the_old_password_and_revokes_other_sessions,
    taken_identifiers_are_refused,
    v2_1_answers_the_short_body,
    identifier_changes_need_the_password_when_configured,
);

async fn changes_username_email_and_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("a1@example.com", "secret123").await;
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email_verified = TRUE WHERE id = {id}"
    ));
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"username": "NewName", "email": "A2@Example.com", "phone": "13700000000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["_username"], "NewName");
    assert_eq!(r.body["_email"], "a2@example.com");
    assert_eq!(
        r.body["_email_verified"], false,
        "a new email is unverified"
    );
    assert_eq!(r.body["_phone"], "+8613700000000", "stored in E.164");
    assert_eq!(r.body["id"], id, "v2.2 answers the full profile");
    assert!(r.body.get("gender").is_some());
    let login = app
        .post(
            "/hserve/v2.1/login/username/",
            None,
            json!({"username": "newname", "password": "secret123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED);
    let old = app.login_email("a1@example.com", "secret123").await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
}

async fn null_clears_an_identifier_but_not_the_last(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("b1@example.com", "secret123").await;
    app.put(
        "/hserve/v2.2/user/account/",
        Some(&t),
        json!({"username": "bee"}),
    )
    .await;
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"email": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["_email"], Value::Null);
    let last = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"username": null}),
        )
        .await;
    assert_eq!(last.status, StatusCode::BAD_REQUEST);
    assert!(last
        .error_msg()
        .contains("at least one of username, email or phone"));
    let bad = app
        .put("/hserve/v2.2/user/account/", Some(&t), json!({"email": 3}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().starts_with("email:"));
}

async fn password_change_needs_the_old_password_and_revokes_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t1, id) = app.register_email("c1@example.com", "secret123").await;
    let other = app.login_email("c1@example.com", "secret123").await;
    let t2 = other.body["token"].as_str().unwrap().to_owned();
    let missing = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t1),
            json!({"new_password": "newsecret1"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.error_msg().starts_with("password:"));
    let wrong = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t1),
            json!({"password": "not-it-at-all", "new_password": "newsecret1"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.error_msg().starts_with("password:"));
    let short = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t1),
            json!({"password": "secret123", "new_password": "1"}),
        )
        .await;
    assert!(short.error_msg().starts_with("new_password:"));
    let ok = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t1),
            json!({"password": "secret123", "new_password": "newsecret1"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let info = format!("/hserve/v2.5/user/info/{id}/");
    assert_eq!(
        app.get(&info, Some(&t1)).await.status,
        StatusCode::OK,
        "the current session stays"
    );
    assert_eq!(
        app.get(&info, Some(&t2)).await.status,
        StatusCode::UNAUTHORIZED,
        "other sessions are revoked"
    );
    let old = app.login_email("c1@example.com", "secret123").await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    let new = app.login_email("c1@example.com", "newsecret1").await;
    assert_eq!(new.status, StatusCode::CREATED);
}

async fn taken_identifiers_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register_email("d1@example.com", "secret123").await;
    app.register_username("Taken", "secret123").await;
    let (t, _) = app.register_email("d2@example.com", "secret123").await;
    let e = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"email": "D1@example.com"}),
        )
        .await;
    assert_eq!(e.status, StatusCode::BAD_REQUEST);
    assert!(e.error_msg().starts_with("email:"), "{}", e.error_msg());
    let u = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"username": "taken"}),
        )
        .await;
    assert_eq!(u.status, StatusCode::BAD_REQUEST);
    assert!(u.error_msg().starts_with("username:"), "{}", u.error_msg());
}

async fn v2_1_answers_the_short_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("e1@example.com", "secret123").await;
    let r = app
        .put(
            "/hserve/v2.1/user/account/",
            Some(&t),
            json!({"username": "eve"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"username": "eve", "email": "e1@example.com", "email_verified": false, "phone": null, "phone_verified": false})
    );
}

async fn identifier_changes_need_the_password_when_configured(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.reauth_account_changes = true).await;
    let (t, _) = app.register_email("r1@example.com", "secret123").await;
    let change = |body: Value| app.put("/hserve/v2.2/user/account/", Some(&t), body);
    let bare = change(json!({"email": "r2@example.com"})).await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert!(
        bare.error_msg().starts_with("password"),
        "{}",
        bare.error_msg()
    );
    let wrong = change(json!({"email": "r2@example.com", "password": "not-it-123"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.error_msg().contains("not the current password"),
        "{}",
        wrong.error_msg()
    );
    let right = change(json!({"email": "r2@example.com", "password": "secret123"})).await;
    assert_eq!(right.status, StatusCode::OK, "{:?}", right.body);
    assert_eq!(right.body["_email"], "r2@example.com");
    let cleared = change(json!({"username": "r_one", "password": "secret123"})).await;
    assert_eq!(cleared.status, StatusCode::OK, "{:?}", cleared.body);
}
