//! `POST /hserve/v2.0/idp/:provider/token/`: an app signs in with an access
//! token it got from the provider's own SDK (Weibo's `access_token` + `uid`),
//! checked against the provider's user-info endpoint — here a fake Weibo the
//! test starts, which takes the token as a query parameter, not a header.

use std::collections::{BTreeMap, HashMap};

use actix_web::{web, App, HttpResponse, HttpServer};
use protium::config::OAuthProviderSettings;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::Backend;

on_both_backends!(an_app_signs_in_with_a_token_from_the_providers_sdk);

/// The fake provider's user-info endpoint: `good-token` is valid for any uid.
async fn users_show(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    match (
        query.get("access_token").map(String::as_str),
        query.get("uid"),
    ) {
        (Some("good-token"), Some(uid)) => HttpResponse::Ok().json(json!({
            "id": uid.parse::<i64>().unwrap_or(0),
            "screen_name": format!("微博用户{uid}"),
        })),
        _ => HttpResponse::Unauthorized().json(json!({"error": "invalid_access_token"})),
    }
}

async fn an_app_signs_in_with_a_token_from_the_providers_sdk(backend: Backend) {
    let server =
        HttpServer::new(|| App::new().route("/2/users/show.json", web::get().to(users_show)))
            .workers(1)
            .bind("127.0.0.1:0")
            .unwrap();
    let port = server.addrs()[0].port();
    let running = server.run();
    let handle = running.handle();
    tokio::spawn(running);
    let base = format!("http://127.0.0.1:{port}");
    let weibo = OAuthProviderSettings {
        name: "weibo".into(),
        kind: "oauth2".into(),
        client_id: "app".into(),
        client_secret: "secret".into(),
        authorize_url: format!("{base}/oauth2/authorize"),
        token_url: format!("{base}/oauth2/access_token"),
        userinfo_url: format!("{base}/2/users/show.json"),
        subject_claim: "id".into(),
        mapping: BTreeMap::from([("nickname".into(), "screen_name".into())]),
        native_token: true,
        token_param: "access_token".into(),
        userinfo_params: vec!["uid".into()],
        ..Default::default()
    };
    let app =
        crate::helpers::spawn_app_with(backend, move |s| s.oauth_providers = vec![weibo]).await;
    let sign_in = |token: &'static str, create: bool| {
        app.post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"access_token": token, "uid": 1234567, "create_user": create}),
        )
    };
    let unknown = sign_in("good-token", false).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{:?}", unknown.body);
    let first = sign_in("good-token", true).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["_provider"]["weibo"]["id"], "1234567");
    assert_eq!(first.body["nickname"], "微博用户1234567");
    let again = sign_in("good-token", false).await;
    assert_eq!(
        again.body["user_id"], first.body["user_id"],
        "the same user"
    );
    let forged = sign_in("forged-token", true).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{:?}", forged.body);
    assert!(
        forged.error_msg().starts_with("access_token"),
        "{}",
        forged.error_msg()
    );
    let other = app
        .post(
            "/hserve/v2.0/idp/acme/token/",
            None,
            json!({"access_token": "x"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "an unknown provider");
    handle.stop(false).await;
}
