//! Proofs that guard account changes: a new email address proven by a code
//! mailed to it before the account switches (`email_change_needs_code`), and
//! unbinding a phone or an address with the password and a fresh code
//! together (`reauth_needs_code`), the code texted to the verified phone or
//! mailed to the verified address. Mail goes over real SMTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::smtp::SmtpServer;

on_both_backends!(
    a_new_email_is_proven_by_a_code_before_the_switch,
    a_session_alone_cannot_move_the_account_to_a_new_address,
    a_session_alone_cannot_move_the_phone_or_link_a_provider_account,
    bad_input_to_the_new_endpoints_names_the_field,
    unbinding_needs_the_password_and_a_code_when_configured,
);

async fn me(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/hserve/v2.5/user/info/{id}/"), Some(token))
        .await
        .body
}

async fn a_new_email_is_proven_by_a_code_before_the_switch(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.email_change_needs_code = true;
        s.email_resend_cooldown = 0;
    })
    .await;
    let (t, id) = app.register_email("old@example.com", "secret123").await;
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email_verified = TRUE WHERE id = {id}"
    ));
    let (_, holder) = app.register_email("taken@example.com", "secret123").await;
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email_verified = TRUE WHERE id = {holder}"
    ));
    let send = |email: Value| {
        app.post(
            "/hserve/v2.0/user/email-code/",
            Some(&t),
            json!({"purpose": "change_email", "email": email}),
        )
    };
    let switch = |email: &'static str, code: String| {
        app.post(
            "/hserve/v2.1/user/email/",
            Some(&t),
            json!({"email": email, "code": code}),
        )
    };

    let direct = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&t),
            json!({"email": "new@example.com"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::BAD_REQUEST, "{:?}", direct.body);
    assert!(
        direct.error_msg().starts_with("email") && direct.error_msg().contains("change_email"),
        "the refusal says how: {}",
        direct.error_msg()
    );
    let no_address = send(Value::Null).await;
    assert_eq!(no_address.status, StatusCode::BAD_REQUEST);
    assert!(
        no_address.error_msg().starts_with("email"),
        "{}",
        no_address.error_msg()
    );
    let same = send(json!("old@example.com")).await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    assert!(same.error_msg().contains("already"), "{}", same.error_msg());

    // An address another account proved is refused, and the account keeps its own.
    assert_eq!(
        send(json!("taken@example.com")).await.status,
        StatusCode::CREATED
    );
    let taken_code = smtp.wait_for("taken@example.com", 0).await.code();
    let taken = switch("taken@example.com", taken_code).await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{:?}", taken.body);
    assert!(
        taken.error_msg().starts_with("email"),
        "{}",
        taken.error_msg()
    );
    assert_eq!(me(&app, &t, id).await["_email"], "old@example.com");

    let sent = send(json!("new@example.com")).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let code = smtp.wait_for("new@example.com", 0).await.code();
    let before = me(&app, &t, id).await;
    assert_eq!(
        before["_email"], "old@example.com",
        "no switch before the proof"
    );
    assert_eq!(before["_email_verified"], true);

    let elsewhere = switch("other@example.com", code.clone()).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::BAD_REQUEST,
        "the code is bound to its address"
    );
    assert!(
        elsewhere.error_msg().starts_with("code"),
        "{}",
        elsewhere.error_msg()
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let guessed = switch("new@example.com", wrong.into()).await;
    assert_eq!(guessed.status, StatusCode::BAD_REQUEST);
    assert!(
        guessed.error_msg().contains("tries left"),
        "{}",
        guessed.error_msg()
    );

    // Only the newest code works: asking again replaces it.
    assert_eq!(
        send(json!("new@example.com")).await.status,
        StatusCode::CREATED
    );
    let superseded = code;
    let code = smtp.wait_for("new@example.com", 1).await.code();
    if superseded != code {
        let old_code = switch("new@example.com", superseded).await;
        assert_eq!(
            old_code.status,
            StatusCode::BAD_REQUEST,
            "{:?}",
            old_code.body
        );
    }
    let done = switch("new@example.com", code.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(
        done.body,
        json!({"_email": "new@example.com", "_email_verified": true})
    );
    let after = me(&app, &t, id).await;
    assert_eq!(after["_email"], "new@example.com");
    assert_eq!(after["_email_verified"], true, "proven, so verified");
    let notice = smtp.wait_for("old@example.com", 0).await;
    assert!(
        notice.text.contains("new@example.com"),
        "the old address hears of the change: {}",
        notice.text
    );
    assert_eq!(
        switch("new@example.com", code).await.status,
        StatusCode::BAD_REQUEST,
        "a code works once"
    );
    let login = app.login_email("new@example.com", "secret123").await;
    assert_eq!(login.status, StatusCode::CREATED, "{:?}", login.body);
    let old_login = app.login_email("old@example.com", "secret123").await;
    assert_eq!(old_login.status, StatusCode::BAD_REQUEST);
}

async fn unbinding_needs_the_password_and_a_code_when_configured(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.reauth_account_changes = true;
        s.reauth_needs_code = true;
        s.sms_per_number_per_minute = 10;
    })
    .await;
    let phone = "+8613800001111";
    let code = app.texted_code(phone).await;
    let r = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": phone, "password": "secret123", "code": code}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let t = r.body["token"].as_str().unwrap().to_owned();
    let id = r.body["user_id"].as_i64().unwrap();
    app.db.execute(&format!(
        "UPDATE _userprofile SET _email = 'both@example.com', _email_verified = TRUE WHERE id = {id}"
    ));
    let change = |body: Value| app.put("/hserve/v2.2/user/account/", Some(&t), body);

    // The password alone is not enough; the refusal names both channels.
    let bare = change(json!({"email": null, "password": "secret123"})).await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{:?}", bare.body);
    assert!(
        bare.error_msg().starts_with("code") && bare.error_msg().contains("email_code"),
        "{}",
        bare.error_msg()
    );
    // A code without the password is not enough either, and a wrong password
    // leaves the code unused.
    let code = app.texted_code(phone).await;
    let no_password = change(json!({"email": null, "code": code})).await;
    assert_eq!(no_password.status, StatusCode::BAD_REQUEST);
    assert!(
        no_password.error_msg().starts_with("password"),
        "{}",
        no_password.error_msg()
    );
    let bad_password = change(json!({"email": null, "password": "nope-1234", "code": code})).await;
    assert_eq!(bad_password.status, StatusCode::BAD_REQUEST);
    assert!(bad_password
        .error_msg()
        .contains("not the current password"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let bad_code = change(json!({"email": null, "password": "secret123", "code": wrong})).await;
    assert_eq!(bad_code.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_code.error_msg().starts_with("code"),
        "{}",
        bad_code.error_msg()
    );

    // Unbind the address with the password and a code mailed to it.
    let mailed = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&t),
            json!({"purpose": "reauthenticate"}),
        )
        .await;
    assert_eq!(mailed.status, StatusCode::CREATED, "{:?}", mailed.body);
    let email_code = smtp.wait_for("both@example.com", 0).await.code();
    let unbound =
        change(json!({"email": null, "password": "secret123", "email_code": email_code})).await;
    assert_eq!(unbound.status, StatusCode::OK, "{:?}", unbound.body);
    assert_eq!(unbound.body["_email"], Value::Null);
    let replay =
        change(json!({"username": "keeper_1", "password": "secret123", "email_code": email_code}))
            .await;
    assert_eq!(
        replay.status,
        StatusCode::BAD_REQUEST,
        "without an address only a texted code is left"
    );
    assert!(
        replay.error_msg().starts_with("code"),
        "{}",
        replay.error_msg()
    );

    // The texted code from before still works once: add a username with it,
    // then unbind the phone with the password and a new code.
    let named =
        change(json!({"username": "keeper_1", "password": "secret123", "code": code})).await;
    assert_eq!(named.status, StatusCode::OK, "{:?}", named.body);
    let reused = change(json!({"phone": null, "password": "secret123", "code": code})).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST, "a code works once");
    let code = app.texted_code(phone).await;
    let unbound = change(json!({"phone": null, "password": "secret123", "code": code})).await;
    assert_eq!(unbound.status, StatusCode::OK, "{:?}", unbound.body);
    assert_eq!(unbound.body["_phone"], Value::Null);

    // With no verified channel left, the password is all there is to show.
    let deleted = app
        .call(
            reqwest::Method::DELETE,
            "/hserve/v2.2/user/account/",
            Some(&t),
            Some(json!({"password": "secret123"})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
}

/// With `reauth_account_changes`, the mailed-code switch asks for the same
/// proof as the account endpoint: whoever holds a stolen session cannot give
/// the account an address they read.
async fn a_session_alone_cannot_move_the_account_to_a_new_address(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.email_change_needs_code = true;
        s.reauth_account_changes = true;
    })
    .await;
    let (t, id) = app.register_email("owner@example.com", "secret123").await;
    let sent = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&t),
            json!({"purpose": "change_email", "email": "thief@example.com"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let code = smtp.wait_for("thief@example.com", 0).await.code();
    let switch = |body: Value| app.post("/hserve/v2.1/user/email/", Some(&t), body);
    let bare = switch(json!({"email": "thief@example.com", "code": code})).await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{:?}", bare.body);
    assert!(
        bare.error_msg().starts_with("password"),
        "{}",
        bare.error_msg()
    );
    let wrong =
        switch(json!({"email": "thief@example.com", "code": code, "password": "guess-1234"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(me(&app, &t, id).await["_email"], "owner@example.com");
    let owner =
        switch(json!({"email": "thief@example.com", "code": code, "password": "secret123"})).await;
    assert_eq!(
        owner.status,
        StatusCode::OK,
        "the owner, with the password: {:?}",
        owner.body
    );
}

/// The same holds for moving the phone number and for linking a provider
/// account: both are new ways to sign in as the user.
async fn a_session_alone_cannot_move_the_phone_or_link_a_provider_account(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.reauth_account_changes = true;
        s.sms_per_number_per_minute = 10;
    })
    .await;
    let (t, id) = app
        .register_email("phone-owner@example.com", "secret123")
        .await;
    let code = app.texted_code("+8613800005555").await;
    let moved = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&t),
            json!({"phone": "13800005555", "code": code}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST, "{:?}", moved.body);
    assert!(
        moved.error_msg().starts_with("password"),
        "{}",
        moved.error_msg()
    );
    assert_eq!(me(&app, &t, id).await["_phone"], Value::Null);
    let moved = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&t),
            json!({"phone": "13800005555", "code": code, "password": "secret123"}),
        )
        .await;
    assert_eq!(
        moved.status,
        StatusCode::OK,
        "the code was not used by the refusal: {:?}",
        moved.body
    );
    assert_eq!(moved.body["_phone"], "+8613800005555");
    // Linking asks for the proof before it looks at the auth_token.
    let link = app
        .post(
            "/hserve/v2.0/idp/acme/user-association/",
            Some(&t),
            json!({"auth_token": "anything"}),
        )
        .await;
    assert_eq!(link.status, StatusCode::BAD_REQUEST, "{:?}", link.body);
    assert!(
        link.error_msg().starts_with("password"),
        "{}",
        link.error_msg()
    );
}

