//! Mail over real SMTP: verification links, password reset by link and by code,
//! email change notices, templates, the outbox's retries and restarts.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    default_schema_dir, spawn_app_with, start, test_settings, Backend, TestApp, TestDb,
};
use crate::smtp::SmtpServer;

on_both_backends!(
    verification_link_from_the_mail_confirms_the_address,
    a_used_verification_link_is_refused,
    an_expired_verification_link_is_refused,
    a_tampered_verification_link_is_refused,
    resending_within_the_cooldown_is_refused_and_links_coexist,
    password_reset_link_sets_a_new_password_and_ends_sessions,
    reset_requests_for_unknown_addresses_follow_the_setting,
    email_codes_verify_the_address_with_limited_tries,
    password_reset_with_a_mailed_code,
    changing_the_email_mails_both_addresses,
    mails_follow_the_language,
    queued_mail_survives_a_restart_and_is_retried,
    without_smtp_mail_is_written_as_eml_files,
    password_policy_applies_to_register_change_and_reset,
    a_user_receives_at_most_ten_mails_of_a_kind_a_day,
);

async fn mail_app(backend: Backend, smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    spawn_app_with(backend, move |s| s.smtp_url = url).await
}

/// The link of a mail, pointed at the test server (mails use PROTIUM_PUBLIC_URL).
fn local(app: &TestApp, link: &str) -> String {
    assert!(
        link.starts_with("http://protium.test/"),
        "links live under PROTIUM_PUBLIC_URL: {link}"
    );
    link.replacen("http://protium.test", &app.address, 1)
}

async fn page(app: &TestApp, url: &str) -> (StatusCode, String) {
    let r = app.client.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Opens a verification link as its reader does: the page only asks (a bare
/// `GET`, as a mail scanner makes, changes nothing); its button posts.
async fn confirm_link(app: &TestApp, url: &str) -> (StatusCode, String) {
    let (status, html) = page(app, url).await;
    if status != StatusCode::OK {
        return (status, html);
    }
    assert!(
        html.contains("Confirm your email") && html.contains("method=\"post\""),
        "{html}"
    );
    press_confirm(app, url).await
}

/// What the page's button does: posts the link's token.
async fn press_confirm(app: &TestApp, url: &str) -> (StatusCode, String) {
    let token = url.split("token=").nth(1).unwrap_or_default();
    let r = app
        .client
        .post(format!("{}/verify-email/", app.address))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn verified(app: &TestApp, token: &str, id: i64) -> bool {
    let me = app
        .get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await;
    me.body["_email_verified"].as_bool().unwrap()
}

/// A user whose email is verified (reset needs one).
async fn verified_user(app: &TestApp, email: &str) -> (String, i64) {
    let (token, id) = app.register_email(email, "secret123").await;
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email_verified = TRUE WHERE id = {id}"
    ));
    (token, id)
}

async fn verification_link_from_the_mail_confirms_the_address(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = app.register_email("ver@example.com", "secret123").await;
    let r = app
        .post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::CREATED, json!({"status": "ok"}))
    );
    let mail = smtp.wait_for("ver@example.com", 0).await;
    assert_eq!(mail.subject, "Confirm your email address for Protium");
    assert!(mail.html.contains("Confirm email address"));
    let link = mail.link();
    assert!(link.starts_with("http://protium.test/verify-email/?token="));
    assert!(!verified(&app, &t, id).await);
    let (status, html) = page(&app, &local(&app, &link)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("ver@example.com"), "{html}");
    assert!(
        !verified(&app, &t, id).await,
        "opening the link (as a mail scanner does) verifies nothing"
    );
    let (status, html) = confirm_link(&app, &local(&app, &link)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Email confirmed") && html.contains("ver@example.com"),
        "{html}"
    );
    assert!(verified(&app, &t, id).await);
    let stored = app
        .db
        .texts("SELECT token_hash AS v FROM verification_tokens");
    assert!(!link.contains(&stored[0]), "only the hash is stored");
    let bodies = app
        .db
        .texts("SELECT body_text || body_html AS v FROM outbox WHERE sent_at IS NOT NULL");
    assert_eq!(
        bodies,
        vec![String::new()],
        "a sent mail's bodies (with the live link) are not kept"
    );
    let again = app
        .post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.error_msg().contains("already verified"));
}

