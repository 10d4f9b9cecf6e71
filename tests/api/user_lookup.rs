//! Finding a user by id, username, email or phone (signed in, limited per
//! address, gated by the target's `allows_find_by` switches, one 404 for
//! "no such user" and "not allowed"), and the availability check (off unless
//! switched on).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

on_both_backends!(
    users_are_found_by_an_identifier_unless_they_hide,
    only_proven_contacts_find_users_and_only_when_switched_on,
    availability_checks_answer_only_when_switched_on,
);

async fn spawn(backend: Backend, tweak: impl FnOnce(&mut protium::config::Settings)) -> TestApp {
    crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
        tweak(s);
    })
    .await
}

async fn users_are_found_by_an_identifier_unless_they_hide(backend: Backend) {
    let app = spawn(backend, |s| {
        s.lookups_per_minute = 6;
        s.find_by_contact = true;
    })
    .await;
    let (ann, ann_id) = app
        .register_phone_proven("+8613800000011", "secret123")
        .await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let find = |query: &'static str| {
        let path = format!("/hserve/v2.0/user/find/?{query}");
        let bob = bob.clone();
        let app = &app;
        async move { app.get(&path, Some(&bob)).await }
    };

    let by_phone = find("phone=13800000011").await;
    assert_eq!(by_phone.status, StatusCode::OK, "{:?}", by_phone.body);
    assert_eq!(by_phone.body["id"], ann_id);
    assert!(
        by_phone.body.get("_phone").is_none(),
        "account fields stay private: {:?}",
        by_phone.body
    );
    assert_eq!(find("id=1").await.status, StatusCode::OK);

    // Ann turns finding by phone off: she is as absent as an unknown number.
    app.set_profile(&ann, json!({"findable_by_phone": false}))
        .await;
    let hidden = find("phone=13800000011").await;
    let unknown = find("phone=13800000099").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (hidden.status, hidden.body.clone()),
        (unknown.status, unknown.body.clone())
    );
    assert_eq!(
        find("id=1").await.status,
        StatusCode::OK,
        "ids are not hidden"
    );

    let neither = find("nickname=x").await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST);
    assert!(
        neither.error_msg().contains("exactly one of"),
        "{}",
        neither.error_msg()
    );
    assert_eq!(
        app.get("/hserve/v2.0/user/find/?id=1", None).await.status,
        StatusCode::UNAUTHORIZED,
        "guests cannot look users up"
    );
    // Six lookups a minute from this address (the refused one counts), then 429.
    let limited = find("email=nobody@example.com").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        limited.body
    );
    assert!(limited.retry_after.is_some());
}

async fn availability_checks_answer_only_when_switched_on(backend: Backend) {
    let off = spawn(backend, |_| {}).await;
    let r = off
        .post(
            "/hserve/v2.0/user/available/",
            None,
            json!({"email": "a@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(
        r.error_msg().contains("availability_check"),
        "{}",
        r.error_msg()
    );

    let on = spawn(backend, |s| s.availability_check = true).await;
    on.register_email("taken@example.com", "secret123").await;
    let check = |body| on.post("/hserve/v2.0/user/available/", None, body);
    let taken = check(json!({"email": "taken@example.com"})).await;
    assert_eq!(taken.body, json!({"status": "ok", "available": false}));
    let free = check(json!({"phone": "13800000012"})).await;
    assert_eq!(free.body, json!({"status": "ok", "available": true}));
    let bad = check(json!({"email": "not an email"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error_msg().starts_with("email"), "{}", bad.error_msg());
}

/// Finding by email or phone tells whether an address has an account: off
/// unless switched on, never for anonymous sessions, and only for numbers and
/// addresses their account proved (a number someone typed into their own
/// account does not make them its owner in an add-by-phone flow).
async fn only_proven_contacts_find_users_and_only_when_switched_on(backend: Backend) {
    let off = spawn(backend, |_| {}).await;
    let (bob, _) = off.register_email("bob@example.com", "secret123").await;
    let refused = off
        .get("/hserve/v2.0/user/find/?email=bob@example.com", Some(&bob))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert!(
        refused.error_msg().contains("find_by_contact"),
        "{}",
        refused.error_msg()
    );
    drop(off);

    let app = spawn(backend, |s| s.find_by_contact = true).await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let (_, mallory) = app.register_phone("13800000012", "secret123").await;
    let planted = app
        .get("/hserve/v2.0/user/find/?phone=13800000012", Some(&bob))
        .await;
    assert_eq!(
        planted.status,
        StatusCode::NOT_FOUND,
        "user {mallory} typed the number in but never proved it: {:?}",
        planted.body
    );
    let (_, owner) = app
        .register_phone_proven("+8613800000012", "secret123")
        .await;
    let found = app
        .get("/hserve/v2.0/user/find/?phone=13800000012", Some(&bob))
        .await;
    assert_eq!(found.body["id"], owner, "{:?}", found.body);

    let anonymous = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let guest = anonymous.body["token"].as_str().unwrap().to_owned();
    let r = app.get("/hserve/v2.0/user/find/?id=1", Some(&guest)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert!(r.error_msg().contains("register"), "{}", r.error_msg());
}
