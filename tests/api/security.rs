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