async fn a_used_verification_link_is_refused(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, _) = app.register_email("used@example.com", "secret123").await;
    app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let link = local(&app, &smtp.wait_for("used@example.com", 0).await.link());
    assert_eq!(confirm_link(&app, &link).await.0, StatusCode::OK);
    let (status, html) = page(&app, &link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("already been used"), "{html}");
    let (replay, _) = press_confirm(&app, &link).await;
    assert_eq!(replay, StatusCode::GONE, "the button works once");
}

async fn an_expired_verification_link_is_refused(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = app.register_email("old@example.com", "secret123").await;
    app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let link = local(&app, &smtp.wait_for("old@example.com", 0).await.link());
    app.db
        .execute("UPDATE verification_tokens SET expires_at = 1");
    let (status, html) = page(&app, &link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("expired"), "{html}");
    assert!(!verified(&app, &t, id).await);
}

async fn a_tampered_verification_link_is_refused(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = app.register_email("tamper@example.com", "secret123").await;
    app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let link = local(&app, &smtp.wait_for("tamper@example.com", 0).await.link());
    let last = link.chars().last().unwrap();
    let tampered = format!(
        "{}{}",
        &link[..link.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    for bad in [tampered, link.split("?token=").next().unwrap().to_owned()] {
        let (status, html) = page(&app, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(html.contains("incomplete or was changed"), "{html}");
    }
    assert!(!verified(&app, &t, id).await);
    assert_eq!(
        page(&app, &link).await.0,
        StatusCode::OK,
        "the real link still works"
    );
}

async fn resending_within_the_cooldown_is_refused_and_links_coexist(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, _) = app.register_email("cool@example.com", "secret123").await;
    assert_eq!(
        app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
            .await
            .status,
        StatusCode::CREATED
    );
    let again = app
        .post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        again.error_msg().contains("retry in"),
        "{}",
        again.error_msg()
    );

    let url = smtp.url();
    let quick = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.email_resend_cooldown = 0;
    })
    .await;
    let (t, id) = quick.register_email("twice@example.com", "secret123").await;
    quick
        .post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    quick
        .post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let first = local(&quick, &smtp.wait_for("twice@example.com", 0).await.link());
    let second = local(&quick, &smtp.wait_for("twice@example.com", 1).await.link());
    assert_ne!(first, second);
    assert_eq!(
        confirm_link(&quick, &first).await.0,
        StatusCode::OK,
        "an older link stays valid"
    );
    assert!(verified(&quick, &t, id).await);
}

async fn password_reset_link_sets_a_new_password_and_ends_sessions(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = verified_user(&app, "reset@example.com").await;
    let r = app
        .post(
            "/hserve/v2.0/user/password/reset/",
            None,
            json!({"email": "Reset@Example.com"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::CREATED, json!({"status": "ok"}))
    );
    let mail = smtp.wait_for("reset@example.com", 0).await;
    assert_eq!(mail.subject, "Reset your Protium password");
    let link = local(&app, &mail.link());
    let (status, form) = page(&app, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("Choose a new password") && form.contains("6 to 256 characters"),
        "{form}"
    );
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let post = |pw: &str, confirm: &str| {
        app.client
            .post(format!("{}/reset-password/", app.address))
            .form(&[
                ("token", token.as_str()),
                ("password", pw),
                ("password_confirm", confirm),
            ])
            .send()
    };
    let differ = post("brand-new-1", "brand-new-2").await.unwrap();
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    assert!(differ.text().await.unwrap().contains("not the same"));
    let short = post("x", "x").await.unwrap();
    assert!(short.text().await.unwrap().contains("6 to 256 characters"));
    let done = post("brand-new-1", "brand-new-1").await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Password changed"));
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "every session ended"
    );
    let old = app.login_email("reset@example.com", "secret123").await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    let new = app.login_email("reset@example.com", "brand-new-1").await;
    assert_eq!(new.status, StatusCode::CREATED);
    let reused = post("another-one", "another-one").await.unwrap();
    assert_eq!(reused.status(), StatusCode::GONE);
}

