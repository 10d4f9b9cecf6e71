//! The schema vocabulary beyond access rules (`tests/schema/vocabulary`):
//! masked, generated, byte-limited, computed and immutable fields and write
//! guards, on the user profile and on data tables alike.

use std::collections::BTreeSet;

use futures::future::join_all;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};

async fn spawn(backend: Backend) -> TestApp {
    crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await
}

/// A copy of the test schema in a temporary directory, to edit.
fn copy_of_the_schema() -> tempfile::TempDir {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// The application on the schema in `dir`.
async fn spawn_in(backend: Backend, dir: &std::path::Path) -> TestApp {
    let dir = dir.to_path_buf();
    crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = dir;
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await
}

async fn user_info(app: &TestApp, id: i64, token: &str) -> Value {
    let r = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

on_both_backends!(
    masked_fields_show_only_their_ends_to_others,
    masked_fields_cannot_be_probed_by_queries,
    generated_values_are_filled_unique_and_not_writable,
    byte_limits_count_in_the_declared_encoding,
    computed_fields_are_evaluated_on_read_and_never_stored,
    guards_and_immutable_fields_refuse_writes_with_the_rule,
    counters_stay_exact_under_parallel_follows_and_unfollows,
    a_counter_added_later_starts_from_the_true_count,
    viewer_flags_are_per_viewer_and_one_query_per_page,
    related_records_expand_with_order_limit_and_their_read_rules,
    aggregates_count_and_sum_by_group_over_readable_records,
    linked_users_read_fields_granted_through_links,
    a_keyword_used_wrongly_stops_a_reload_with_file_and_pointer,
    the_last_active_time_is_kept_at_most_once_a_minute,
    the_device_platform_is_kept_from_device_logins_within_the_fields_rules,
);

async fn masked_fields_show_only_their_ends_to_others(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    app.set_profile(&ann, json!({"contact_phone": "18712345682"}))
        .await;

    assert_eq!(
        user_info(&app, ann_id, &ann).await["contact_phone"],
        "18712345682"
    );
    assert_eq!(
        user_info(&app, ann_id, &bob).await["contact_phone"],
        "187******82"
    );
    let listed = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&bob),
            &[
                ("keys", "contact_phone"),
                ("where", &json!({"id": {"$eq": ann_id}}).to_string()),
            ],
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body["objects"][0]["contact_phone"], "187******82");
    let admin = app
        .admin(
            Method::GET,
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            None,
        )
        .await;
    assert_eq!(admin.body["contact_phone"], "18712345682");

    // On a data table: the record's creator sees it whole, others masked —
    // in reads, lists and the change feed.
    let cert = app
        .create_record(
            "certification",
            &ann,
            json!({"name": "张三", "id_number": "110101199003074578"}),
        )
        .await;
    assert_eq!(cert["id_number"], "110101199003074578");
    let id = cert["id"].as_str().unwrap();
    let seen = app
        .get(
            &format!("/hserve/v2.4/table/certification/record/{id}/"),
            Some(&bob),
        )
        .await;
    assert_eq!(seen.body["id_number"], "11**************78");
    let list = app
        .list_records("certification", Some(&bob), &[("expand", "created_by")])
        .await;
    assert_eq!(list.body["objects"][0]["id_number"], "11**************78");
    assert_eq!(
        list.body["objects"][0]["created_by"]["contact_phone"], "187******82",
        "an expanded profile is masked too: {:?}",
        list.body
    );
    // The feed serves a change once it has settled (about a second).
    let (app_ref, bob_ref) = (&app, &bob);
    let feed = move || async move {
        app_ref
            .get_query(
                "/hserve/v2.4/table/certification/changes/",
                Some(bob_ref),
                &[("since", "0")],
            )
            .await
    };
    crate::helpers::eventually(
        "the change feed serves the record",
        10,
        move || async move { feed().await.body.to_string().contains("id_number") },
    )
    .await;
    let feed = feed().await;
    assert_eq!(feed.status, StatusCode::OK, "{:?}", feed.body);
    let text = feed.body.to_string();
    assert!(text.contains("11**************78"), "{text}");
    assert!(
        !text.contains("110101199003074578"),
        "the feed leaks the value: {text}"
    );
}

