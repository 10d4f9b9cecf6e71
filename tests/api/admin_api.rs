//! The admin API: admin accounts and their sessions, API keys with scopes,
//! users and records as admins see them, disabling users, the audit log.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    default_schema_dir, run_cli, spawn_records_app, Backend, TestApp, ADMIN_TOKEN,
};

on_both_backends!(
    admin_accounts_sign_in_and_keys_carry_scopes,
    disabled_users_cannot_log_in_by_any_method,
    admins_edit_and_delete_users_and_every_write_is_audited,
    admins_work_on_records_of_every_table,
    the_schema_is_described_reloaded_and_its_history_listed,
    the_sdk_reads_tables_and_the_server_clock,
);

/// Creates an admin account with the command line and signs it in; returns its token.
async fn admin_session(app: &TestApp, email: &str) -> String {
    let (code, out, err) = run_cli(
        &app.db,
        &crate::helpers::records_schema_dir(),
        &["admin", "create", "--email", email],
        "a long admin password\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(email), "{out}");
    let r = app
        .post(
            "/admin/api/session/",
            None,
            json!({"email": email, "password": "a long admin password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let token = r.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("pts_"));
    token
}

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app
        .admin_api(Method::GET, &format!("/audit/?{query}"), ADMIN_TOKEN, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["objects"].as_array().unwrap().clone()
}

async fn admin_accounts_sign_in_and_keys_carry_scopes(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let wrong = app
        .post(
            "/admin/api/session/",
            None,
            json!({"email": "nobody@example.com", "password": "whatever123"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let session = admin_session(&app, "root@example.com").await;
    let me = app.admin_api(Method::GET, "/me/", &session, None).await;
    assert_eq!(me.body["actor"], "admin:root@example.com");
    assert_eq!(me.body["scopes"].as_array().unwrap().len(), 11);
    let none = app.send(Method::GET, "/admin/api/users/", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let bogus = app
        .admin_api(Method::GET, "/users/", "ptk_not-a-key", None)
        .await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);

    let created = app
        .admin_api(
            Method::POST,
            "/keys/",
            &session,
            Some(json!({"name": "reporting", "scopes": ["users:read", "audit:read"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("ptk_") && key.starts_with(created.body["prefix"].as_str().unwrap()));
    let stored = app.db.texts("SELECT key_hash AS v FROM api_keys");
    assert!(
        !stored.contains(&key) && stored[0].len() == 64,
        "only a digest is stored"
    );
    assert_eq!(
        app.admin_api(Method::GET, "/users/", &key, None)
            .await
            .status,
        StatusCode::OK
    );
    let (_, uid) = app.register_email("k@example.com", "secret123").await;
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/users/{uid}/"),
            Some(json!({"nickname": "x"})),
        ),
        (Method::GET, "/keys/".to_owned(), None),
        (Method::POST, "/schema/reload/".to_owned(), None),
        (Method::GET, "/tables/post/records/".to_owned(), None),
    ] {
        let r = app.admin_api(method.clone(), &path, &key, body).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {:?}",
            r.body
        );
        assert!(r.error_msg().contains("scope"), "{}", r.error_msg());
    }
    let listed = app.admin_api(Method::GET, "/keys/", &session, None).await;
    let row = &listed.body["objects"][0];
    assert_eq!(
        (row["name"].clone(), row["status"].clone()),
        (json!("reporting"), json!("active"))
    );
    assert!(row["last_used_at"].is_number(), "{row}");
    assert!(row.get("key").is_none(), "a key is shown once, at creation");
    let id = row["id"].as_i64().unwrap();
    let gone = app
        .admin_api(Method::DELETE, &format!("/keys/{id}/"), &session, None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.admin_api(Method::GET, "/users/", &key, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .admin_api(Method::DELETE, &format!("/keys/{id}/"), &session, None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let short = app
        .admin_api(
            Method::POST,
            "/keys/",
            &session,
            Some(json!({"name": "short", "scopes": "*", "expires_in": 1})),
        )
        .await;
    let short_key = short.body["key"].as_str().unwrap().to_owned();
    assert_eq!(
        app.admin_api(Method::GET, "/users/", &short_key, None)
            .await
            .status,
        StatusCode::OK
    );
    let (app_ref, key) = (&app, &short_key);
    crate::helpers::eventually("the short key expires", 10, move || async move {
        app_ref
            .admin_api(Method::GET, "/users/", key, None)
            .await
            .status
            == StatusCode::UNAUTHORIZED
    })
    .await;
    assert_eq!(
        app.admin_api(Method::GET, "/users/", &short_key, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "an expired key"
    );
    let bad = app
        .admin_api(
            Method::POST,
            "/keys/",
            &session,
            Some(json!({"name": "x", "scopes": ["users:admin"]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().starts_with("scopes:"),
        "{}",
        bad.error_msg()
    );

    let (code, out, _) = run_cli(
        &app.db,
        &crate::helpers::records_schema_dir(),
        &[
            "admin",
            "create-key",
            "--name",
            "ci",
            "--scopes",
            "records:read",
        ],
        "",
    );
    assert_eq!(code, 0);
    let cli_key = out.trim();
    assert!(cli_key.starts_with("ptk_"));
    assert_eq!(
        app.admin_api(Method::GET, "/tables/post/records/", cli_key, None)
            .await
            .status,
        StatusCode::OK
    );

    let signed_out = app
        .admin_api(Method::DELETE, "/session/", &session, None)
        .await;
    assert_eq!(signed_out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.admin_api(Method::GET, "/me/", &session, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let actions: Vec<String> = audit(&app, "action=key.")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["key.create", "key.create", "key.revoke", "key.create"]
    );
}

async fn disabled_users_cannot_log_in_by_any_method(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.schema_dir = crate::helpers::records_schema_dir();
        s.admin_token = ADMIN_TOKEN.into();
        s.sms_per_number_per_minute = 10;
    })
    .await;
    let (token, id) = app.register_email("d@example.com", "secret123").await;
    let phone = "+8613800000077";
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": phone}),
    )
    .await;
    let code = app.last_sms_code(phone);
    let sms = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    let sms_id = sms.body["user_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{:?}", sms.body));
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let (anon_token, anon_id) = (
        anon.body["token"].as_str().unwrap().to_owned(),
        anon.body["user_id"].as_i64().unwrap(),
    );
    for user in [id, sms_id, anon_id] {
        let r = app
            .admin_api(
                Method::POST,
                &format!("/users/{user}/disable/"),
                ADMIN_TOKEN,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    for t in [&token, &anon_token] {
        let r = app.get("/hserve/v2.2/user/info/", Some(t)).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "a disabled user's token dies at once"
        );
    }
    let login = app.login_email("d@example.com", "secret123").await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert_eq!(login.error_msg(), "this account is disabled");
    let wrong = app.login_email("d@example.com", "not the password").await;
    assert_eq!(
        wrong.status,
        StatusCode::BAD_REQUEST,
        "a wrong password learns nothing"
    );
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": phone}),
    )
    .await;
    let code = app.last_sms_code(phone);
    let sms = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    assert_eq!(sms.status, StatusCode::FORBIDDEN, "{:?}", sms.body);
    let listed = app
        .admin_api(
            Method::GET,
            &format!(
                "/users/?where={}",
                urlencode(r#"{"_disabled":{"$eq":true}}"#)
            ),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(
        listed.body["objects"].as_array().unwrap().len(),
        3,
        "{:?}",
        listed.body
    );
    let r = app
        .admin_api(
            Method::POST,
            &format!("/users/{id}/enable/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.login_email("d@example.com", "secret123").await.status,
        StatusCode::CREATED
    );
    let entries = audit(&app, &format!("target_id={id}")).await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.enable", "user.disable"]);
    assert_eq!(entries[1]["changes"]["sessions_ended"], 1);
    assert_eq!(entries[1]["actor"], "token");
    let missing = app
        .admin_api(Method::POST, "/users/999999/disable/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

async fn admins_edit_and_delete_users_and_every_write_is_audited(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, id) = app.register_email("e@example.com", "secret123").await;
    let r = app
        .admin_api(
            Method::PATCH,
            &format!("/users/{id}/"),
            ADMIN_TOKEN,
            Some(json!({"is_vip": true, "nickname": "Eve", "score": {"$incr_by": 5}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["is_vip"].clone(), r.body["score"].clone()),
        (json!(true), json!(5))
    );
    assert_eq!(r.body["_email"], "e@example.com", "admins see every field");
    let bad = app
        .admin_api(
            Method::PATCH,
            &format!("/users/{id}/"),
            ADMIN_TOKEN,
            Some(json!({"gender": 9})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().starts_with("gender:"),
        "{}",
        bad.error_msg()
    );
    let account = app
        .admin_api(
            Method::PATCH,
            &format!("/users/{id}/"),
            ADMIN_TOKEN,
            Some(json!({"_disabled": true})),
        )
        .await;
    assert_eq!(
        account.status,
        StatusCode::FORBIDDEN,
        "disabling has its own endpoint: {:?}",
        account.body
    );
    let entries = audit(&app, &format!("target_type=_userprofile&target_id={id}")).await;
    assert_eq!(entries.len(), 1, "refused writes leave no entry");
    let e = &entries[0];
    assert_eq!(e["action"], "user.update");
    assert_eq!(e["changes"]["is_vip"], json!({"old": false, "new": true}));
    assert_eq!(e["changes"]["score"], json!({"old": 0, "new": 5}));
    assert!(e["changes"].get("updated_at").is_none());
    assert!(
        e["request_id"].as_str().is_some_and(|r| r.len() >= 32),
        "{e}"
    );
    assert_eq!(e["ip"], "127.0.0.1");

    let reset = app
        .admin_api(
            Method::POST,
            &format!("/users/{id}/password-reset/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::CREATED, "{:?}", reset.body);
    let queued = app.db.texts("SELECT recipient AS v FROM outbox");
    assert_eq!(queued, vec!["e@example.com".to_owned()]);
    let revoked = app
        .admin_api(
            Method::POST,
            &format!("/users/{id}/sessions/revoke/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(revoked.body["sessions_ended"], 1);
    assert_eq!(
        app.get("/hserve/v2.2/user/info/", Some(&token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let gone = app
        .admin_api(Method::DELETE, &format!("/users/{id}/"), ADMIN_TOKEN, None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.admin_api(Method::GET, &format!("/users/{id}/"), ADMIN_TOKEN, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.login_email("e@example.com", "secret123").await.status,
        StatusCode::BAD_REQUEST
    );
    let actions: Vec<String> = audit(&app, &format!("target_id={id}"))
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "user.delete",
            "user.revoke_sessions",
            "user.password_reset",
            "user.update"
        ]
    );
    let deleted = &audit(&app, "action=user.delete").await[0];
    assert_eq!(deleted["changes"]["_email"]["old"], "e@example.com");
    assert!(
        !deleted["changes"].to_string().contains("argon2"),
        "password hashes never reach the audit log"
    );
}

async fn admins_work_on_records_of_every_table(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, uid) = app.register_email("r@example.com", "secret123").await;
    let created = app
        .admin_api(
            Method::POST,
            "/tables/post/records/",
            ADMIN_TOKEN,
            Some(json!({"title": "by admin", "created_by": uid, "read_perm": []})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let mine = app
        .get(
            &format!("/hserve/v2.4/table/post/record/{id}/"),
            Some(&token),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "the named owner reads it");
    let patched = app
        .admin_api(
            Method::PATCH,
            &format!("/tables/post/records/{id}/"),
            ADMIN_TOKEN,
            Some(json!({"likes": {"$incr_by": 3}})),
        )
        .await;
    assert_eq!(patched.body["likes"], 3);
    let list = app
        .admin_api(
            Method::GET,
            &format!(
                "/tables/post/records/?where={}",
                urlencode(r#"{"likes":{"$gte":3}}"#)
            ),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(
        list.body["objects"].as_array().unwrap().len(),
        1,
        "{:?}",
        list.body
    );
    let tables = app
        .admin_api(Method::GET, "/tables/", ADMIN_TOKEN, None)
        .await;
    let post = tables.body["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "post")
        .unwrap()
        .clone();
    assert_eq!(post["count"], 1);
    let bad = app
        .admin_api(
            Method::POST,
            "/tables/nope/records/",
            ADMIN_TOKEN,
            Some(json!({})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    let gone = app
        .admin_api(
            Method::DELETE,
            &format!("/tables/post/records/{id}/"),
            ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let actions: Vec<String> = audit(&app, "target_type=post")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["record.delete", "record.update", "record.create"]);
}

async fn the_schema_is_described_reloaded_and_its_history_listed(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let r = app
        .admin_api(Method::GET, "/schema/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["version"], 1);
    assert!(r.body["last_error"].is_null());
    let types = r.body["types"].as_array().unwrap();
    let profile = &types[0];
    assert_eq!(
        (profile["name"].clone(), profile["class"].clone()),
        (json!("_userprofile"), json!("profile"))
    );
    let email = profile["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "_email")
        .unwrap();
    assert_eq!(
        (email["builtin"].clone(), email["read"].clone()),
        (json!(true), json!("owner"))
    );
    let comment = types.iter().find(|t| t["name"] == "comment").unwrap();
    let post_field = comment["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "post")
        .unwrap();
    assert_eq!(
        (post_field["kind"].clone(), post_field["pointer"].clone()),
        (json!("pointer"), json!("post"))
    );
    assert!(
        post_field["schema"]["x-protium"].is_object(),
        "the raw JSON Schema"
    );
    let reloaded = app
        .admin_api(Method::POST, "/schema/reload/", ADMIN_TOKEN, None)
        .await;
    assert_eq!(reloaded.status, StatusCode::OK, "{:?}", reloaded.body);
    assert_eq!(reloaded.body["changed"], false);
    let history = app
        .admin_api(Method::GET, "/schema/history/", ADMIN_TOKEN, None)
        .await;
    let versions = history.body["objects"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "an unchanged reload records nothing new");
    assert!(versions[0]["files"]["post.json"]
        .as_str()
        .is_some_and(|s| s.len() == 64));
    assert!(versions[0]["ddl"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().contains("tbl_post")));
    assert!(versions[0]["applied_by"]
        .as_str()
        .unwrap()
        .starts_with("node:"));
    assert_eq!(
        audit(&app, "action=schema.reload").await[0]["actor"],
        "token"
    );
    let _ = default_schema_dir();
}

async fn the_sdk_reads_tables_and_the_server_clock(backend: Backend) {
    let app = spawn_records_app(backend).await;
    let (token, _) = app.register_email("s@example.com", "secret123").await;
    let list = app.get("/hserve/v2.0/table/", Some(&token)).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let tables = list.body["objects"].as_array().unwrap();
    let post = tables.iter().find(|t| t["name"] == "post").unwrap();
    let id = post["id"].as_i64().unwrap();
    let names: Vec<&str> = post["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"title") && names.contains(&"created_by"),
        "{names:?}"
    );
    let one = app
        .get(&format!("/hserve/v2.0/table/{id}/"), Some(&token))
        .await;
    assert_eq!(one.body["name"], "post");
    assert_eq!(
        app.get("/hserve/v2.0/table/nope/", Some(&token))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let time = app.get("/hserve/v2.2/server/time/", None).await;
    let at = chrono::DateTime::parse_from_rfc3339(time.body["time"].as_str().unwrap()).unwrap();
    assert!((chrono::Utc::now() - at.to_utc()).num_seconds().abs() < 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_the_docs_page_describe_the_live_schema() {
    let app = spawn_records_app(Backend::Sqlite).await;
    let doc = app.get("/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let schemas = &doc.body["components"]["schemas"];
    assert_eq!(
        schemas["PostRecordInput"]["properties"]["title"]["anyOf"][0]["maxLength"],
        200
    );
    assert!(schemas["User"]["properties"]["_email"].is_object());
    assert!(
        doc.body["paths"]["/admin/api/users/{id}/"]["patch"]["security"][0]["AdminBearer"]
            .is_array()
    );
    let page = app
        .client
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap().replace("&#x2f;", "/");
    assert!(html.contains("/hserve/v2.5/table/post/record/") && html.contains("PostRecord"));
    assert!(
        !html.contains("<script"),
        "the page runs no script and loads nothing from elsewhere"
    );
}
