//! Constraints that hold under parallel requests: unique (case-insensitive),
//! compound unique, partial unique ("one default address per owner") and a
//! per-owner maximum ("at most 20 addresses").

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(
    case_insensitive_unique_holds_under_races,
    compound_unique_holds_under_races,
    one_default_address_per_owner_under_races,
    at_most_twenty_addresses_under_races,
    admin_batches_for_several_owners_do_not_deadlock,
);

async fn case_insensitive_unique_holds_under_races(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let names = ["Bob", "bob", "BOB", "bOb", "boB", "BoB", "bob", "BOb"];
    let replies = join_all(names.iter().map(|n| {
        app.post(
            "/hserve/v2.4/table/handle/record/",
            Some(&token),
            json!({"name": n}),
        )
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{replies:?}");
    for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.error_msg().contains("name"), "{}", r.error_msg());
    }
}

async fn compound_unique_holds_under_races(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let post = app
        .create_record("post", &alice, json!({"title": "t"}))
        .await;
    let like = json!({"target_type": "post", "target_id": post["id"]});
    let replies = join_all((0..6).map(|_| {
        app.post(
            "/hserve/v2.4/table/like/record/",
            Some(&alice),
            like.clone(),
        )
    }))
    .await;
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        1
    );
    let dup = replies
        .iter()
        .find(|r| r.status != StatusCode::CREATED)
        .unwrap();
    assert!(
        dup.error_msg()
            .contains("created_by, target_type, target_id"),
        "{}",
        dup.error_msg()
    );
    app.create_record("like", &bob, like).await;
    let count = app
        .list_records("like", None, &[("return_total_count", "1")])
        .await;
    assert_eq!(
        count.body["meta"]["total_count"], 2,
        "one like per user and target"
    );
}

fn address(i: usize, default: bool) -> serde_json::Value {
    json!({"name": format!("home {i}"), "phone": "13800000000", "detail": "street", "postcode": "200000", "is_default": default})
}

async fn one_default_address_per_owner_under_races(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let (bob, _) = app.register_email("b@example.com", "secret123").await;
    let replies = join_all((0..6).map(|i| {
        app.post(
            "/hserve/v2.4/table/address/record/",
            Some(&alice),
            address(i, true),
        )
    }))
    .await;
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        1
    );
    assert!(replies
        .iter()
        .any(|r| r.status == StatusCode::BAD_REQUEST && r.error_msg().contains("is_default")));
    app.create_record("address", &alice, address(9, false))
        .await;
    app.create_record("address", &bob, address(1, true)).await;
    let bad = app
        .post(
            "/hserve/v2.4/table/address/record/",
            Some(&alice),
            json!({"name": "x", "phone": "12345", "detail": "d"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().starts_with("phone"), "{}", bad.error_msg());
}

async fn at_most_twenty_addresses_under_races(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("a@example.com", "secret123").await;
    let replies = join_all((0..30).map(|i| {
        app.post(
            "/hserve/v2.4/table/address/record/",
            Some(&alice),
            address(i, false),
        )
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        20,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let refused = replies
        .iter()
        .find(|r| r.status == StatusCode::BAD_REQUEST)
        .unwrap();
    assert!(
        refused.error_msg().contains("at most 20"),
        "{}",
        refused.error_msg()
    );
    let batch: Vec<_> = (0..3).map(|i| address(100 + i, false)).collect();
    let r = app
        .post(
            "/hserve/v2.4/table/address/record/",
            Some(&alice),
            json!(batch),
        )
        .await;
    assert_eq!(r.body["succeed"], 0, "batch creates obey the limit too");
    let count = app
        .list_records("address", Some(&alice), &[("return_total_count", "1")])
        .await;
    assert_eq!(count.body["meta"]["total_count"], 20);
}

async fn admin_batches_for_several_owners_do_not_deadlock(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (_, ann) = app.register_email("ann@example.com", "secret123").await;
    let (_, bob) = app.register_email("bob@example.com", "secret123").await;
    // Four batches at once, each alternating the two owners, half of them
    // starting with Bob: each owner's lock is wanted by every batch.
    let batches = (0..4).map(|b| {
        let rows: Vec<_> = (0..10)
            .map(|i| {
                let owner = if (i + b) % 2 == 0 { ann } else { bob };
                let mut row = address(b * 10 + i, false);
                row["created_by"] = json!(owner);
                row
            })
            .collect();
        app.admin(
            Method::POST,
            "/hserve/v2.4/table/address/record/",
            Some(json!(rows)),
        )
    });
    let replies = join_all(batches).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["succeed"], 10, "{:?}", r.body);
    }
    let count = app
        .admin(
            Method::GET,
            "/hserve/v2.4/table/address/record/?return_total_count=1&limit=1",
            None,
        )
        .await;
    assert_eq!(
        count.body["meta"]["total_count"], 40,
        "twenty each, the limit exactly"
    );
}
