//! `DELETE /hserve/v2.2/user/account/`: a user deletes their own account with
//! their password (or a texted code, or nothing more for an account with
//! neither); their records follow each table's `on_owner_deleted`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(users_delete_their_own_accounts_and_records_follow_the_tables);

async fn spawn(backend: Backend) -> TestApp {
    crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
        s.admin_token = ADMIN_TOKEN.into();
        s.sms_per_number_per_minute = 10;
    })
    .await
}

async fn followers(app: &TestApp, id: i64, token: &str) -> Value {
    let path = format!("/hserve/v2.5/user/info/{id}/");
    app.get(&path, Some(token)).await.body["followers_count"].clone()
}

async fn delete_me(app: &TestApp, token: &str, body: Value) -> crate::helpers::Reply {
    app.send(
        Method::DELETE,
        "/hserve/v2.2/user/account/",
        Some(&format!("Hydrogen-r1 {token}")),
        Some(body),
    )
    .await
}

async fn users_delete_their_own_accounts_and_records_follow_the_tables(backend: Backend) {
    let app = spawn(backend).await;
    let (star, star_id) = app.register_email("star@example.com", "secret123").await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let follow = app
        .create_record("follow", &ann, json!({"followee": star_id}))
        .await;
    let invite = app
        .create_record("invite", &ann, json!({"note": "kept"}))
        .await;
    let gift = app
        .create_record("gift", &ann, json!({"receiver": star_id, "price": 1}))
        .await;
    assert_eq!(followers(&app, star_id, &star).await, 1);

    // The password is required, and must be right.
    let none = delete_me(&app, &ann, json!({})).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(
        none.error_msg().starts_with("password"),
        "{}",
        none.error_msg()
    );
    let wrong = delete_me(&app, &ann, json!({"password": "not-it-123"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    // A table that keeps a user while they have records there refuses.
    let refused = delete_me(&app, &ann, json!({"password": "secret123"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert!(
        refused.error_msg().contains("table 'gift'"),
        "{}",
        refused.error_msg()
    );
    app.send(
        Method::DELETE,
        &format!(
            "/hserve/v2.5/table/gift/record/{}/",
            gift["id"].as_str().unwrap()
        ),
        Some(&format!("Hydrogen-r1 {ann}")),
        None,
    )
    .await;

    let done = delete_me(&app, &ann, json!({"password": "secret123"})).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert_eq!(
        app.get("/hserve/v2.5/user/info/", Some(&ann)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_email("ann@example.com", "secret123").await.status,
        StatusCode::BAD_REQUEST
    );
    // Follows go with her (and the counter follows); invites stay, ownerless.
    let as_admin = |table: &str, record: &Value| {
        let path = format!(
            "/hserve/v2.5/table/{table}/record/{}/",
            record["id"].as_str().unwrap()
        );
        let app = &app;
        async move { app.admin(Method::GET, &path, None).await }
    };
    assert_eq!(
        as_admin("follow", &follow).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(followers(&app, star_id, &star).await, 0);
    let kept = as_admin("invite", &invite).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(kept.body["created_by"], Value::Null);
    let audit = app
        .admin_api(Method::GET, "/audit/", ADMIN_TOKEN, None)
        .await;
    assert!(
        audit.body.to_string().contains(&format!("user:{ann_id}")),
        "the deletion is audited: {:?}",
        audit.body
    );

    // An account without password or phone: the session is the proof.
    let device = app
        .post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": "deletion-test-device-01", "platform": "ios"}),
        )
        .await;
    let device_token = device.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        delete_me(&app, &device_token, json!({})).await.status,
        StatusCode::NO_CONTENT
    );

    // A phone account without a password proves itself with a texted code.
    let phone = "+8613800000123";
    let code = app.texted_code(phone).await;
    let sms = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    let sms_token = sms.body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{:?}", sms.body))
        .to_owned();
    let without = delete_me(&app, &sms_token, json!({})).await;
    assert!(
        without.error_msg().starts_with("code"),
        "{}",
        without.error_msg()
    );
    let code = app.texted_code(phone).await;
    assert_eq!(
        delete_me(&app, &sms_token, json!({"code": code}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}
