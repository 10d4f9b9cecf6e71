//! Records: create, get, update with atomic operators, delete — the Hydrogen
//! record API of §2.6 on a schema-declared table.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_records_app, Backend};

on_both_backends!(
    create_returns_the_full_record_with_system_fields,
    get_accepts_v2_5_and_v2_4_and_table_ids,
    update_applies_atomic_operators_and_unset,
    update_result_is_validated_against_the_schema,
    delete_answers_204_and_the_record_is_gone,
    bad_bodies_name_the_field_and_rule,
    unknown_tables_and_records_are_404,
);

async fn create_returns_the_full_record_with_system_fields(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, uid) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .create_record(
            "product",
            &token,
            json!({"name": "Pen", "price": 2.5, "tags": ["office"], "released": "2024-05-01T08:00:00+08:00", "stock": {"$incr_by": 3}}),
        )
        .await;
    let id = r["id"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(r["_id"], r["id"]);
    assert_eq!(r["created_by"], uid);
    assert!(r["created_at"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(r["updated_at"], r["created_at"]);
    assert_eq!(r["read_perm"], json!(["user:anonymous"]));
    assert_eq!(r["write_perm"], json!([]));
    assert_eq!(r["name"], "Pen");
    assert_eq!(r["price"], 2.5);
    assert_eq!(r["stock"], 3, "$incr_by on create starts from the default");
    assert_eq!(
        r["released"], "2024-05-01T00:00:00.000000Z",
        "dates are stored in UTC"
    );
    assert_eq!(r["attrs"], json!(null));
}

async fn get_accepts_v2_5_and_v2_4_and_table_ids(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .create_record("product", &token, json!({"name": "Pen"}))
        .await;
    let id = r["id"].as_str().unwrap();
    for path in [
        format!("/hserve/v2.5/table/product/record/{id}/"),
        format!("/hserve/v2.4/table/product/record/{}/", id.to_uppercase()),
    ] {
        let got = app.get(&path, None).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {:?}", got.body);
        assert_eq!(got.body["name"], "Pen");
    }
    // A table may be addressed by its numeric id as well as its name.
    let ids: Vec<String> = app
        .db
        .texts("SELECT CAST(id AS TEXT) AS v FROM object_types WHERE name = 'product'");
    let by_id = app
        .get(&format!("/hserve/v2.5/table/{}/record/{id}/", ids[0]), None)
        .await;
    assert_eq!(by_id.status, StatusCode::OK);
    let keys = app
        .get_query(
            &format!("/hserve/v2.5/table/product/record/{id}/"),
            None,
            &[("keys", "name")],
        )
        .await;
    assert_eq!(keys.body, json!({"id": id, "_id": id, "name": "Pen"}));
}

async fn update_applies_atomic_operators_and_unset(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .create_record(
            "product",
            &token,
            json!({"name": "Pen", "price": 1, "tags": ["a", "b", "c"], "attrs": {"k": 0, "x": 1}, "flag": true}),
        )
        .await;
    let path = format!(
        "/hserve/v2.5/table/product/record/{}/?enable_trigger=1&expand=",
        r["id"].as_str().unwrap()
    );
    // Exactly what minapp-sdk sends (HYDROGEN-API.md appendix A).
    let u = app
        .put(
            &path,
            Some(&token),
            json!({"$set": {"name": "z", "price": {"$incr_by": 1}, "tags": {"$remove": ["c"]}, "attrs": {"$update": {"k": 1}}, "stock": {"$incr_by": 5}}, "$unset": {"flag": ""}}),
        )
        .await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    assert_eq!(u.body["name"], "z");
    assert_eq!(u.body["price"], 2);
    assert_eq!(u.body["tags"], json!(["a", "b"]));
    assert_eq!(u.body["attrs"], json!({"k": 1, "x": 1}));
    assert_eq!(u.body["stock"], 5);
    assert_eq!(u.body["flag"], json!(null));
    let more = app
        .put(
            &path,
            Some(&token),
            json!({"tags": {"$append_unique": ["a", "d"]}}),
        )
        .await;
    assert_eq!(
        more.body["tags"],
        json!(["a", "b", "d"]),
        "flat bodies are an implicit $set"
    );
    let popped = app
        .put(&path, Some(&token), json!({"$set": {"tags": {"$pop": -1}}}))
        .await;
    assert_eq!(popped.body["tags"], json!(["b", "d"]));
    let appended = app
        .put(
            &path,
            Some(&token),
            json!({"$set": {"tags": {"$append": "b"}}}),
        )
        .await;
    assert_eq!(appended.body["tags"], json!(["b", "d", "b"]));
}

async fn update_result_is_validated_against_the_schema(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .create_record(
            "product",
            &token,
            json!({"name": "Pen", "stock": 1, "tags": []}),
        )
        .await;
    let path = format!(
        "/hserve/v2.5/table/product/record/{}/",
        r["id"].as_str().unwrap()
    );
    let below = app
        .put(&path, Some(&token), json!({"stock": {"$incr_by": -2}}))
        .await;
    assert_eq!(below.status, StatusCode::BAD_REQUEST);
    assert!(below.error_msg().contains("stock"), "{}", below.error_msg());
    let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
    let too_many = app
        .put(&path, Some(&token), json!({"tags": {"$append": many}}))
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.error_msg().contains("tags"));
    let after = app.get(&path, None).await;
    assert_eq!(after.body["stock"], 1, "a refused update changes nothing");
    assert_eq!(after.body["tags"], json!([]));
}

async fn delete_answers_204_and_the_record_is_gone(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .create_record("product", &token, json!({"name": "Pen"}))
        .await;
    let path = format!(
        "/hserve/v2.5/table/product/record/{}/",
        r["id"].as_str().unwrap()
    );
    let d = app
        .call(Method::DELETE, &path, Some(&token), Some(json!({})))
        .await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    let again = app
        .call(Method::DELETE, &path, Some(&token), Some(json!({})))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

async fn bad_bodies_name_the_field_and_rule(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let cases = [
        (json!({"price": 1}), "name"),
        (json!({"name": "x", "price": "cheap"}), "price"),
        (json!({"name": "x", "nope": 1}), "nope"),
        (json!({"name": "x", "released": "yesterday"}), "released"),
        (json!({"name": "x", "tags": {"$push": ["a"]}}), "tags"),
        (json!({"name": "x", "read_perm": ["everyone"]}), "read_perm"),
        (json!({"name": "x", "id": "5cbe89e7f1ec740af442a1fa"}), "id"),
        (json!(["not", "objects"]), "body"),
    ];
    for (body, field) in cases {
        let r = app
            .post(
                "/hserve/v2.4/table/product/record/",
                Some(&token),
                body.clone(),
            )
            .await;
        if body.is_array() {
            // A JSON array is a batch create; each item fails on its own.
            assert_eq!(r.status, StatusCode::CREATED);
            assert_eq!(r.body["succeed"], 0);
            continue;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert_eq!(r.body["status"], "error");
        assert!(
            r.error_msg().starts_with(field),
            "{body}: {}",
            r.error_msg()
        );
    }
    let count = app
        .list_records("product", None, &[("return_total_count", "1")])
        .await;
    assert_eq!(count.body["meta"]["total_count"], 0, "nothing half-written");
}

async fn unknown_tables_and_records_are_404(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let r = app
        .post("/hserve/v2.4/table/nope/record/", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.error_msg().contains("nope"));
    for id in ["5cbe89e7f1ec740af442a1fa", "not-an-id"] {
        let g = app
            .get(&format!("/hserve/v2.5/table/product/record/{id}/"), None)
            .await;
        assert_eq!(g.status, StatusCode::NOT_FOUND);
    }
}
