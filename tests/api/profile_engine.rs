//! The user profile is an object type served by the same engine as every data
//! table: the update body and operators of records, normalised dates, checked
//! and expandable pointers, `keys`/`expand`/`since` on user reads, PATCH, and
//! initial profile fields at sign-up (tables in `tests/schema/profile`).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend, TestApp};

on_both_backends!(
    profile_updates_take_set_unset_and_every_atomic_operator,
    patch_updates_one_profile_or_record_like_put,
    profile_dates_are_normalised_and_compare_in_time_order,
    profile_pointers_are_checked_lowercased_shown_and_expandable,
    user_reads_take_keys_and_expand_like_records,
    the_user_list_pages_with_since,
);

/// An app on the schema of `tests/schema/profile` (its `nickname` is required).
pub async fn spawn_profile_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/profile");
        s.admin_token = crate::helpers::ADMIN_TOKEN.into();
    })
    .await
}

/// Registers by email with a nickname; returns (token, user id).
pub async fn sign_up(app: &TestApp, email: &str, nickname: &str) -> (String, i64) {
    let r = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": email, "password": "secret123", "nickname": nickname}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (
        r.body["token"].as_str().unwrap().to_owned(),
        r.body["user_id"].as_i64().unwrap(),
    )
}

async fn me(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn update(app: &TestApp, token: &str, body: Value) -> crate::helpers::Reply {
    app.put("/hserve/v2.5/user/info/", Some(token), body).await
}

async fn profile_updates_take_set_unset_and_every_atomic_operator(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (t, id) = sign_up(&app, "ops@example.com", "ops").await;
    let r = update(
        &app,
        &t,
        json!({"$set": {"city": "Oslo", "bio": "hi", "settings": {"a": 1}}, "$unset": {"city": ""}}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a field both set and unset"
    );
    assert!(r.error_msg().starts_with("city:"), "{}", r.error_msg());
    let r = update(
        &app,
        &t,
        json!({"$set": {"city": "Oslo", "settings": {"a": 1}}, "$unset": {"bio": ""}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["city"].clone(), r.body["bio"].clone()),
        (json!("Oslo"), Value::Null)
    );
    let steps = [
        (
            json!({"tags": {"$append": ["a", "b"]}}),
            "tags",
            json!(["a", "b"]),
        ),
        (
            json!({"tags": {"$append_unique": ["b", "c"]}}),
            "tags",
            json!(["a", "b", "c"]),
        ),
        (
            json!({"tags": {"$remove": ["a"]}}),
            "tags",
            json!(["b", "c"]),
        ),
        (json!({"tags": {"$pop": 1}}), "tags", json!(["b"])),
        (json!({"tags": {"$pop": -1}}), "tags", json!([])),
        (
            json!({"settings": {"$update": {"b": 2}}}),
            "settings",
            json!({"a": 1, "b": 2}),
        ),
        (json!({"score": {"$incr_by": 5}}), "score", json!(5)),
    ];
    for (body, field, want) in steps {
        let r = update(&app, &t, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {:?}", r.body);
        assert_eq!(r.body[field], want, "{body}");
    }
    // The result of an operator is validated against the schema, under the row's lock.
    update(&app, &t, json!({"tags": ["x", "y", "z"]})).await;
    let full = update(&app, &t, json!({"tags": {"$append": ["w"]}})).await;
    assert_eq!(full.status, StatusCode::BAD_REQUEST);
    assert!(
        full.error_msg().starts_with("tags:") && full.error_msg().contains("maxItems"),
        "{}",
        full.error_msg()
    );
    let below = update(&app, &t, json!({"score": {"$incr_by": -6}})).await;
    assert_eq!(below.status, StatusCode::BAD_REQUEST);
    assert!(
        below.error_msg().starts_with("score:"),
        "{}",
        below.error_msg()
    );
    let required = update(&app, &t, json!({"$unset": {"nickname": ""}})).await;
    assert_eq!(required.status, StatusCode::BAD_REQUEST);
    assert!(
        required.error_msg().starts_with("nickname:"),
        "{}",
        required.error_msg()
    );
    let now = me(&app, &t, id).await;
    assert_eq!(
        now["tags"],
        json!(["x", "y", "z"]),
        "refused updates change nothing"
    );
    assert_eq!(
        (now["score"].clone(), now["nickname"].clone()),
        (json!(5), json!("ops"))
    );
    let unknown = update(&app, &t, json!({"$inc": {"score": 1}})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

async fn patch_updates_one_profile_or_record_like_put(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (t, _) = sign_up(&app, "patch@example.com", "pat").await;
    let r = app
        .call(
            Method::PATCH,
            "/hserve/v2.5/user/info/",
            Some(&t),
            Some(json!({"city": "Rome", "score": {"$incr_by": 2}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["city"].clone(), r.body["score"].clone()),
        (json!("Rome"), json!(2))
    );
    let post = app.create_record("post", &t, json!({"title": "a"})).await;
    let path = format!(
        "/hserve/v2.4/table/post/record/{}/",
        post["id"].as_str().unwrap()
    );
    let r = app
        .call(
            Method::PATCH,
            &path,
            Some(&t),
            Some(json!({"$set": {"title": "b"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["title"], "b");
    let bad = app
        .call(
            Method::PATCH,
            "/hserve/v2.5/user/info/",
            Some(&t),
            Some(json!({"level": 5})),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::FORBIDDEN,
        "write: admin fields stay refused"
    );
}

async fn profile_dates_are_normalised_and_compare_in_time_order(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (a, a_id) = sign_up(&app, "d1@example.com", "early").await;
    let (b, b_id) = sign_up(&app, "d2@example.com", "late").await;
    // 10:00 at +08:00 is 02:00 UTC: earlier than 03:00 UTC although its text sorts later.
    let r = update(&app, &a, json!({"last_seen": "2024-01-01T10:00:00+08:00"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["last_seen"], "2024-01-01T02:00:00.000000Z");
    update(&app, &b, json!({"last_seen": "2024-01-01T03:00:00Z"})).await;
    let bad = update(&app, &a, json!({"last_seen": "yesterday"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().starts_with("last_seen:"),
        "{}",
        bad.error_msg()
    );
    let after = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&a),
            &[(
                "where",
                r#"{"last_seen":{"$gt":"2024-01-01T10:30:00+08:00"}}"#,
            )],
        )
        .await;
    assert_eq!(after.status, StatusCode::OK, "{:?}", after.body);
    let ids: Vec<i64> = after.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![b_id], "02:30 UTC lies between the two");
    let ordered = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&a),
            &[
                ("where", r#"{"last_seen":{"$exists":true}}"#),
                ("order_by", "last_seen"),
            ],
        )
        .await;
    let ids: Vec<i64> = ordered.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a_id, b_id]);
}

async fn profile_pointers_are_checked_lowercased_shown_and_expandable(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (a, a_id) = sign_up(&app, "p1@example.com", "ann").await;
    let (b, b_id) = sign_up(&app, "p2@example.com", "bob").await;
    let post = app
        .create_record("post", &b, json!({"title": "Hello"}))
        .await;
    let post_id = post["id"].as_str().unwrap().to_owned();
    let r = update(
        &app,
        &a,
        json!({"favorite_post": post_id.to_uppercase(), "best_friend": b_id}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["favorite_post"],
        json!({"id": post_id, "_table": "post"})
    );
    assert_eq!(
        r.body["best_friend"],
        json!({"id": b_id, "_table": "_userprofile"})
    );
    for (field, value) in [
        ("favorite_post", json!("ffffffffffffffffffffffff")),
        ("best_friend", json!(999_999)),
    ] {
        let bad = update(&app, &a, json!({ field: value })).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(
            bad.error_msg().starts_with(&format!("{field}: no record")),
            "{}",
            bad.error_msg()
        );
    }
    let expanded = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{a_id}/"),
            Some(&b),
            &[("expand", "favorite_post,best_friend")],
        )
        .await;
    assert_eq!(expanded.status, StatusCode::OK, "{:?}", expanded.body);
    assert_eq!(expanded.body["favorite_post"]["title"], "Hello");
    assert_eq!(expanded.body["favorite_post"]["_table"], "post");
    assert_eq!(expanded.body["best_friend"]["nickname"], "bob");
    assert_eq!(expanded.body["best_friend"]["_table"], "_userprofile");
    assert_eq!(expanded.body["best_friend"]["user_id"], b_id);
    assert!(
        expanded.body["best_friend"].get("_email").is_some(),
        "b reads its own account fields inside the expansion"
    );
    let by_other = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{b_id}/"),
            Some(&a),
            &[("expand", "created_by")],
        )
        .await;
    assert_eq!(by_other.status, StatusCode::OK, "{:?}", by_other.body);
    assert!(
        by_other.body["created_by"].get("_email").is_none(),
        "another user's account fields never show, expanded or not"
    );
    let not_pointer = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{a_id}/"),
            Some(&a),
            &[("expand", "city")],
        )
        .await;
    assert_eq!(not_pointer.status, StatusCode::BAD_REQUEST);
    assert!(
        not_pointer.error_msg().starts_with("expand:"),
        "{}",
        not_pointer.error_msg()
    );
}

async fn user_reads_take_keys_and_expand_like_records(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (a, a_id) = sign_up(&app, "k1@example.com", "kay").await;
    let (b, b_id) = sign_up(&app, "k2@example.com", "lee").await;
    update(&app, &a, json!({"best_friend": b_id, "city": "Oslo"})).await;
    let one = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{a_id}/"),
            Some(&b),
            &[
                ("keys", "user_id,nickname,best_friend.nickname"),
                ("expand", "best_friend"),
            ],
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(
        one.body,
        json!({
            "id": a_id,
            "user_id": a_id,
            "nickname": "kay",
            "best_friend": {"id": b_id, "user_id": b_id, "nickname": "lee", "_table": "_userprofile"}
        })
    );
    let list = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&b),
            &[
                ("where", r#"{"city":{"$eq":"Oslo"}}"#),
                ("expand", "best_friend"),
                ("keys", "nickname,best_friend.nickname"),
            ],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(
        list.body["objects"],
        json!([{"id": a_id, "nickname": "kay", "best_friend": {"id": b_id, "user_id": b_id, "nickname": "lee", "_table": "_userprofile"}}])
    );
    let hidden = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&b),
            &[("keys", "vip_until")],
        )
        .await;
    assert_eq!(
        hidden.status,
        StatusCode::BAD_REQUEST,
        "owner-only fields stay out of queries"
    );
}

async fn the_user_list_pages_with_since(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let mut token = String::new();
    for i in 0..5 {
        token = sign_up(&app, &format!("s{i}@example.com"), &format!("n{}", 4 - i))
            .await
            .0;
    }
    for order in ["-created_at", "nickname"] {
        let all = app
            .get_query(
                "/hserve/v2.2/user/info/",
                Some(&token),
                &[("order_by", order)],
            )
            .await;
        let want: Vec<i64> = all.body["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        let mut got = Vec::new();
        let mut since: Option<String> = None;
        loop {
            let mut params = vec![("order_by", order.to_owned()), ("limit", "2".to_owned())];
            if let Some(s) = &since {
                params.push(("since", s.clone()));
            }
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = app
                .get_query("/hserve/v2.2/user/info/", Some(&token), &params)
                .await;
            assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
            let ids: Vec<i64> = page.body["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_i64().unwrap())
                .collect();
            if ids.is_empty() {
                break;
            }
            since = ids.last().map(i64::to_string);
            got.extend(ids);
        }
        assert_eq!(
            got, want,
            "keyset pages walk every user once in {order} order"
        );
    }
    let bad = app
        .get_query("/hserve/v2.2/user/info/", Some(&token), &[("since", "abc")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().starts_with("since:"), "{}", bad.error_msg());
}