async fn reset_requests_for_unknown_addresses_follow_the_setting(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    app.register_email("unverified@example.com", "secret123")
        .await;
    for email in ["nobody@example.com", "unverified@example.com"] {
        let r = app
            .post(
                "/hserve/v2.0/user/password/reset/",
                None,
                json!({"email": email}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "same answer as a real address: {email}"
        );
    }
    let url = smtp.url();
    let strict = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.password_reset_unknown = protium::config::PasswordResetUnknown::NotFound;
    })
    .await;
    let r = strict
        .post(
            "/hserve/v2.0/user/password/reset/",
            None,
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["status"], "error");
    // A later mail as a barrier: once it is out, one queued before it would be.
    let (barrier, _) = strict
        .register_email("barrier@example.com", "secret123")
        .await;
    let sent = strict
        .post("/hserve/v2.0/user/email-verify/", Some(&barrier), json!({}))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED);
    smtp.wait_for("barrier@example.com", 0).await;
    assert_eq!(
        smtp.count_to("nobody@example.com") + smtp.count_to("unverified@example.com"),
        0,
        "no mail sent"
    );
}

async fn email_codes_verify_the_address_with_limited_tries(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = app.register_email("code@example.com", "secret123").await;
    let r = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&t),
            json!({"purpose": "verify_email"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mail = smtp.wait_for("code@example.com", 0).await;
    let code = mail.code();
    assert!(mail.subject.contains(&code));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let w = app
        .post(
            "/hserve/v2.0/user/email-code/verify/",
            Some(&t),
            json!({"code": wrong}),
        )
        .await;
    assert_eq!(w.status, StatusCode::BAD_REQUEST);
    assert!(
        w.error_msg().starts_with("code:") && w.error_msg().contains("4 tries left"),
        "{}",
        w.error_msg()
    );
    let check = app
        .post(
            "/hserve/v2.0/user/email-code/check/",
            Some(&t),
            json!({"purpose": "verify_email", "code": code}),
        )
        .await;
    assert_eq!(
        check.status,
        StatusCode::OK,
        "check does not use the code up"
    );
    let ok = app
        .post(
            "/hserve/v2.0/user/email-code/verify/",
            Some(&t),
            json!({"code": code}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert!(verified(&app, &t, id).await);
    let stored = app
        .db
        .texts("SELECT code_hmac AS v FROM verification_codes");
    assert_ne!(stored[0], code, "codes are stored as HMACs");
    assert_eq!(stored[0].len(), 64);

    // Tries run out: even the right code is then refused.
    let (t2, _) = app.register_email("tries@example.com", "secret123").await;
    app.post(
        "/hserve/v2.0/user/email-code/",
        Some(&t2),
        json!({"purpose": "verify_email"}),
    )
    .await;
    let code = smtp.wait_for("tries@example.com", 0).await.code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        app.post(
            "/hserve/v2.0/user/email-code/verify/",
            Some(&t2),
            json!({"code": wrong}),
        )
        .await;
    }
    let late = app
        .post(
            "/hserve/v2.0/user/email-code/verify/",
            Some(&t2),
            json!({"code": code}),
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(
        late.error_msg().contains("tried too often"),
        "{}",
        late.error_msg()
    );
}

async fn password_reset_with_a_mailed_code(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = verified_user(&app, "rcode@example.com").await;
    let r = app
        .post(
            "/hserve/v2.0/user/email-code/",
            None,
            json!({"purpose": "reset_password", "email": "rcode@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let code = smtp.wait_for("rcode@example.com", 0).await.code();
    let bad = app
        .post(
            "/hserve/v2.0/user/password/reset/code/",
            None,
            json!({"email": "rcode@example.com", "code": "12345x", "password": "by-code-123"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = app
        .post(
            "/hserve/v2.0/user/password/reset/code/",
            None,
            json!({"email": "who@example.com", "code": code, "password": "by-code-123"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.body, bad.body,
        "an unknown address answers exactly like a wrong code"
    );
    let ok = app
        .post(
            "/hserve/v2.0/user/password/reset/code/",
            None,
            json!({"email": "rcode@example.com", "code": code, "password": "by-code-123"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(&t))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let login = app.login_email("rcode@example.com", "by-code-123").await;
    assert_eq!(login.status, StatusCode::CREATED);
    let again = app
        .post(
            "/hserve/v2.0/user/password/reset/code/",
            None,
            json!({"email": "rcode@example.com", "code": code, "password": "by-code-456"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a code works once");
}

async fn changing_the_email_mails_both_addresses(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, id) = verified_user(&app, "before@example.com").await;
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"email": "after@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["_email_verified"], false);
    let notice = smtp.wait_for("before@example.com", 0).await;
    assert!(notice.text.contains("after@example.com"), "{}", notice.text);
    let verify = smtp.wait_for("after@example.com", 0).await;
    assert_eq!(
        confirm_link(&app, &local(&app, &verify.link())).await.0,
        StatusCode::OK
    );
    assert!(verified(&app, &t, id).await);
}

async fn mails_follow_the_language(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = mail_app(backend, &smtp).await;
    let (t, _) = app.register_email("zh@example.com", "secret123").await;
    let r = app
        .client
        .post(format!("{}/hserve/v2.0/user/email-verify/", app.address))
        .header("Authorization", format!("Hydrogen-r1 {t}"))
        .header("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mail = smtp.wait_for("zh@example.com", 0).await;
    assert_eq!(mail.subject, "请确认您在 Protium 的邮箱地址");
    let link = local(&app, &mail.link());
    let page = app
        .client
        .get(&link)
        .header("Accept-Language", "zh")
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("确认您的邮箱"));
    let token = link.split("token=").nth(1).unwrap();
    let done = app
        .client
        .post(format!("{}/verify-email/", app.address))
        .header("Accept-Language", "zh")
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert!(done.text().await.unwrap().contains("邮箱已确认"));
    // The user's own `language` field wins over the request.
    let (t2, _) = app.register_email("en@example.com", "secret123").await;
    app.set_profile(&t2, json!({"language": "en"})).await;
    app.client
        .post(format!("{}/hserve/v2.0/user/email-verify/", app.address))
        .header("Authorization", format!("Hydrogen-r1 {t2}"))
        .header("Accept-Language", "zh-CN")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        smtp.wait_for("en@example.com", 0).await.subject,
        "Confirm your email address for Protium"
    );
}

async fn queued_mail_survives_a_restart_and_is_retried(backend: Backend) {
    // A port with nothing listening yet: sends fail until the SMTP server starts there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let db = Arc::new(TestDb::new(backend));
    let mut settings = test_settings(&db, &default_schema_dir());
    settings.smtp_url = format!("smtp://127.0.0.1:{port}");
    settings.mail_retry_base_secs = 1;
    let app = start(db.clone(), settings.clone(), backend);
    let (t, _) = app.register_email("later@example.com", "secret123").await;
    assert_eq!(
        app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut failed = false;
    for _ in 0..100 {
        let attempts =
            db.texts("SELECT CAST(attempts AS TEXT) AS v FROM outbox WHERE sent_at IS NULL");
        if attempts.first().is_some_and(|a| a != "0") {
            failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        failed,
        "the first attempt failed and the mail stayed queued"
    );
    drop(app);
    let smtp = SmtpServer::start_on(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let app = start(db.clone(), settings, backend);
    let mail = smtp.wait_for("later@example.com", 0).await;
    assert!(mail.link().contains("/verify-email/?token="));
    // The worker marks the mail sent just after the server took it.
    let mut sent = Vec::new();
    for _ in 0..100 {
        sent = db.texts("SELECT CAST(attempts AS TEXT) AS v FROM outbox WHERE sent_at IS NOT NULL");
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        sent.first().is_some_and(|a| a.parse::<i32>().unwrap() >= 2),
        "sent on a retry: {sent:?}"
    );
    drop(app);
}

async fn without_smtp_mail_is_written_as_eml_files(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (t, _) = app.register_email("file@example.com", "secret123").await;
    app.post("/hserve/v2.0/user/email-verify/", Some(&t), json!({}))
        .await;
    let dir = app.db.data_dir.path().join("mail");
    for _ in 0..100 {
        let sent = app
            .db
            .texts("SELECT recipient AS v FROM outbox WHERE sent_at IS NOT NULL");
        if sent == ["file@example.com"] {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            files.sort();
            let kinds: Vec<_> = files
                .iter()
                .map(|f| f.extension().unwrap().to_str().unwrap())
                .collect();
            assert_eq!(kinds, ["eml", "txt"], "the mail and its text");
            let eml = std::fs::read_to_string(&files[0]).unwrap();
            assert!(eml.contains("To: file@example.com"), "{eml}");
            // The text beside it holds the link whole (an .eml wraps long lines) …
            let text = std::fs::read_to_string(&files[1]).unwrap();
            let link = text
                .split_whitespace()
                .find(|w| w.contains("/verify-email/?token="))
                .unwrap_or_else(|| panic!("no link in {text}"));
            let token = link.split("token=").nth(1).unwrap();
            assert!(
                token.len() >= 40
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{link}"
            );
            // … and is the link on the mail's line of the development outbox.
            let outbox =
                std::fs::read_to_string(app.db.data_dir.path().join("outbox.log")).unwrap();
            let line = outbox.lines().last().unwrap();
            assert!(
                line.contains(" mail file@example.com ") && line.contains(link),
                "{line}"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no .eml file in {}", dir.display());
}

async fn password_policy_applies_to_register_change_and_reset(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.password_min_bytes = 6;
        s.password_max_bytes = 20;
        s.password_forbidden_chars = " ".into();
    })
    .await;
    let rule = "must be 6 to 20 bytes long and not contain ' '";
    let r = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "pol@example.com", "password": "has space"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_msg(), format!("password: {rule}"));
    let long = app
        .post(
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "pol@example.com", "password": "x".repeat(21)}),
        )
        .await;
    assert_eq!(long.error_msg(), format!("password: {rule}"));
    let (t, _) = verified_user(&app, "pol@example.com").await;
    let change = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"password": "secret123", "new_password": "no spaces please"}),
        )
        .await;
    assert_eq!(change.error_msg(), format!("new_password: {rule}"));
    app.post(
        "/hserve/v2.0/user/password/reset/",
        None,
        json!({"email": "pol@example.com"}),
    )
    .await;
    let link = local(&app, &smtp.wait_for("pol@example.com", 0).await.link());
    let (_, form) = page(&app, &link).await;
    assert!(
        form.contains("6 to 20 characters (")
            && (form.contains("count as 2 to 4), without &#x27; &#x27;")
                || form.contains("count as 2 to 4), without ' '")),
        "{form}"
    );
    assert!(form.contains("maxlength=\"20\""));
}

async fn a_user_receives_at_most_ten_mails_of_a_kind_a_day(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.email_resend_cooldown = 0;
    })
    .await;
    let (t, _) = app.register_email("daily@example.com", "secret123").await;
    for i in 0..10 {
        let r = app
            .post(
                "/hserve/v2.0/user/email-code/",
                Some(&t),
                json!({"purpose": "verify_email"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "code {i}");
    }
    let eleventh = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&t),
            json!({"purpose": "verify_email"}),
        )
        .await;
    assert_eq!(eleventh.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        eleventh.error_msg(),
        "email: 10 mails of this kind were sent in the last 24 hours; try again later"
    );
    assert!(
        eleventh.retry_after.is_some_and(|s| s > 86_000),
        "{:?}",
        eleventh.retry_after
    );
}
