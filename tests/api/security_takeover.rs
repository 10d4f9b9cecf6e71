//! Nobody takes over another person's account: an identifier only proves an
//! account once that account proved it; proving it takes it from an account
//! that merely typed it in; password checks are counted before they are made.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::smtp::SmtpServer;

on_both_backends!(
    a_squatters_unverified_number_never_signs_the_owner_into_the_squatters_account,
    a_number_nobody_proved_resets_no_password,
    proving_a_number_at_sign_up_or_in_a_phone_change_takes_it_from_a_squatter,
    with_reauth_a_new_number_needs_a_code_texted_to_it,
    parallel_wrong_passwords_are_counted_before_they_are_checked,
    wrong_current_passwords_in_a_password_change_count_toward_a_lockout,
    a_password_change_that_cannot_be_made_costs_no_password_check,
    proving_an_address_by_a_mailed_code_takes_it_from_a_squatter,
);

const VICTIM: &str = "+8613800000001";

async fn generous(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| s.sms_per_number_per_minute = 100).await
}

async fn device_login(app: &TestApp, device: &str) -> (String, i64) {
    let r = app
        .post(
            "/hserve/v2.0/login/device/",
            None,
            json!({"device_id": device, "platform": "iOS", "create_user": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (
        r.body["token"].as_str().unwrap().to_owned(),
        r.body["user_id"].as_i64().unwrap(),
    )
}

async fn sms_login(app: &TestApp, phone: &str) -> crate::helpers::Reply {
    let code = app.texted_code(phone).await;
    app.post(
        "/hserve/v2.1/login/sms/",
        None,
        json!({"phone": phone, "code": code, "create_user": true}),
    )
    .await
}

/// The review's attack, step by step: a device account sets the victim's
/// number (unverified); the victim signs in by SMS and stores private data;
/// the attacker signs in with their device again and tries to read it.
async fn a_squatters_unverified_number_never_signs_the_owner_into_the_squatters_account(
    backend: Backend,
) {
    let app = generous(backend).await;
    let device = "attacker-device-0001";
    let (attacker_token, attacker) = device_login(&app, device).await;
    let planted = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&attacker_token),
            json!({"phone": VICTIM}),
        )
        .await;
    assert_eq!(planted.status, StatusCode::OK, "{:?}", planted.body);
    assert_eq!(planted.body["_phone_verified"], false);

    let victim = sms_login(&app, VICTIM).await;
    assert_eq!(victim.status, StatusCode::CREATED, "{:?}", victim.body);
    let victim_id = victim.body["user_id"].as_i64().unwrap();
    assert_ne!(
        victim_id, attacker,
        "the victim gets an account of their own"
    );
    let victim_token = victim.body["token"].as_str().unwrap().to_owned();
    app.set_profile(&victim_token, json!({"score": 4242})).await;

    let (again, same) = device_login(&app, device).await;
    assert_eq!(same, attacker, "the device still signs in its own account");
    let mine = app
        .get(&format!("/hserve/v2.5/user/info/{attacker}/"), Some(&again))
        .await;
    assert_eq!(
        mine.body["_phone"],
        Value::Null,
        "the planted number is gone"
    );
    let theirs = app
        .get(
            &format!("/hserve/v2.5/user/info/{victim_id}/"),
            Some(&again),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(
        theirs.body.get("score").is_none(),
        "the victim's owner-only field stays private: {:?}",
        theirs.body
    );
    let own = app
        .get(
            &format!("/hserve/v2.5/user/info/{victim_id}/"),
            Some(&victim_token),
        )
        .await;
    assert_eq!(own.body["score"], 4242);
    assert_eq!(own.body["_phone"], VICTIM);
}

async fn a_number_nobody_proved_resets_no_password(backend: Backend) {
    let app = generous(backend).await;
    let (squatter_token, squatter) = app.register_phone(VICTIM, "squatter-pw").await;
    let code = app.texted_code(VICTIM).await;
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/phone/",
            None,
            json!({"phone": VICTIM, "code": code, "password": "owner-pw-1"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NOT_FOUND, "{:?}", reset.body);
    let login = app
        .post(
            "/hserve/v2.1/login/phone/",
            None,
            json!({"phone": VICTIM, "password": "owner-pw-1"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::BAD_REQUEST, "no password was set");
    let squatters = app
        .get(
            &format!("/hserve/v2.5/user/info/{squatter}/"),
            Some(&squatter_token),
        )
        .await;
    assert_eq!(
        squatters.status,
        StatusCode::OK,
        "the squatter's session lives on"
    );
    assert_eq!(
        squatters.body["_phone"],
        Value::Null,
        "… but the proven number left their account"
    );
}

async fn proving_a_number_at_sign_up_or_in_a_phone_change_takes_it_from_a_squatter(
    backend: Backend,
) {
    let app = generous(backend).await;
    let (squatter_token, squatter) = app.register_phone(VICTIM, "squatter-pw").await;
    let code = app.texted_code(VICTIM).await;
    let owner = app
        .post(
            "/hserve/v2.1/register/phone/",
            None,
            json!({"phone": VICTIM, "password": "owner-pw-1", "code": code}),
        )
        .await;
    assert_eq!(owner.status, StatusCode::CREATED, "{:?}", owner.body);
    assert_ne!(owner.body["user_id"], squatter);
    assert_eq!(owner.body["_phone_verified"], true);
    let squatters = app
        .get(
            &format!("/hserve/v2.5/user/info/{squatter}/"),
            Some(&squatter_token),
        )
        .await;
    assert_eq!(squatters.body["_phone"], Value::Null);

    // The same through a phone change: the squatter types a second number in,
    // its owner proves it for their existing account.
    let second = "+8613800000002";
    app.put(
        "/hserve/v2.2/user/account/",
        Some(&squatter_token),
        json!({"phone": second}),
    )
    .await;
    let (owner_token, owner_id) = app.register_email("owner@example.com", "owner-pw-1").await;
    let code = app.texted_code(second).await;
    let moved = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&owner_token),
            json!({"phone": second, "code": code}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let owner = app
        .get(
            &format!("/hserve/v2.5/user/info/{owner_id}/"),
            Some(&owner_token),
        )
        .await;
    assert_eq!(owner.body["_phone"], second);
    assert_eq!(owner.body["_phone_verified"], true);
    // A verified number is never taken: the squatter cannot type it back in.
    let taken = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&squatter_token),
            json!({"phone": second}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{:?}", taken.body);
    assert!(
        taken.error_msg().starts_with("phone"),
        "{}",
        taken.error_msg()
    );
}

async fn with_reauth_a_new_number_needs_a_code_texted_to_it(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.reauth_account_changes = true;
        s.sms_per_number_per_minute = 100;
    })
    .await;
    let (token, id) = app.register_email("reauth@example.com", "secret123").await;
    let direct = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&token),
            json!({"phone": VICTIM, "password": "secret123"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::BAD_REQUEST, "{:?}", direct.body);
    assert!(
        direct.error_msg().starts_with("phone:") && direct.error_msg().contains("user/phone/"),
        "{}",
        direct.error_msg()
    );
    let me = format!("/hserve/v2.5/user/info/{id}/");
    assert_eq!(app.get(&me, Some(&token)).await.body["_phone"], Value::Null);
    let code = app.texted_code(VICTIM).await;
    let proven = app
        .post(
            "/hserve/v2.1/user/phone/",
            Some(&token),
            json!({"phone": VICTIM, "code": code, "password": "secret123"}),
        )
        .await;
    assert_eq!(proven.status, StatusCode::OK, "{:?}", proven.body);
    assert_eq!(app.get(&me, Some(&token)).await.body["_phone"], VICTIM);
    // Clearing the number is no new way in: the password alone does.
    let cleared = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&token),
            json!({"phone": null, "password": "secret123"}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{:?}", cleared.body);
}

/// 40 wrong passwords at once against a lockout of 10: no more than 10 are
/// ever checked, the rest are refused unchecked, and then so is the right one.
async fn parallel_wrong_passwords_are_counted_before_they_are_checked(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.auth_rate_per_minute = 1000).await;
    app.register_email("target@example.com", "secret123").await;
    let guesses: Vec<String> = (0..40).map(|i| format!("wrong-{i}")).collect();
    let replies = join_all(
        guesses
            .iter()
            .map(|guess| app.login_email("target@example.com", guess)),
    )
    .await;
    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::BAD_REQUEST)
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked + refused,
        40,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(checked <= 10, "{checked} wrong passwords were checked");
    let right = app.login_email("target@example.com", "secret123").await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        right.body
    );
}

