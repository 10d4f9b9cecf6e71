//! `POST …/record/?upsert=<key>`: update the record holding the key, or create
//! it — once, however many requests race.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(upsert_updates_or_creates_once_under_races);

async fn upsert_updates_or_creates_once_under_races(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    let path = "/hserve/v2.4/table/product/record/?upsert=sku";
    let first = app
        .post(
            path,
            Some(&ann),
            json!({"sku": "A-1", "name": "apple", "stock": {"$incr_by": 1}}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["stock"], 1);
    let again = app
        .post(
            path,
            Some(&ann),
            json!({"sku": "A-1", "name": "green apple", "stock": {"$incr_by": 1}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["id"], first.body["id"], "the same record");
    assert_eq!(
        (again.body["name"].clone(), again.body["stock"].clone()),
        (json!("green apple"), json!(2))
    );

    // Twenty at once on a new key: one record, every increment applied.
    let replies = join_all((0..20).map(|_| {
        app.post(
            path,
            Some(&ann),
            json!({"sku": "B-2", "name": "pear", "stock": {"$incr_by": 1}}),
        )
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let updated = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(
        (created, updated),
        (1, 19),
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let list = app
        .list_records(
            "product",
            Some(&ann),
            &[
                ("where", &json!({"sku": "B-2"}).to_string()),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(list.body["meta"]["total_count"], 1);
    assert_eq!(list.body["objects"][0]["stock"], 20);

    // The key must be a uniqueness; invalid bodies write nothing.
    for (query, body, word) in [
        ("upsert=name", json!({"name": "x"}), "not a unique key"),
        ("upsert=sku", json!({"name": "no key"}), "needs a value"),
        ("upsert=sku", json!([{"sku": "C"}]), "not an array"),
    ] {
        let r = app
            .post(
                &format!("/hserve/v2.4/table/product/record/?{query}"),
                Some(&ann),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {:?}", r.body);
        assert!(r.error_msg().contains(word), "{query}: {}", r.error_msg());
    }
}
