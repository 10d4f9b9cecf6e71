//! Record queries: the operators of HYDROGEN-API.md §3 per field kind, geo
//! operators, order, keys, expand, keyset paging, and 400s that name the problem.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_records_app, Backend, TestApp};

on_both_backends!(
    operators_select_the_right_records,
    geo_operators_work_on_both_backends,
    expand_and_nested_keys,
    keyset_paging_with_since_walks_every_record_once,
    invalid_queries_are_400_naming_field_or_operator,
    indexed_fields_are_used_by_the_planner,
);

async fn names(app: &TestApp, table: &str, q: Value) -> Vec<String> {
    let r = app
        .list_records(
            table,
            None,
            &[
                ("where", &q.to_string()),
                ("order_by", "name"),
                ("limit", "100"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {:?}", r.body);
    r.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn operators_select_the_right_records(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    for body in [
        json!({"name": "apple", "price": 1, "tags": ["red", "fruit"], "attrs": {"color": "red"}, "released": "2024-01-01T00:00:00Z"}),
        json!({"name": "Banana", "price": 5, "tags": ["yellow", "fruit"], "attrs": {"size": 2}, "released": "2024-06-01T00:00:00+08:00"}),
        json!({"name": "carrot", "price": 10, "tags": ["orange"], "flag": true}),
    ] {
        app.create_record("product", &token, body).await;
    }
    let cases = [
        (json!({"price": {"$gt": 1}}), vec!["Banana", "carrot"]),
        (json!({"price": {"$range": [1, 5]}}), vec!["apple"]),
        (
            json!({"name": {"$in": ["apple", "carrot"]}}),
            vec!["apple", "carrot"],
        ),
        (
            json!({"name": {"$regex": "^b", "$options": "i"}}),
            vec!["Banana"],
        ),
        (json!({"name": {"$icontains": "AN"}}), vec!["Banana"]),
        (
            json!({"tags": {"$in": ["red", "orange"]}}),
            vec!["apple", "carrot"],
        ),
        (json!({"tags": {"$nin": ["fruit"]}}), vec!["carrot"]),
        (
            json!({"tags": {"$all": ["fruit", "yellow"]}}),
            vec!["Banana"],
        ),
        (json!({"tags": {"$eq": ["orange"]}}), vec!["carrot"]),
        (json!({"attrs": {"$has_key": "color"}}), vec!["apple"]),
        (json!({"attrs": {"$eq": {"size": 2}}}), vec!["Banana"]),
        (json!({"flag": {"$isnull": true}}), vec!["Banana", "apple"]),
        (
            json!({"released": {"$lt": "2024-05-31T15:00:00Z"}}),
            vec!["apple"],
        ),
        (
            json!({"released": {"$gte": "2024-06-01T00:00:00+08:00"}}),
            vec!["Banana"],
        ),
        (
            json!({"$or": [{"price": {"$lt": 2}}, {"$and": [{"flag": {"$eq": true}}, {"price": {"$gte": 10}}]}]}),
            vec!["apple", "carrot"],
        ),
        (
            json!({"price": {"$gt": 0}, "name": {"$contains": "a"}}),
            vec!["Banana", "apple", "carrot"],
        ),
    ];
    for (q, want) in cases {
        assert_eq!(names(&app, "product", q.clone()).await, want, "{q}");
    }
    let default_order = app.list_records("product", None, &[]).await;
    let newest_first: Vec<&str> = default_order.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        newest_first,
        vec!["carrot", "Banana", "apple"],
        "default order is -created_at"
    );
    let total = app
        .list_records(
            "product",
            None,
            &[
                ("where", r#"{"price":{"$gte":5}}"#),
                ("limit", "1"),
                ("return_total_count", "1"),
            ],
        )
        .await;
    assert_eq!(total.body["meta"]["total_count"], 2);
    assert_eq!(total.body["objects"].as_array().unwrap().len(), 1);
}

async fn geo_operators_work_on_both_backends(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let point = |lng: f64, lat: f64| json!({"type": "Point", "coordinates": [lng, lat]});
    // Shanghai People's Square, ~1.1 km east of it, Hangzhou (~165 km), Beijing (~1070 km).
    for (name, lng, lat) in [
        ("square", 121.4737, 31.2304),
        ("east", 121.485, 31.2304),
        ("hangzhou", 120.1551, 30.2741),
        ("beijing", 116.4074, 39.9042),
    ] {
        app.create_record(
            "place",
            &token,
            json!({"name": name, "location": point(lng, lat)}),
        )
        .await;
    }
    app.create_record(
        "place",
        &token,
        json!({"name": "zone", "area": {"type": "Polygon", "coordinates": [[[121.0, 31.0], [122.0, 31.0], [122.0, 32.0], [121.0, 32.0], [121.0, 31.0]]]}}),
    )
    .await;
    let circle = names(
        &app,
        "place",
        json!({"location": {"$center": {"radius": 200, "coordinates": [121.4737, 31.2304]}}}),
    )
    .await;
    assert_eq!(circle, vec!["east", "hangzhou", "square"]);
    let near = app
        .list_records(
            "place",
            None,
            &[("where", &json!({"location": {"$nearsphere": {"geometry": point(121.49, 31.2304), "min_distance": 0, "max_distance": 2_000_000}}}).to_string())],
        )
        .await;
    let order: Vec<&str> = near.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec!["east", "square", "hangzhou", "beijing"],
        "nearest first"
    );
    let ring = names(&app, "place", json!({"location": {"$nearsphere": {"geometry": point(121.4737, 31.2304), "min_distance": 500, "max_distance": 200_000}}})).await;
    assert_eq!(ring, vec!["east", "hangzhou"]);
    let within = names(&app, "place", json!({"location": {"$within": {"type": "Polygon", "coordinates": [[[121.0, 31.0], [122.0, 31.0], [122.0, 32.0], [121.0, 32.0], [121.0, 31.0]]]}}})).await;
    assert_eq!(within, vec!["east", "square"]);
    let holds = names(
        &app,
        "place",
        json!({"area": {"$intersects": point(121.5, 31.5)}}),
    )
    .await;
    assert_eq!(holds, vec!["zone"]);
    let outside = names(
        &app,
        "place",
        json!({"area": {"$intersects": point(120.0, 31.5)}}),
    )
    .await;
    assert!(outside.is_empty());
}

async fn expand_and_nested_keys(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, uid) = app.register_email("a@example.com", "secret123").await;
    app.set_profile(&token, json!({"nickname": "Ann", "birthday": "1990-01-01"}))
        .await;
    let post = app
        .create_record("post", &token, json!({"title": "Hello"}))
        .await;
    let post_id = post["id"].as_str().unwrap();
    let c = app
        .create_record("comment", &token, json!({"post": post_id, "text": "hi"}))
        .await;
    assert_eq!(
        c["post"],
        json!({"id": post_id, "_table": "post"}),
        "unexpanded pointers"
    );
    assert_eq!(c["created_by"], uid);
    let (other, _) = app.register_email("b@example.com", "secret123").await;
    let r = app
        .list_records(
            "comment",
            Some(&other),
            &[
                ("expand", "post,created_by"),
                ("keys", "text,post.title,created_by.nickname"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let got = &r.body["objects"][0];
    assert_eq!(got["text"], "hi");
    assert_eq!(got["post"]["title"], "Hello");
    assert_eq!(got["post"]["_table"], "post");
    assert!(
        got["post"].get("likes").is_none(),
        "post.title selects only the title"
    );
    assert_eq!(got["created_by"]["nickname"], "Ann");
    assert!(
        got["created_by"].get("birthday").is_none(),
        "owner-only profile fields never reach another user"
    );
    // Guests may not read users (the user API needs a login), so neither by
    // expanding a pointer: it stays a pointer, as for a missing user.
    let guest = app
        .list_records("comment", None, &[("expand", "post,created_by")])
        .await;
    assert_eq!(guest.status, StatusCode::OK, "{:?}", guest.body);
    let seen = &guest.body["objects"][0];
    assert_eq!(seen["post"]["title"], "Hello", "records still expand");
    assert!(
        seen["created_by"].get("nickname").is_none(),
        "{:?}",
        seen["created_by"]
    );
    let bad = app
        .list_records("comment", None, &[("keys", "post.title")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().contains("expand"));
    let not_ptr = app
        .list_records("comment", None, &[("expand", "text")])
        .await;
    assert_eq!(not_ptr.status, StatusCode::BAD_REQUEST);
    let dangling = app
        .post(
            "/hserve/v2.4/table/comment/record/",
            Some(&token),
            json!({"post": "5cbe89e7f1ec740af442a1fa", "text": "x"}),
        )
        .await;
    assert_eq!(dangling.status, StatusCode::BAD_REQUEST);
    assert!(
        dangling.error_msg().starts_with("post"),
        "{}",
        dangling.error_msg()
    );
    let like = app
        .create_record(
            "like",
            &token,
            json!({"target_type": "post", "target_id": post_id}),
        )
        .await;
    let expanded = app
        .get_query(
            &format!(
                "/hserve/v2.5/table/like/record/{}/",
                like["id"].as_str().unwrap()
            ),
            None,
            &[("expand", "target_id")],
        )
        .await;
    assert_eq!(
        expanded.body["target_id"]["title"], "Hello",
        "polymorphic pointers expand too"
    );
}

async fn keyset_paging_with_since_walks_every_record_once(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let rows: Vec<Value> = (0..25)
        .map(|i| json!({"name": format!("p{i:02}"), "price": i % 4}))
        .collect();
    let r = app
        .post(
            "/hserve/v2.4/table/product/record/",
            Some(&token),
            Value::Array(rows),
        )
        .await;
    assert_eq!(r.body["succeed"], 25);
    for order in ["-price", "price,-name", "-created_at"] {
        let mut seen = Vec::new();
        let mut since: Option<String> = None;
        loop {
            let mut params = vec![("order_by", order), ("limit", "7")];
            if let Some(s) = &since {
                params.push(("since", s));
            }
            let page = app.list_records("product", None, &params).await;
            assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
            let ids = TestApp::ids(&page);
            if ids.is_empty() {
                break;
            }
            since = ids.last().cloned();
            seen.extend(ids);
        }
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (25, 25), "order {order}");
        let all = app
            .list_records("product", None, &[("order_by", order), ("limit", "100")])
            .await;
        assert_eq!(
            TestApp::ids(&all),
            seen,
            "keyset pages follow the offset order for {order}"
        );
    }
}

async fn invalid_queries_are_400_naming_field_or_operator(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let cases = [
        (r#"{"nope":{"$eq":1}}"#, "nope"),
        (r#"{"name":{"$has_key":"x"}}"#, "$has_key"),
        (r#"{"price":{"$contains":"1"}}"#, "$contains"),
        (r#"{"tags":{"$all":"red"}}"#, "$all"),
        (r#"{"price":{"$range":[5,1]}}"#, "$range"),
        (r#"{"released":{"$gt":"soon"}}"#, "released"),
        (r#"{"cost":{"$gt":1}}"#, "cost"),
        (r#"{"name":{"$bogus":1}}"#, "$bogus"),
        (r#"{"attrs":{"$has_key":"a.b"}}"#, "$has_key"),
        ("not json", "where"),
    ];
    for (q, needle) in cases {
        let r = app.list_records("product", None, &[("where", q)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.error_msg().contains(needle), "{q}: {}", r.error_msg());
    }
    let r = app
        .list_records(
            "place",
            None,
            &[(
                "where",
                r#"{"location":{"$center":{"radius":-1,"coordinates":[0,0]}}}"#,
            )],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for (param, value) in [
        ("order_by", "attrs"),
        ("keys", "nope"),
        ("limit", "1001"),
        ("since", "xyz"),
    ] {
        let r = app.list_records("product", None, &[(param, value)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}={value}");
        assert!(r.error_msg().starts_with(param), "{}", r.error_msg());
    }
}

async fn indexed_fields_are_used_by_the_planner(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    for chunk in 0..3 {
        let rows: Vec<Value> = (0..1000)
            .map(|i| json!({"name": format!("n{chunk}-{i}"), "price": i}))
            .collect();
        let r = app
            .post(
                "/hserve/v2.4/table/product/record/",
                Some(&token),
                Value::Array(rows),
            )
            .await;
        assert_eq!(r.body["succeed"], 1000);
    }
    let (by_name, sorted) = match backend {
        Backend::Sqlite => (
            sqlite_plan(
                &app,
                r#"SELECT id FROM "tbl_product" WHERE "name" = 'n1-5'"#,
            ),
            sqlite_plan(
                &app,
                r#"SELECT id FROM "tbl_product" ORDER BY created_at DESC, id DESC LIMIT 20"#,
            ),
        ),
        Backend::Postgres => {
            app.db.execute(r#"ANALYZE "tbl_product""#);
            (
                pg_plan(
                    &app,
                    r#"SELECT id FROM "tbl_product" WHERE "name" = 'n1-5'"#,
                ),
                pg_plan(
                    &app,
                    r#"SELECT id FROM "tbl_product" ORDER BY created_at DESC, id DESC LIMIT 20"#,
                ),
            )
        }
    };
    assert!(by_name.contains("ix.tbl_product.name"), "{by_name}");
    assert!(sorted.contains("ix.tbl_product.created_at"), "{sorted}");
}

/// The `detail` lines of SQLite's plan for `sql`.
fn sqlite_plan(app: &TestApp, sql: &str) -> String {
    use diesel::{Connection, RunQueryDsl, SqliteConnection};
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let mut c = SqliteConnection::establish(app.db.url.trim_start_matches("sqlite://")).unwrap();
    let lines: Vec<Line> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load(&mut c)
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.detail)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of Postgres' plan for `sql`.
fn pg_plan(app: &TestApp, sql: &str) -> String {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let mut c = PgConnection::establish(&app.db.url).unwrap();
    let lines: Vec<Line> = diesel::sql_query(format!("EXPLAIN {sql}"))
        .load(&mut c)
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

on_both_backends!(pointers_are_matched_case_insensitively_and_dangling_ones_do_not_block_edits);

async fn pointers_are_matched_case_insensitively_and_dangling_ones_do_not_block_edits(
    backend: Backend,
) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("a@example.com", "secret123").await;
    let post = app
        .create_record("post", &token, json!({"title": "t"}))
        .await;
    let post_id = post["id"].as_str().unwrap();
    let c = app
        .create_record(
            "comment",
            &token,
            json!({"post": post_id.to_uppercase(), "text": "hi"}),
        )
        .await;
    assert_eq!(
        c["post"]["id"], post_id,
        "pointer ids are stored lower-case"
    );
    let found = app
        .list_records(
            "comment",
            None,
            &[
                ("where", &json!({"post": {"$eq": post_id}}).to_string()),
                ("expand", "post"),
            ],
        )
        .await;
    assert_eq!(found.body["objects"][0]["post"]["title"], "t");
    let d = app
        .call(
            reqwest::Method::DELETE,
            &format!("/hserve/v2.5/table/post/record/{post_id}/"),
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    let edit = app
        .put(
            &format!(
                "/hserve/v2.5/table/comment/record/{}/",
                c["id"].as_str().unwrap()
            ),
            Some(&token),
            json!({"text": "edited"}),
        )
        .await;
    assert_eq!(
        edit.status,
        StatusCode::OK,
        "a deleted target does not block other edits: {:?}",
        edit.body
    );
}

on_both_backends!(row_acl_checks_use_the_acl_index);

/// Records readable only by their creator or by listed users are found through
/// indexes — the creator index and the ACL index kept by triggers — not by
/// reading every row's `read_perm`.
async fn row_acl_checks_use_the_acl_index(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, me) = app.register_email("acl@example.com", "secret123").await;
    let (_, other) = app.register_email("other@example.com", "secret123").await;
    // Rows written straight to the table: the triggers index their ACL too.
    let seed = match backend {
        Backend::Sqlite => "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
             INSERT INTO tbl_blacklist (id, created_at, updated_at, created_by, read_perm, write_perm, \"user\") \
             SELECT printf('%024x', i), i, i, 1000 + i % 50, CASE WHEN i % 500 = 0 THEN '[\"user:ME\"]' ELSE '[]' END, '[]', CAST(i AS TEXT) FROM n",
        Backend::Postgres => "INSERT INTO tbl_blacklist (id, created_at, updated_at, created_by, read_perm, write_perm, \"user\") \
             SELECT lpad(to_hex(i), 24, '0'), i, i, 1000 + i % 50, CASE WHEN i % 500 = 0 THEN '[\"user:ME\"]'::jsonb ELSE '[]'::jsonb END, '[]'::jsonb, CAST(i AS TEXT) FROM generate_series(1, 5000) AS i",
    };
    let _ = other;
    app.db.execute(&seed.replace("ME", &me.to_string()));
    let shared = app
        .list_records("blacklist", Some(&token), &[("return_total_count", "1")])
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{:?}", shared.body);
    assert_eq!(
        shared.body["meta"]["total_count"], 10,
        "the ten rows listed for me, found through the index"
    );
    let acl_rows = app
        .db
        .texts("SELECT CAST(COUNT(*) AS TEXT) AS v FROM acl_blacklist");
    assert_eq!(
        acl_rows,
        vec!["10".to_owned()],
        "one index row per ACL entry"
    );
    // The condition the record engine writes for a table whose rows are private by default.
    let condition = format!(
        "\"id\" IN (SELECT \"id\" FROM tbl_blacklist WHERE \"created_by\" = {me} UNION ALL \
         SELECT record_id FROM acl_blacklist WHERE access = 'read_perm' \
         AND entry IN ('user:anonymous', 'user:*', 'user:{me}'))"
    );
    let count = format!("SELECT COUNT(*) FROM tbl_blacklist WHERE {condition}");
    let page = format!(
        "SELECT id FROM tbl_blacklist WHERE {condition} ORDER BY created_at DESC, id DESC LIMIT 20"
    );
    for sql in [count, page] {
        let plan = match backend {
            Backend::Sqlite => {
                app.db.execute("ANALYZE");
                sqlite_plan(&app, &sql)
            }
            Backend::Postgres => {
                app.db.execute("ANALYZE tbl_blacklist");
                app.db.execute("ANALYZE acl_blacklist");
                pg_plan(&app, &sql)
            }
        };
        assert!(
            !plan.contains("SCAN tbl_blacklist\n")
                && !plan.ends_with("SCAN tbl_blacklist")
                && !plan.contains("Seq Scan on tbl_blacklist"),
            "{sql}\n{plan}"
        );
        assert!(plan.contains("acl_blacklist"), "{plan}");
        eprintln!("{sql}\n{plan}\n");
    }
}
