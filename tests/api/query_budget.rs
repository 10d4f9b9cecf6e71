//! Expensive queries cannot hold the database: a request's statements get a
//! time budget (`query_budget_ms`), and a query past it is stopped and
//! answered 503 with a message saying what to change — never a 500 — while
//! the server goes on serving.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(
    a_query_past_its_budget_is_stopped_with_a_503,
    a_caller_runs_a_few_list_queries_at_once,
);

async fn spawn(backend: Backend) -> TestApp {
    crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = crate::helpers::records_schema_dir();
        s.admin_token = ADMIN_TOKEN.into();
        s.query_budget_ms = 200;
    })
    .await
}

async fn a_query_past_its_budget_is_stopped_with_a_503(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.register_email("ann@example.com", "secret123").await;
    app.create_record("post", &token, json!({"title": "hello"}))
        .await;
    let regex = json!({"title": {"$regex": "^(x|y)+z$"}}).to_string();
    let lock = make_slow(&app, backend);
    let started = Instant::now();
    let stopped = app
        .get_query(
            "/hserve/v2.4/table/post/record/",
            Some(&token),
            &[("where", regex.as_str()), ("return_total_count", "1")],
        )
        .await;
    let took = started.elapsed();
    assert_eq!(
        stopped.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        stopped.body
    );
    assert!(
        stopped
            .error_msg()
            .contains("took longer than the server allows"),
        "{}",
        stopped.error_msg()
    );
    assert!(
        took < Duration::from_secs(5),
        "stopped near its budget, took {took:?}"
    );
    if let Some((release, holder)) = lock {
        release.send(()).unwrap();
        holder.join().unwrap();
    }
    // The server goes on: a cheap read works.
    let page = app
        .get_query(
            "/hserve/v2.4/table/post/record/",
            Some(&token),
            &[("limit", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
}

/// The lock a test holds, and how to let it go.
type Held = (mpsc::Sender<()>, std::thread::JoinHandle<()>);

/// Makes list queries of `post` slow: on PostgreSQL they wait for a lock the
/// test holds (the wait counts against `statement_timeout`); on SQLite they
/// scan many rows, each checked against the budget.
fn make_slow(app: &TestApp, backend: Backend) -> Option<Held> {
    match backend {
        Backend::Postgres => {
            let (release, wait) = mpsc::channel::<()>();
            let (ready, is_ready) = mpsc::channel::<()>();
            let url = app.db.url.clone();
            let holder = std::thread::spawn(move || {
                let mut c = PgConnection::establish(&url).unwrap();
                diesel::sql_query("BEGIN").execute(&mut c).unwrap();
                diesel::sql_query("LOCK TABLE tbl_post IN ACCESS EXCLUSIVE MODE")
                    .execute(&mut c)
                    .unwrap();
                ready.send(()).unwrap();
                let _ = wait.recv();
                diesel::sql_query("ROLLBACK").execute(&mut c).unwrap();
            });
            is_ready.recv().unwrap();
            Some((release, holder))
        }
        Backend::Sqlite => {
            app.db.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
                 INSERT INTO tbl_post (id, created_at, updated_at, created_by, read_perm, write_perm, title, likes) \
                 SELECT printf('%024x', i + 1000000), 1700000000, 1700000000, NULL, '[\"user:anonymous\"]', '[]', \
                 'xyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxyxy ' || i, 0 FROM n",
            );
            None
        }
    }
}

async fn a_caller_runs_a_few_list_queries_at_once(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = crate::helpers::records_schema_dir();
        s.queries_per_caller = 1;
    })
    .await;
    let (ann, _) = app.register_email("ann@example.com", "secret123").await;
    let (bob, _) = app.register_email("bob@example.com", "secret123").await;
    let lock = make_slow(&app, backend);
    let regex = json!({"title": {"$regex": "^(x|y)+z$"}}).to_string();
    let params = [("where", regex.as_str()), ("return_total_count", "1")];
    let anns = futures::future::join_all(
        (0..3).map(|_| app.get_query("/hserve/v2.4/table/post/record/", Some(&ann), &params)),
    );
    let bobs = async {
        // While Ann's queries run, Bob's are not held up by her cap.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = app
            .get_query("/hserve/v2.2/user/info/", Some(&bob), &[("limit", "1")])
            .await;
        if let Some((release, _)) = &lock {
            release.send(()).unwrap();
        }
        r
    };
    let (anns, bob_reply) = futures::future::join(anns, bobs).await;
    if let Some((_, holder)) = lock {
        holder.join().unwrap();
    }
    assert_eq!(bob_reply.status, StatusCode::OK, "{:?}", bob_reply.body);
    crate::helpers::one_ran_others_refused(&anns.iter().collect::<Vec<_>>());
}
