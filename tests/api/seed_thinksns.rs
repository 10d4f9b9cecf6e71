//! ThinkSNS+ (seed 001) on `schema/examples/thinksns`, in the app's order:
//! sign-up by phone, the profile with its unique name and invite code,
//! finding a user by any identifier, follows with server-kept counts and
//! viewer flags, the certification's state machine, shipping addresses with
//! their limits, and deleting one's account with its records.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};

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
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/examples/thinksns");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    let (ann, ann_id) = app.register_phone("13800000001", "secret123").await;
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

    // GET /users/:user by id, name-like username, email or phone.
    let found = app
        .get("/hserve/v2.0/user/find/?phone=13800000001", Some(&bob))
        .await;
    assert_eq!(found.body["id"], ann_id, "{:?}", found.body);

    // Follows: counts kept by the server, flags relative to the viewer.
    let (cat, _) = app.register_email("cat@example.com", "secret123").await;
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
    let bobs_view = app.list_records("address", Some(&bob), &[]).await;
    assert_eq!(
        bobs_view.body["objects"],
        json!([]),
        "addresses are private"
    );

    // Ann deletes her account; her follows, certification and addresses go.
    let gone = app
        .send(
            Method::DELETE,
            "/hserve/v2.2/user/account/",
            Some(&format!("Hydrogen-r1 {ann}")),
            Some(json!({"password": "secret123"})),
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
    assert_eq!(left.body["meta"]["total_count"], 0);
}
