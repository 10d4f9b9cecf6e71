//! Who writes profiles: initial fields at sign-up (all or nothing), admins and
//! the server writing fields clients may not, every account flow bumping
//! `updated_at`, stored dates normalised once, and a schema swapped at run time.

use std::sync::Arc;

use protium::auth::{AdminIdentity, Principal};
use protium::records::{Target, Who};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::helpers::{start, test_settings, Backend, TestApp, TestDb};
use crate::profile_engine::{sign_up, spawn_profile_app};

on_both_backends!(
    sign_up_takes_initial_profile_fields_all_or_nothing,
    anonymous_users_bring_required_fields_when_they_register,
    sms_and_username_sign_ups_take_profile_fields_too,
    admins_and_the_server_write_fields_clients_may_not,
    every_account_flow_bumps_updated_at,
    stored_profile_dates_are_normalised_once_at_start,
    a_schema_swapped_at_run_time_is_served_without_a_restart,
);

fn user_count(app: &TestApp) -> usize {
    app.db
        .texts("SELECT CAST(COUNT(*) AS TEXT) AS v FROM _userprofile")[0]
        .parse()
        .unwrap()
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

async fn sign_up_takes_initial_profile_fields_all_or_nothing(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let ok = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "new@example.com", "password": "secret123", "nickname": "neo", "city": "Oslo", "tags": ["a"]}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
    assert_eq!(
        (
            ok.body["nickname"].clone(),
            ok.body["city"].clone(),
            ok.body["score"].clone()
        ),
        (json!("neo"), json!("Oslo"), json!(0)),
        "sent fields, and defaults for the others"
    );
    let before = user_count(&app);
    let cases = [
        (
            json!({"city": 5, "nickname": "x"}),
            StatusCode::BAD_REQUEST,
            "city:",
        ),
        (
            json!({"city": "Oslo"}),
            StatusCode::BAD_REQUEST,
            "nickname: is required",
        ),
        (
            json!({"nickname": ""}),
            StatusCode::BAD_REQUEST,
            "nickname:",
        ),
        (
            json!({"nickname": "x", "nope": 1}),
            StatusCode::BAD_REQUEST,
            "nope:",
        ),
        (
            json!({"nickname": "x", "level": 9}),
            StatusCode::FORBIDDEN,
            "level:",
        ),
        (
            json!({"nickname": "x", "vip_until": "2030-01-01T00:00:00Z"}),
            StatusCode::FORBIDDEN,
            "vip_until:",
        ),
        (
            json!({"nickname": "x", "_email_verified": true}),
            StatusCode::FORBIDDEN,
            "_email_verified:",
        ),
        (
            json!({"nickname": "x", "favorite_post": "ffffffffffffffffffffffff"}),
            StatusCode::BAD_REQUEST,
            "favorite_post: no record",
        ),
    ];
    for (i, (fields, status, message)) in cases.into_iter().enumerate() {
        let mut body = object(fields.clone());
        body.insert("email".into(), json!(format!("bad{i}@example.com")));
        body.insert("password".into(), json!("secret123"));
        let r = app
            .post("/hserve/v2.1/register/email/", None, Value::Object(body))
            .await;
        assert_eq!(r.status, status, "{fields}: {:?}", r.body);
        assert!(
            r.error_msg().starts_with(message),
            "{fields}: {}",
            r.error_msg()
        );
        let login = app
            .login_email(&format!("bad{i}@example.com"), "secret123")
            .await;
        assert_eq!(
            login.status,
            StatusCode::BAD_REQUEST,
            "no user was created for {fields}"
        );
    }
    assert_eq!(
        user_count(&app),
        before,
        "refused sign-ups leave no row behind"
    );
}

