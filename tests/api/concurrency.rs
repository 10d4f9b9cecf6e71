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
