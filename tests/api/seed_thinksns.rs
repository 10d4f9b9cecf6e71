//! ThinkSNS+ (seed 001) on `schema/examples/thinksns`, in the app's order:
//! sign-up by phone, the profile with its unique name, invite code and
//! uploaded avatar and background pictures,
//! binding an email proven by a mailed code, finding a user by any
//! identifier, recommended users, follows with server-kept counts and viewer
//! flags, user lists (pages, names, ids, active, nearby), the certification's
//! state machine, shipping addresses with their limits in GB18030 bytes,
//! unbinding an email with the password and a code, deleting one's account
//! with its records, an admin disabling a user, and the password changed and
//! retrieved by mail and by SMS. The server runs with the
//! app's settings: new addresses proven by a code, and sensitive changes
//! needing the password and a code.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::files::{upload, PNG};
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use crate::smtp::SmtpServer;

on_both_backends!(thinksns_walks_its_operations);

async fn info(app: &TestApp, id: i64, token: &str) -> Value {
    app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await
        .body
}

fn address(i: usize, default: bool) -> Value {
    json!({"name": format!("收件人{i}"), "phone": "13800000000", "detail": "人民路 1 号", "is_default": default})
}

async fn thinksns_walks_its_operations(backend: Backend) {
    let smtp = SmtpServer::start();
    let smtp_url = smtp.url();
    let app = crate::helpers::spawn_app_public(backend, move |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/thinksns");
        s.admin_token = ADMIN_TOKEN.into();
        s.smtp_url = smtp_url;
        s.email_change_needs_code = true;
        s.reauth_account_changes = true;
        s.reauth_needs_code = true;
        s.sms_per_number_per_minute = 10;
        s.find_by_contact = true;
    })
    .await;
    // Sign-up by phone with a texted code: the number is verified.
    let code = app.texted_code("+8613800000001").await;
    let signup = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13800000001", "password": "secret123", "code": code}),
        )
        .await;
    assert_eq!(signup.status, StatusCode::CREATED, "{:?}", signup.body);
    let ann = signup.body["token"].as_str().unwrap().to_owned();
    let ann_id = signup.body["user_id"].as_i64().unwrap();
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    app.set_profile(&ann, json!({"name": "安妮", "bio": "hi"}))
        .await;
    let taken = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&bob),
            json!({"name": "安妮"}),
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::BAD_REQUEST,
        "names are unique: {:?}",
        taken.body
    );
    let code = info(&app, ann_id, &ann).await["invite_code"].clone();
    assert_eq!(code.as_str().map(str::len), Some(8), "{code}");
    // The avatar and background are pictures the user uploaded first.
    let (avatar, avatar_path) = upload(&app, &ann, "avatar.png", PNG).await;
    let (bg, _) = upload(&app, &ann, "bg.png", PNG).await;
    let uploaded_bg = app
        .get(&format!("/hserve/v2.1/uploaded-file/{bg}/"), Some(&ann))
        .await;
    app.set_profile(&ann, json!({"avatar": avatar, "bg": uploaded_bg.body}))
        .await;
    let shown = info(&app, ann_id, &bob).await;
    assert_eq!(shown["avatar"]["path"], avatar_path.as_str());
    assert_eq!(shown["bg"]["name"], "bg.png");
    let (text, _) = upload(&app, &ann, "notes.txt", b"not a picture").await;
    let refused = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"avatar": text}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        refused.body
    );
    assert!(refused.body["error_msg"]
        .as_str()
        .unwrap()
        .contains("(types)"));

    // PUT /user with an email and its code: the address is proven before the
    // account takes it.
    let direct = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&ann),
            json!({"email": "ann@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::BAD_REQUEST, "{:?}", direct.body);
    let sent = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&ann),
            json!({"purpose": "change_email", "email": "ann@example.com"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let mailed = smtp.wait_for("ann@example.com", 0).await.code();
    // The switch also asks for the password and a code texted to the phone.
    let texted = app.texted_code("+8613800000001").await;
    let bound = app
        .post(
            "/hserve/v2.1/user/email/",
            Some(&ann),
            json!({"email": "ann@example.com", "code": mailed, "password": "secret123", "phone_code": texted}),
        )
        .await;
    assert_eq!(bound.status, StatusCode::OK, "{:?}", bound.body);
    let me = info(&app, ann_id, &ann).await;
    assert_eq!(
        (me["_email"].clone(), me["_email_verified"].clone()),
        (json!("ann@example.com"), json!(true))
    );

    // GET /users/:user by id, name-like username, email or phone.
    let found = app
        .get("/hserve/v2.0/user/find/?phone=13800000001", Some(&bob))
        .await;
    assert_eq!(found.body["id"], ann_id, "{:?}", found.body);
    for query in [format!("id={ann_id}"), "email=ann@example.com".to_owned()] {
        let found = app
            .get(&format!("/hserve/v2.0/user/find/?{query}"), Some(&bob))
            .await;
        assert_eq!(found.body["id"], ann_id, "{query}: {:?}", found.body);
        assert!(
            found.body.get("_email").is_none(),
            "{query}: public fields only"
        );
    }

    // Recommended users: a flag only admins set.
    let self_pick = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&bob),
            json!({"recommended": true}),
        )
        .await;
    assert_eq!(
        self_pick.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        self_pick.body
    );
    let pick = app
        .admin(
            Method::PATCH,
            &format!("/admin/api/users/{bob_id}/"),
            Some(json!({"recommended": true})),
        )
        .await;
    assert_eq!(pick.status, StatusCode::OK, "{:?}", pick.body);
    let recommends = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&ann),
            &[
                ("where", r#"{"recommended":true}"#),
                ("limit", "10"),
                ("offset", "0"),
            ],
        )
        .await;
    assert_eq!(recommends.body["objects"].as_array().map(Vec::len), Some(1));
    assert_eq!(recommends.body["objects"][0]["id"], bob_id);

    // Follows: counts kept by the server, flags relative to the viewer.
    let (cat, cat_id) = app.register_email("cat@example.com", "secret123").await;
    for token in [&bob, &cat] {
        app.create_record("follow", token, json!({"target": ann_id}))
            .await;
    }
    app.create_record("follow", &ann, json!({"target": bob_id}))
        .await;
    let seen_by_bob = info(&app, ann_id, &bob).await;
    assert_eq!(
        (
            seen_by_bob["followers_count"].clone(),
            seen_by_bob["followings_count"].clone(),
            seen_by_bob["following"].clone(),
            seen_by_bob["follower"].clone()
        ),
        (json!(2), json!(1), json!(true), json!(true))
    );
    let twice = app
        .post(
            "/hserve/v2.4/table/follow/record/",
            Some(&bob),
            json!({"target": ann_id}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "one follow per pair");
    let by_followers = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&bob),
            &[
                ("order_by", "-followers_count"),
                ("limit", "1"),
                ("keys", "name"),
            ],
        )
        .await;
    assert_eq!(by_followers.body["objects"][0]["id"], ann_id);

    // User lists: pages by id, a name search, names and ids, active users,
    // users of the caller's city.
    app.set_profile(&ann, json!({"location": "四川省 成都市"}))
        .await;
    app.set_profile(
        &bob,
        json!({"name": "鲍勃", "location": "四川省 成都市 高新区"}),
    )
    .await;
    app.set_profile(&cat, json!({"name": "凯特", "location": "北京市"}))
        .await;
    let list = |params: Vec<(&'static str, String)>| {
        let app = &app;
        let bob = bob.clone();
        async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app
                .get_query("/hserve/v2.2/user/info/", Some(&bob), &params)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{params:?}: {:?}", r.body);
            r.body["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_i64().unwrap())
                .collect::<Vec<i64>>()
        }
    };
    let first = list(vec![("limit", "2".into()), ("order_by", "-id".into())]).await;
    assert_eq!(first, [cat_id, bob_id]);
    let next = list(vec![
        ("limit", "2".into()),
        ("order_by", "-id".into()),
        ("since", bob_id.to_string()),
    ])
    .await;
    assert_eq!(next, [ann_id], "the page after the last id");
    let by_name = list(vec![("where", r#"{"name":{"$icontains":"凯"}}"#.into())]).await;
    assert_eq!(by_name, [cat_id]);
    let mut by_names = list(vec![(
        "where",
        r#"{"name":{"$in":["安妮","鲍勃"]}}"#.into(),
    )])
    .await;
    by_names.sort();
    assert_eq!(by_names, [ann_id, bob_id]);
    let mut by_ids = list(vec![(
        "where",
        json!({"id": {"$in": [ann_id, cat_id]}}).to_string(),
    )])
    .await;
    by_ids.sort();
    assert_eq!(by_ids, [ann_id, cat_id]);
    let active = list(vec![
        ("order_by", "-last_active_at".into()),
        ("limit", "10".into()),
        ("offset", "0".into()),
    ])
    .await;
    assert_eq!(active.len(), 3);
    let mut nearby = list(vec![(
        "where",
        r#"{"location":{"$contains":"成都市"}}"#.into(),
    )])
    .await;
    nearby.sort();
    assert_eq!(nearby, [ann_id, bob_id]);

    // The certification: pending, edited only once rejected, approved for good.
    let cert = app
        .create_record(
            "certification",
            &ann,
            json!({"type": "user", "desc": "实名", "real_name": "安妮"}),
        )
        .await;
    assert_eq!(cert["state"], -1);
    let path = format!(
        "/hserve/v2.5/table/certification/record/{}/",
        cert["id"].as_str().unwrap()
    );
    let pending = app.put(&path, Some(&ann), json!({"desc": "改"})).await;
    assert_eq!(pending.status, StatusCode::FORBIDDEN, "{:?}", pending.body);
    app.admin(Method::PUT, &path, Some(json!({"state": 0})))
        .await;
    assert_eq!(
        app.put(&path, Some(&ann), json!({"desc": "改"}))
            .await
            .status,
        StatusCode::OK
    );
    app.admin(Method::PUT, &path, Some(json!({"state": 1})))
        .await;
    let back = app
        .admin(Method::PUT, &path, Some(json!({"state": -1})))
        .await;
    assert_eq!(back.status, StatusCode::BAD_REQUEST, "{:?}", back.body);
    let others = app.get(&path, Some(&bob)).await;
    assert!(others.body.get("real_name").is_none(), "{:?}", others.body);
    let with_cert = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&bob),
            &[("expand", "certification")],
        )
        .await;
    assert_eq!(
        with_cert.body["certification"][0]["state"], 1,
        "{:?}",
        with_cert.body
    );

    // Bob submits a certification and withdraws it (DELETE /user/verification).
    let bobs = app
        .create_record(
            "certification",
            &bob,
            json!({"type": "user", "desc": "实名", "real_name": "鲍勃"}),
        )
        .await;
    let withdrawn = app
        .send(
            Method::DELETE,
            &format!(
                "/hserve/v2.5/table/certification/record/{}/",
                bobs["id"].as_str().unwrap()
            ),
            Some(&format!("Hydrogen-r1 {bob}")),
            None,
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        withdrawn.body
    );

    // Addresses: private, at most 20, one default.
    let replies = join_all((0..22).map(|i| {
        app.post(
            "/hserve/v2.4/table/address/record/",
            Some(&ann),
            address(i, false),
        )
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 20);
    // Lengths count GB18030 bytes: 12 Chinese characters fill a name of 24.
    let full = app
        .post(
            "/hserve/v2.4/table/address/record/",
            Some(&bob),
            json!({"name": "一二三四五六七八九十一二", "phone": "13800000000", "detail": "人民路 1 号", "is_default": true}),
        )
        .await;
    assert_eq!(full.status, StatusCode::CREATED, "{:?}", full.body);
    let long = app
        .post(
            "/hserve/v2.4/table/address/record/",
            Some(&bob),
            json!({"name": "一二三四五六七八九十一二三", "phone": "13800000000", "detail": "人民路 1 号", "is_default": false}),
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{:?}", long.body);
    assert!(
        long.error_msg().starts_with("name") && long.error_msg().contains("24"),
        "{}",
        long.error_msg()
    );
    let bobs_view = app.list_records("address", Some(&bob), &[]).await;
    assert_eq!(
        bobs_view.body["objects"].as_array().map(Vec::len),
        Some(1),
        "addresses are private: Bob sees only his own"
    );
    // A second address, newest first; one address; moving the default; deleting.
    let second = app.create_record("address", &bob, address(99, false)).await;
    let mine = app.list_records("address", Some(&bob), &[]).await;
    assert_eq!(mine.body["objects"][0]["id"], second["id"], "newest first");
    let one = |id: &Value| {
        format!(
            "/hserve/v2.5/table/address/record/{}/",
            id.as_str().unwrap()
        )
    };
    assert_eq!(
        app.get(&one(&second["id"]), Some(&bob)).await.body["name"],
        "收件人99"
    );
    assert_eq!(
        app.get(&one(&second["id"]), Some(&ann)).await.status,
        StatusCode::NOT_FOUND,
        "another user's address is not found"
    );
    let two_defaults = app
        .put(&one(&second["id"]), Some(&bob), json!({"is_default": true}))
        .await;
    assert_eq!(
        two_defaults.status,
        StatusCode::BAD_REQUEST,
        "one default per user"
    );
    for (id, default) in [(&full.body["id"], false), (&second["id"], true)] {
        let moved = app
            .put(&one(id), Some(&bob), json!({"is_default": default}))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    }
    let removed = app
        .send(
            Method::DELETE,
            &one(&second["id"]),
            Some(&format!("Hydrogen-r1 {bob}")),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);

    // DELETE /user/email: the password and a code, together.
    let password_only = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&ann),
            json!({"email": null, "password": "secret123"}),
        )
        .await;
    assert_eq!(
        password_only.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        password_only.body
    );
    let texted = app.texted_code("+8613800000001").await;
    let unbound = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&ann),
            json!({"email": null, "password": "secret123", "code": texted}),
        )
        .await;
    assert_eq!(unbound.status, StatusCode::OK, "{:?}", unbound.body);
    assert_eq!(unbound.body["_email"], Value::Null);

    // Ann deletes her account (password and a code); her follows,
    // certification and addresses go.
    let texted = app.texted_code("+8613800000001").await;
    let gone = app
        .send(
            Method::DELETE,
            "/hserve/v2.2/user/account/",
            Some(&format!("Hydrogen-r1 {ann}")),
            Some(json!({"password": "secret123", "code": texted})),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{:?}", gone.body);
    assert_eq!(info(&app, bob_id, &bob).await["followers_count"], 0);
    let left = app
        .admin(
            Method::GET,
            "/hserve/v2.4/table/address/record/?return_total_count=1",
            None,
        )
        .await;
    assert_eq!(
        left.body["meta"]["total_count"], 1,
        "only Bob's address is left"
    );

    // An admin disables Cat: her session ends and she cannot sign in.
    let disabled = app
        .admin(
            Method::POST,
            &format!("/admin/api/users/{cat_id}/disable/"),
            None,
        )
        .await;
    assert!(disabled.status.is_success(), "{:?}", disabled.body);
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{cat_id}/"), Some(&cat))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_email("cat@example.com", "secret123").await.status,
        StatusCode::FORBIDDEN
    );

    // PUT /user/password: the old password, then the new one works.
    let changed = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&bob),
            json!({"password": "secret123", "new_password": "secret456"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(
        app.login_email("bob@example.com", "secret456").await.status,
        StatusCode::CREATED
    );

    // PUT /user/retrieve-password by mail: Bob verifies his address with a
    // code, then resets with another; every session of his ends.
    let mailed_before = smtp.count_to("bob@example.com");
    let ask = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&bob),
            json!({"purpose": "verify_email"}),
        )
        .await;
    assert_eq!(ask.status, StatusCode::CREATED, "{:?}", ask.body);
    let code = smtp.wait_for("bob@example.com", mailed_before).await.code();
    let verified = app
        .post(
            "/hserve/v2.0/user/email-code/verify/",
            Some(&bob),
            json!({"code": code}),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    let ask = app
        .post(
            "/hserve/v2.0/user/email-code/",
            None,
            json!({"purpose": "reset_password", "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(ask.status, StatusCode::CREATED, "{:?}", ask.body);
    let code = smtp
        .wait_for("bob@example.com", mailed_before + 1)
        .await
        .code();
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/code/",
            None,
            json!({"email": "bob@example.com", "code": code, "password": "secret789"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{bob_id}/"), Some(&bob))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_email("bob@example.com", "secret789").await.status,
        StatusCode::CREATED
    );

    // … and by SMS.
    let phone = "+8613800000009";
    let code = app.texted_code(phone).await;
    let dan = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": phone, "password": "secret123", "code": code}),
        )
        .await;
    assert_eq!(dan.status, StatusCode::CREATED, "{:?}", dan.body);
    let code = app.texted_code(phone).await;
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": phone, "code": code, "password": "secret789"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    let login = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": phone, "password": "secret789"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
}