async fn anonymous_users_bring_required_fields_when_they_register(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    assert_eq!(
        anon.status,
        StatusCode::CREATED,
        "required fields wait for registration"
    );
    let (t, id) = (
        anon.body["token"].as_str().unwrap().to_owned(),
        anon.body["user_id"].as_i64().unwrap(),
    );
    assert_eq!(anon.body["score"], 0, "defaults apply to anonymous users");
    let missing = app
        .post(
            "/hserve/v2.1/register/email/",
            Some(&t),
            json!({"email": "anon@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(
        missing.error_msg().starts_with("nickname: is required"),
        "{}",
        missing.error_msg()
    );
    update_own(&app, &t, json!({"nickname": "ghost", "score": 3})).await;
    let upgraded = app
        .post(
            "/hserve/v2.1/register/email/",
            Some(&t),
            json!({"email": "anon@example.com", "password": "secret123", "city": "Lima"}),
        )
        .await;
    assert_eq!(upgraded.status, StatusCode::CREATED, "{:?}", upgraded.body);
    assert_eq!(
        upgraded.body["user_id"], id,
        "the same user, registered in place"
    );
    assert_eq!(
        (
            upgraded.body["nickname"].clone(),
            upgraded.body["score"].clone(),
            upgraded.body["city"].clone()
        ),
        (json!("ghost"), json!(3), json!("Lima")),
        "what the anonymous user set stays; sign-up fields are added"
    );
    assert_eq!(upgraded.body["_anonymous"], false);
}

async fn update_own(app: &TestApp, token: &str, body: Value) {
    let r = app.put("/hserve/v2.5/user/info/", Some(token), body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn sms_and_username_sign_ups_take_profile_fields_too(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let r = app
        .post(
            "/hserve/v2.1/register/username/",
            None,
            json!({"username": "uname", "password": "secret123", "nickname": "u", "bio": "hello"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["bio"], "hello");
    let phone = "+8613800000001";
    let sent = app
        .post(
            "/hserve/v2.2/sms-verification-code/",
            None,
            json!({"phone": phone}),
        )
        .await;
    assert!(sent.status.is_success(), "{:?}", sent.body);
    let code = app.last_sms_code(phone);
    let refused = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "the first SMS sign-in creates a user: its required fields are asked for"
    );
    assert!(
        refused.error_msg().starts_with("nickname:"),
        "{}",
        refused.error_msg()
    );
    let r = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": phone, "code": code, "nickname": "sms", "city": "Xi'an"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the refused sign-in did not use the code up: {:?}",
        r.body
    );
    assert_eq!(
        (r.body["nickname"].clone(), r.body["city"].clone()),
        (json!("sms"), json!("Xi'an"))
    );
}

async fn admins_and_the_server_write_fields_clients_may_not(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (t, id) = sign_up(&app, "w@example.com", "w").await;
    let user = app
        .put("/hserve/v2.5/user/info/", Some(&t), json!({"level": 5}))
        .await;
    assert_eq!(user.status, StatusCode::FORBIDDEN);
    assert!(
        user.error_msg()
            .starts_with("level: may be written only by admins"),
        "{}",
        user.error_msg()
    );
    let admin = Principal::Admin(AdminIdentity::SharedToken);
    let by_admin = app
        .records
        .update(
            &admin,
            Target::Users,
            &id.to_string(),
            object(json!({"level": 5, "city": "Oslo"})),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        (by_admin["level"].clone(), by_admin["city"].clone()),
        (json!(5), json!("Oslo"))
    );
    let nobody = app
        .records
        .update(
            &admin,
            Target::Users,
            &id.to_string(),
            object(json!({"vip_until": "2030-01-01T00:00:00Z"})),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        nobody
            .to_string()
            .starts_with("vip_until: may be written only by the server"),
        "{nobody}"
    );
    let bad = app
        .records
        .update(
            &admin,
            Target::Users,
            &id.to_string(),
            object(json!({"level": "high"})),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        bad.to_string().starts_with("level:"),
        "admins are validated too: {bad}"
    );
    app.records
        .update_as(
            Who::server(),
            Target::Users,
            &id.to_string(),
            object(json!({"vip_until": "2030-01-01T08:00:00+08:00"})),
            None,
            None,
        )
        .await
        .unwrap();
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(
        (me.body["level"].clone(), me.body["vip_until"].clone()),
        (json!(5), json!("2030-01-01T00:00:00.000000Z"))
    );
    let (other, _) = sign_up(&app, "o@example.com", "o").await;
    let theirs = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&other))
        .await;
    assert!(
        theirs.body.get("vip_until").is_none(),
        "an owner-only field stays hidden from others"
    );
}

fn updated_at(app: &TestApp, id: i64) -> i64 {
    app.db.texts(&format!(
        "SELECT CAST(updated_at AS TEXT) AS v FROM _userprofile WHERE id = {id}"
    ))[0]
        .parse()
        .unwrap()
}

async fn every_account_flow_bumps_updated_at(backend: Backend) {
    let app = spawn_profile_app(backend).await;
    let (t, id) = sign_up(&app, "flows@example.com", "f").await;
    let stale = |app: &TestApp| {
        app.db.execute(&format!(
            "UPDATE _userprofile SET updated_at = 1 WHERE id = {id}"
        ))
    };
    stale(&app);
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"username": "flows"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(updated_at(&app, id) > 1, "account change");
    stale(&app);
    let phone = "+8613800000002";
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": phone}),
    )
    .await;
    let code = app.last_sms_code(phone);
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"phone": phone}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    stale(&app);
    let r = app
        .post(
            "/hserve/v2.1/sms-phone-verification/",
            Some(&t),
            json!({"code": code}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    assert!(updated_at(&app, id) > 1, "phone verification");
    stale(&app);
    app.put("/hserve/v2.5/user/info/", Some(&t), json!({"city": "Oslo"}))
        .await;
    assert!(updated_at(&app, id) > 1, "profile update");
}

async fn stored_profile_dates_are_normalised_once_at_start(backend: Backend) {
    let db = Arc::new(TestDb::new(backend));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/profile");
    let settings = test_settings(&db, &dir);
    let app = start(db.clone(), settings.clone(), backend);
    let (t, id) = sign_up(&app, "old@example.com", "old").await;
    // As a server before the one engine stored them: as sent, with an offset.
    db.execute(&format!(
        "UPDATE _userprofile SET last_seen = '2024-01-01T10:00:00+08:00', updated_at = 7 WHERE id = {id}"
    ));
    db.execute("DELETE FROM data_steps");
    drop(app);
    let app = start(db.clone(), settings, backend);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["last_seen"], "2024-01-01T02:00:00.000000Z");
    assert_eq!(
        me.body["updated_at"], 7,
        "the rewrite is not a change of the profile"
    );
    assert_eq!(
        db.texts("SELECT name AS v FROM data_steps WHERE name NOT LIKE 'change-log:%'"),
        vec!["profile-dates-utc".to_owned()]
    );
}

async fn a_schema_swapped_at_run_time_is_served_without_a_restart(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/profile");
    for file in ["_userprofile.json", "post.json"] {
        std::fs::copy(source.join(file), dir.path().join(file)).unwrap();
    }
    let db = Arc::new(TestDb::new(backend));
    let app = start(db.clone(), test_settings(&db, dir.path()), backend);
    let (t, id) = sign_up(&app, "live@example.com", "live").await;
    let unknown = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"motto": "carpe diem"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let mut profile: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("_userprofile.json")).unwrap(),
    )
    .unwrap();
    profile["properties"]["motto"] = json!({"type": "string", "maxLength": 20, "default": "hi"});
    std::fs::write(dir.path().join("_userprofile.json"), profile.to_string()).unwrap();
    std::fs::write(
        dir.path().join("note.json"),
        r#"{"properties":{"text":{"type":"string"}}}"#,
    )
    .unwrap();
    let version = app.schema.reload("test").await.unwrap().version;
    assert_eq!(version, 2);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(
        me.body["motto"], "hi",
        "existing users get the new field's default"
    );
    let r = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"motto": "carpe diem"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let too_long = app
        .put(
            "/hserve/v2.5/user/info/",
            Some(&t),
            json!({"motto": "x".repeat(21)}),
        )
        .await;
    assert_eq!(
        too_long.status,
        StatusCode::BAD_REQUEST,
        "the new field's rules apply"
    );
    let found = app
        .get_query(
            "/hserve/v2.2/user/info/",
            Some(&t),
            &[("where", r#"{"motto":{"$eq":"carpe diem"}}"#)],
        )
        .await;
    assert_eq!(found.body["objects"][0]["id"], id, "{:?}", found.body);
    let note = app
        .create_record("note", &t, json!({"text": "new table"}))
        .await;
    assert_eq!(note["text"], "new table");
    // A broken directory changes nothing.
    std::fs::write(dir.path().join("_userprofile.json"), "{ not json").unwrap();
    let broken = app.schema.reload("test").await.unwrap_err();
    assert_eq!(
        broken.file.as_deref(),
        Some(dir.path().join("_userprofile.json").to_str().unwrap())
    );
    assert_eq!(app.schema.last_error(), Some(broken));
    let still = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(still.body["motto"], "carpe diem");
    assert_eq!(app.schema.live().load().version, 2);
}
