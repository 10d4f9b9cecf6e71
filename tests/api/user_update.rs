//! `PUT /hserve/v2.5/user/info/`: profile updates validated against `_userprofile.json`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(
    updates_declared_fields_and_returns_the_profile,
    violations_name_the_field_and_the_rule,
    fields_the_user_may_not_write_are_refused,
    incr_by_adds_atomically_and_respects_bounds,
    profile_update_needs_a_login,
);

async fn updates_declared_fields_and_returns_the_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("u1@example.com", "secret123").await;
    let r = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"nickname": "neo", "tags": ["a", "b"], "avatar": "https://img.example.com/a.png", "gender": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["nickname"], "neo");
    assert_eq!(r.body["tags"], json!(["a", "b"]));
    assert_eq!(r.body["gender"], serde_json::Value::Null);
    assert_eq!(r.body["id"], id);
    let again = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(again.body["tags"], json!(["a", "b"]));
    assert_eq!(again.body["avatar"], "https://img.example.com/a.png");
}

async fn violations_name_the_field_and_the_rule(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("u2@example.com", "secret123").await;
    let cases = [
        (
            json!({"nickname": "x".repeat(65)}),
            "nickname:",
            "maxLength",
        ),
        (json!({"gender": 7}), "gender:", "enum"),
        (json!({"gender": "male"}), "gender:", "type"),
        (json!({"avatar": "not a uri"}), "avatar:", "format"),
        (json!({"birthday": "yesterday"}), "birthday:", "format"),
        (json!({"tags": ["ok", 5]}), "tags.1:", "type"),
        (json!({"nope": 1}), "nope:", "not a field"),
    ];
    for (body, field, rule) in cases {
        let r = app
            .put("/hserve/v2.5/user/info/", Some(&t), body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            r.error_msg().starts_with(field) && r.error_msg().contains(rule),
            "{body}: {}",
            r.error_msg()
        );
    }
    // Nothing was half-written.
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["gender"], 0);
    assert_eq!(me.body["nickname"], serde_json::Value::Null);
    let mixed = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"nickname": "ok", "gender": 9}),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::BAD_REQUEST);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(
        me.body["nickname"],
        serde_json::Value::Null,
        "a refused update changes nothing"
    );
}

async fn fields_the_user_may_not_write_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("u3@example.com", "secret123").await;
    let vip = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"is_vip": true}))
        .await;
    assert_eq!(vip.status, StatusCode::FORBIDDEN);
    assert!(
        vip.error_msg().starts_with("is_vip:"),
        "{}",
        vip.error_msg()
    );
    for builtin in [
        "_email",
        "_email_verified",
        "id",
        "created_at",
        "_anonymous",
    ] {
        let r = app
            .put("/hserve/v2.5/user/info/", Some(&t), json!({builtin: true}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{builtin}");
        assert!(r.error_msg().starts_with(builtin), "{}", r.error_msg());
    }
}

async fn incr_by_adds_atomically_and_respects_bounds(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("u4@example.com", "secret123").await;
    let futures = (0..10).map(|_| {
        app.put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"score": {"$incr_by": 2}}),
        )
    });
    for r in futures::future::join_all(futures).await {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["score"], 20, "ten parallel increments of 2");
    let below = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"score": {"$incr_by": -21}}),
        )
        .await;
    assert_eq!(below.status, StatusCode::BAD_REQUEST);
    assert!(
        below.error_msg().starts_with("score:") && below.error_msg().contains("minimum"),
        "{}",
        below.error_msg()
    );
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["score"], 20, "rolled back");
    let on_text = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"nickname": {"$incr_by": 1}}),
        )
        .await;
    assert_eq!(on_text.status, StatusCode::BAD_REQUEST);
    let bad_op = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"score": {"$mul": 2}}),
        )
        .await;
    assert_eq!(bad_op.status, StatusCode::BAD_REQUEST);
    assert!(bad_op.error_msg().contains("$mul"));
}

async fn profile_update_needs_a_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .put("/hserve/v2.5/user/info/", None, json!({"nickname": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
