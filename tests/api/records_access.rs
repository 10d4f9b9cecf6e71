//! Record permissions: table rules, row ACLs, per-field read and write rules —
//! the same rules for records as for the user profile.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend, TestApp};

on_both_backends!(
    default_table_rules_match_hydrogen,
    row_acls_grant_and_hide,
    private_fields_never_reach_another_user,
    table_create_rules,
);

async fn default_table_rules_match_hydrogen(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let guest = app
        .post(
            "/hserve/v2.4/table/post/record/",
            None,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);
    let device = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let device_token = device.body["token"].as_str().unwrap().to_owned();
    let anon = app
        .post(
            "/hserve/v2.4/table/post/record/",
            Some(&device_token),
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(
        anon.status,
        StatusCode::FORBIDDEN,
        "user:* excludes anonymous logins"
    );
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let post = app
        .create_record("post", &alice, json!({"title": "mine"}))
        .await;
    let path = format!(
        "/hserve/v2.5/table/post/record/{}/",
        post["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&path, None).await.status,
        StatusCode::OK,
        "everyone reads"
    );
    let put = app.put(&path, Some(&bob), json!({"title": "hijack"})).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    let del = app
        .call(Method::DELETE, &path, Some(&bob), Some(json!({})))
        .await;
    assert_eq!(del.status, StatusCode::FORBIDDEN);
    let guest_put = app.put(&path, None, json!({"title": "x"})).await;
    assert_eq!(guest_put.status, StatusCode::UNAUTHORIZED);
    let admin = app
        .admin(Method::PUT, &path, Some(json!({"title": "moderated"})))
        .await;
    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(app.get(&path, None).await.body["title"], "moderated");
}

async fn row_acls_grant_and_hide(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("b@example.com", "secret123").await;
    let (carol, _) = app.register_email("c@example.com", "secret123").await;
    let shared = app
        .create_record("post", &alice, json!({"title": "for bob", "read_perm": [format!("user:{bob_id}")], "write_perm": [format!("user:{bob_id}")]}))
        .await;
    let path = format!(
        "/hserve/v2.5/table/post/record/{}/",
        shared["id"].as_str().unwrap()
    );
    assert_eq!(app.get(&path, Some(&bob)).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&carol)).await.status,
        StatusCode::NOT_FOUND,
        "unreadable looks missing"
    );
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.put(&path, Some(&carol), json!({"title": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let by_bob = app
        .put(&path, Some(&bob), json!({"title": "edited by bob"}))
        .await;
    assert_eq!(by_bob.status, StatusCode::OK, "{:?}", by_bob.body);
    let acl_by_bob = app
        .put(&path, Some(&bob), json!({"read_perm": ["user:anonymous"]}))
        .await;
    assert_eq!(
        acl_by_bob.status,
        StatusCode::FORBIDDEN,
        "only the creator changes the ACL"
    );
    for (token, want) in [
        (Some(&carol), 0),
        (Some(&bob), 1),
        (None, 0),
        (Some(&alice), 1),
    ] {
        let list = app
            .list_records(
                "post",
                token.map(String::as_str),
                &[("return_total_count", "1")],
            )
            .await;
        assert_eq!(list.body["meta"]["total_count"], want);
        assert_eq!(
            list.body["objects"].as_array().unwrap().len(),
            want as usize
        );
    }
    // Tables declaring `read: []` are private to each creator.
    app.create_record("blacklist", &alice, json!({"user": bob_id.to_string()}))
        .await;
    let mine = app
        .list_records("blacklist", Some(&alice), &[("expand", "user")])
        .await;
    assert_eq!(mine.body["objects"][0]["user"]["id"], bob_id);
    assert_eq!(mine.body["objects"][0]["user"]["_table"], "_userprofile");
    assert!(TestApp::ids(&app.list_records("blacklist", Some(&bob), &[]).await).is_empty());
}

async fn private_fields_never_reach_another_user(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, alice_id) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let p = app
        .create_record("product", &alice, json!({"name": "Pen", "cost": 0.4}))
        .await;
    assert_eq!(p["cost"], 0.4, "the owner sees owner fields");
    let path = format!(
        "/hserve/v2.5/table/product/record/{}/",
        p["id"].as_str().unwrap()
    );
    let seen = app.get(&path, Some(&bob)).await;
    assert!(seen.body.get("cost").is_none(), "{:?}", seen.body);
    let list = app.list_records("product", Some(&bob), &[]).await;
    assert!(list.body["objects"][0].get("cost").is_none());
    let own_list = app.list_records("product", Some(&alice), &[]).await;
    assert_eq!(own_list.body["objects"][0]["cost"], 0.4);
    for (param, value) in [
        ("where", r#"{"cost":{"$gt":0}}"#),
        ("order_by", "cost"),
        ("keys", "cost"),
    ] {
        let probe = app
            .list_records("product", Some(&bob), &[(param, value)])
            .await;
        assert_eq!(
            probe.status,
            StatusCode::BAD_REQUEST,
            "{param} may not probe a private field"
        );
    }
    let admin_only = app.put(&path, Some(&alice), json!({"audited": true})).await;
    assert_eq!(admin_only.status, StatusCode::FORBIDDEN);
    assert!(admin_only.error_msg().contains("audited"));
    // A client's system values are ignored, as on Hydrogen's SDK echoes:
    // created_by is not forgeable, and nor are the times.
    let forged = app
        .post(
            "/hserve/v2.4/table/product/record/",
            Some(&alice),
            json!({"name": "x", "created_by": 1, "created_at": 1}),
        )
        .await;
    assert_eq!(forged.status, StatusCode::CREATED, "{:?}", forged.body);
    assert_eq!(
        forged.body["created_by"], alice_id,
        "created_by is not forgeable"
    );
    assert!(forged.body["created_at"].as_i64().unwrap() > 1_000_000_000);
    let moved = app
        .put(
            &format!(
                "/hserve/v2.4/table/product/record/{}/",
                forged.body["id"].as_str().unwrap()
            ),
            Some(&alice),
            json!({"created_by": 1, "id": "0123456789abcdef01234567", "name": "y"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(
        (moved.body["created_by"].clone(), moved.body["name"].clone()),
        (json!(alice_id), json!("y"))
    );
}

async fn table_create_rules(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let notice = app
        .post(
            "/hserve/v2.4/table/notice/record/",
            Some(&alice),
            json!({"text": "hi"}),
        )
        .await;
    assert_eq!(
        notice.status,
        StatusCode::FORBIDDEN,
        "create: [] means admins only"
    );
    let by_admin = app
        .admin(
            Method::POST,
            "/hserve/v2.4/table/notice/record/",
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::CREATED);
    assert_eq!(by_admin.body["created_by"], json!(null));
    let device = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let device_token = device.body["token"].as_str().unwrap();
    let place = app
        .post(
            "/hserve/v2.4/table/place/record/",
            Some(device_token),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(
        place.status,
        StatusCode::CREATED,
        "create: [user:anonymous] lets device logins create"
    );
}

on_both_backends!(since_cannot_probe_where_a_hidden_record_sorts);

async fn since_cannot_probe_where_a_hidden_record_sorts(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    app.create_record("post", &alice, json!({"title": "public"}))
        .await;
    let hidden = app
        .create_record("post", &alice, json!({"title": "hidden", "read_perm": []}))
        .await;
    let id = hidden["id"].as_str().unwrap();
    let as_bob = app.list_records("post", Some(&bob), &[("since", id)]).await;
    assert_eq!(as_bob.status, StatusCode::OK);
    assert!(
        TestApp::ids(&as_bob).is_empty(),
        "an unreadable anchor counts as missing"
    );
    let as_alice = app
        .list_records("post", Some(&alice), &[("since", id)])
        .await;
    assert_eq!(
        TestApp::ids(&as_alice).len(),
        1,
        "the creator pages on from it"
    );
}

on_both_backends!(errors_never_show_a_value_the_writer_may_not_read);

/// Bob may write Alice's ledger (its `write_perm` names him) but not read its
/// owner-only fields: when his operators break a rule, the message names the
/// field and the rule, never the stored or resulting value — one record or a
/// batch. His own plain values may be shown back to him.
async fn errors_never_show_a_value_the_writer_may_not_read(backend: Backend) {
    let schema = tempfile::tempdir().unwrap();
    std::fs::write(
        schema.path().join("_userprofile.json"),
        r#"{"type":"object","properties":{"nickname":{"type":"string"}}}"#,
    )
    .unwrap();
    std::fs::write(
        schema.path().join("ledger.json"),
        r#"{"type":"object","properties":{
            "balance":{"type":"integer","minimum":0,"x-protium":{"read":"owner"}},
            "notes":{"type":"array","items":{"type":"string"},"maxItems":2,"x-protium":{"read":"owner"}},
            "label":{"type":"string","maxLength":5}}}"#,
    )
    .unwrap();
    let dir = schema.path().to_path_buf();
    let app = crate::helpers::spawn_app_with(backend, move |s| s.schema_dir = dir).await;
    let (alice, _) = app.register_email("alice@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    let secret = 7_654_321;
    let ledger = app
        .create_record(
            "ledger",
            &alice,
            json!({"balance": secret, "notes": ["private plan"],
                   "read_perm": [format!("user:{bob_id}")], "write_perm": [format!("user:{bob_id}")]}),
        )
        .await;
    let path = format!(
        "/hserve/v2.5/table/ledger/record/{}/",
        ledger["id"].as_str().unwrap()
    );
    let seen = app.get(&path, Some(&bob)).await;
    assert!(seen.body.get("balance").is_none(), "{:?}", seen.body);

    let leaks = |msg: &str| {
        [
            "7654321",
            "7654320",
            "private plan",
            "-9007199254740991",
            "-9000000000000000000",
        ]
        .iter()
        .any(|v| msg.contains(v))
            || msg.contains(&(secret - 9_007_199_254_740_991_i64).to_string())
    };
    let under = app
        .put(
            &path,
            Some(&bob),
            json!({"balance": {"$incr_by": -9_007_199_254_740_991_i64}}),
        )
        .await;
    assert_eq!(under.status, StatusCode::BAD_REQUEST);
    assert!(
        under.error_msg().starts_with("balance:"),
        "{}",
        under.error_msg()
    );
    assert!(
        under.error_msg().contains("minimum"),
        "{}",
        under.error_msg()
    );
    assert!(!leaks(under.error_msg()), "{}", under.error_msg());
    let too_many = app
        .put(&path, Some(&bob), json!({"notes": {"$append": ["a", "b"]}}))
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(
        too_many.error_msg().starts_with("notes:"),
        "{}",
        too_many.error_msg()
    );
    assert!(!leaks(too_many.error_msg()), "{}", too_many.error_msg());

    // The same through a batch update: one message per record, none leaking.
    let batch = app
        .client
        .put(format!("{}/hserve/v2.4/table/ledger/record/", app.address))
        .query(&[("where", "{}")])
        .header("X-Hydrogen-Client-ID", "t")
        .header("Authorization", format!("Hydrogen-r1 {bob}"))
        .json(&json!({"$set": {"balance": {"$incr_by": -9_000_000_000_000_000_000_i64}}}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = batch.json().await.unwrap();
    let text = body.to_string();
    assert!(text.contains("minimum"), "{text}");
    assert!(!leaks(&text), "{text}");

    // A plain value is the sender's own: it may be shown back.
    let own = app
        .put(&path, Some(&bob), json!({"label": "toolong"}))
        .await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    assert!(own.error_msg().contains("toolong"), "{}", own.error_msg());
    // Nothing changed.
    let after = app.get(&path, Some(&alice)).await;
    assert_eq!(after.body["balance"], secret);
    assert_eq!(after.body["notes"], json!(["private plan"]));
}
