//! What is stored: argon2id hashes, token hashes, never secrets.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

on_both_backends!(passwords_are_argon2id_and_tokens_are_stored_hashed);

async fn passwords_are_argon2id_and_tokens_are_stored_hashed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = app.register_email("s@example.com", "secret123").await;
    let hashes = app.db.texts("SELECT password_hash AS v FROM credentials");
    assert_eq!(hashes.len(), 1);
    assert!(
        hashes[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        hashes[0]
    );
    assert!(!hashes[0].contains("secret123"));
    let stored = app.db.texts("SELECT token_hash AS v FROM sessions");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token, "the token itself is never stored");
    assert_eq!(stored[0].len(), 64, "hex SHA-256");
    assert_eq!(token.len(), 64, "256 random bits");
    // A token that is one character off is refused.
    let mut forged = token.clone();
    forged.replace_range(0..1, if token.starts_with('a') { "b" } else { "a" });
    let r = app.get("/hserve/v2.2/user/info/", Some(&forged)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["status"], "error");
    let _ = json!({});
}

on_both_backends!(a_login_flood_beyond_the_hashing_queue_gets_503_with_retry_after);

/// Password hashing has a bounded queue: requests beyond it are refused at once
/// with a 503 and `Retry-After`, the others are served, and the server recovers.
async fn a_login_flood_beyond_the_hashing_queue_gets_503_with_retry_after(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.hash_threads = 1;
        s.hash_queue = 1;
        // Each login counts toward the account's lockout until its password
        // is checked: 12 at once would pass a lockout of 10.
        s.login_lockout_failures = 100;
    })
    .await;
    app.register_email("flood@example.com", "secret123").await;
    let url = format!("{}/hserve/v2.1/login/email/", app.address);
    let attempts = (0..12).map(|_| {
        let request = app
            .client
            .post(&url)
            .json(&json!({"email": "flood@example.com", "password": "secret123"}))
            .send();
        async move {
            let resp = request.await.unwrap();
            let retry = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (resp.status(), retry, resp.text().await.unwrap())
        }
    });
    let replies = futures::future::join_all(attempts).await;
    let busy: Vec<_> = replies
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    let served = replies
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(busy.len() + served, replies.len(), "{replies:?}");
    assert!(
        !busy.is_empty(),
        "one thread and a queue of one cannot take 12 logins at once"
    );
    assert!(served >= 1, "{replies:?}");
    for (_, retry, body) in busy {
        assert_eq!(retry.as_deref(), Some("1"));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["status"], "error");
        assert!(
            body["error_msg"].as_str().unwrap().contains("retry"),
            "{body}"
        );
    }
    let r = app.login_email("flood@example.com", "secret123").await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "served again after the flood"
    );
}