async fn masked_fields_cannot_be_probed_by_queries(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    app.set_profile(&ann, json!({"contact_phone": "18712345682"}))
        .await;
    for (param, value) in [
        (
            "where",
            json!({"contact_phone": {"$regex": "^1871"}}).to_string(),
        ),
        ("where", json!({"contact_phone": "18712345682"}).to_string()),
        ("order_by", "contact_phone".to_owned()),
    ] {
        let r = app
            .get_query("/hserve/v2.2/user/info/", Some(&bob), &[(param, &value)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{param}={value}: {:?}",
            r.body
        );
        assert!(
            r.error_msg().contains("contact_phone") && r.error_msg().contains("masked"),
            "{}",
            r.error_msg()
        );
        assert!(!r.error_msg().contains("18712345682"));
    }
    // Admins may.
    let r = app
        .admin(
            Method::GET,
            &format!(
                "/hserve/v2.2/user/info/?where={}",
                json!({"contact_phone": "18712345682"})
            ),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["objects"].as_array().map(Vec::len), Some(1));
}

async fn generated_values_are_filled_unique_and_not_writable(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    let ann_code = user_info(&app, ann_id, &ann).await["invite_code"].clone();
    let bob_code = user_info(&app, bob_id, &bob).await["invite_code"].clone();
    let alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for code in [&ann_code, &bob_code] {
        let code = code
            .as_str()
            .unwrap_or_else(|| panic!("no invite code: {code}"));
        assert_eq!(code.len(), 8);
        assert!(code.chars().all(|c| alphabet.contains(c)), "{code}");
    }
    assert_ne!(ann_code, bob_code);
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"invite_code": "MINE1234"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(r.error_msg().contains("invite_code"), "{}", r.error_msg());

    // 12 codes of 5 letters from "AB" (32 possible): all different, so
    // collisions were retried.
    let mut codes = BTreeSet::new();
    for i in 0..12 {
        let rec = app
            .create_record("invite", &ann, json!({"note": format!("invite {i}")}))
            .await;
        let code = rec["code"].as_str().unwrap().to_owned();
        assert!(
            code.len() == 5 && code.chars().all(|c| c == 'A' || c == 'B'),
            "{code}"
        );
        assert_eq!(rec["token"].as_str().map(str::len), Some(36), "{rec}");
        codes.insert(code);
    }
    assert_eq!(codes.len(), 12, "{codes:?}");
    let r = app
        .post(
            "/hserve/v2.4/table/invite/record/",
            Some(&bob),
            json!({"code": "AAAAA"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(r.error_msg().contains("code"), "{}", r.error_msg());
    // Batch creates fill them too.
    let batch = app
        .post(
            "/hserve/v2.4/table/invite/record/",
            Some(&bob),
            json!([{"note": "a"}, {"note": "b"}]),
        )
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{:?}", batch.body);
    let list = app
        .admin(
            Method::GET,
            "/hserve/v2.4/table/invite/record/?limit=100",
            None,
        )
        .await;
    let all: BTreeSet<String> = list.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 14);
}

async fn byte_limits_count_in_the_declared_encoding(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    // GB18030: two bytes per Chinese character, at most 8 bytes.
    app.set_profile(&ann, json!({"nickname": "张三丰李"})).await;
    assert_eq!(user_info(&app, ann_id, &ann).await["nickname"], "张三丰李");
    let too_long = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"nickname": "张三丰李四"}),
        )
        .await;
    assert_eq!(
        too_long.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        too_long.body
    );
    assert!(
        too_long.error_msg().contains("nickname")
            && too_long.error_msg().contains("10 bytes in GB18030")
            && too_long.error_msg().contains("max_bytes"),
        "{}",
        too_long.error_msg()
    );
    let too_short = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"nickname": "a"}),
        )
        .await;
    assert_eq!(too_short.status, StatusCode::BAD_REQUEST);
    assert!(
        too_short.error_msg().contains("min_bytes"),
        "{}",
        too_short.error_msg()
    );
    // Eight ASCII letters are eight bytes: fine.
    app.set_profile(&ann, json!({"nickname": "abcdefgh"})).await;
    // At sign-up too, and nothing is created when it fails.
    let r = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "cat@example.com", "password": "secret123", "nickname": "张三丰李四"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let login = app.login_email("cat@example.com", "secret123").await;
    assert_eq!(
        login.status,
        StatusCode::BAD_REQUEST,
        "no such user: {:?}",
        login.body
    );
    // A table field: at most 12 GB18030 bytes.
    let r = app
        .post(
            "/hserve/v2.4/table/certification/record/",
            Some(&ann),
            json!({"name": "一二三四五六七"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.error_msg().contains("name"), "{}", r.error_msg());
}

async fn computed_fields_are_evaluated_on_read_and_never_stored(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    assert_eq!(
        user_info(&app, ann_id, &ann).await["vip_left"],
        0,
        "no VIP yet"
    );
    let in_ten_days = chrono::Utc::now() + chrono::Duration::days(10) + chrono::Duration::hours(1);
    let r = app
        .admin_api(
            Method::PATCH,
            &format!("/users/{ann_id}/"),
            ADMIN_TOKEN,
            Some(json!({"vip_expires_at": in_ten_days.to_rfc3339()})),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    assert_eq!(user_info(&app, ann_id, &ann).await["vip_left"], 10);
    assert_eq!(
        user_info(&app, ann_id, &bob).await["vip_left"],
        10,
        "public, like its input"
    );

    // `age` reads the owner-only birthday, so only the owner sees it.
    app.set_profile(&ann, json!({"birthday": "1990-06-01T00:00:00Z"}))
        .await;
    let own = user_info(&app, ann_id, &ann).await;
    let year: i64 = chrono::Datelike::year(&chrono::Utc::now()).into();
    assert_eq!(own["age"], year - 1990);
    let other = user_info(&app, ann_id, &bob).await;
    assert!(
        other.get("age").is_none() && other.get("birthday").is_none(),
        "{other}"
    );

    let write = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"vip_left": 99}),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "{:?}", write.body);
    assert!(
        write.error_msg().contains("vip_left"),
        "{}",
        write.error_msg()
    );
    for (param, value) in [
        ("where", json!({"vip_left": {"$gt": 1}}).to_string()),
        ("order_by", "-vip_left".to_owned()),
    ] {
        let r = app
            .get_query("/hserve/v2.2/user/info/", Some(&bob), &[(param, &value)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{param}: {:?}", r.body);
        assert!(
            r.error_msg().contains("vip_left") && r.error_msg().contains("computed"),
            "{}",
            r.error_msg()
        );
    }
    // `keys` may name it; it is never a column.
    let r = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&bob),
            &[("keys", "vip_left")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let columns = app.db.texts(match backend {
        Backend::Sqlite => "SELECT name AS v FROM pragma_table_info('_userprofile')",
        Backend::Postgres => {
            "SELECT column_name::text AS v FROM information_schema.columns WHERE table_name = '_userprofile'"
        }
    });
    assert!(columns.iter().any(|c| c == "vip_expires_at"), "{columns:?}");
    assert!(
        !columns.iter().any(|c| c == "vip_left" || c == "age"),
        "{columns:?}"
    );
}

async fn guards_and_immutable_fields_refuse_writes_with_the_rule(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    let cert = app
        .create_record(
            "certification",
            &ann,
            json!({"name": "张三", "id_number": "110101199003074578"}),
        )
        .await;
    assert_eq!(cert["status"], -1);
    let path = format!(
        "/hserve/v2.4/table/certification/record/{}/",
        cert["id"].as_str().unwrap()
    );
    let pending = app.put(&path, Some(&ann), json!({"name": "李四"})).await;
    assert_eq!(pending.status, StatusCode::FORBIDDEN, "{:?}", pending.body);
    assert_eq!(
        pending.error_msg(),
        "a certification may be edited only after it was rejected"
    );
    let status = app.put(&path, Some(&ann), json!({"status": 1})).await;
    assert_eq!(
        status.status,
        StatusCode::FORBIDDEN,
        "owners may not set status"
    );

    let rejected = app
        .admin(Method::PUT, &path, Some(json!({"status": 0})))
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{:?}", rejected.body);
    let edited = app.put(&path, Some(&ann), json!({"name": "李四"})).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["name"], "李四");

    let approved = app
        .admin(Method::PUT, &path, Some(json!({"status": 1})))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.body);
    let back = app
        .admin(Method::PUT, &path, Some(json!({"status": -1})))
        .await;
    assert_eq!(back.status, StatusCode::BAD_REQUEST, "{:?}", back.body);
    assert!(
        back.error_msg().contains("status")
            && back.error_msg().contains("cannot go back to pending"),
        "{}",
        back.error_msg()
    );
    let still = app.get(&path, Some(&ann)).await;
    assert_eq!(still.body["status"], 1, "a refused write changes nothing");

    let immutable = app
        .admin(Method::PUT, &path, Some(json!({"id_number": "X"})))
        .await;
    assert_eq!(
        immutable.status,
        StatusCode::FORBIDDEN,
        "{:?}",
        immutable.body
    );
    assert!(
        immutable.error_msg().contains("id_number")
            && immutable.error_msg().contains("cannot be changed"),
        "{}",
        immutable.error_msg()
    );
}

