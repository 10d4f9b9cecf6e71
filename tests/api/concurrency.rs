//! Uniqueness holds under parallel requests: the database decides.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(parallel_duplicate_registrations_give_exactly_one_201);

async fn parallel_duplicate_registrations_give_exactly_one_201(backend: Backend) {
    let app = spawn_app(backend).await;
    let emails = (0..12).map(|i| {
        let email = if i % 2 == 0 {
            "race@example.com"
        } else {
            "RACE@example.com"
        };
        app.post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": email, "password": "secret123"}),
        )
    });
    let replies = futures::future::join_all(emails).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.status == StatusCode::BAD_REQUEST && r.error_msg().starts_with("email:"))
        .count();
    assert_eq!(
        (created, refused),
        (1, 11),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.error_msg().to_owned()))
            .collect::<Vec<_>>()
    );

    let names = (0..12).map(|i| {
        let name = if i % 2 == 0 { "Racer" } else { "rACER" };
        app.post(
            "/hserve/v2.1/register/username/",
            None,
            json!({"username": name, "password": "secret123"}),
        )
    });
    let replies = futures::future::join_all(names).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    assert!(
        replies
            .iter()
            .all(|r| r.status.is_success() || r.status == StatusCode::BAD_REQUEST),
        "never a 500"
    );
    let rows = app
        .db
        .texts("SELECT CAST(COUNT(*) AS TEXT) AS v FROM _userprofile");
    assert_eq!(rows, vec!["2".to_string()], "no half-written users");
}

on_both_backends!(
    parallel_account_changes_never_remove_every_identifier,
    parallel_upgrades_of_one_anonymous_user_upgrade_it_once,
);

async fn parallel_account_changes_never_remove_every_identifier(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..4 {
        let (t, id) = app
            .register_email(&format!("two{round}@example.com"), "secret123")
            .await;
        app.put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"username": format!("two{round}")}),
        )
        .await;
        let (a, b) = futures::join!(
            app.put(
                "/hserve/v2.2/user/account/",
                Some(&t),
                json!({"username": null})
            ),
            app.put(
                "/hserve/v2.2/user/account/",
                Some(&t),
                json!({"email": null})
            ),
        );
        let ok = [&a, &b]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert_eq!(ok, 1, "round {round}: {a:?} {b:?}");
        let me = app
            .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
            .await;
        assert!(
            !me.body["_username"].is_null() || !me.body["_email"].is_null(),
            "{}",
            me.body
        );
    }
}

async fn parallel_upgrades_of_one_anonymous_user_upgrade_it_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let token = anon.body["token"].as_str().unwrap();
    let anon_id = anon.body["user_id"].as_i64().unwrap();
    let (a, b) = futures::join!(
        app.post(
            "/hserve/v2.1/register/email/",
            Some(token),
            json!({"email": "up1@example.com", "password": "secret123"})
        ),
        app.post(
            "/hserve/v2.1/register/email/",
            Some(token),
            json!({"email": "up2@example.com", "password": "secret123"})
        ),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    let ids = [
        a.body["user_id"].as_i64().unwrap(),
        b.body["user_id"].as_i64().unwrap(),
    ];
    assert_eq!(
        ids.iter().filter(|i| **i == anon_id).count(),
        1,
        "exactly one upgrade: {ids:?}"
    );
    for (email, reply) in [("up1@example.com", &a), ("up2@example.com", &b)] {
        let login = app.login_email(email, "secret123").await;
        assert_eq!(
            login.body["user_id"], reply.body["user_id"],
            "each account logs in as itself"
        );
    }
}
