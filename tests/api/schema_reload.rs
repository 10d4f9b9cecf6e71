//! Hot reload: a loop of reads and writes runs while a field is added, a broken
//! edit is saved and then fixed — no request fails, the last good schema keeps
//! serving while the error is shown, and the fixed schema is served.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend, TestApp, ADMIN_TOKEN};

on_both_backends!(reload_under_load_fails_no_request);

fn write(dir: &std::path::Path, file: &str, doc: &Value) {
    // Write then rename, as editors do, so a reload never reads half a file.
    let tmp = dir.join(format!(".{file}.tmp"));
    std::fs::write(&tmp, doc.to_string()).unwrap();
    std::fs::rename(&tmp, dir.join(file)).unwrap();
}

fn profile(extra: Value) -> Value {
    let mut properties =
        json!({"nickname": {"type": "string", "maxLength": 32}, "city": {"type": "string"}});
    for (k, v) in extra.as_object().unwrap() {
        properties[k] = v.clone();
    }
    json!({"type": "object", "properties": properties})
}

/// Polls `check` until it holds or `secs` pass.
async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within {secs} s: {what}");
}

async fn schema_state(app: &TestApp) -> Value {
    app.admin_api(Method::GET, "/schema/", ADMIN_TOKEN, None)
        .await
        .body
}

async fn reload_under_load_fails_no_request(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "_userprofile.json", &profile(json!({})));
    write(
        dir.path(),
        "note.json",
        &json!({"properties": {"text": {"type": "string"}}}),
    );
    let schema_dir = dir.path().to_path_buf();
    let app = Arc::new(
        spawn_app_with(backend, move |s| {
            s.schema_dir = schema_dir;
            s.schema_watch = true;
            s.admin_token = ADMIN_TOKEN.into();
        })
        .await,
    );
    let (token, id) = app.register_email("load@example.com", "secret123").await;
    let stop = Arc::new(AtomicBool::new(false));
    let (done, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut workers = Vec::new();
    for n in 0..4 {
        let (app, token, stop, done, failed) = (
            app.clone(),
            token.clone(),
            stop.clone(),
            done.clone(),
            failed.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let r = match (n + i) % 4 {
                    0 => {
                        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
                            .await
                    }
                    1 => {
                        app.put(
                            "/hserve/v2.5/user/info/",
                            Some(&token),
                            json!({"city": format!("c{i}")}),
                        )
                        .await
                    }
                    2 => {
                        app.post(
                            "/hserve/v2.4/table/note/record/",
                            Some(&token),
                            json!({"text": "t"}),
                        )
                        .await
                    }
                    _ => {
                        app.get("/hserve/v2.4/table/note/record/?limit=5", Some(&token))
                            .await
                    }
                };
                done.fetch_add(1, Ordering::Relaxed);
                if !r.status.is_success() {
                    failed.fetch_add(1, Ordering::Relaxed);
                    eprintln!("failed during reload: {} {:?}", r.status, r.body);
                }
            }
        }));
    }
    // The reload lands while requests are running.
    let running = &done;
    crate::helpers::eventually("requests are running", 10, move || async move {
        running.load(Ordering::Relaxed) >= 20
    })
    .await;

    write(
        dir.path(),
        "_userprofile.json",
        &profile(json!({"motto": {"type": "string"}})),
    );
    eventually(10, "the added field is served", || async {
        app.put(
            "/hserve/v2.5/user/info/",
            Some(&token),
            json!({"motto": "hi"}),
        )
        .await
        .status
            == StatusCode::OK
    })
    .await;

    std::fs::write(
        dir.path().join("_userprofile.json"),
        "{ \"type\": \"object\", oops",
    )
    .unwrap();
    eventually(10, "the broken edit is reported", || async {
        schema_state(&app).await["last_error"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("_userprofile.json"))
    })
    .await;
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&token))
        .await;
    assert_eq!(me.body["motto"], "hi", "the last good schema keeps serving");

    write(
        dir.path(),
        "_userprofile.json",
        &profile(
            json!({"motto": {"type": "string"}, "mood": {"type": "string", "enum": ["ok", "meh"]}}),
        ),
    );
    eventually(10, "the fixed schema is served", || async {
        app.put(
            "/hserve/v2.5/user/info/",
            Some(&token),
            json!({"mood": "ok"}),
        )
        .await
        .status
            == StatusCode::OK
    })
    .await;
    let state = schema_state(&app).await;
    assert!(state["last_error"].is_null(), "{state}");
    assert!(state["version"].as_u64().unwrap() >= 3, "{state}");

    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    assert!(done.load(Ordering::Relaxed) > 20, "the load ran");
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "no request failed during the reloads"
    );
}

/// `SIGHUP` reloads the schema (the node names itself in the audit log).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_schema() {
    let app = crate::helpers::spawn_records_app(Backend::Sqlite).await;
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    eventually(10, "a reload audited as the node's, by SIGHUP", || async {
        let r = app
            .admin_api(
                Method::GET,
                "/audit/?action=schema.reload",
                ADMIN_TOKEN,
                None,
            )
            .await;
        r.body["objects"].as_array().is_some_and(|entries| {
            entries
                .iter()
                .any(|e| e["actor"].as_str().is_some_and(|a| a.ends_with("(SIGHUP)")))
        })
    })
    .await;
}
