//! Requests as every SDK build sends them: Alipay's method override, and
//! every API version prefix from SDK 1.x to 3.x.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(
    a_post_naming_put_or_delete_is_served_as_that_method,
    every_sdk_builds_version_prefixes_are_served,
);

/// Alipay's SDK sends `PUT` and `DELETE` as `POST` with
/// `X-Hydrogen-Request-Method`; a `GET` is never turned into a write.
async fn a_post_naming_put_or_delete_is_served_as_that_method(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("alipay@example.com", "secret123").await;
    let created = app
        .create_record("product", &token, json!({"name": "tea", "price": 3}))
        .await;
    let path = format!(
        "{}/hserve/v2.4/table/product/record/{}/",
        app.address,
        created["id"].as_str().unwrap()
    );
    let overridden = |method: reqwest::Method, named: &str| {
        app.client
            .request(method, &path)
            .header("X-Hydrogen-Client-ID", "test")
            .header("Authorization", format!("Hydrogen-r1 {token}"))
            .header("X-Hydrogen-Request-Method", named)
    };
    let put = overridden(reqwest::Method::POST, "PUT")
        .json(&json!({"price": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let body: serde_json::Value = put.json().await.unwrap();
    assert_eq!(body["price"], 4, "{body}");

    let get = overridden(reqwest::Method::GET, "DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK, "a GET stays a read");
    let delete = overridden(reqwest::Method::POST, "DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    let gone = overridden(reqwest::Method::GET, "").send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

/// Every version prefix an SDK build sends is served (SDK 2.x signs in under
/// v2.0 without a kind in the path, reads the user under v2.0 right after, and
/// counts records under v2.0 by reading `total_count`); an unknown version is
/// a 404 that names the served ones.
async fn every_sdk_builds_version_prefixes_are_served(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let registered = app
        .post(
            "/hserve/v2.0/register/",
            None,
            json!({"email": "old-sdk@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{:?}",
        registered.body
    );
    let login = app
        .post(
            "/hserve/v2.0/login/",
            None,
            json!({"email": "old-sdk@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
    let token = login.body["token"].as_str().unwrap().to_owned();
    let id = login.body["user_id"].as_i64().unwrap();
    for version in ["v1.3", "v2.0", "v2.4", "v2.5"] {
        let me = app
            .get(&format!("/hserve/{version}/user/info/{id}/"), Some(&token))
            .await;
        assert_eq!(me.status, StatusCode::OK, "{version}: {:?}", me.body);
        assert_eq!(me.body["id"], id);
    }
    for version in ["v2.0", "v2.4"] {
        let updated = app
            .put(
                &format!("/hserve/{version}/user/info/"),
                Some(&token),
                json!({"nickname": version}),
            )
            .await;
        assert_eq!(
            updated.status,
            StatusCode::OK,
            "{version}: {:?}",
            updated.body
        );
    }
    let account = app
        .put(
            "/hserve/v2.0/user/account/",
            Some(&token),
            json!({"username": "old_sdk"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::OK, "{:?}", account.body);
    assert_eq!(
        account.body["username"], "old_sdk",
        "the short account body"
    );

    for version in ["v1.9", "v2.0"] {
        let base = format!("/hserve/{version}/table/product/record/");
        let created = app
            .post(
                &base,
                Some(&token),
                json!({"name": format!("pen {version}"), "price": 2}),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{version}: {:?}",
            created.body
        );
        let one = format!("{base}{}/", created.body["id"].as_str().unwrap());
        assert_eq!(app.get(&one, Some(&token)).await.body["price"], 2);
        let listed = app.get(&base, Some(&token)).await;
        assert!(
            listed.body["meta"]["total_count"].as_i64().is_some(),
            "{version} lists count by default: {:?}",
            listed.body
        );
        let put = app.put(&one, Some(&token), json!({"price": 3})).await;
        assert_eq!(put.body["price"], 3, "{version}");
        let deleted = app
            .call(reqwest::Method::DELETE, &one, Some(&token), None)
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{version}");
    }
    let current = app
        .get("/hserve/v2.4/table/product/record/", Some(&token))
        .await;
    assert!(
        current.body["meta"].get("total_count").is_none(),
        "v2.4 counts when asked"
    );
    let tables = app.get("/hserve/v1.9/table/", Some(&token)).await;
    assert_eq!(tables.status, StatusCode::OK);

    let unknown = app
        .get("/hserve/v9.1/table/product/record/", Some(&token))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.error_msg().contains("v9.1") && unknown.error_msg().contains("v2.4"),
        "{}",
        unknown.error_msg()
    );
    let out = app
        .post("/hserve/v1/session/destroy/", Some(&token), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::CREATED);
}
