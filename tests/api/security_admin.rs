//! Admin credentials cannot escalate: a key grants only the scopes (and the
//! time) its creator holds; `expand` on the admin API needs the scope of what
//! it reads into; admin sign-in locks an address after repeated attempts,
//! counted before they are checked, and every failed sign-in is audited.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    records_schema_dir, run_cli, spawn_app_with, spawn_records_app, Backend, Reply, TestApp,
    ADMIN_TOKEN,
};

on_both_backends!(
    a_key_grants_only_the_scopes_it_holds,
    a_key_made_by_an_expiring_key_expires_no_later,
    records_read_cannot_expand_into_user_profiles,
    users_read_cannot_expand_into_tables,
    repeated_failed_admin_sign_ins_lock_the_address_and_are_audited,
    parallel_admin_sign_ins_cannot_pass_the_lockout_together,
);

/// Creates a key with `scopes` as `creator` (asserting 201); returns its secret.
async fn key(app: &TestApp, creator: &str, name: &str, scopes: Value) -> String {
    let r = app
        .admin_api(
            Method::POST,
            "/keys/",
            creator,
            Some(json!({"name": name, "scopes": scopes})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{name}: {:?}", r.body);
    r.body["key"].as_str().unwrap().to_owned()
}

/// The names of every stored key.
fn key_names(app: &TestApp) -> Vec<String> {
    app.db.texts("SELECT name AS v FROM api_keys ORDER BY id")
}

/// Audit entries matching `query`, read with the bootstrap token.
async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app
        .admin_api(Method::GET, &format!("/audit/?{query}"), ADMIN_TOKEN, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["objects"].as_array().unwrap().clone()
}

fn assert_refused(r: &Reply, status: StatusCode, needles: &[&str]) {
    assert_eq!(r.status, status, "{:?}", r.body);
    assert_eq!(r.body["status"], "error", "{:?}", r.body);
    for needle in needles {
        assert!(
            r.error_msg().contains(needle),
            "'{needle}' not in: {}",
            r.error_msg()
        );
    }
}

/// A `keys:write` key used to mint a `*` key for itself; now it can only
/// grant what it holds.
async fn a_key_grants_only_the_scopes_it_holds(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let writer = key(&app, ADMIN_TOKEN, "writer", json!(["keys:write"])).await;

    let star = app
        .admin_api(
            Method::POST,
            "/keys/",
            &writer,
            Some(json!({"name": "escalated", "scopes": "*"})),
        )
        .await;
    assert_refused(
        &star,
        StatusCode::FORBIDDEN,
        &["lacks the scopes", "users:read", "audit:read", "keys:read"],
    );
    assert!(
        !star.error_msg().contains("keys:write"),
        "keys:write is held: {}",
        star.error_msg()
    );
    let one = app
        .admin_api(
            Method::POST,
            "/keys/",
            &writer,
            Some(json!({"name": "escalated", "scopes": ["keys:write", "users:write"]})),
        )
        .await;
    assert_refused(
        &one,
        StatusCode::FORBIDDEN,
        &["lacks the scope users:write"],
    );
    assert_eq!(key_names(&app), ["writer"], "no key was created");

    // What it holds, it may grant.
    let twin = key(&app, &writer, "twin", json!(["keys:write"])).await;
    assert_eq!(
        app.admin_api(Method::GET, "/keys/", &twin, None)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "the new key holds keys:write only"
    );
    // A key holding keys:read and keys:write creates a keys:read key.
    let manager = key(
        &app,
        ADMIN_TOKEN,
        "manager",
        json!(["keys:read", "keys:write"]),
    )
    .await;
    let reader = key(&app, &manager, "reader", json!(["keys:read"])).await;
    let listed = app.admin_api(Method::GET, "/keys/", &reader, None).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let scopes = listed.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "reader")
        .map(|k| k["scopes"].clone());
    assert_eq!(scopes, Some(json!(["keys:read"])));
    assert_eq!(
        app.admin_api(Method::GET, "/users/", &reader, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Sessions and the bootstrap token hold every scope and grant any.
    key(&app, ADMIN_TOKEN, "root", json!("*")).await;
    assert_eq!(
        key_names(&app),
        ["writer", "twin", "manager", "reader", "root"]
    );
    let created: Vec<String> = audit(&app, "action=key.create")
        .await
        .iter()
        .map(|e| e["changes"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(created, ["root", "reader", "manager", "twin", "writer"]);
}

/// A short-lived key cannot mint a key that outlives it.
async fn a_key_made_by_an_expiring_key_expires_no_later(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let r = app
        .admin_api(
            Method::POST,
            "/keys/",
            ADMIN_TOKEN,
            Some(json!({
                "name": "temp",
                "scopes": ["keys:write", "users:read"],
                "expires_in": 3600
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let temp = r.body["key"].as_str().unwrap().to_owned();
    let end = r.body["expires_at"].as_i64().unwrap();

    let forever = app
        .admin_api(
            Method::POST,
            "/keys/",
            &temp,
            Some(json!({"name": "forever", "scopes": ["users:read"]})),
        )
        .await;
    assert_eq!(forever.status, StatusCode::CREATED, "{:?}", forever.body);
    assert_eq!(
        forever.body["expires_at"],
        json!(end),
        "without an expiry, it gets its creator's"
    );
    let later = app
        .admin_api(
            Method::POST,
            "/keys/",
            &temp,
            Some(json!({"name": "later", "scopes": ["users:read"], "expires_in": 7200})),
        )
        .await;
    assert_refused(&later, StatusCode::FORBIDDEN, &["expires_at"]);
    let sooner = app
        .admin_api(
            Method::POST,
            "/keys/",
            &temp,
            Some(json!({"name": "sooner", "scopes": ["users:read"], "expires_in": 60})),
        )
        .await;
    assert_eq!(sooner.status, StatusCode::CREATED, "{:?}", sooner.body);
    assert!(sooner.body["expires_at"].as_i64().unwrap() <= end);
    assert_eq!(key_names(&app), ["temp", "forever", "sooner"]);
}

/// A `records:read` key used to read whole user profiles (`_email`,
/// owner-only fields) by expanding `created_by`; it now needs `users:read`.
async fn records_read_cannot_expand_into_user_profiles(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (_, uid) = app.register_email("writer@example.com", "secret123").await;
    let post = app
        .admin_api(
            Method::POST,
            "/tables/post/records/",
            ADMIN_TOKEN,
            Some(json!({"title": "hello", "created_by": uid})),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{:?}", post.body);
    let post_id = post.body["id"].as_str().unwrap().to_owned();
    let comment = app
        .admin_api(
            Method::POST,
            "/tables/comment/records/",
            ADMIN_TOKEN,
            Some(json!({"post": post_id, "text": "hi", "created_by": uid})),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{:?}", comment.body);
    let records = key(&app, ADMIN_TOKEN, "records", json!(["records:read"])).await;

    for path in [
        "/tables/post/records/?expand=created_by".to_owned(),
        format!("/tables/post/records/{post_id}/?expand=created_by"),
        "/tables/post/records/?expand=created_by&keys=created_by._email".to_owned(),
        "/tables/comment/records/?expand=post,created_by".to_owned(),
        // A `type_field` pointer whose enum lists `_userprofile`.
        "/tables/like/records/?expand=target_id".to_owned(),
    ] {
        let r = app.admin_api(Method::GET, &path, &records, None).await;
        assert_refused(&r, StatusCode::FORBIDDEN, &["users:read", "expand="]);
        assert!(
            !r.body.to_string().contains("writer@example.com"),
            "{path}: {:?}",
            r.body
        );
    }
    // Without the expansion, and expanding into records only, it reads.
    let plain = app
        .admin_api(Method::GET, "/tables/post/records/", &records, None)
        .await;
    assert_eq!(plain.status, StatusCode::OK, "{:?}", plain.body);
    assert!(!plain.body.to_string().contains("writer@example.com"));
    let into_posts = app
        .admin_api(
            Method::GET,
            "/tables/comment/records/?expand=post",
            &records,
            None,
        )
        .await;
    assert_eq!(into_posts.status, StatusCode::OK, "{:?}", into_posts.body);
    assert_eq!(into_posts.body["objects"][0]["post"]["title"], "hello");

    // With users:read as well, the profile is expanded.
    let both = key(
        &app,
        ADMIN_TOKEN,
        "both",
        json!(["records:read", "users:read"]),
    )
    .await;
    let r = app
        .admin_api(
            Method::GET,
            "/tables/post/records/?expand=created_by",
            &both,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["objects"][0]["created_by"]["_email"],
        "writer@example.com"
    );
}

/// The vocabulary schema: the profile's `recent_invites` is a `related`
/// field listing records of the `invite` table.
async fn spawn_vocabulary(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await
}

/// A `users:read` key used to read a table's records through a `related`
/// field of the profile; it now needs `records:read`.
async fn users_read_cannot_expand_into_tables(backend: Backend) {
    let app = spawn_vocabulary(backend).await;
    let (_, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let r = app
        .admin(
            Method::POST,
            "/hserve/v2.4/table/invite/record/",
            Some(json!({"note": "private note", "created_by": ann_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let users = key(&app, ADMIN_TOKEN, "users", json!(["users:read"])).await;

    for path in [
        format!("/users/{ann_id}/?expand=recent_invites"),
        "/users/?expand=recent_invites".to_owned(),
    ] {
        let r = app.admin_api(Method::GET, &path, &users, None).await;
        assert_refused(
            &r,
            StatusCode::FORBIDDEN,
            &["records:read", "expand=recent_invites", "invite"],
        );
        assert!(
            !r.body.to_string().contains("private note"),
            "{path}: {:?}",
            r.body
        );
    }
    let plain = app
        .admin_api(Method::GET, &format!("/users/{ann_id}/"), &users, None)
        .await;
    assert_eq!(plain.status, StatusCode::OK, "{:?}", plain.body);
    assert!(
        plain.body.get("recent_invites").is_none(),
        "{:?}",
        plain.body
    );

    let both = key(
        &app,
        ADMIN_TOKEN,
        "both",
        json!(["users:read", "records:read"]),
    )
    .await;
    let r = app
        .admin_api(
            Method::GET,
            &format!("/users/{ann_id}/?expand=recent_invites"),
            &both,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["recent_invites"][0]["note"], "private note");
}

const ADMIN_PASSWORD: &str = "a long admin password";

/// Creates an admin account with the command line.
fn create_admin(app: &TestApp, email: &str) {
    let (code, out, err) = run_cli(
        &app.db,
        &records_schema_dir(),
        &["admin", "create", "--email", email],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.post(
        "/admin/api/session/",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

/// Waits for the next lockout window (15 minutes, fixed) when less than a
/// minute of the current one is left, so a test's attempts share one window.
async fn away_from_a_window_edge() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let left = 900 - now % 900;
    if left < 60 {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}

/// Ten attempts on one admin address within the window lock its sign-in —
/// the right password too — with a 429; a success clears the count; every
/// failure is audited with the address tried, and the answers never say
/// whether the address is an admin's.
async fn repeated_failed_admin_sign_ins_lock_the_address_and_are_audited(backend: Backend) {
    let app = spawn_records_app(backend).await;
    create_admin(&app, "root@example.com");
    away_from_a_window_edge().await;
    assert_eq!(
        sign_in(&app, "root@example.com", ADMIN_PASSWORD)
            .await
            .status,
        StatusCode::CREATED
    );
    let unknown = sign_in(&app, "ghost@example.com", "wrong-guess-1").await;
    assert_eq!(
        unknown.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        unknown.body
    );
    for i in 0..9 {
        let r = sign_in(&app, "root@example.com", &format!("wrong-guess-{i}")).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "attempt {i}: {:?}",
            r.body
        );
        assert_eq!(r.error_msg(), unknown.error_msg(), "the same answer");
    }
    // The tenth attempt is the right password: allowed, and the count starts over.
    assert_eq!(
        sign_in(&app, "root@example.com", ADMIN_PASSWORD)
            .await
            .status,
        StatusCode::CREATED
    );
    for i in 0..10 {
        let r = sign_in(&app, "root@example.com", &format!("wrong-guess-{i}")).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "attempt {i}: {:?}",
            r.body
        );
    }
    let locked = sign_in(&app, "root@example.com", ADMIN_PASSWORD).await;
    assert_refused(
        &locked,
        StatusCode::TOO_MANY_REQUESTS,
        &["too many attempts", "retry in"],
    );
    assert!(locked.body.get("token").is_none());
    assert!(
        locked.retry_after.is_some_and(|s| (1..=900).contains(&s)),
        "{:?}",
        locked.retry_after
    );
    let still = sign_in(&app, "root@example.com", "wrong-guess-x").await;
    assert_eq!(
        still.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        still.body
    );
    // Other admins sign in as usual.
    create_admin(&app, "other@example.com");
    assert_eq!(
        sign_in(&app, "other@example.com", ADMIN_PASSWORD)
            .await
            .status,
        StatusCode::CREATED
    );

    let failed = audit(&app, "action=admin.sign_in_failed&limit=500").await;
    let count = |email: &str, reason: &str| {
        failed
            .iter()
            .filter(|e| e["changes"]["email"] == email && e["changes"]["reason"] == reason)
            .count()
    };
    assert_eq!(
        count("root@example.com", "wrong_password"),
        19,
        "{failed:?}"
    );
    assert_eq!(count("root@example.com", "locked"), 2, "{failed:?}");
    assert_eq!(
        count("ghost@example.com", "unknown_account"),
        1,
        "{failed:?}"
    );
    assert_eq!(failed.len(), 22, "{failed:?}");
    for entry in &failed {
        assert_eq!(entry["actor"], "guest", "{entry}");
        assert_eq!(entry["target_type"], "admin", "{entry}");
        assert!(entry["ip"].is_string(), "the client address: {entry}");
        let text = entry.to_string();
        assert!(
            !text.contains("wrong-guess") && !text.contains(ADMIN_PASSWORD),
            "no password in the log: {entry}"
        );
        let known = entry["changes"]["reason"] == "wrong_password";
        assert_eq!(entry["target_id"].is_string(), known, "{entry}");
    }
    let signed_in = audit(&app, "action=admin.sign_in").await;
    assert_eq!(signed_in.len(), 3, "{signed_in:?}");
}

/// Attempts are counted before they are checked, in the database: of thirty
/// parallel guesses on one address (no account has it), at most ten are
/// checked; the rest are refused as locked, and each is audited.
async fn parallel_admin_sign_ins_cannot_pass_the_lockout_together(backend: Backend) {
    let app = spawn_records_app(backend).await;
    away_from_a_window_edge().await;
    let guesses = ["guess-a", "guess-b", "guess-c"];
    let attempts = (0..30).map(|i| sign_in(&app, "flood@example.com", guesses[i % 3]));
    let answers = join_all(attempts).await;
    let with = |status: StatusCode| answers.iter().filter(|r| r.status == status).count();
    let (checked, locked) = (
        with(StatusCode::BAD_REQUEST),
        with(StatusCode::TOO_MANY_REQUESTS),
    );
    assert!(checked <= 10, "{checked} attempts were checked");
    assert!(locked >= 20, "only {locked} of 30 were refused as locked");
    assert_eq!(
        checked + locked + with(StatusCode::SERVICE_UNAVAILABLE),
        30,
        "{answers:?}"
    );
    let failed = audit(&app, "action=admin.sign_in_failed&limit=500").await;
    let reason = |r: &str| {
        failed
            .iter()
            .filter(|e| e["changes"]["email"] == "flood@example.com")
            .filter(|e| e["changes"]["reason"] == r)
            .count()
    };
    assert_eq!(reason("unknown_account"), checked, "{failed:?}");
    assert_eq!(reason("locked"), locked, "{failed:?}");
}
