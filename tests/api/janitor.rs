//! Nothing expired stays forever: the janitor (one node at a time, by lease)
//! deletes expired sessions, spent codes, old counters, sent mail and
//! deletions past the change feed's horizon — and nothing still in use. A feed
//! position older than the horizon gets a 410 telling the client to resync.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{records_schema_dir, start, test_settings, Backend, TestDb, ADMIN_TOKEN};

on_both_backends!(
    the_janitor_deletes_what_expired_and_keeps_what_is_in_use,
    a_feed_position_older_than_the_horizon_is_gone
);

const DAY: i64 = 86_400;

fn count(db: &TestDb, sql: &str) -> i64 {
    db.texts(&format!("SELECT CAST(COUNT(*) AS TEXT) AS v FROM {sql}"))[0]
        .parse()
        .unwrap()
}

async fn the_janitor_deletes_what_expired_and_keeps_what_is_in_use(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let mut settings = test_settings(&db, &records_schema_dir());
    settings.janitor_interval = 1;
    settings.feed_horizon_days = 30;
    // Two nodes, one database: one of them sweeps.
    let one = start(db.clone(), settings.clone(), backend);
    let two = start(db.clone(), settings, backend);
    let (_, user) = one.register_email("j@example.com", "secret123").await;
    let now = protium::domain::now_unix();
    let acl = match backend {
        Backend::Sqlite => "'[]'",
        Backend::Postgres => "'[]'::jsonb",
    };
    for (age, suffix) in [(40 * DAY, "old"), (DAY, "new")] {
        let at = now - age;
        db.execute(&format!(
            "INSERT INTO sessions (token_hash, user_id, login_method, created_at, expires_at) \
             VALUES ('{suffix}', {user}, 'email', {at}, {})",
            at + 30 * DAY
        ));
        db.execute(&format!(
            "INSERT INTO sms_codes (phone, code_hmac, created_at, expires_at) VALUES ('+86{suffix}', 'x', {at}, {})",
            at + 300
        ));
        db.execute(&format!(
            "INSERT INTO rate_counters (key, window_start, hits) VALUES ('k:{suffix}', {at}, 3)"
        ));
        db.execute(&format!(
            "INSERT INTO outbox (recipient, subject, body_text, body_html, created_at, next_attempt_at, sent_at) \
             VALUES ('{suffix}@example.com', 's', 't', 'h', {at}, {at}, {at})"
        ));
        db.execute(&format!(
            "INSERT INTO record_tombstones (object_type, record_id, deleted_at, read_perm) \
             VALUES ('post', '{suffix}', {at}, {acl})"
        ));
    }
    // An unsent mail, however old, waits for its retry.
    db.execute(&format!(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, created_at, next_attempt_at) \
         VALUES ('queued@example.com', 's', 't', 'h', {0}, {0})",
        now - 40 * DAY
    ));
    let swept = || {
        count(&db, "sessions WHERE token_hash = 'old'") == 0
            && count(&db, "record_tombstones WHERE record_id = 'old'") == 0
    };
    for _ in 0..100 {
        if swept() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(swept(), "the janitor ran within seconds");
    assert_eq!(count(&db, "sessions WHERE token_hash = 'new'"), 1);
    assert_eq!(count(&db, "sms_codes WHERE phone = '+86old'"), 0);
    assert_eq!(
        count(&db, "sms_codes WHERE phone = '+86new'"),
        1,
        "codes of the last two days still count toward the daily limit"
    );
    assert_eq!(count(&db, "rate_counters WHERE key = 'k:old'"), 0);
    assert_eq!(count(&db, "rate_counters WHERE key = 'k:new'"), 1);
    assert_eq!(count(&db, "outbox WHERE recipient = 'old@example.com'"), 0);
    assert_eq!(count(&db, "outbox WHERE recipient = 'new@example.com'"), 1);
    assert_eq!(
        count(&db, "outbox WHERE recipient = 'queued@example.com'"),
        1
    );
    assert_eq!(count(&db, "record_tombstones WHERE record_id = 'new'"), 1);
    assert_eq!(
        count(&db, "leases WHERE name = 'janitor'"),
        1,
        "one lease, held by one node"
    );
    drop((one, two));
}

async fn a_feed_position_older_than_the_horizon_is_gone(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = records_schema_dir();
        s.admin_token = ADMIN_TOKEN.into();
        s.feed_horizon_days = 7;
    })
    .await;
    let (token, _) = app.register_email("f@example.com", "secret123").await;
    let old = (protium::domain::now_unix() - 8 * DAY).to_string();
    let gone = app
        .get_query(
            "/hserve/v2.4/table/post/changes/",
            Some(&token),
            &[("since", old.as_str())],
        )
        .await;
    assert_eq!(gone.status, StatusCode::GONE, "{:?}", gone.body);
    assert!(
        gone.error_msg().contains("list the table again"),
        "{}",
        gone.error_msg()
    );
    let recent = (protium::domain::now_unix() - DAY).to_string();
    for since in ["0", recent.as_str()] {
        let ok = app
            .get_query(
                "/hserve/v2.4/table/post/changes/",
                Some(&token),
                &[("since", since)],
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "since={since}: {:?}", ok.body);
    }
}
