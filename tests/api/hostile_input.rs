//! Hostile or odd input gets a clear 4xx, never a 500, and never half-written data.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_records_app, Backend};

on_both_backends!(
    nul_characters_are_refused_with_a_400,
    integers_beyond_64_bits_are_refused,
    increments_past_the_integer_range_are_refused,
    regex_syntax_the_database_rejects_is_a_400,
    oversized_queries_are_refused,
    sums_past_64_bits_are_never_a_500,
);

async fn nul_characters_are_refused_with_a_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("nul@example.com", "secret123").await;
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"nickname": "a\u{0}b"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.error_msg().starts_with("nickname:") && r.error_msg().contains("NUL"),
        "{}",
        r.error_msg()
    );
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"tags": ["ok", "b\u{0}d"]}),
        )
        .await;
    assert!(r.error_msg().starts_with("tags.1:"), "{}", r.error_msg());
    let w = json!({"nickname": "a\u{0}"}).to_string();
    let q = app
        .get_query("/hserve/v2.2/user/info/", Some(&t), &[("where", &w)])
        .await;
    assert_eq!(q.status, StatusCode::BAD_REQUEST);
    assert!(q.error_msg().contains("NUL"));
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["nickname"], serde_json::Value::Null);
}

async fn integers_beyond_64_bits_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("big@example.com", "secret123").await;
    let r = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"score": 1e20}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.error_msg().starts_with("score:") && r.error_msg().contains("integer"),
        "{}",
        r.error_msg()
    );
}

async fn increments_past_the_integer_range_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, id) = app.register_email("max@example.com", "secret123").await;
    app.set_profile(&t, json!({"score": i64::MAX})).await;
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"score": {"$incr_by": 1}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["score"], i64::MAX, "unchanged");
}

async fn regex_syntax_the_database_rejects_is_a_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("re@example.com", "secret123").await;
    // Valid for Rust's regex crate (SQLite) but not for Postgres: a 400 there, never a 500.
    let w = json!({"nickname": {"$regex": "(?P<name>a)"}}).to_string();
    let r = app
        .get_query("/hserve/v2.2/user/info/", Some(&t), &[("where", &w)])
        .await;
    match backend {
        Backend::Sqlite => assert_eq!(r.status, StatusCode::OK, "{:?}", r.body),
        Backend::Postgres => {
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
            assert!(
                r.error_msg().contains("regular expression"),
                "{}",
                r.error_msg()
            );
        }
    }
}

async fn oversized_queries_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("big-q@example.com", "secret123").await;
    let list: Vec<i64> = (0..1000).collect();
    let parts: Vec<serde_json::Value> = (0..6).map(|_| json!({"id": {"$in": list}})).collect();
    let w = json!({"$or": parts}).to_string();
    let r = app
        .get_query("/hserve/v2.2/user/info/", Some(&t), &[("where", &w)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.error_msg().contains("values in one query"),
        "{}",
        r.error_msg()
    );
}

async fn sums_past_64_bits_are_never_a_500(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (t, _) = app.register_email("sum@example.com", "secret123").await;
    for _ in 0..2 {
        app.create_record("post", &t, json!({"title": "max", "likes": i64::MAX}))
            .await;
    }
    let r = app
        .get_query(
            "/hserve/v2.4/table/post/aggregate/",
            Some(&t),
            &[("sum", "likes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["objects"][0]["sum"]["likes"].as_f64(),
        Some(i64::MAX as f64 * 2.0)
    );
}
