//! SealTalk (seed 004) on `schema/examples/sealtalk`, in the app's order: the
//! region list, is the phone free, a code, register with the verification
//! token, login, the password changed and reset with a verification token,
//! logout, the gender, the nickname in bytes, the portrait cleared, finding a user by phone
//! or SealTalk account (if they allow it), the blacklist, syncing since a
//! version, my groups and the groups saved to contacts, and the privacy and
//! poke switches.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{settle, Backend, TestApp, ADMIN_TOKEN};

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
    let app = crate::helpers::spawn_app_public(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/sealtalk");
        s.availability_check = true;
        s.find_by_contact = true;
        s.sms_per_number_per_minute = 10;
        s.admin_token = ADMIN_TOKEN.into();
        s.password_forbidden_chars = r"\s".into();
        s.password_max_bytes = 20;
    })
    .await;
    // The region list: reference data admins keep, anyone reads.
    for (region, en, zh) in [("86", "China", "中国"), ("1", "Canada", "加拿大")] {
        let added = app
            .admin(
                Method::POST,
                "/hserve/v2.4/table/region/record/",
                Some(json!({"region": region, "locale": {"en": en, "zh": zh}})),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    }
    let regions = app
        .get_query(
            "/hserve/v2.4/table/region/record/",
            None,
            &[("order_by", "region"), ("limit", "1000")],
        )
        .await;
    assert_eq!(regions.status, StatusCode::OK, "{:?}", regions.body);
    assert_eq!(regions.body["objects"][0]["region"], "1");
    assert_eq!(
        regions.body["objects"][1]["locale"],
        json!({"en": "China", "zh": "中国"})
    );
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

    // Login with region, phone and password; change it (no spaces, at most
    // 20 bytes); log out; set a new one with a verification token.
    let login = |password: &'static str| {
        app.post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"region": "86", "phone": "13800000022", "password": password}),
        )
    };
    let signed_in = login("secret123").await;
    assert_eq!(
        signed_in.status,
        StatusCode::CREATED,
        "{:?}",
        signed_in.body
    );
    let session = signed_in.body["token"].as_str().unwrap().to_owned();
    let change = |new_password: &'static str| {
        app.put(
            "/hserve/v2.2/user/account/",
            Some(&session),
            json!({"password": "secret123", "new_password": new_password}),
        )
    };
    for bad in ["has space1", "a-password-of-21-byte"] {
        let refused = change(bad).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {:?}",
            refused.body
        );
        assert!(
            refused.error_msg().starts_with("new_password"),
            "{}",
            refused.error_msg()
        );
    }
    assert_eq!(change("secret456").await.status, StatusCode::OK);
    assert_eq!(login("secret456").await.status, StatusCode::CREATED);
    let out = app
        .post("/hserve/v2.0/session/destroy/", Some(&session), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::CREATED);
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": "13800000022", "region": "86"}),
    )
    .await;
    let code = app.last_sms_code("+8613800000022");
    let proof = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": "13800000022", "region": "86", "code": code}),
        )
        .await;
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"region": "86", "phone": "13800000022", "password": "secret789",
                   "verification_token": proof.body["verification_token"]}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{bob_id}/"), Some(&bob))
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a reset ends every session"
    );
    let bob = login("secret789").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.set_profile(&bob, json!({"gender": "male"})).await;

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
    // get_image_token: the upload's announcement is the token (a policy and
    // a single-use authorization for one file); the picture's path is then
    // the portrait's URL.
    let image_token = app
        .post(
            "/hserve/v2.1/upload/",
            Some(&ann),
            json!({"filename": "portrait.png"}),
        )
        .await;
    assert_eq!(image_token.status, StatusCode::OK, "{:?}", image_token.body);
    assert!(
        image_token.body["policy"].is_string() && image_token.body["authorization"].is_string()
    );
    let sent = crate::files::send_bytes(&image_token.body, "portrait.png", crate::files::PNG).await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let portrait = image_token.body["path"].as_str().unwrap();
    app.set_profile(&ann, json!({"portrait_uri": portrait}))
        .await;
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{ann_id}/"), Some(&bob))
            .await
            .body["portrait_uri"],
        portrait
    );
    assert_eq!(
        reqwest::get(portrait).await.unwrap().status(),
        StatusCode::OK
    );
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
    let same = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&bob),
            json!({"st_account": "ann_st01"}),
        )
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST, "{:?}", same.body);
    assert!(same.error_msg().contains("taken"), "{}", same.error_msg());
    let by_account = "/hserve/v2.0/user/find/?st_account=ann_st01";
    let found = app.get(by_account, Some(&bob)).await;
    assert_eq!(found.body["id"], ann_id, "{:?}", found.body);
    assert!(found.body.get("_phone").is_none(), "public fields only");
    let nobody = app
        .get("/hserve/v2.0/user/find/?st_account=nobody_99", Some(&bob))
        .await;
    // The account is searched through the lookup only, where users may hide.
    let searched = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&bob),
            &[("where", r#"{"st_account":"ann_st01"}"#)],
        )
        .await;
    assert_eq!(
        searched.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        searched.body
    );
    assert!(
        searched.error_msg().contains("user/find"),
        "{}",
        searched.error_msg()
    );
    for (path, param) in [
        ("/hserve/v2.2/user/info/", "order_by"),
        ("/hserve/v2.4/user/aggregate/", "group_by"),
    ] {
        let probe = app
            .get_query(path, Some(&bob), &[(param, "st_account")])
            .await;
        assert_eq!(
            probe.status,
            StatusCode::BAD_REQUEST,
            "{param}: {:?}",
            probe.body
        );
    }
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
                &format!(
                    "/hserve/v2.4/changes/?tables=blacklist,friendship,group,group_member&profile=1&{query}"
                ),
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
    let unblock = app
        .send(
            Method::DELETE,
            &format!(
                "/hserve/v2.4/table/blacklist/record/?{}",
                serde_urlencoded::to_string([(
                    "where",
                    json!({"user": bob_id.to_string()}).to_string()
                )])
                .unwrap()
            ),
            Some(&format!("Hydrogen-r1 {ann}")),
            None,
        )
        .await;
    assert_eq!(unblock.status, StatusCode::OK, "{:?}", unblock.body);
    let removed = settle(|| sync(format!("cursor={cursor}")), non_empty("deleted")).await;
    assert_eq!(removed["deleted"][0]["id"], entry["id"], "{removed:?}");
    let cursor = removed["cursor"].as_str().unwrap().to_owned();

    // Groups: Ann creates one and adds Bob; Bob lists his groups with the
    // member count the server keeps, and saves the group to his contacts.
    let group = app
        .create_record(
            "group",
            &ann,
            json!({"name": "Team 1", "portrait_uri": "http://test.com/group/abc123.jpg"}),
        )
        .await;
    for (member, role) in [(ann_id, 0), (bob_id, 1)] {
        app.create_record(
            "group_member",
            &ann,
            json!({"group": group["id"], "member": member.to_string(), "role": role}),
        )
        .await;
    }
    let mine = app
        .list_records(
            "group_member",
            Some(&bob),
            &[
                ("where", &json!({"member": bob_id.to_string()}).to_string()),
                ("expand", "group"),
            ],
        )
        .await;
    assert_eq!(
        mine.body["objects"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        mine.body
    );
    assert_eq!(mine.body["objects"][0]["group"]["name"], "Team 1");
    assert_eq!(mine.body["objects"][0]["group"]["member_count"], 2);
    app.create_record("fav_group", &bob, json!({"group": group["id"]}))
        .await;
    let favs = app
        .list_records(
            "fav_group",
            Some(&bob),
            &[
                ("expand", "group"),
                ("limit", "1"),
                ("offset", "0"),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(favs.body["meta"]["total_count"], 1, "{:?}", favs.body);
    assert_eq!(favs.body["objects"][0]["group"]["name"], "Team 1");

    // A friend, private to Ann; the sync brings the friend, the group and
    // its members under one cursor.
    app.create_record(
        "friendship",
        &ann,
        json!({"friend": bob_id.to_string(), "display_name": "Bob", "status": 20}),
    )
    .await;
    assert_eq!(
        app.list_records("friendship", Some(&bob), &[]).await.body["objects"],
        json!([])
    );
    let tables = |v: &serde_json::Value| {
        let mut t: Vec<String> = v["objects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o["_table"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        t.sort();
        t
    };
    let synced = settle(
        || sync(format!("cursor={cursor}")),
        |v| tables(v).len() >= 4,
    )
    .await;
    assert_eq!(
        tables(&synced),
        ["friendship", "group", "group_member", "group_member"],
        "{synced:?}"
    );

    // Privacy and poke switches: set what is sent, read back by the owner only.
    app.set_profile(
        &ann,
        json!({"friend_verify": false, "group_verify": false, "poke_status": false}),
    )
    .await;
    let privacy = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&ann),
            &[(
                "keys",
                "allow_find_by_phone,allow_find_by_account,friend_verify,group_verify,poke_status",
            )],
        )
        .await;
    assert_eq!(
        privacy.body,
        json!({"id": ann_id, "allow_find_by_phone": false, "allow_find_by_account": false,
               "friend_verify": false, "group_verify": false, "poke_status": false}),
    );
    let seen = app
        .get(&format!("/hserve/v2.5/user/info/{ann_id}/"), Some(&bob))
        .await;
    assert!(seen.body.get("poke_status").is_none(), "{:?}", seen.body);
}