/// The three counters of user `id` as `viewer` sees them.
async fn counts(app: &TestApp, id: i64, viewer: &str) -> (Value, Value, Value) {
    let u = user_info(app, id, viewer).await;
    (
        u["followers_count"].clone(),
        u["following_count"].clone(),
        u["visible_followers"].clone(),
    )
}

async fn counters_stay_exact_under_parallel_follows_and_unfollows(backend: Backend) {
    let app = spawn(backend).await;
    let (star, star_id) = app.register_email("star@example.com", "secret123").await;
    let (_, other_id) = app.register_email("other@example.com", "secret123").await;
    let mut fans = Vec::new();
    for i in 0..30 {
        fans.push(
            app.register_email(&format!("fan{i}@example.com"), "secret123")
                .await,
        );
    }
    let created = join_all(fans.iter().map(|(t, _)| {
        app.post(
            "/hserve/v2.4/table/follow/record/",
            Some(t),
            json!({"followee": star_id}),
        )
    }))
    .await;
    let mut follows = Vec::new();
    for r in &created {
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        follows.push(r.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        counts(&app, star_id, &star).await,
        (json!(30), json!(0), json!(30))
    );
    assert_eq!(counts(&app, fans[0].1, &star).await.1, json!(1));

    // At once: ten unfollow, ten move to another user, ten hide their follow.
    let app_ref = &app;
    let changes = join_all(
        fans.iter()
            .zip(&follows)
            .enumerate()
            .map(|(i, ((t, _), id))| {
                let path = format!("/hserve/v2.4/table/follow/record/{id}/");
                async move {
                    let app = app_ref;
                    match i % 3 {
                        0 => {
                            app.send(
                                Method::DELETE,
                                &path,
                                Some(&format!("Hydrogen-r1 {t}")),
                                None,
                            )
                            .await
                        }
                        1 => app.put(&path, Some(t), json!({"followee": other_id})).await,
                        _ => app.put(&path, Some(t), json!({"hidden": true})).await,
                    }
                }
            }),
    )
    .await;
    for r in &changes {
        assert!(r.status.is_success(), "{:?} {:?}", r.status, r.body);
    }
    assert_eq!(
        counts(&app, star_id, &star).await,
        (json!(10), json!(0), json!(0))
    );
    assert_eq!(
        counts(&app, other_id, &star).await,
        (json!(10), json!(0), json!(10))
    );
    assert_eq!(
        counts(&app, fans[0].1, &star).await.1,
        json!(0),
        "fan 0 unfollowed"
    );
    assert_eq!(counts(&app, fans[1].1, &star).await.1, json!(1));

    // Nobody writes a counter; a list may sort by it.
    let write = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&star),
            json!({"followers_count": 1000}),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "{:?}", write.body);
    let top = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&star),
            &[("order_by", "-followers_count"), ("limit", "2")],
        )
        .await;
    let top_ids: BTreeSet<i64> = top.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    assert_eq!(
        top_ids,
        BTreeSet::from([star_id, other_id]),
        "{:?}",
        top.body
    );

    // A hand edit breaks it; the recount repairs it and is audited.
    app.db.execute(&format!(
        "UPDATE _userprofile SET followers_count = 999 WHERE id = {star_id}"
    ));
    assert_eq!(counts(&app, star_id, &star).await.0, json!(999));
    let recount = app
        .admin_api(Method::POST, "/schema/recount/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(recount.status, StatusCode::OK, "{:?}", recount.body);
    assert!(
        recount.body["counters"]["_userprofile.followers_count"].is_number(),
        "{:?}",
        recount.body
    );
    assert_eq!(
        counts(&app, star_id, &star).await,
        (json!(10), json!(0), json!(0))
    );
    let audit = app
        .admin_api(Method::GET, "/audit/", ADMIN_TOKEN, None)
        .await;
    assert!(
        audit.body.to_string().contains("schema.recount"),
        "{:?}",
        audit.body
    );
}

