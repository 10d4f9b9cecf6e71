//! SealTalk (seed 004) on `schema/examples/sealtalk`, in the app's order: is
//! the phone free, a code, register with the verification token, the nickname
//! in bytes, the portrait cleared, finding a user by phone (if they allow
//! it), the blacklist, and syncing since a version.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{settle, Backend, TestApp};

on_both_backends!(sealtalk_walks_its_operations);

async fn register(app: &TestApp, phone: &str) -> (String, i64) {
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": phone, "region": "86"}),
    )
    .await;
    let code = app.last_sms_code(&format!("+86{phone}"));
    let proof = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": phone, "region": "86", "code": code}),
        )
        .await;
    let token = proof.body["verification_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": phone, "region": "86", "password": "secret123",
                   "verification_token": token, "nickname": "小明"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (
        r.body["token"].as_str().unwrap().to_owned(),
        r.body["user_id"].as_i64().unwrap(),
    )
}

async fn sealtalk_walks_its_operations(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/sealtalk");
        s.availability_check = true;
        s.sms_per_number_per_minute = 10;
    })
    .await;
    let free = app
        .post(
            "/hserve/v2.0/user/available/",
            None,
            json!({"phone": "13800000021", "region": "86"}),
        )
        .await;
    assert_eq!(free.body["available"], true, "{:?}", free.body);
    let (ann, ann_id) = register(&app, "13800000021").await;
    let (bob, bob_id) = register(&app, "13800000022").await;
    let taken = app
        .post(
            "/hserve/v2.0/user/available/",
            None,
            json!({"phone": "13800000021", "region": "86"}),
        )
        .await;
    assert_eq!(taken.body["available"], false);

    // Nickname: 1 to 32 bytes of UTF-8 (eleven Chinese characters are 33).
    let long = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"nickname": "一二三四五六七八九十一"}),
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(
        long.error_msg().contains("max_bytes"),
        "{}",
        long.error_msg()
    );
    app.set_profile(
        &ann,
        json!({"portrait_uri": "http://test.com/user/abc123.jpg"}),
    )
    .await;
    app.set_profile(&ann, json!({"portrait_uri": ""})).await;

    // Find by phone, unless the user turned it off.
    let find = "/hserve/v2.0/user/find/?phone=13800000021&region=86";
    assert_eq!(app.get(find, Some(&bob)).await.body["id"], ann_id);
    app.set_profile(&ann, json!({"allow_find_by_phone": false}))
        .await;
    assert_eq!(
        app.get(find, Some(&bob)).await.status,
        StatusCode::NOT_FOUND
    );

    // Find by the SealTalk account, unless the user turned that off: the
    // same 404 as for an account nobody has.
    app.set_profile(&ann, json!({"st_account": "ann_st01"}))
        .await;
    let by_account = "/hserve/v2.0/user/find/?st_account=ann_st01";
    let found = app.get(by_account, Some(&bob)).await;
    assert_eq!(found.body["id"], ann_id, "{:?}", found.body);
    assert!(found.body.get("_phone").is_none(), "public fields only");
    let nobody = app
        .get("/hserve/v2.0/user/find/?st_account=nobody_99", Some(&bob))
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    app.set_profile(&ann, json!({"allow_find_by_account": false}))
        .await;
    let hidden = app.get(by_account, Some(&bob)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, nobody.body, "hidden and unknown look the same");

    // The blacklist: one entry per blocked user, private to its owner.
    let sync = |query: String| {
        let ann = ann.clone();
        let app = &app;
        async move {
            app.get(
                &format!("/hserve/v2.4/changes/?tables=blacklist&profile=1&{query}"),
                Some(&ann),
            )
            .await
            .body
        }
    };
    let version = sync("since=0".into()).await;
    let cursor = version["cursor"].as_str().unwrap().to_owned();
    let entry = app
        .create_record("blacklist", &ann, json!({"user": bob_id}))
        .await;
    let again = app
        .post(
            "/hserve/v2.4/table/blacklist/record/",
            Some(&ann),
            json!({"user": bob_id}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "blocked once");
    let list = app
        .list_records("blacklist", Some(&ann), &[("expand", "user")])
        .await;
    assert_eq!(
        list.body["objects"][0]["user"]["nickname"], "小明",
        "{:?}",
        list.body
    );
    assert_eq!(
        app.list_records("blacklist", Some(&bob), &[]).await.body["objects"],
        json!([])
    );

    // Sync since the version: the new blacklist entry, then its removal.
    let non_empty = |key: &'static str| {
        move |v: &serde_json::Value| v[key].as_array().is_some_and(|a| !a.is_empty())
    };
    let changed = settle(|| sync(format!("cursor={cursor}")), non_empty("objects")).await;
    assert_eq!(changed["objects"][0]["id"], entry["id"], "{changed:?}");
    let cursor = changed["cursor"].as_str().unwrap().to_owned();
    app.send(
        Method::DELETE,
        &format!(
            "/hserve/v2.5/table/blacklist/record/{}/",
            entry["id"].as_str().unwrap()
        ),
        Some(&format!("Hydrogen-r1 {ann}")),
        None,
    )
    .await;
    let removed = settle(|| sync(format!("cursor={cursor}")), non_empty("deleted")).await;
    assert_eq!(removed["deleted"][0]["id"], entry["id"], "{removed:?}");
}
