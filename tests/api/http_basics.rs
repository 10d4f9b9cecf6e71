//! Health, CORS, client ids, unknown routes, trailing slashes.

use reqwest::{Method, StatusCode};

use crate::helpers::{spawn_app, spawn_app_with, Backend};

on_both_backends!(
    health_answers_200,
    cors_preflight_is_answered,
    configured_client_ids_are_enforced,
    unknown_routes_get_a_json_404,
);

async fn health_answers_200(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/health", "/health/"] {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
}

async fn cors_preflight_is_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .client
        .request(
            Method::OPTIONS,
            format!("{}/hserve/v2.1/login/email/", app.address),
        )
        .header("Origin", "http://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,x-hydrogen-client-id",
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://app.example.com");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-hydrogen-client-id"),
        "{allowed}"
    );
}

async fn configured_client_ids_are_enforced(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.client_ids = "test-client, other".into()).await;
    let ok = app
        .post("/hserve/v2.0/login/anonymous/", None, serde_json::json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "test-client is accepted");
    let missing = app
        .client
        .post(format!("{}/hserve/v2.0/login/anonymous/", app.address))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .post(format!("{}/hserve/v2.0/login/anonymous/", app.address))
        .header("X-Hydrogen-Client-ID", "intruder")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert!(body["error_msg"].as_str().unwrap().contains("intruder"));
}

async fn unknown_routes_get_a_json_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/hserve/v9.9/nothing/", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body,
        serde_json::json!({"status": "error", "error_msg": "Not found."})
    );
    let wrong_version = app
        .post("/hserve/v1.0/login/email/", None, serde_json::json!({}))
        .await;
    assert_eq!(wrong_version.status, StatusCode::NOT_FOUND);
    let no_slash = app
        .post("/hserve/v2.0/login/anonymous", None, serde_json::json!({}))
        .await;
    assert_eq!(
        no_slash.status,
        StatusCode::CREATED,
        "a missing trailing slash is forgiven"
    );
}