async fn a_counter_added_later_starts_from_the_true_count(backend: Backend) {
    let dir = copy_of_the_schema();
    let profile_path = dir.path().join("_userprofile.json");
    let mut profile: Value =
        serde_json::from_str(&std::fs::read_to_string(&profile_path).unwrap()).unwrap();
    let declared = profile["properties"]["followers_count"].clone();
    profile["properties"]
        .as_object_mut()
        .unwrap()
        .remove("followers_count");
    std::fs::write(&profile_path, profile.to_string()).unwrap();
    let app = spawn_in(backend, dir.path()).await;
    let (star, star_id) = app.register_email("star@example.com", "secret123").await;
    for i in 0..3 {
        let (t, _) = app
            .register_email(&format!("fan{i}@example.com"), "secret123")
            .await;
        app.create_record("follow", &t, json!({"followee": star_id}))
            .await;
    }
    assert!(user_info(&app, star_id, &star)
        .await
        .get("followers_count")
        .is_none());
    profile["properties"]["followers_count"] = declared;
    std::fs::write(&profile_path, profile.to_string()).unwrap();
    let reload = app
        .admin_api(Method::POST, "/schema/reload/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(reload.status, StatusCode::OK, "{:?}", reload.body);
    assert_eq!(user_info(&app, star_id, &star).await["followers_count"], 3);
}

async fn viewer_flags_are_per_viewer_and_one_query_per_page(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    let (cat, cat_id) = app.register_email("cat@example.com", "secret123").await;
    // Ann follows Bob; Bob follows Ann, hidden; Cat follows nobody.
    app.create_record("follow", &ann, json!({"followee": bob_id}))
        .await;
    app.create_record("follow", &bob, json!({"followee": ann_id, "hidden": true}))
        .await;

    let flags = |u: &Value| (u["following"].clone(), u["follows_me"].clone());
    assert_eq!(
        flags(&user_info(&app, bob_id, &ann).await),
        (json!(true), json!(false))
    );
    assert_eq!(
        flags(&user_info(&app, ann_id, &bob).await),
        (json!(true), json!(true)),
        "Bob follows Ann (hidden) and Ann follows Bob visibly"
    );
    assert_eq!(
        flags(&user_info(&app, ann_id, &cat).await),
        (json!(false), json!(false))
    );
    // In a list, per row, for the viewer.
    let list = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&ann),
            &[("order_by", "id"), ("keys", "following,follows_me")],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let rows: Vec<(i64, Value, Value)> = list.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_i64().unwrap(),
                u["following"].clone(),
                u["follows_me"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (ann_id, json!(false), json!(false)),
            (bob_id, json!(true), json!(false)),
            (cat_id, json!(false), json!(false)),
        ]
    );
    let filter = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&ann),
            &[("where", &json!({"following": true}).to_string())],
        )
        .await;
    assert_eq!(filter.status, StatusCode::BAD_REQUEST, "{:?}", filter.body);
    assert!(
        filter.error_msg().contains("following"),
        "{}",
        filter.error_msg()
    );
}

