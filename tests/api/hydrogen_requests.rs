//! Requests as every SDK build sends them: Alipay's method override.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(a_post_naming_put_or_delete_is_served_as_that_method);

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
