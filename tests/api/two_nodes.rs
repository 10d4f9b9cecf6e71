//! Two nodes on one database: a token issued by one works on the other, and a
//! session ended on one node — logout, a password change, an admin disabling
//! the user — is refused on the other within a second, although each node
//! caches resolved sessions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{start, test_settings, Backend, TestApp, TestDb, ADMIN_TOKEN};

on_both_backends!(
    sessions_ended_on_one_node_are_refused_on_the_other_within_a_second,
    limits_and_lockouts_count_across_nodes,
);

/// Two nodes share one budget per address and one lockout per account:
/// alternating between them buys no attempts.
async fn limits_and_lockouts_count_across_nodes(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let mut settings = test_settings(&db, &crate::helpers::default_schema_dir());
    settings.login_lockout_failures = 4;
    let one = start(db.clone(), settings.clone(), backend);
    let two = start(db.clone(), settings.clone(), backend);
    one.register_email("both@example.com", "secret123").await;
    let wrong = json!({"email": "both@example.com", "password": "wrong-guess"});
    for node in [&one, &two, &one, &two] {
        let r = node
            .post("/hserve/v2.1/login/email/", None, wrong.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    for node in [&one, &two] {
        let r = node.login_email("both@example.com", "secret123").await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "locked on every node"
        );
    }

    // Code requests per address: 4 an hour for both nodes together.
    settings.sms_per_ip_per_hour = 4;
    let three = start(db.clone(), settings.clone(), backend);
    let four = start(db.clone(), settings, backend);
    let mut statuses = Vec::new();
    for (i, node) in [&three, &four, &three, &four, &three, &four]
        .into_iter()
        .enumerate()
    {
        let body = json!({"phone": format!("1390000000{i}")});
        statuses.push(
            node.post("/hserve/v2.2/sms-verification-code/", None, body)
                .await
                .status,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

/// Polls the other node until it refuses `token`; returns how long that took.
async fn refused_within(node: &TestApp, token: &str, since: Instant) -> Duration {
    loop {
        let r = node.get("/hserve/v2.2/user/info/", Some(token)).await;
        if r.status == StatusCode::UNAUTHORIZED {
            return since.elapsed();
        }
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(
            since.elapsed() < Duration::from_secs(3),
            "still accepted after 3 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn sessions_ended_on_one_node_are_refused_on_the_other_within_a_second(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let mut settings = test_settings(&db, &crate::helpers::default_schema_dir());
    settings.admin_token = ADMIN_TOKEN.into();
    let one = start(db.clone(), settings.clone(), backend);
    let two = start(db.clone(), settings, backend);

    let (token, id) = one.register_email("n@example.com", "secret123").await;
    for _ in 0..3 {
        let r = two
            .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "a token works on every node");
    }
    let at = Instant::now();
    one.post("/hserve/v2.0/session/destroy/", Some(&token), json!({}))
        .await;
    assert_eq!(
        one.get("/hserve/v2.2/user/info/", Some(&token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let took = refused_within(&two, &token, at).await;
    assert!(
        took <= Duration::from_secs(1),
        "logout reached the other node after {took:?}"
    );

    // A password change on node two ends the other sessions, node one's cached one too.
    let first = one.login_email("n@example.com", "secret123").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = two.login_email("n@example.com", "secret123").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        one.get("/hserve/v2.2/user/info/", Some(&first))
            .await
            .status,
        StatusCode::OK
    );
    let at = Instant::now();
    let changed = two
        .put(
            "/hserve/v2.2/user/account/",
            Some(&second),
            json!({"password": "secret123", "new_password": "secret456"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let took = refused_within(&one, &first, at).await;
    assert!(
        took <= Duration::from_secs(1),
        "a password change reached the other node after {took:?}"
    );

    // An admin disabling the user on node one ends node two's session.
    assert_eq!(
        two.get("/hserve/v2.2/user/info/", Some(&second))
            .await
            .status,
        StatusCode::OK
    );
    let at = Instant::now();
    let r = one
        .admin_api(
            Method::POST,
            &format!("/users/{id}/disable/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let took = refused_within(&two, &second, at).await;
    assert!(
        took <= Duration::from_secs(1),
        "disabling reached the other node after {took:?}"
    );
}