async fn related_records_expand_with_order_limit_and_their_read_rules(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    for i in 0..5 {
        let r = app
            .admin(
                Method::POST,
                "/hserve/v2.4/table/invite/record/",
                Some(json!({"note": format!("n{i}"), "created_by": ann_id, "created_at": 1_700_000_000 + i})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let own = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&ann),
            &[("expand", "recent_invites")],
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
    let notes: Vec<&str> = own.body["recent_invites"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", own.body))
        .iter()
        .map(|i| i["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes, vec!["n4", "n3", "n2"], "newest first, at most 3");
    // Invites are private to their creator: Bob expands the field and gets none.
    let other = app
        .get_query(
            &format!("/hserve/v2.5/user/info/{ann_id}/"),
            Some(&bob),
            &[("expand", "recent_invites")],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK, "{:?}", other.body);
    assert_eq!(other.body["recent_invites"], json!([]));
    // Without expand the field is absent; it is never a column.
    let plain = user_info(&app, ann_id, &ann).await;
    assert!(plain.get("recent_invites").is_none(), "{plain}");
}

async fn aggregates_count_and_sum_by_group_over_readable_records(backend: Backend) {
    let app = spawn(backend).await;
    let (star, star_id) = app.register_email("star@example.com", "secret123").await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    let (cat, cat_id) = app.register_email("cat@example.com", "secret123").await;
    for (token, price, kind) in [
        (&ann, 10, "rose"),
        (&ann, 20, "ring"),
        (&bob, 5, "rose"),
        (&cat, 1, "rose"),
        (&cat, 1, "rose"),
        (&cat, 1, "rose"),
    ] {
        app.create_record(
            "gift",
            token,
            json!({"receiver": star_id, "price": price, "kind": kind, "note": "secret"}),
        )
        .await;
    }
    // One gift only its sender may read.
    app.create_record(
        "gift",
        &ann,
        json!({"receiver": star_id, "price": 1000, "read_perm": []}),
    )
    .await;
    let where_star = json!({"receiver": {"$eq": star_id}}).to_string();
    let by_sender = app
        .get_query(
            "/hserve/v2.4/table/gift/aggregate/",
            Some(&star),
            &[
                ("where", &where_star),
                ("group_by", "created_by"),
                ("sum", "price"),
            ],
        )
        .await;
    assert_eq!(by_sender.status, StatusCode::OK, "{:?}", by_sender.body);
    assert_eq!(
        by_sender.body["objects"],
        json!([
            {"group": {"created_by": cat_id}, "count": 3, "sum": {"price": 3}},
            {"group": {"created_by": ann_id}, "count": 2, "sum": {"price": 30}},
            {"group": {"created_by": bob_id}, "count": 1, "sum": {"price": 5}},
        ]),
        "most gifts first; the private gift is not counted for the receiver"
    );
    let own = app
        .get_query(
            "/hserve/v2.4/table/gift/aggregate/",
            Some(&ann),
            &[
                ("where", &where_star),
                ("group_by", "created_by"),
                ("sum", "price"),
                ("order_by", "-count"),
                ("limit", "1"),
            ],
        )
        .await;
    assert_eq!(
        own.body["objects"],
        json!([{"group": {"created_by": ann_id}, "count": 3, "sum": {"price": 1030}}]),
        "the sender counts her private gift too: {:?}",
        own.body
    );
    let by_kind = app
        .get_query(
            "/hserve/v2.4/table/gift/aggregate/",
            Some(&bob),
            &[("group_by", "kind"), ("order_by", "kind")],
        )
        .await;
    assert_eq!(
        by_kind.body["objects"],
        json!([
            {"group": {"kind": "ring"}, "count": 1, "sum": {}},
            {"group": {"kind": "rose"}, "count": 5, "sum": {}},
        ]),
        "Bob cannot read the private gift, so no group without a kind"
    );
    for (params, word) in [
        (vec![("group_by", "note")], "note"),
        (vec![("sum", "kind")], "kind"),
        (vec![("group_by", "kind"), ("order_by", "price")], "price"),
        (vec![("group_by", "a,b,c,d,e")], "group_by"),
    ] {
        let r = app
            .get_query("/hserve/v2.4/table/gift/aggregate/", Some(&bob), &params)
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{params:?}: {:?}",
            r.body
        );
        assert!(
            r.error_msg().contains(word),
            "{params:?}: {}",
            r.error_msg()
        );
        assert!(!r.error_msg().contains("secret"));
    }
}

async fn linked_users_read_fields_granted_through_links(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    let (cat, _) = app.register_email("cat@example.com", "secret123").await;
    let (dan, dan_id) = app.register_email("dan@example.com", "secret123").await;
    app.set_profile(&ann, json!({"mobile": "13800000001"}))
        .await;
    app.set_profile(&bob, json!({"mobile": "13800000002"}))
        .await;
    app.set_profile(&dan, json!({"mobile": "13800000004"}))
        .await;
    let mobile = |u: Value| u.get("mobile").cloned();
    // Bob's own link to Ann, "accepted" by himself, grants him nothing: a
    // grant comes from the owner.
    app.create_record(
        "friendship",
        &bob,
        json!({"friend": ann_id, "accepted": true}),
    )
    .await;
    assert_eq!(
        mobile(user_info(&app, ann_id, &bob).await),
        None,
        "a link Bob made cannot grant Bob Ann's field"
    );
    assert_eq!(
        mobile(user_info(&app, bob_id, &ann).await),
        None,
        "mutual: Bob's link alone does not grant Ann either"
    );
    // Ann answers with a link of her own: now both links exist.
    app.create_record(
        "friendship",
        &ann,
        json!({"friend": bob_id, "accepted": true}),
    )
    .await;
    // Dan's request to Bob is not accepted by Dan's own word, though Bob's is.
    app.create_record("friendship", &dan, json!({"friend": bob_id}))
        .await;
    app.create_record(
        "friendship",
        &bob,
        json!({"friend": dan_id, "accepted": true}),
    )
    .await;

    assert_eq!(
        mobile(user_info(&app, ann_id, &bob).await),
        Some(json!("13800000001")),
        "Ann's link to Bob, answered by Bob's, grants Bob"
    );
    assert_eq!(
        mobile(user_info(&app, bob_id, &ann).await),
        Some(json!("13800000002")),
        "and Ann"
    );
    assert_eq!(mobile(user_info(&app, ann_id, &cat).await), None, "no link");
    assert_eq!(
        mobile(user_info(&app, bob_id, &dan).await),
        None,
        "Dan's link is not accepted"
    );
    assert_eq!(
        mobile(user_info(&app, dan_id, &bob).await),
        None,
        "not accepted, either way"
    );

    // Lists and expands apply the same grants per row.
    let list = app
        .get_query("/hserve/v2.2/user/info/", Some(&bob), &[("order_by", "id")])
        .await;
    let shown: Vec<(i64, Option<Value>)> = list.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["id"].as_i64().unwrap(), u.get("mobile").cloned()))
        .collect();
    assert_eq!(
        shown
            .iter()
            .filter(|(_, m)| m.is_some())
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        vec![ann_id, bob_id],
        "{shown:?}"
    );
    let follow = app
        .create_record("follow", &ann, json!({"followee": bob_id}))
        .await;
    let follow_path = format!(
        "/hserve/v2.4/table/follow/record/{}/",
        follow["id"].as_str().unwrap()
    );
    let expanded_for = |token: String| {
        let (app, path) = (&app, follow_path.clone());
        async move {
            app.get_query(&path, Some(&token), &[("expand", "created_by")])
                .await
                .body
        }
    };
    let expanded = expanded_for(bob.clone()).await;
    assert_eq!(
        expanded["created_by"]["mobile"], "13800000001",
        "{expanded:?}"
    );
    let by_cat = expanded_for(cat.clone()).await;
    assert!(by_cat["created_by"].get("mobile").is_none(), "{by_cat:?}");
    // Friends still cannot query it.
    let probe = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&bob),
            &[("where", &json!({"mobile": "13800000001"}).to_string())],
        )
        .await;
    assert_eq!(probe.status, StatusCode::BAD_REQUEST, "{:?}", probe.body);
}

