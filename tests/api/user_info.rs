//! `GET /hserve/v2.5/user/info/:id/` (and v2.2): field visibility.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, Backend};

on_both_backends!(
    own_record_shows_built_ins_and_owner_fields,
    another_users_record_shows_only_public_fields,
    user_info_needs_a_login_and_a_real_user,
    keys_select_fields_but_not_private_ones,
    admin_token_sees_everything,
);

async fn own_record_shows_built_ins_and_owner_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, id) = app.register_email("j@example.com", "secret123").await;
    app.set_profile(&token, json!({"nickname": "jay", "birthday": "1990-01-02"}))
        .await;
    for version in ["v2.5", "v2.2"] {
        let r = app
            .get(&format!("/hserve/{version}/user/info/{id}/"), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for key in [
            "id",
            "user_id",
            "_email",
            "_email_verified",
            "_phone_verified",
            "_provider",
            "_anonymous",
            "created_at",
            "updated_at",
            "created_by",
            "birthday",
            "score",
            "is_vip",
        ] {
            assert!(
                r.body.get(key).is_some(),
                "{version}: own record lacks {key}: {}",
                r.body
            );
        }
        assert_eq!(r.body["birthday"], "1990-01-02");
        // As on Hydrogen, what the account lacks is absent, not null.
        for unset in ["_phone", "_username", "bio"] {
            assert!(
                r.body.get(unset).is_none(),
                "{version}: {unset}: {}",
                r.body
            );
        }
    }
}

async fn another_users_record_shows_only_public_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    app.set_profile(
        &ann,
        json!({"nickname": "ann", "birthday": "1990-01-02", "score": {"$incr_by": 3}}),
    )
    .await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let r = app
        .get(&format!("/hserve/v2.5/user/info/{ann_id}/"), Some(&bob))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["nickname"], "ann");
    assert_eq!(r.body["id"], ann_id);
    for private in [
        "_username",
        "_anonymous",
        "_email",
        "_email_verified",
        "_phone",
        "_phone_verified",
        "_provider",
        "birthday",
        "score",
        "is_vip",
    ] {
        assert!(
            r.body.get(private).is_none(),
            "{private} leaked: {}",
            r.body
        );
    }
}

async fn user_info_needs_a_login_and_a_real_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, id) = app.register_email("k@example.com", "secret123").await;
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some("bogus"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let missing = app
        .get("/hserve/v2.5/user/info/999999/", Some(&token))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body,
        json!({"status": "error", "error_msg": "Not found."})
    );
    let bad = app.get("/hserve/v2.5/user/info/abc/", Some(&token)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().starts_with("user_id:"));
}

async fn keys_select_fields_but_not_private_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ann, ann_id) = app.register_email("l@example.com", "secret123").await;
    app.set_profile(&ann, json!({"nickname": "ell", "city": "Paris"}))
        .await;
    let (bob, _) = app.register_email("m@example.com", "secret123").await;
    let r = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&bob),
            &[("keys", "nickname,city")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"id": ann_id, "nickname": "ell", "city": "Paris"})
    );
    let excl = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&ann),
            &[("keys", "-_email,-city")],
        )
        .await;
    assert!(
        excl.body.get("_email").is_none()
            && excl.body.get("city").is_none()
            && excl.body.get("nickname").is_some()
    );
    let private = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&bob),
            &[("keys", "_email")],
        )
        .await;
    assert_eq!(private.status, StatusCode::BAD_REQUEST);
    assert!(private.error_msg().contains("_email"));
    let unknown = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&bob),
            &[("keys", "nope")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.error_msg().contains("unknown field 'nope'"));
}

async fn admin_token_sees_everything(backend: Backend) {
    let admin_token = "an-admin-token-of-some-length";
    let app = spawn_app_with(backend, |s| s.admin_token = admin_token.into()).await;
    let (_, id) = app.register_email("n@example.com", "secret123").await;
    let r = app
        .client
        .get(format!("{}/hserve/v2.5/user/info/{id}/", app.address))
        .header("Authorization", format!("Bearer {admin_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["_email"], "n@example.com");
    let wrong = app
        .client
        .get(format!("{}/hserve/v2.5/user/info/{id}/", app.address))
        .header("Authorization", "Bearer not-the-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}
