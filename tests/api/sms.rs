//! Phone numbers and SMS codes: send, verify, SMS login, register / reset /
//! change phone with a code or verification token; limits per number, per
//! address and per code; the HTTP webhook sender against a real HTTP peer.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};

on_both_backends!(
    a_code_is_sent_verified_once_and_stored_as_an_hmac,
    sms_login_creates_the_user_then_finds_it,
    sends_are_limited_per_number_per_minute_and_per_day,
    sends_are_limited_per_client_address,
    parallel_sends_to_one_number_respect_the_limit,
    a_code_allows_limited_tries,
    register_with_phone_and_code_or_token,
    reset_password_with_phone_and_code,
    verify_and_change_the_current_users_phone,
    the_webhook_sender_posts_the_templated_body,
    a_number_someone_else_typed_in_goes_to_whoever_proves_it,
    without_a_provider_texts_go_to_the_development_outbox,
    a_code_can_be_checked_without_using_it,
);

/// What the fake provider received: the `Authorization` header and the body.
type WebhookCall = (Option<String>, Value);

const PHONE: &str = "13800000000";
const E164: &str = "+8613800000000";

async fn send(app: &TestApp, phone: &str) -> crate::helpers::Reply {
    app.post(
        "/hserve/v2.2/sms-verification-code/",
        None,
        json!({"phone": phone}),
    )
    .await
}

async fn generous(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.sms_per_number_per_minute = 100).await
}

fn wrong(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

async fn a_code_is_sent_verified_once_and_stored_as_an_hmac(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = send(&app, "138 0000 0000").await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::OK, json!({"status": "ok"}))
    );
    let message = app.sms.messages().pop().unwrap();
    assert_eq!(message.phone, E164);
    assert!(
        message.text.contains("expires in 5 minutes"),
        "{}",
        message.text
    );
    let code = app.last_sms_code(E164);
    assert_ne!(
        app.db.texts("SELECT code_hmac AS v FROM sms_codes")[0],
        code
    );
    let bad = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": wrong(&code)}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().contains("4 tries left"),
        "{}",
        bad.error_msg()
    );
    let ok = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["status"], "ok");
    assert_eq!(ok.body["verification_token"].as_str().unwrap().len(), 64);
    let again = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a code works once");
    assert_eq!(
        again.error_msg(),
        "code: has already been used; request a new code"
    );
    let bad_phone = send(&app, "12345").await;
    assert_eq!(bad_phone.status, StatusCode::BAD_REQUEST);
    assert!(bad_phone.error_msg().starts_with("phone:"));
}

async fn sms_login_creates_the_user_then_finds_it(backend: Backend) {
    let app = generous(backend).await;
    let unknown = {
        send(&app, PHONE).await;
        let code = app.last_sms_code(E164);
        app.post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": PHONE, "code": code, "create_user": false}),
        )
        .await
    };
    assert_eq!(
        unknown.status,
        StatusCode::NOT_FOUND,
        "create_user false and no such user"
    );
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let first = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": PHONE, "code": code, "create_user": true}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["_phone"], E164);
    assert_eq!(first.body["_phone_verified"], true);
    assert!(first.body["token"].is_string());
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let second = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": "+86 138-0000-0000", "code": code}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(
        second.body["user_id"], first.body["user_id"],
        "the same user on the second login"
    );
    let reused = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
}

async fn sends_are_limited_per_number_per_minute_and_per_day(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(send(&app, PHONE).await.status, StatusCode::OK);
    let soon = send(&app, PHONE).await;
    assert_eq!(soon.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        soon.error_msg()
            .starts_with("phone: a code to this number was sent moments ago; retry in "),
        "{}",
        soon.error_msg()
    );
    assert!(
        soon.retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "{:?}",
        soon.retry_after
    );
    assert_eq!(
        send(&app, "13900000000").await.status,
        StatusCode::OK,
        "other numbers are not affected"
    );

    let daily = spawn_app_with(backend, |s| {
        s.sms_per_number_per_minute = 100;
        s.sms_per_number_per_day = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(send(&daily, PHONE).await.status, StatusCode::OK);
    }
    let fourth = send(&daily, PHONE).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        fourth.error_msg(),
        "phone: this number received 3 codes in the last 24 hours; try again later"
    );
    assert!(
        fourth
            .retry_after
            .is_some_and(|s| s > 86_000 && s <= 86_400),
        "a slot frees when the first code is a day old: {:?}",
        fourth.retry_after
    );
    assert_eq!(daily.sms.messages().len(), 3);
}

