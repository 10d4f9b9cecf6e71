//! `POST /hserve/v2.0/login/device/` (`{device_id, platform, create_user}`):
//! the same installation always signs in the same user, who counts as signed
//! up for table rules; an unknown device may be told it is not registered.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend, ADMIN_TOKEN};

on_both_backends!(a_device_signs_in_the_same_user_every_time);

const DEVICE: &str = "3f2a9c1e-77b0-4c1d-9a8e-aa01";

async fn a_device_signs_in_the_same_user_every_time(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let login = |device: &'static str, create: bool| {
        app.post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": device, "platform": "iOS", "create_user": create, "nickname": "phone"}),
        )
    };
    let unknown = login(DEVICE, false).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{:?}", unknown.body);
    assert!(
        unknown.error_msg().contains("not registered"),
        "{}",
        unknown.error_msg()
    );

    let first = login(DEVICE, true).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let id = first.body["user_id"].as_i64().unwrap();
    let token = first.body["token"].as_str().unwrap().to_owned();
    let again = login(DEVICE, false).await;
    assert_eq!(again.body["user_id"], id, "the same user: {:?}", again.body);

    // Signed up, not anonymous: the default table rule lets it post.
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
        .await;
    assert_eq!(me.body["_anonymous"], false);
    assert_eq!(me.body["nickname"], "phone");
    app.create_record("post", &token, json!({"title": "from a phone"}))
        .await;

    // First logins of a new device at once make one user.
    let replies = join_all((0..8).map(|_| login("aaaaaaaaaaaaaaaa-parallel", true))).await;
    let ids: std::collections::BTreeSet<i64> = replies
        .iter()
        .map(|r| {
            r.body["user_id"]
                .as_i64()
                .unwrap_or_else(|| panic!("{:?}", r.body))
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");

    for (body, field) in [
        (
            json!({"device_id": "short", "platform": "ios"}),
            "device_id",
        ),
        (
            json!({"device_id": DEVICE, "platform": "windows phone"}),
            "platform",
        ),
        (json!({"platform": "ios"}), "device_id"),
    ] {
        let r = app.post("/hserve/v2.0/login/device/", None, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert!(r.error_msg().starts_with(field), "{}", r.error_msg());
    }

    // A disabled user's device is refused.
    let off = app
        .admin_api(
            Method::POST,
            &format!("/users/{id}/disable/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert!(off.status.is_success(), "{:?}", off.body);
    assert_eq!(login(DEVICE, true).await.status, StatusCode::FORBIDDEN);
}