/// A stolen session cannot guess the current password without limit.
async fn wrong_current_passwords_in_a_password_change_count_toward_a_lockout(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth_rate_per_minute = 1000;
        s.login_lockout_failures = 3;
    })
    .await;
    let (token, _) = app.register_email("guess@example.com", "secret123").await;
    let change = |current: &str| {
        app.put(
            "/hserve/v2.2/user/account/",
            Some(&token),
            json!({"password": current, "new_password": "another-1"}),
        )
    };
    for i in 0..3 {
        let r = change(&format!("guess-{i}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert!(r.error_msg().starts_with("password:"), "{}", r.error_msg());
    }
    let locked = change("secret123").await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        locked.body
    );
    assert_eq!(
        app.login_email("guess@example.com", "secret123")
            .await
            .status,
        StatusCode::CREATED,
        "the password did not change"
    );
}

/// A change that cannot be made is refused before the current password is
/// checked or a new one hashed: it neither costs a hash nor counts a guess.
async fn a_password_change_that_cannot_be_made_costs_no_password_check(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth_rate_per_minute = 1000;
        s.login_lockout_failures = 1;
    })
    .await;
    let (token, _) = app.register_email("only@example.com", "secret123").await;
    for _ in 0..3 {
        let r = app
            .put(
                "/hserve/v2.2/user/account/",
                Some(&token),
                json!({"email": null, "password": "wrong-one", "new_password": "another-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert!(r.error_msg().starts_with("account:"), "{}", r.error_msg());
    }
    let r = app
        .put(
            "/hserve/v2.2/user/account/",
            Some(&token),
            json!({"password": "secret123", "new_password": "another-1"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "no guess was counted: {:?}",
        r.body
    );
}

/// The same rule for mail: an address typed into an account is not proof;
/// the address's owner switching to it with a mailed code takes it.
async fn proving_an_address_by_a_mailed_code_takes_it_from_a_squatter(backend: Backend) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let app = spawn_app_with(backend, move |s| {
        s.smtp_url = url;
        s.email_change_needs_code = true;
    })
    .await;
    let (squatter_token, squatter) = app
        .register_email("victim@example.com", "squatter-pw")
        .await;
    let (owner_token, owner) = app.register_username("owner_1", "owner-pw-1").await;
    let sent = app
        .post(
            "/hserve/v2.0/user/email-code/",
            Some(&owner_token),
            json!({"purpose": "change_email", "email": "victim@example.com"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let code = smtp.wait_for("victim@example.com", 0).await.code();
    let switched = app
        .post(
            "/hserve/v2.1/user/email/",
            Some(&owner_token),
            json!({"email": "victim@example.com", "code": code}),
        )
        .await;
    assert_eq!(switched.status, StatusCode::OK, "{:?}", switched.body);
    let mine = app
        .get(
            &format!("/hserve/v2.5/user/info/{owner}/"),
            Some(&owner_token),
        )
        .await;
    assert_eq!(mine.body["_email"], "victim@example.com");
    assert_eq!(mine.body["_email_verified"], true);
    let theirs = app
        .get(
            &format!("/hserve/v2.5/user/info/{squatter}/"),
            Some(&squatter_token),
        )
        .await;
    assert_eq!(theirs.body["_email"], Value::Null, "{:?}", theirs.body);
    let reset = app
        .post(
            "/hserve/v2.0/user/password/reset/",
            None,
            json!({"email": "victim@example.com"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::CREATED, "{:?}", reset.body);
    let mail = smtp.wait_for("victim@example.com", 1).await;
    assert!(
        mail.link().contains("/reset-password/"),
        "the reset goes to the owner's proven account"
    );
}
