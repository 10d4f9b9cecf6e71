//! Limits an attacker must not get past: a short regular expression that
//! compiles to megabytes, sums a single stored value can overflow, change-feed
//! cursors that tell what the caller may not read, batch writes outside the
//! per-caller cap (and anonymous sessions multiplying that cap), pointers that
//! reveal whether an unreadable record exists, and tokens a provider issued
//! to another app.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

use actix_web::{web, App, HttpResponse};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use protium::config::{OAuthProviderSettings, ProviderKind};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{settle, spawn_app, spawn_records_app, Backend, TestApp};

on_both_backends!(
    regexes_that_compile_to_megabytes_are_refused_naming_the_field,
    sums_never_overflow_into_a_500,
    change_feed_cursors_are_sealed_and_refuse_tampering,
    batch_writes_count_against_the_callers_cap,
    anonymous_sessions_from_one_address_share_one_cap,
    pointers_to_unreadable_records_answer_as_missing_ones,
    tokens_issued_to_another_app_do_not_sign_in,
);

async fn regexes_that_compile_to_megabytes_are_refused_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let (t, _) = app.register_email("re@example.com", "secret123").await;
    let list = |w: Value| {
        let w = w.to_string();
        let app = &app;
        let t = t.clone();
        async move {
            app.get_query("/hserve/v2.2/user/info/", Some(&t), &[("where", &w)])
                .await
        }
    };
    // Nine bytes that compile to about 10 MB (and SQLite kept 64 per thread).
    for w in [
        json!({"nickname": {"$regex": "\\w{200}N"}}),
        json!({"nickname": {"$regex": "\\w{12}", "$options": "i"}}),
    ] {
        let r = list(w.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{w}: {:?}", r.body);
        assert!(
            r.error_msg().contains("'nickname'") && r.error_msg().contains("too complex"),
            "{}",
            r.error_msg()
        );
    }
    // Ordinary patterns still work, Unicode classes included.
    let ok = list(json!({"nickname": {"$regex": "^\\w+\\s?\\w*$", "$options": "i"}})).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    // A query holds a few patterns at most (SQLite keeps as many per thread).
    let many: Vec<Value> = (0..9)
        .map(|i| json!({"nickname": {"$regex": format!("^a{i}")}}))
        .collect();
    let r = list(json!({ "$or": many })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.error_msg().contains("$regex"), "{}", r.error_msg());
}

