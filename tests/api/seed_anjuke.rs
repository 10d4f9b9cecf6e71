//! Anjuke 安居生活 (seed 002) on `schema/examples/anjuke`, in the app's order:
//! sign-in with a Weibo token and with a WeChat code (fake providers the test
//! starts), the SMS code checked on one screen and used on the next to
//! register, phone + password login, a third-party user binding a phone and a
//! password, the profile with a Unix-seconds birthday and the age computed
//! from it, hobbies and a community from admin-kept reference data, the
//! latest app version, a password reset by SMS, logout, the default pictures, user ids by city and
//! device type, and a device login.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, ADMIN_TOKEN};

on_both_backends!(anjuke_walks_its_operations);

async fn anjuke_walks_its_operations(backend: Backend) {
    let (weibo, weibo_handle) = crate::native_token::start_fake_weibo();
    let (wechat, wechat_handle) = crate::native_token::start_fake_wechat();
    let app = crate::helpers::spawn_app_public(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/anjuke");
        s.admin_token = ADMIN_TOKEN.into();
        s.oauth_providers = vec![weibo, wechat];
        s.sms_per_number_per_minute = 10;
    })
    .await;

    // Sign in with Weibo's access_token + uid, and with a WeChat code.
    let by_weibo = app
        .post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"access_token": "good-token", "uid": 5550001}),
        )
        .await;
    assert_eq!(by_weibo.status, StatusCode::CREATED, "{:?}", by_weibo.body);
    assert_eq!(
        by_weibo.body["nickname"], "微博用户1234567",
        "the token's owner"
    );
    let by_wechat = app
        .post(
            "/hserve/v2.0/idp/wechat/token/",
            None,
            json!({"code": "good-anjuke", "dev": 0}),
        )
        .await;
    assert_eq!(
        by_wechat.status,
        StatusCode::CREATED,
        "{:?}",
        by_wechat.body
    );
    assert_eq!(by_wechat.body["nickname"], "微信用户");
    assert_ne!(by_wechat.body["user_id"], by_weibo.body["user_id"]);
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
    // loginAndGetUserInfo: phone + password (the app's MD5 string is the password).
    let login = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": phone, "password": "secret123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
    assert_eq!(login.body["user_id"], signup.body["user_id"]);

    // The WeChat user binds a phone with a code, then sets a password, and
    // signs in with them from then on.
    let wechat_token = by_wechat.body["token"].as_str().unwrap().to_owned();
    let code = app.texted_code("+8613800000032").await;
    let bound = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&wechat_token),
            json!({"phone": "13800000032", "code": code}),
        )
        .await;
    assert_eq!(bound.status, StatusCode::OK, "{:?}", bound.body);
    let set = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&wechat_token),
            json!({"new_password": "wx-pass-123"}),
        )
        .await;
    assert_eq!(
        set.status,
        StatusCode::OK,
        "no current password to give: {:?}",
        set.body
    );
    let by_phone = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": "13800000032", "password": "wx-pass-123"}),
        )
        .await;
    assert_eq!(
        by_phone.body["user_id"], by_wechat.body["user_id"],
        "{:?}",
        by_phone.body
    );

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

    // The latest version for a platform (support/upgrade), kept by admins.
    for (version, code, app_type) in [("1.9", 10, 1), ("2.0", 11, 1), ("2.1", 12, 2)] {
        let added = app
            .admin(
                Method::POST,
                "/hserve/v2.4/table/app_version/record/",
                Some(json!({"version": version, "version_code": code, "app_type": app_type,
                            "url": "https://dl.example.com/anlife.apk", "title": format!("当前最新版本为{version}"), "msg": "修复"})),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    }
    let latest = app
        .get_query(
            "/hserve/v2.4/table/app_version/record/",
            Some(&token),
            &[
                ("where", r#"{"app_type":1}"#),
                ("order_by", "-version_code"),
                ("limit", "1"),
            ],
        )
        .await;
    assert_eq!(
        latest.body["objects"][0]["version"], "2.0",
        "{:?}",
        latest.body
    );

    // The default pictures, in their order.
    for (sort, img) in [(2, "b"), (1, "a")] {
        app.admin(
            Method::POST,
            "/hserve/v2.4/table/default_photo/record/",
            Some(json!({"host_id": 1, "img_id": img, "sort": sort, "url": format!("https://img.example.com/{img}.png")})),
        )
        .await;
    }
    let photos = app
        .get_query(
            "/hserve/v2.4/table/default_photo/record/",
            Some(&token),
            &[("order_by", "sort")],
        )
        .await;
    let ids: Vec<&Value> = photos.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["img_id"])
        .collect();
    assert_eq!(ids, [&json!("a"), &json!("b")]);

    // Or a picture of one's own, uploaded (upd1.ajkimg.com/upload in the
    // app) and kept as the photo's URL.
    let (_, uploaded) = crate::files::upload(&app, &token, "me.png", crate::files::PNG).await;
    app.set_profile(&token, json!({"photo": uploaded})).await;
    assert_eq!(
        reqwest::get(&uploaded).await.unwrap().status(),
        StatusCode::OK
    );

    // User ids by city and device type: the city's communities, then their
    // users of that type.
    app.set_profile(&token, json!({"device_type": 1})).await;
    let bad_type = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&token),
            json!({"device_type": 3}),
        )
        .await;
    assert_eq!(bad_type.status, StatusCode::BAD_REQUEST, "1 iOS, 2 Android");
    let in_city = app
        .get_query(
            "/hserve/v2.4/table/community/record/",
            Some(&token),
            &[("where", r#"{"city_id":21}"#), ("keys", "id")],
        )
        .await;
    let community_ids: Vec<Value> = in_city.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let users = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&token),
            &[
                (
                    "where",
                    &json!({"community": {"$in": community_ids}, "device_type": 1}).to_string(),
                ),
                ("keys", "id"),
                ("limit", "1000"),
            ],
        )
        .await;
    assert_eq!(
        users.body["objects"],
        json!([{"id": signup.body["user_id"]}]),
        "{:?}",
        users.body
    );

    // findPwd: a code to the phone and the new password; every session ends.
    let code = app.texted_code("+8613800000031").await;
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": phone, "code": code, "password": "new-secret-1"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    let token = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": phone, "password": "new-secret-1"}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Logout ends the session.
    let out = app
        .post("/hserve/v2.0/session/destroy/", Some(&token), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::CREATED);
    assert_eq!(
        app.get(
            &format!("/hserve/v2.5/user/info/{}/", signup.body["user_id"]),
            Some(&token)
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
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
    weibo_handle.stop(false).await;
    wechat_handle.stop(false).await;
}
