//! `GET /hserve/v2.2/user/info/`: where, order_by, keys, paging, meta.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

on_both_backends!(
    every_operator_filters_as_documented,
    filters_on_private_fields_are_refused,
    invalid_queries_are_400s_naming_the_problem,
    order_keys_limit_offset_and_meta,
    plus_in_the_query_string_means_space,
    users_are_counted_by_group_on_public_fields_only,
);

/// Three users with profiles; returns (token of the first, ids).
async fn people(app: &TestApp) -> (String, Vec<i64>) {
    let mut ids = Vec::new();
    let mut first = String::new();
    let profiles = [
        (
            "p1@example.com",
            json!({"nickname": "Li Lei", "gender": 1, "city": "Beijing", "bio": "likes tea"}),
        ),
        (
            "p2@example.com",
            json!({"nickname": "Han Meimei", "gender": 2, "city": "Shanghai"}),
        ),
        ("p3@example.com", json!({"nickname": "lily", "gender": 2})),
    ];
    for (email, profile) in profiles {
        let (token, id) = app.register_email(email, "secret123").await;
        app.set_profile(&token, profile).await;
        if first.is_empty() {
            first = token;
        }
        ids.push(id);
    }
    (first, ids)
}

async fn nicknames(app: &TestApp, token: &str, where_json: Value) -> Vec<String> {
    let w = where_json.to_string();
    let r = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(token),
            &[("where", &w), ("order_by", "nickname"), ("limit", "100")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{w}: {:?}", r.body);
    r.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["nickname"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn every_operator_filters_as_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, ids) = people(&app).await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"nickname": {"$eq": "lily"}}), vec!["lily"]),
        (json!({"nickname": "lily"}), vec!["lily"]),
        (json!({"gender": {"$ne": 2}}), vec!["Li Lei"]),
        (json!({"gender": {"$lt": 2}}), vec!["Li Lei"]),
        (
            json!({"gender": {"$lte": 2}}),
            vec!["Han Meimei", "Li Lei", "lily"],
        ),
        (json!({"gender": {"$gt": 1}}), vec!["Han Meimei", "lily"]),
        (
            json!({"gender": {"$gte": 1}}),
            vec!["Han Meimei", "Li Lei", "lily"],
        ),
        (
            json!({"city": {"$in": ["Beijing", "Paris"]}}),
            vec!["Li Lei"],
        ),
        (
            json!({"city": {"$nin": ["Beijing"]}}),
            vec!["Han Meimei", "lily"],
        ),
        (json!({"nickname": {"$contains": "Li"}}), vec!["Li Lei"]),
        (
            json!({"nickname": {"$icontains": "li"}}),
            vec!["Li Lei", "lily"],
        ),
        (json!({"nickname": {"$regex": "^l"}}), vec!["lily"]),
        (
            json!({"nickname": {"$regex": "^l", "$options": "i"}}),
            vec!["Li Lei", "lily"],
        ),
        (
            json!({"city": {"$exists": true}}),
            vec!["Han Meimei", "Li Lei"],
        ),
        (json!({"city": {"$exists": false}}), vec!["lily"]),
        (
            json!({"bio": {"$isnull": true}}),
            vec!["Han Meimei", "lily"],
        ),
        (json!({"bio": {"$isnull": false}}), vec!["Li Lei"]),
        (
            json!({"id": {"$in": [ids[0], ids[2]]}}),
            vec!["Li Lei", "lily"],
        ),
        (
            json!({"$and": [{"gender": {"$eq": 2}}, {"city": {"$exists": true}}]}),
            vec!["Han Meimei"],
        ),
        (
            json!({"$or": [{"$and": [{"gender": 1}]}, {"$and": [{"nickname": {"$contains": "ly"}}]}]}),
            vec!["Li Lei", "lily"],
        ),
        (json!({"gender": 2, "city": "Shanghai"}), vec!["Han Meimei"]),
        (json!({}), vec!["Han Meimei", "Li Lei", "lily"]),
    ];
    for (w, expected) in cases {
        let mut got = nicknames(&app, &t, w.clone()).await;
        got.sort();
        let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
        expected.sort();
        assert_eq!(got, expected, "where {w}");
    }
}

async fn filters_on_private_fields_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = people(&app).await;
    for (param, value) in [
        (
            "where",
            json!({"_email": {"$eq": "p2@example.com"}}).to_string(),
        ),
        ("where", json!({"score": {"$gt": 0}}).to_string()),
        ("where", json!({"_username": {"$regex": "^a"}}).to_string()),
        ("order_by", "_username".to_string()),
        ("order_by", "-birthday".to_string()),
        ("keys", "nickname,_phone".to_string()),
    ] {
        let r = app
            .get_query("/hserve/v2.2/user/info/", Some(&t), &[(param, &value)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}={value}");
        assert!(
            r.error_msg().starts_with(&format!("{param}:")),
            "{}",
            r.error_msg()
        );
        assert!(r.error_msg().contains("not readable"), "{}", r.error_msg());
    }
    // Another user's private fields never appear in list output.
    let r = app
        .get_query("/hserve/v2.2/user/info/", Some(&t), &[("limit", "100")])
        .await;
    let me = r.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o.get("_email").is_some())
        .count();
    assert_eq!(me, 1, "only the caller's own row shows private fields");
}