async fn sums_never_overflow_into_a_500(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    for (title, likes) in [
        ("big", i64::MAX),
        ("big", i64::MAX),
        ("edge", i64::MAX - 1),
        ("edge", 1),
    ] {
        app.create_record("post", &ann, json!({"title": title, "likes": likes}))
            .await;
    }
    let r = app
        .get_query(
            "/hserve/v2.4/table/post/aggregate/",
            Some(&ann),
            &[
                ("group_by", "title"),
                ("sum", "likes"),
                ("order_by", "title"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let groups = &r.body["objects"];
    assert_eq!(groups[0]["group"]["title"], "big");
    assert_eq!(groups[0]["count"], 2);
    assert_eq!(
        groups[0]["sum"]["likes"].as_f64(),
        Some(i64::MAX as f64 * 2.0),
        "past 64 bits: the nearest number, {:?}",
        groups[0]
    );
    assert_eq!(
        groups[1]["sum"]["likes"].as_i64(),
        Some(i64::MAX),
        "exact when it fits: {:?}",
        groups[1]
    );
    // A number field's sum past what a double holds is a 400 naming it.
    for _ in 0..2 {
        app.create_record("product", &ann, json!({"name": "huge", "price": 1.7e308}))
            .await;
    }
    let r = app
        .get_query(
            "/hserve/v2.4/table/product/aggregate/",
            Some(&ann),
            &[("sum", "price,stock")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(
        r.error_msg().starts_with("sum:") && r.error_msg().contains("'price'"),
        "{}",
        r.error_msg()
    );
}

/// Ids of the objects of a change page.
fn feed_ids(page: &Value) -> Vec<String> {
    page["objects"]
        .as_array()
        .map(|o| {
            o.iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn change_feed_cursors_are_sealed_and_refuse_tampering(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("alice@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let feed = |params: Vec<(&'static str, String)>| {
        let app = &app;
        let bob = bob.clone();
        async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.get_query("/hserve/v2.4/table/post/changes/", Some(&bob), &params)
                .await
        }
    };
    let start = feed(vec![("since", "0".into())]).await;
    assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
    let start = start.body["cursor"].as_str().unwrap().to_owned();

    // A post Bob may read, then one he may not: the feed passes over both.
    let public = app
        .create_record("post", &alice, json!({"title": "public"}))
        .await;
    let hidden = app
        .create_record("post", &alice, json!({"title": "hidden", "read_perm": []}))
        .await;
    let public_id = public["id"].as_str().unwrap().to_owned();
    let page = settle(
        || {
            let feed = &feed;
            let start = start.clone();
            async move { feed(vec![("cursor", start)]).await.body }
        },
        |v| feed_ids(v) == vec![public_id.clone()] && v["has_more"] == false,
    )
    .await;
    assert_eq!(feed_ids(&page), vec![public_id.clone()], "{page}");
    let cursor = page["cursor"].as_str().unwrap().to_owned();
    // The cursor tells nothing of the hidden write: neither its time nor its
    // place, in any notation; it is an opaque token.
    let at = hidden["created_at"].as_i64().unwrap();
    assert!(
        cursor.len() >= 64 && cursor.bytes().all(|b| b.is_ascii_hexdigit()),
        "an opaque token: {cursor}"
    );
    for shown in [at.to_string(), hex::encode(at.to_be_bytes())] {
        assert!(!cursor.contains(&shown), "{cursor} shows {shown}");
    }
    // Still exact and resumable: the next write, and only it.
    let next = app
        .create_record("post", &alice, json!({"title": "next"}))
        .await;
    let next_id = next["id"].as_str().unwrap().to_owned();
    let later = settle(
        || {
            let feed = &feed;
            let cursor = cursor.clone();
            async move { feed(vec![("cursor", cursor)]).await.body }
        },
        |v| !feed_ids(v).is_empty(),
    )
    .await;
    assert_eq!(feed_ids(&later), vec![next_id], "{later}");
    // A changed or cut cursor is refused, naming the parameter.
    let last = cursor.chars().last().unwrap();
    let flipped = format!(
        "{}{}",
        &cursor[..cursor.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    for bad in [flipped, cursor[..cursor.len() - 2].to_owned()] {
        let r = feed(vec![("cursor", bad.clone())]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", r.body);
        assert!(r.error_msg().starts_with("cursor"), "{}", r.error_msg());
    }
}

/// The lock a test holds, and how to let it go.
type Held = (mpsc::Sender<()>, std::thread::JoinHandle<()>);

/// Makes every write to `post` wait until released: on SQLite the test holds
/// the database's write lock, on PostgreSQL an exclusive lock on `tbl_post`
/// (reads of it wait too).
fn hold_posts(app: &TestApp, backend: Backend) -> Held {
    let (release, wait) = mpsc::channel::<()>();
    let (ready, is_ready) = mpsc::channel::<()>();
    let url = app.db.url.clone();
    let holder = std::thread::spawn(move || match backend {
        Backend::Postgres => {
            let mut c = PgConnection::establish(&url).unwrap();
            diesel::sql_query("BEGIN").execute(&mut c).unwrap();
            diesel::sql_query("LOCK TABLE tbl_post IN ACCESS EXCLUSIVE MODE")
                .execute(&mut c)
                .unwrap();
            ready.send(()).unwrap();
            let _ = wait.recv();
            diesel::sql_query("ROLLBACK").execute(&mut c).unwrap();
        }
        Backend::Sqlite => {
            let mut c = SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
            diesel::sql_query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .unwrap();
            ready.send(()).unwrap();
            let _ = wait.recv();
            diesel::sql_query("ROLLBACK").execute(&mut c).unwrap();
        }
    });
    is_ready.recv().unwrap();
    (release, holder)
}

/// Sends one batch update of the posts titled `hello` per token, all at
/// once, while writes to posts wait; lets them go after a while.
async fn parallel_batch_updates(
    app: &TestApp,
    backend: Backend,
    tokens: &[String],
) -> Vec<crate::helpers::Reply> {
    let query =
        serde_urlencoded::to_string([("where", json!({"title": "hello"}).to_string())]).unwrap();
    let path = format!("/hserve/v2.4/table/post/record/?{query}");
    let (release, holder) = hold_posts(app, backend);
    let writes = futures::future::join_all(
        tokens
            .iter()
            .map(|t| app.put(&path, Some(t), json!({"likes": 1}))),
    );
    let let_go = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        release.send(()).unwrap();
    };
    let (replies, ()) = futures::future::join(writes, let_go).await;
    holder.join().unwrap();
    replies
}

async fn batch_writes_count_against_the_callers_cap(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = crate::helpers::records_schema_dir();
        s.queries_per_caller = 1;
    })
    .await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    app.create_record("post", &ann, json!({"title": "hello"}))
        .await;
    let replies = parallel_batch_updates(&app, backend, &[ann.clone(), ann.clone(), ann]).await;
    crate::helpers::one_ran_others_refused(&replies.iter().collect::<Vec<_>>());
}

async fn anonymous_sessions_from_one_address_share_one_cap(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = crate::helpers::records_schema_dir();
        s.queries_per_caller = 1;
    })
    .await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    app.create_record("post", &ann, json!({"title": "hello"}))
        .await;
    let mut anonymous = Vec::new();
    for _ in 0..3 {
        let r = app
            .post("/hserve/v2.0/login/anonymous/", None, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        anonymous.push(r.body["token"].as_str().unwrap().to_owned());
    }
    // Three free sessions are three users, but one client address: one cap.
    let replies = parallel_batch_updates(&app, backend, &anonymous).await;
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "one runs, two are refused: {statuses:?}"
    );
    // Once they are done, the address has room again.
    let anon = app
        .get_query(
            "/hserve/v2.4/table/post/record/",
            Some(&anonymous[0]),
            &[("limit", "1")],
        )
        .await;
    assert_eq!(anon.status, StatusCode::OK, "{:?}", anon.body);
}

async fn pointers_to_unreadable_records_answer_as_missing_ones(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (alice, _) = app.register_email("alice@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let private = app
        .create_record("post", &alice, json!({"title": "mine", "read_perm": []}))
        .await;
    let private_id = private["id"].as_str().unwrap().to_owned();
    let public = app
        .create_record("post", &alice, json!({"title": "ours"}))
        .await;
    let missing_id = "ffffffffffffffffffffffff";
    let comment = |post: &str| {
        app.post(
            "/hserve/v2.4/table/comment/record/",
            Some(&bob),
            json!({"post": post, "text": "hi"}),
        )
    };
    let missing = comment(missing_id).await;
    assert_eq!(
        missing.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        missing.body
    );
    // Bob may not read Alice's private post: the same answer as no post.
    let hidden = comment(&private_id).await;
    assert_eq!(hidden.status, StatusCode::BAD_REQUEST, "{:?}", hidden.body);
    assert_eq!(
        hidden.error_msg(),
        missing.error_msg().replace(missing_id, &private_id),
        "a record Bob cannot read answers as one that does not exist"
    );
    // Updates and batch creates check the same way.
    let own = app
        .create_record("comment", &bob, json!({"post": public["id"], "text": "hi"}))
        .await;
    let moved = app
        .put(
            &format!(
                "/hserve/v2.5/table/comment/record/{}/",
                own["id"].as_str().unwrap()
            ),
            Some(&bob),
            json!({"post": private_id}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST, "{:?}", moved.body);
    assert_eq!(moved.error_msg(), hidden.error_msg());
    let batch = app
        .post(
            "/hserve/v2.4/table/comment/record/",
            Some(&bob),
            json!([{"post": private_id, "text": "hi"}]),
        )
        .await;
    assert_eq!(batch.body["succeed"], 0, "{:?}", batch.body);
    // Alice, who may read it, points at it.
    app.create_record(
        "comment",
        &alice,
        json!({"post": private_id, "text": "note to self"}),
    )
    .await;
}

/// The fake Weibo's tokens: (owner, the app it was issued to).
fn weibo_token(token: &str) -> Option<(i64, &'static str)> {
    match token {
        "our-token" => Some((1234567, "our-app")),
        "their-token" => Some((7654321, "their-app")),
        _ => None,
    }
}

/// The fake Weibo's `oauth2/get_token_info`: a POST with the token in the
/// form, answering its owner and the `appkey` it was issued to.
async fn get_token_info(form: web::Form<HashMap<String, String>>) -> HttpResponse {
    match form.get("access_token").and_then(|t| weibo_token(t)) {
        Some((uid, app)) => HttpResponse::Ok().json(json!({
            "uid": uid,
            "appkey": app,
            "scope": "",
            "create_at": 1700000000,
            "expire_in": 3600
        })),
        None => {
            HttpResponse::BadRequest().json(json!({"error_code": 21327, "error": "expired_token"}))
        }
    }
}

/// The fake Weibo's `account/get_uid.json`.
async fn get_uid(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    match query.get("access_token").and_then(|t| weibo_token(t)) {
        Some((uid, _)) => HttpResponse::Ok().json(json!({"uid": uid})),
        None => HttpResponse::Unauthorized().json(json!({"error": "invalid_access_token"})),
    }
}

/// The fake Weibo's `users/show.json`: any valid token reads any uid.
async fn users_show(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let valid = query
        .get("access_token")
        .and_then(|t| weibo_token(t))
        .is_some();
    match (valid, query.get("uid")) {
        (true, Some(uid)) => HttpResponse::Ok().json(json!({
            "id": uid.parse::<i64>().unwrap_or(0),
            "screen_name": "微博用户"
        })),
        _ => HttpResponse::Unauthorized().json(json!({"error": "invalid_access_token"})),
    }
}

async fn tokens_issued_to_another_app_do_not_sign_in(backend: Backend) {
    let (base, handle) = crate::helpers::start_fake(|| {
        App::new()
            .route("/oauth2/get_token_info", web::post().to(get_token_info))
            .route("/2/account/get_uid.json", web::get().to(get_uid))
            .route("/2/users/show.json", web::get().to(users_show))
    });
    let weibo = OAuthProviderSettings {
        name: "weibo".into(),
        kind: ProviderKind::Oauth2,
        client_id: "our-app".into(),
        client_secret: "secret".into(),
        authorize_url: format!("{base}/oauth2/authorize"),
        token_url: format!("{base}/oauth2/access_token"),
        userinfo_url: format!("{base}/2/users/show.json"),
        subject_claim: "id".into(),
        native_token: true,
        token_param: "access_token".into(),
        token_owner_url: format!("{base}/2/account/get_uid.json"),
        token_owner_field: "uid".into(),
        owner_param: "uid".into(),
        token_app_url: format!("{base}/oauth2/get_token_info"),
        token_app_field: "appkey".into(),
        error_field: "error_code".into(),
        ..Default::default()
    };
    let app =
        crate::helpers::spawn_app_with(backend, move |s| s.oauth_providers = vec![weibo]).await;
    let sign_in = |token: &'static str| {
        app.post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"access_token": token, "create_user": true}),
        )
    };
    // A token Weibo issued to another app proves a sign-in there, not here.
    let theirs = sign_in("their-token").await;
    assert_eq!(theirs.status, StatusCode::BAD_REQUEST, "{:?}", theirs.body);
    assert!(
        theirs.error_msg().starts_with("access_token")
            && theirs.error_msg().contains("another app"),
        "{}",
        theirs.error_msg()
    );
    let forged = sign_in("forged-token").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{:?}", forged.body);
    let ours = sign_in("our-token").await;
    assert_eq!(ours.status, StatusCode::CREATED, "{:?}", ours.body);
    assert_eq!(ours.body["_provider"]["weibo"]["id"], "1234567");
    handle.stop(false).await;
}