/// The endpoints of this family answer bad input with a 400 naming the field.
async fn bad_input_to_the_new_endpoints_names_the_field(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (t, _) = app.register_email("input@example.com", "secret123").await;
    let cases = [
        ("/hserve/v2.1/user/email/", json!({}), "email"),
        (
            "/hserve/v2.1/user/email/",
            json!({"email": "not-an-address", "code": "123456"}),
            "email",
        ),
        (
            "/hserve/v2.1/user/email/",
            json!({"email": "a@example.com"}),
            "code",
        ),
        (
            "/hserve/v2.1/user/email/",
            json!({"email": "a@example.com", "code": 123456}),
            "code",
        ),
        (
            "/hserve/v2.0/user/email-code/",
            json!({"purpose": "change_email"}),
            "email",
        ),
        (
            "/hserve/v2.0/user/email-code/",
            json!({"purpose": "steal_account"}),
            "purpose",
        ),
        ("/hserve/v2.0/idp/weibo/token/", json!({}), "access_token"),
        (
            "/hserve/v2.0/idp/weibo/token/",
            json!({"code": ["x"]}),
            "code",
        ),
    ];
    for (path, body, field) in cases {
        let r = app.post(path, Some(&t), body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {:?}",
            r.body
        );
        assert!(
            r.error_msg().starts_with(field),
            "{path} {body}: {}",
            r.error_msg()
        );
    }
    let aggregate = app
        .get(
            "/hserve/v2.4/user/aggregate/?group_by=no_such_field",
            Some(&t),
        )
        .await;
    assert_eq!(
        aggregate.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        aggregate.body
    );
    assert!(
        aggregate.error_msg().starts_with("group_by"),
        "{}",
        aggregate.error_msg()
    );
}
