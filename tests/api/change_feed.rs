//! The change feed never skips a write: a transaction that commits after
//! later ones (here: held at a row lock the test takes) still reaches a
//! client that follows the cursors.

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{settle, Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(
    a_slow_transaction_is_not_skipped_by_polls_in_between,
    one_feed_covers_several_tables_and_the_own_profile,
);

/// Holds a lock in its own connection until told to let go: on PostgreSQL
/// the row of user `id` (so a write that moves its counter waits inside its
/// transaction), on SQLite the write lock (so every write waits).
fn hold_lock(
    backend: Backend,
    url: &str,
    id: i64,
) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (release, wait) = mpsc::channel::<()>();
    let (ready, is_ready) = mpsc::channel::<()>();
    let url = url.to_owned();
    let handle = std::thread::spawn(move || match backend {
        Backend::Postgres => {
            let mut c = PgConnection::establish(&url).unwrap();
            diesel::sql_query("BEGIN").execute(&mut c).unwrap();
            diesel::sql_query(format!(
                "SELECT id FROM _userprofile WHERE id = {id} FOR UPDATE"
            ))
            .execute(&mut c)
            .unwrap();
            ready.send(()).unwrap();
            let _ = wait.recv();
            diesel::sql_query("COMMIT").execute(&mut c).unwrap();
        }
        Backend::Sqlite => {
            let mut c = SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
            diesel::sql_query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .unwrap();
            ready.send(()).unwrap();
            let _ = wait.recv();
            diesel::sql_query("COMMIT").execute(&mut c).unwrap();
        }
    });
    is_ready.recv().unwrap();
    (release, handle)
}

/// Follows the feed of `follow` from `cursor` (or the start) to its end;
/// returns the ids seen and the last cursor.
async fn drain(app: &TestApp, cursor: Option<String>) -> (BTreeSet<String>, Option<String>) {
    let mut cursor = cursor;
    let mut seen = BTreeSet::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/hserve/v2.4/table/follow/changes/?limit=1&cursor={c}"),
            None => "/hserve/v2.4/table/follow/changes/?limit=1&since=0".to_owned(),
        };
        let page = app.admin(Method::GET, &path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        for o in page.body["objects"].as_array().unwrap() {
            seen.insert(o["id"].as_str().unwrap().to_owned());
        }
        cursor = page.body["cursor"].as_str().map(str::to_owned);
        if page.body["has_more"] == Value::Bool(false) {
            return (seen, cursor);
        }
    }
}

async fn a_slow_transaction_is_not_skipped_by_polls_in_between(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await;
    let (_, star) = app.register_email("star@example.com", "secret123").await;
    let (_, other) = app.register_email("other@example.com", "secret123").await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let (_, start) = drain(&app, None).await;

    let (release, holder) = hold_lock(backend, &app.db.url, star);
    let app = std::sync::Arc::new(app);
    let slow = {
        let app = app.clone();
        tokio::spawn(async move {
            app.post(
                "/hserve/v2.4/table/follow/record/",
                Some(&ann),
                json!({"followee": star}),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = {
        let app = app.clone();
        tokio::spawn(async move {
            app.post(
                "/hserve/v2.4/table/follow/record/",
                Some(&bob),
                json!({"followee": other}),
            )
            .await
        })
    };
    // Polls while the slow write is still open, more than a second later.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (early, cursor) = drain(&app, start.clone()).await;
    release.send(()).unwrap();
    holder.join().unwrap();
    let slow = slow.await.unwrap();
    let quick = quick.await.unwrap();
    assert_eq!(slow.status, StatusCode::CREATED, "{:?}", slow.body);
    assert_eq!(quick.status, StatusCode::CREATED, "{:?}", quick.body);
    let (late, _) = drain(&app, cursor).await;
    let all: BTreeSet<String> = early.union(&late).cloned().collect();
    let want: BTreeSet<String> = [&slow.body, &quick.body]
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all, want, "polled before: {early:?}, after: {late:?}");
}

async fn one_feed_covers_several_tables_and_the_own_profile(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/vocabulary");
    })
    .await;
    let (_, star) = app.register_email("star@example.com", "secret123").await;
    let (ann, ann_id) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let follow = app
        .create_record("follow", &ann, json!({"followee": star}))
        .await;
    let invite = app
        .create_record("invite", &ann, json!({"note": "mine"}))
        .await;
    let gift = app
        .create_record("gift", &bob, json!({"receiver": ann_id, "price": 5}))
        .await;
    let sync = |query: String| {
        let ann = ann.clone();
        let app = &app;
        async move {
            let r = app
                .get(
                    &format!("/hserve/v2.4/changes/?tables=follow,invite,gift&profile=1&{query}"),
                    Some(&ann),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.body
        }
    };
    let objects = |v: &Value| v["objects"].as_array().map_or(0, Vec::len);
    let first = settle(|| sync("since=0".into()), |v| objects(v) == 3).await;
    let got: Vec<(String, String)> = first["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["_table"].as_str().unwrap().to_owned(),
                o["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        got,
        vec![
            ("follow".to_owned(), id(&follow)),
            ("invite".to_owned(), id(&invite)),
            ("gift".to_owned(), id(&gift)),
        ],
        "every table, in write order, one cursor"
    );
    assert_eq!(first["profile"]["id"], ann_id);
    let cursor = first["cursor"].as_str().unwrap().to_owned();

    app.send(
        Method::DELETE,
        &format!("/hserve/v2.5/table/invite/record/{}/", id(&invite)),
        Some(&format!("Hydrogen-r1 {ann}")),
        None,
    )
    .await;
    let next = settle(
        || sync(format!("cursor={cursor}")),
        |v| v["deleted"].as_array().is_some_and(|d| !d.is_empty()),
    )
    .await;
    assert_eq!(next["objects"], json!([]));
    assert_eq!(next["deleted"][0]["_table"], "invite");
    assert_eq!(next["deleted"][0]["id"], id(&invite));

    // Another user's feed holds what they may read: not Ann's private invite.
    let bobs = app
        .get(
            "/hserve/v2.4/changes/?tables=invite,gift&since=0",
            Some(&bob),
        )
        .await;
    assert_eq!(
        bobs.body["objects"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        bobs.body
    );
    assert_eq!(bobs.body["profile"], Value::Null, "not asked for");
    assert_eq!(
        app.get("/hserve/v2.4/changes/?tables=nope", Some(&bob))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/hserve/v2.4/changes/", Some(&bob)).await.status,
        StatusCode::BAD_REQUEST
    );
}