async fn sends_are_limited_per_client_address(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.sms_per_ip_per_hour = 4).await;
    for n in 1..=4 {
        assert_eq!(
            send(&app, &format!("1380000000{n}")).await.status,
            StatusCode::OK
        );
    }
    let r = send(&app, "13800000005").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.error_msg().contains("too many attempts"));
    assert!(r.retry_after.is_some_and(|s| s >= 1), "{:?}", r.retry_after);
}

async fn parallel_sends_to_one_number_respect_the_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    let replies = futures::future::join_all((0..10).map(|_| send(&app, PHONE))).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let limited = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, limited), (1, 9), "{replies:?}");
    assert_eq!(app.sms.messages().len(), 1);
}

async fn a_code_allows_limited_tries(backend: Backend) {
    let app = spawn_app(backend).await;
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    for _ in 0..5 {
        app.post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": wrong(&code)}),
        )
        .await;
    }
    let late = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        late.error_msg(),
        "code: was tried too often; request a new code"
    );
}

/// With no SMS provider set, each text is one line of the development outbox
/// (`<data dir>/outbox.log`), where a developer or a script finds the code.
async fn without_a_provider_texts_go_to_the_development_outbox(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.sms_sender = protium::config::SmsSenderKind::Log
    })
    .await;
    assert_eq!(send(&app, PHONE).await.status, StatusCode::OK);
    let outbox = std::fs::read_to_string(app.db.data_dir.path().join("outbox.log")).unwrap();
    let line = outbox.lines().last().unwrap();
    assert!(line.contains(&format!(" sms {E164} ")), "{line}");
    let code = line.split(' ').nth(3).unwrap();
    assert!(line.contains(&format!("code is {code}.")), "{line}");
    let verified = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
}

async fn register_with_phone_and_code_or_token(backend: Backend) {
    let app = generous(backend).await;
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": PHONE, "password": "secret123", "code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["_phone_verified"], true);

    // SealTalk's flow: verify first, then register with the verification_token.
    let other = "13900000000";
    send(&app, other).await;
    let code = app.last_sms_code("+8613900000000");
    let v = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": other, "code": code}),
        )
        .await;
    let token = v.body["verification_token"].as_str().unwrap().to_owned();
    let wrong_number = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "13700000000", "password": "secret123", "verification_token": token}),
        )
        .await;
    assert_eq!(
        wrong_number.status,
        StatusCode::BAD_REQUEST,
        "a token proves one number"
    );
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": other, "password": "secret123", "verification_token": token}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["_phone_verified"], true);
    let reuse = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": other, "password": "another1", "verification_token": token}),
        )
        .await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    assert!(reuse.error_msg().starts_with("verification_token:"));

    let region = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": "2025550123", "region": "1", "password": "secret123"}),
        )
        .await;
    assert_eq!(region.body["_phone"], "+12025550123");
    assert_eq!(
        region.body["_phone_verified"], false,
        "no code, not verified"
    );
}

