//! Batch create, batch update and delete with `where` in the URL (synchronous
//! up to 1000 records, asynchronous above), and the change feed for sync.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(
    batch_update_and_delete_report_per_record,
    large_batches_run_asynchronously_to_completion,
    change_feed_returns_changes_and_tombstones,
);

async fn batch_update_and_delete_report_per_record(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let rows: Vec<Value> = (0..5)
        .map(|i| json!({"name": format!("a{i}"), "price": i}))
        .collect();
    let r = app
        .post(
            "/hserve/v2.4/table/product/record/?enable_trigger=1",
            Some(&alice),
            json!(rows),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(
        (r.body["succeed"].clone(), r.body["total_count"].clone()),
        (json!(5), json!(5))
    );
    assert!(r.body["operation_result"][0]["success"]["id"].is_string());
    app.create_record("product", &bob, json!({"name": "b0", "price": 3}))
        .await;
    let q = serde_urlencoded::to_string([("where", r#"{"price":{"$gte":3}}"#)]).unwrap();
    let u = app
        .put(&format!("/hserve/v2.4/table/product/record/?limit=50&offset=0&{q}&enable_trigger=1&return_total_count=1"), Some(&alice), json!({"$set": {"flag": true}, "$unset": {}}))
        .await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    assert_eq!(
        u.body["succeed"], 2,
        "bob's record is matched but not writable"
    );
    assert_eq!(u.body["total_count"], 3);
    let results = u.body["operation_result"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(
        results.iter().filter(|r| r["error"]["code"] == 403).count(),
        1
    );
    let flagged = app
        .list_records(
            "product",
            None,
            &[
                ("where", r#"{"flag":{"$eq":true}}"#),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(flagged.body["meta"]["total_count"], 2);
    let d = app
        .call(
            Method::DELETE,
            &format!("/hserve/v2.4/table/product/record/?limit=20&offset=0&{q}&enable_trigger=1"),
            Some(&alice),
            Some(json!({})),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["succeed"], 2);
    let left = app
        .list_records("product", None, &[("return_total_count", "1")])
        .await;
    assert_eq!(left.body["meta"]["total_count"], 4);
    let guest = app
        .call(
            Method::DELETE,
            "/hserve/v2.4/table/product/record/",
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);
    let too_big = app
        .put(
            "/hserve/v2.4/table/product/record/?limit=5000&enable_trigger=1",
            Some(&alice),
            json!({"flag": false}),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
}

async fn large_batches_run_asynchronously_to_completion(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    for chunk in 0..3 {
        let rows: Vec<Value> = (0..1000)
            .map(|i| json!({"name": format!("n{chunk}-{i}"), "stock": 1}))
            .collect();
        let r = app
            .post(
                "/hserve/v2.4/table/product/record/?enable_trigger=0",
                Some(&alice),
                json!(rows),
            )
            .await;
        assert_eq!(r.body["succeed"], 1000);
    }
    let u = app
        .put(
            "/hserve/v2.4/table/product/record/?offset=0&where=%7B%7D&enable_trigger=0",
            Some(&alice),
            json!({"$set": {"stock": {"$incr_by": 2}}}),
        )
        .await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    assert_eq!(u.body["status"], "ok");
    let op = u.body["operation_id"].as_i64().unwrap();
    let status = wait_for(&app, op, &alice).await;
    assert_eq!(status["operation"], "update");
    assert_eq!(
        (
            status["matched_count"].clone(),
            status["modified_count"].clone()
        ),
        (json!(3000), json!(3000))
    );
    let wrong = app
        .list_records(
            "product",
            None,
            &[
                ("where", r#"{"stock":{"$ne":3}}"#),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(
        wrong.body["meta"]["total_count"], 0,
        "every record incremented exactly once"
    );
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let peek = app
        .get(&format!("/hserve/v1/bulk-operation/{op}/"), Some(&bob))
        .await;
    assert_eq!(
        peek.status,
        StatusCode::NOT_FOUND,
        "jobs are private to their creator"
    );
    let d = app
        .call(
            Method::DELETE,
            "/hserve/v2.4/table/product/record/?offset=0&where=%7B%7D&enable_trigger=0",
            Some(&alice),
            Some(json!({})),
        )
        .await;
    let op = d.body["operation_id"].as_i64().unwrap();
    let status = wait_for(&app, op, &alice).await;
    assert_eq!(status["deleted_count"], 3000);
    let left = app
        .list_records("product", None, &[("return_total_count", "1")])
        .await;
    assert_eq!(left.body["meta"]["total_count"], 0);
}

async fn wait_for(app: &crate::helpers::TestApp, op: i64, token: &str) -> Value {
    for _ in 0..600 {
        let s = app
            .get(&format!("/hserve/v1/bulk-operation/{op}/"), Some(token))
            .await;
        assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
        if s.body["status"] != "pending" {
            assert_eq!(s.body["status"], "success", "{:?}", s.body);
            return s.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("bulk operation {op} did not finish");
}

async fn change_feed_returns_changes_and_tombstones(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_record("post", &alice, json!({"title": format!("t{i}")}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    app.create_record("post", &alice, json!({"title": "private", "read_perm": []}))
        .await;
    app.call(
        Method::DELETE,
        &format!("/hserve/v2.5/table/post/record/{}/", ids[0]),
        Some(&alice),
        Some(json!({})),
    )
    .await;
    // Follow the cursors as a client does; on PostgreSQL a write appears once
    // every older transaction on the server has finished, so wait for the
    // last ones a moment if needed.
    let mut cursor: Option<String> = None;
    let (mut objects, mut deleted) = (Vec::new(), Vec::new());
    let mut waits = 0;
    loop {
        let mut params = vec![("since", "0"), ("limit", "2")];
        if let Some(c) = &cursor {
            params.push(("cursor", c));
        }
        let page = app
            .get_query("/hserve/v2.4/table/post/changes/", Some(&bob), &params)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        objects.extend(
            page.body["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        deleted.extend(
            page.body["deleted"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        cursor = page.body["cursor"].as_str().map(str::to_owned);
        if page.body["has_more"] == false {
            let all = objects.len() == ids.len() - 1 && deleted.len() == 1;
            if all || waits == 150 {
                break;
            }
            waits += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(
        objects,
        ids[1..].to_vec(),
        "changed records, oldest first, the private one hidden"
    );
    assert_eq!(
        deleted,
        vec![ids[0].clone()],
        "deletions come as tombstones"
    );
    let later = app
        .get_query(
            "/hserve/v2.4/table/post/changes/",
            Some(&bob),
            &[("cursor", cursor.as_deref().unwrap())],
        )
        .await;
    assert!(later.body["objects"].as_array().unwrap().is_empty());
    app.put(
        &format!("/hserve/v2.5/table/post/record/{}/", ids[2]),
        Some(&alice),
        json!({"title": "edited"}),
    )
    .await;
    let after_edit = crate::helpers::settle(
        || {
            let (app, bob, cursor) = (&app, bob.clone(), cursor.clone().unwrap());
            async move {
                app.get_query(
                    "/hserve/v2.4/table/post/changes/",
                    Some(&bob),
                    &[("cursor", cursor.as_str())],
                )
                .await
                .body
            }
        },
        |v| v["objects"].as_array().is_some_and(|o| !o.is_empty()),
    )
    .await;
    assert_eq!(after_edit["objects"][0]["title"], "edited");
    let bad = app
        .get_query(
            "/hserve/v2.4/table/post/changes/",
            None,
            &[("cursor", "nonsense")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