async fn a_keyword_used_wrongly_stops_a_reload_with_file_and_pointer(backend: Backend) {
    let dir = copy_of_the_schema();
    let app = spawn_in(backend, dir.path()).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let gift = dir.path().join("gift.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&gift).unwrap()).unwrap();
    doc["properties"]["double"] = json!({"type": "integer", "x-protium": {"computed": "price *"}});
    std::fs::write(&gift, doc.to_string()).unwrap();
    let reload = app
        .admin_api(Method::POST, "/schema/reload/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(reload.status, StatusCode::CONFLICT, "{:?}", reload.body);
    assert!(
        reload.body["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("gift.json"),
        "{:?}",
        reload.body
    );
    assert_eq!(
        reload.body["pointer"],
        "/properties/double/x-protium/computed"
    );
    // The last good schema keeps serving.
    assert_eq!(user_info(&app, ann_id, &ann).await["vip_left"], 0);
}

async fn the_last_active_time_is_kept_at_most_once_a_minute(backend: Backend) {
    let app = spawn(backend).await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let before = chrono::Utc::now().timestamp();
    // Ann's request is noted (in the background, after it is answered).
    user_info(&app, ann_id, &ann).await;
    let mut seen = Value::Null;
    for _ in 0..50 {
        seen = user_info(&app, ann_id, &bob).await["last_active_at"].clone();
        if !seen.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let at = seen.as_i64().unwrap_or_else(|| panic!("never set: {seen}"));
    assert!((before - 1..=before + 10).contains(&at), "{at} vs {before}");
    let info = user_info(&app, ann_id, &ann).await;
    assert_eq!(
        info["updated_at"], info["created_at"],
        "not a change of the profile"
    );
    // Within the minute no request writes it again.
    app.db.execute(&format!(
        "UPDATE _userprofile SET last_active_at = 1000 WHERE id = {ann_id}"
    ));
    for _ in 0..5 {
        user_info(&app, ann_id, &ann).await;
    }
    // A later first request as a barrier: once Cleo's is noted, a note of
    // Ann's requests before it would have been written too.
    let (cleo, cleo_id) = app.register_email("cleo@example.com", "secret123").await;
    user_info(&app, cleo_id, &cleo).await;
    let (app_ref, bob_ref) = (&app, &bob);
    crate::helpers::eventually("Cleo's request is noted", 10, move || async move {
        !user_info(app_ref, cleo_id, bob_ref).await["last_active_at"].is_null()
    })
    .await;
    assert_eq!(user_info(&app, ann_id, &bob).await["last_active_at"], 1000);
    let write = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&ann),
            json!({"last_active_at": 5}),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "{:?}", write.body);
}

async fn the_device_platform_is_kept_from_device_logins_within_the_fields_rules(backend: Backend) {
    let app = spawn(backend).await;
    let login = |platform: &'static str| {
        app.post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": "0123456789abcdef-vocab", "platform": platform}),
        )
    };
    let web = login("web").await;
    assert_eq!(web.status, StatusCode::BAD_REQUEST, "{:?}", web.body);
    assert!(
        web.error_msg().starts_with("platform") && web.error_msg().contains("device"),
        "{}",
        web.error_msg()
    );
    let ios = login("ios").await;
    assert_eq!(ios.status, StatusCode::CREATED, "{:?}", ios.body);
    assert_eq!(ios.body["device"], "ios");
    let again = login("Harmony").await;
    assert_eq!(again.body["user_id"], ios.body["user_id"]);
    assert_eq!(
        again.body["device"], "harmony",
        "the latest login's platform"
    );
    let info = user_info(
        &app,
        again.body["user_id"].as_i64().unwrap(),
        again.body["token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        info["updated_at"], info["created_at"],
        "not a change of the profile"
    );
}