async fn reset_password_with_phone_and_code(backend: Backend) {
    let app = generous(backend).await;
    let (old_token, id) = app.register_phone_proven(E164, "secret123").await;
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let r = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": PHONE, "code": code, "password": "phone-reset-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&old_token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let login = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": PHONE, "password": "phone-reset-1"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::CREATED);
    send(&app, "13900000000").await;
    let code = app.last_sms_code("+8613900000000");
    let nobody = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": "13900000000", "code": code, "password": "phone-reset-1"}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

async fn verify_and_change_the_current_users_phone(backend: Backend) {
    let app = generous(backend).await;
    let (t, id) = app.register_phone(PHONE, "secret123").await;
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let v = app
        .post(
            "/hserve/v2.1/sms-phone-verification/",
            Some(&t),
            json!({"code": code}),
        )
        .await;
    assert_eq!(v.status, StatusCode::OK, "{:?}", v.body);
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
        .await;
    assert_eq!(me.body["_phone_verified"], true);

    send(&app, "13900000000").await;
    let code = app.last_sms_code("+8613900000000");
    let none = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&t),
            json!({"phone": "13900000000"}),
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "a code is needed");
    let changed = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&t),
            json!({"phone": "13900000000", "code": code}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["_phone"], "+8613900000000");
    assert_eq!(changed.body["_phone_verified"], true);
    let anon = app
        .post("/hserve/v2.0/login/anonymous/", None, json!({}))
        .await;
    let r = app
        .post(
            "/hserve/v2.1/sms-phone-verification/",
            anon.body["token"].as_str(),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn the_webhook_sender_posts_the_templated_body(backend: Backend) {
    let received: Arc<Mutex<Vec<WebhookCall>>> = Arc::default();
    let sink = received.clone();
    let provider = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/send",
            web::post().to(move |req: actix_web::HttpRequest, body: web::Json<Value>| {
                let sink = sink.clone();
                async move {
                    let auth = req
                        .headers()
                        .get("Authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(String::from);
                    sink.lock().unwrap().push((auth, body.into_inner()));
                    actix_web::HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = provider.addrs()[0].port();
    let server = provider.run();
    let handle = server.handle();
    tokio::spawn(server);
    let app = spawn_app_with(backend, move |s| {
        s.sms_webhook_url = format!("http://127.0.0.1:{port}/send");
        s.sms_webhook_body =
            r#"{"to": "{{phone}}", "content": "{{message}}", "template": "otp"}"#.into();
        s.sms_webhook_authorization = "Bearer provider-key".into();
    })
    .await;
    assert_eq!(send(&app, PHONE).await.status, StatusCode::OK);
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (auth, body) = &calls[0];
    assert_eq!(auth.as_deref(), Some("Bearer provider-key"));
    assert_eq!(body["to"], E164);
    assert_eq!(body["template"], "otp");
    assert!(
        body["content"]
            .as_str()
            .unwrap()
            .contains("verification code is"),
        "{body}"
    );
    handle.stop(false).await;
    let down = send(&app, "13900000000").await;
    assert_eq!(
        down.status,
        StatusCode::BAD_GATEWAY,
        "a provider that is down is a clear 502"
    );
    assert!(down.error_msg().contains("could not be sent"));
}

/// A number is an account's way in only once that account proved it: the
/// number's owner signing in by SMS gets an account of their own, and the
/// account that only typed the number in loses it (and keeps everything else).
async fn a_number_someone_else_typed_in_goes_to_whoever_proves_it(backend: Backend) {
    let app = generous(backend).await;
    // Someone registers the victim's number with a password, without a code.
    let (squatter_session, squatter) = app.register_phone(PHONE, "squatter-pw").await;
    // The number's owner signs in by SMS.
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let owner = app
        .post(
            "/hserve/v2.1/login/sms/",
            None,
            json!({"phone": PHONE, "code": code, "create_user": true}),
        )
        .await;
    assert_eq!(owner.status, StatusCode::CREATED, "{:?}", owner.body);
    let owner_id = owner.body["user_id"].as_i64().unwrap();
    assert_ne!(
        owner_id, squatter,
        "the owner never lands in the squatter's account"
    );
    assert_eq!(owner.body["_phone"], E164);
    assert_eq!(owner.body["_phone_verified"], true);
    let squatters = app
        .get(
            &format!("/hserve/v2.5/user/info/{squatter}/"),
            Some(&squatter_session),
        )
        .await;
    assert_eq!(
        squatters.status,
        StatusCode::OK,
        "the squatter keeps their account"
    );
    assert_eq!(
        squatters.body["_phone"],
        Value::Null,
        "… without the number"
    );
    let pw = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": PHONE, "password": "squatter-pw"}),
        )
        .await;
    assert_eq!(
        pw.status,
        StatusCode::BAD_REQUEST,
        "the number no longer signs in to the squatter's account"
    );
}

async fn a_code_can_be_checked_without_using_it(backend: Backend) {
    let app = spawn_app(backend).await;
    send(&app, PHONE).await;
    let code = app.last_sms_code(E164);
    let check = |code: String| {
        app.post(
            "/hserve/v1.8/sms-verification-code/check/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
    };
    let bad = check(wrong(&code).to_owned()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.error_msg().contains("4 tries left"),
        "{}",
        bad.error_msg()
    );
    for _ in 0..2 {
        let ok = check(code.clone()).await;
        assert_eq!(
            (ok.status, ok.body.clone()),
            (StatusCode::OK, json!({"status": "ok"}))
        );
    }
    // Checked twice, the code is still usable, once.
    let used = app
        .post(
            "/hserve/v1.8/sms-verification-code/verify/",
            None,
            json!({"phone": PHONE, "code": code}),
        )
        .await;
    assert_eq!(used.status, StatusCode::OK, "{:?}", used.body);
    let after = check(code.clone()).await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        after.error_msg(),
        "code: has already been used; request a new code"
    );
}
