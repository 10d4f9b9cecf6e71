//! Anjuke 安居生活 (seed 002) on `schema/examples/anjuke`, in the app's order:
//! the SMS code checked on one screen and used on the next to register, the
//! profile with a Unix-seconds birthday and the age computed from it, hobbies
//! and a community from admin-kept reference data, and a device login.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, ADMIN_TOKEN};

on_both_backends!(anjuke_walks_its_operations);

async fn anjuke_walks_its_operations(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/anjuke");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    // Screen one checks the code; screen two registers with it.
    let phone = "13800000031";
    let code = app.texted_code("+8613800000031").await;
    let checked = app
        .post(
            "/hserve/v1.8/sms-verification-code/check/",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{:?}", checked.body);
    let thirty_years_ago = chrono::Utc::now().timestamp() - 30 * 31_557_600 - 86_400;
    let signup = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": phone, "code": code, "password": "secret123",
                   "nickname": "小安", "sex": 2, "birthday": thirty_years_ago}),
        )
        .await;
    assert_eq!(signup.status, StatusCode::CREATED, "{:?}", signup.body);
    assert_eq!(signup.body["age"], 30, "{:?}", signup.body);
    let token = signup.body["token"].as_str().unwrap().to_owned();

    // Reference data kept by admins; users pick from it.
    let hobby = |name: &str| {
        app.admin(
            Method::POST,
            "/hserve/v2.4/table/hobby/record/",
            Some(json!({"name": name})),
        )
    };
    let reading = hobby("阅读").await;
    let hiking = hobby("徒步").await;
    let community = app
        .admin(
            Method::POST,
            "/hserve/v2.4/table/community/record/",
            Some(json!({"name": "阳光小区", "city_id": 21})),
        )
        .await;
    assert_eq!(
        community.status,
        StatusCode::CREATED,
        "{:?}",
        community.body
    );
    let refused = app
        .post(
            "/hserve/v2.4/table/hobby/record/",
            Some(&token),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "users do not add hobbies"
    );
    let ids = [&reading.body["id"], &hiking.body["id"]];
    app.set_profile(
        &token,
        json!({"hobby": ids, "community": community.body["id"]}),
    )
    .await;
    let me = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{}/", signup.body["user_id"]),
            Some(&token),
            &[("expand", "community")],
        )
        .await;
    assert_eq!(me.body["community"]["name"], "阳光小区", "{:?}", me.body);
    let hobbies = app
        .get_query(
            "/hserve/v2.4/table/hobby/record/",
            Some(&token),
            &[("where", &json!({"id": {"$in": ids}}).to_string())],
        )
        .await;
    assert_eq!(hobbies.body["objects"].as_array().map(Vec::len), Some(2));
    let bad = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&token),
            json!({"birthday": "1990-01-01"}),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::BAD_REQUEST,
        "birthday is Unix seconds"
    );

    // A device login, recorded with its platform.
    let device = app
        .post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": "anjuke-install-00000001", "platform": "android"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{:?}", device.body);
}