async fn invalid_queries_are_400s_naming_the_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = people(&app).await;
    let cases = [
        ("where", "{not json", "where: is not valid JSON"),
        ("where", r#"{"nope":{"$eq":1}}"#, "unknown field 'nope'"),
        ("where", r#"{"gender":{"$near":1}}"#, "'$near'"),
        (
            "where",
            r#"{"gender":{"$contains":"1"}}"#,
            "'$contains' is not supported on 'gender'",
        ),
        ("where", r#"{"gender":{"$gt":"x"}}"#, "needs an integer"),
        (
            "where",
            r#"{"nickname":{"$regex":"(("}}"#,
            "not a valid pattern",
        ),
        ("where", r#"{"$and":{"a":1}}"#, "takes an array"),
        ("order_by", "nope", "order_by: unknown field 'nope'"),
        ("limit", "1001", "limit: must be an integer from 0 to 1000"),
        ("limit", "ten", "limit:"),
        ("offset", "-3", "offset:"),
        ("keys", "nickname,-city", "keys: cannot mix"),
    ];
    for (param, value, expected) in cases {
        let r = app
            .get_query("/hserve/v2.2/user/info/", Some(&t), &[(param, value)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}={value}");
        assert_eq!(r.body["status"], "error");
        assert!(
            r.error_msg().contains(expected),
            "{param}={value}: {}",
            r.error_msg()
        );
    }
    assert_eq!(
        app.get("/hserve/v2.2/user/info/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn order_keys_limit_offset_and_meta(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, ids) = people(&app).await;
    let r = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&t),
            &[
                ("order_by", "-gender,nickname"),
                ("keys", "nickname"),
                ("limit", "2"),
                ("offset", "0"),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let objects = r.body["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0], json!({"id": ids[1], "nickname": "Han Meimei"}));
    assert_eq!(objects[1], json!({"id": ids[2], "nickname": "lily"}));
    let meta = &r.body["meta"];
    assert_eq!(meta["limit"], 2);
    assert_eq!(meta["offset"], 0);
    assert_eq!(meta["total_count"], 3);
    assert_eq!(meta["previous"], Value::Null);
    let next = meta["next"].as_str().unwrap();
    assert!(
        next.starts_with("/hserve/v2.2/user/info/?")
            && next.contains("offset=2")
            && next.contains("limit=2"),
        "{next}"
    );
    let page2 = app.get(next, Some(&t)).await;
    assert_eq!(page2.body["objects"].as_array().unwrap().len(), 1);
    assert_eq!(page2.body["objects"][0]["nickname"], "Li Lei");
    assert_eq!(page2.body["meta"]["next"], Value::Null);
    assert!(page2.body["meta"].get("total_count").unwrap().is_number());
    // Default: newest first, 20 per page, no total.
    let d = app.get("/hserve/v2.2/user/info/", Some(&t)).await;
    assert_eq!(d.body["meta"]["limit"], 20);
    assert!(d.body["meta"].get("total_count").is_none());
    let order: Vec<i64> = d.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![ids[2], ids[1], ids[0]]);
    // count() as the SDK sends it.
    let c = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&t),
            &[
                ("limit", "1"),
                ("offset", "0"),
                ("where", "{}"),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(c.body["meta"]["total_count"], 3);
}

async fn plus_in_the_query_string_means_space(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = people(&app).await;
    // axios encodes a space as '+', leaving '$', ':' and ',' raw.
    let path = "/hserve/v2.2/user/info/?where=%7B%22nickname%22:%7B%22$eq%22:%22Li+Lei%22%7D%7D&limit=20&offset=0&return_total_count=0";
    let r = app.get(path, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["objects"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["objects"][0]["nickname"], "Li Lei");
}

/// `GET /hserve/v2.4/user/aggregate/`: counts by a public field; private
/// fields can be neither grouped, summed nor filtered on by other users.
async fn users_are_counted_by_group_on_public_fields_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = people(&app).await;
    let by_gender = app
        .get_query(
            "/hserve/v2.4/user/aggregate/",
            Some(&t),
            &[("group_by", "gender"), ("order_by", "gender")],
        )
        .await;
    assert_eq!(by_gender.status, StatusCode::OK, "{:?}", by_gender.body);
    assert_eq!(
        by_gender.body["objects"],
        json!([{"group": {"gender": 1}, "count": 1, "sum": {}}, {"group": {"gender": 2}, "count": 2, "sum": {}}])
    );
    for (param, value) in [
        ("group_by", "_email".to_owned()),
        ("group_by", "birthday".to_owned()),
        ("sum", "score".to_owned()),
        ("where", json!({"score": {"$gt": 0}}).to_string()),
    ] {
        let r = app
            .get_query("/hserve/v2.4/user/aggregate/", Some(&t), &[(param, &value)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{param}={value}: {:?}",
            r.body
        );
        assert!(
            r.error_msg().starts_with(&format!("{param}:")),
            "{}",
            r.error_msg()
        );
    }
}
