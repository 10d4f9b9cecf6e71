//! Third-party sign-in against a real OpenID Connect provider (npm
//! `oidc-provider`, started by the test) with the browser part done in headless
//! Chromium: authorization code with PKCE, a new user created, the same user on
//! the next sign-in, linking to an existing account, unlinking, forged state.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use protium::config::{OAuthProviderSettings, ProviderKind};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{spawn_app_with, Backend, TestApp};

on_both_backends!(
    signing_in_with_an_oidc_provider_creates_then_finds_the_user,
    a_provider_account_links_to_an_existing_user_and_unlinks,
    forged_or_misdirected_sign_ins_are_refused,
    a_plain_oauth2_provider_signs_in_through_its_user_info_endpoint,
);

const APP_CALLBACK: &str = "http://app.test/done";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// A running provider; killed on drop.
struct Idp {
    _child: tokio::process::Child,
}

async fn start_idp(port: u16, redirect_uri: &str) -> Idp {
    assert!(
        dir("oidc").join("node_modules/oidc-provider").exists(),
        "oidc-provider is not installed: run `npm ci --prefix tests/oidc` (scripts/test does it)"
    );
    let mut child = tokio::process::Command::new("node")
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(redirect_uri)
        .current_dir(dir("oidc"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("oidc ready") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(ready, Ok(true), "the OIDC provider did not start");
    // Keep reading: a closed pipe would kill the provider at its next log line.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Idp { _child: child }
}

/// The app (on a known port, so the provider can send browsers back) and its provider.
async fn app_with_idp(backend: Backend) -> (TestApp, Idp) {
    let app_port = free_port();
    let idp_port = free_port();
    let callbacks = format!(
        "http://127.0.0.1:{app_port}/oauth/acme/callback/,http://127.0.0.1:{app_port}/oauth/plain/callback/"
    );
    let idp = start_idp(idp_port, &callbacks).await;
    let issuer = format!("http://127.0.0.1:{idp_port}");
    // The same server as a plain OAuth2 provider: no discovery, no id_token check.
    let plain = OAuthProviderSettings {
        name: "plain".into(),
        kind: ProviderKind::Oauth2,
        client_id: "protium".into(),
        client_secret: "protium-test-secret".into(),
        issuer: String::new(),
        authorize_url: format!("{issuer}/auth"),
        token_url: format!("{issuer}/token"),
        userinfo_url: format!("{issuer}/me"),
        scopes: vec!["openid".into(), "profile".into()],
        subject_claim: "sub".into(),
        mapping: BTreeMap::from([("nickname".into(), "name".into())]),
        ..Default::default()
    };
    let provider = OAuthProviderSettings {
        name: "acme".into(),
        kind: ProviderKind::Oidc,
        client_id: "protium".into(),
        client_secret: "protium-test-secret".into(),
        issuer: format!("http://127.0.0.1:{idp_port}"),
        authorize_url: String::new(),
        token_url: String::new(),
        userinfo_url: String::new(),
        scopes: vec![],
        subject_claim: String::new(),
        mapping: BTreeMap::from([
            ("nickname".into(), "name".into()),
            ("avatar".into(), "picture".into()),
        ]),
        ..Default::default()
    };
    let app = spawn_app_with(backend, move |s| {
        s.listen = format!("127.0.0.1:{app_port}");
        s.public_url = format!("http://127.0.0.1:{app_port}");
        s.oauth_providers = vec![provider, plain];
        s.oauth_callback_prefixes = "http://app.test/".into();
        s.admin_token = crate::helpers::ADMIN_TOKEN.into();
    })
    .await;
    (app, idp)
}

/// Starts a sign-in and signs in at the provider as `login`; returns the auth_token.
async fn sign_in_at_provider(app: &TestApp, login: &str) -> String {
    sign_in_with(app, "acme", login, None).await
}

/// [`sign_in_at_provider`] through `provider`, the flow started by the holder
/// of `session` (needed to link the account to that user).
async fn sign_in_with(app: &TestApp, provider: &str, login: &str, session: Option<&str>) -> String {
    let r = app
        .post(
            &format!("/hserve/v2.0/idp/{provider}/redirect/"),
            session,
            json!({"callback_url": APP_CALLBACK}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let url = r.body["redirect_url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/oauth/{provider}/start/?state=", app.address)),
        "the browser goes through Protium's start page: {url}"
    );
    let out = tokio::process::Command::new("node")
        .args(["oidc_login.js", &url, login, APP_CALLBACK])
        .current_dir(dir("browser"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let landed = stdout
        .lines()
        .find_map(|l| l.strip_prefix("landed "))
        .unwrap()
        .to_owned();
    let query = landed.split_once('?').unwrap().1;
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    assert!(
        params.contains(&("provider".into(), provider.into())),
        "{landed}"
    );
    params
        .into_iter()
        .find(|(k, _)| k == "auth_token")
        .unwrap_or_else(|| panic!("no auth_token: {landed}"))
        .1
}

async fn signing_in_with_an_oidc_provider_creates_then_finds_the_user(backend: Backend) {
    let (app, _idp) = app_with_idp(backend).await;
    let token = sign_in_at_provider(&app, "alice").await;
    let r = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": token, "create_user": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["user_id"].as_i64().unwrap();
    assert_eq!(r.body["_provider"]["acme"]["id"], "alice");
    assert_eq!(
        r.body["nickname"], "Name of alice",
        "mapped from the id_token"
    );
    assert_eq!(r.body["avatar"], "https://idp.test/alice.png");
    let reused = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": token, "create_user": true}),
        )
        .await;
    assert_eq!(
        reused.status,
        StatusCode::BAD_REQUEST,
        "an auth_token works once"
    );
    assert!(reused.error_msg().starts_with("auth_token:"));

    let again = sign_in_at_provider(&app, "alice").await;
    let second = app
        .post(
            "/hserve/v2.3/idp/oauth/acme/authenticate/",
            None,
            json!({"auth_token": again, "create_user": false}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
    assert_eq!(
        second.body["user_id"], id,
        "the same user on the second sign-in"
    );
    assert_eq!(
        app.db
            .texts("SELECT CAST(COUNT(*) AS TEXT) AS v FROM oauth_identities"),
        vec!["1".to_string()]
    );

    // A disabled user cannot sign in through the provider either.
    let disabled = app
        .admin_api(
            reqwest::Method::POST,
            &format!("/users/{id}/disable/"),
            crate::helpers::ADMIN_TOKEN,
            None,
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK);
    let third = sign_in_at_provider(&app, "alice").await;
    let refused = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": third, "create_user": true}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.error_msg(), "this account is disabled");
}

async fn a_provider_account_links_to_an_existing_user_and_unlinks(backend: Backend) {
    let (app, _idp) = app_with_idp(backend).await;
    let (bob, bob_id) = app.register_email("bob@example.com", "secret123").await;
    app.set_profile(&bob, json!({"nickname": "Bobby"})).await;
    // A token from a flow bob did not start (say, a link someone sent him) is refused.
    let foreign = sign_in_at_provider(&app, "carol").await;
    let refused = app
        .post(
            "/hserve/v2.0/idp/acme/user-association/",
            Some(&bob),
            json!({"auth_token": foreign}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.error_msg().contains("not issued to this user"),
        "{}",
        refused.error_msg()
    );
    let token = sign_in_with(&app, "acme", "carol", Some(&bob)).await;
    let linked = app
        .post(
            "/hserve/v2.0/idp/acme/user-association/",
            Some(&bob),
            json!({"auth_token": token}),
        )
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{:?}", linked.body);
    assert_eq!(linked.body["_provider"]["acme"]["id"], "carol");
    assert_eq!(
        linked.body["nickname"], "Bobby",
        "setnx keeps a nickname the user chose"
    );
    assert_eq!(
        linked.body["avatar"], "https://idp.test/carol.png",
        "and fills what was empty"
    );

    let later = sign_in_at_provider(&app, "carol").await;
    let r = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": later, "create_user": false}),
        )
        .await;
    assert_eq!(
        r.body["user_id"], bob_id,
        "the provider account now signs in as bob"
    );

    let (eve, _) = app.register_email("eve@example.com", "secret123").await;
    let stolen = sign_in_with(&app, "acme", "carol", Some(&eve)).await;
    let refused = app
        .post(
            "/hserve/v2.0/idp/acme/user-association/",
            Some(&eve),
            json!({"auth_token": stolen}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .error_msg()
            .contains("already linked to another user"),
        "{}",
        refused.error_msg()
    );

    let unlinked = app
        .call(
            reqwest::Method::DELETE,
            "/hserve/v2.0/idp/acme/user-association/",
            Some(&bob),
            Some(json!({})),
        )
        .await;
    assert_eq!(unlinked.status, StatusCode::OK, "{:?}", unlinked.body);
    assert!(unlinked.body["_provider"].get("acme").is_none());
    let after = sign_in_at_provider(&app, "carol").await;
    let gone = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": after, "create_user": false}),
        )
        .await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "no user is linked any more"
    );

    // A user whose only sign-in is the provider cannot unlink it.
    let only = sign_in_at_provider(&app, "dave").await;
    let dave = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": only}),
        )
        .await;
    let t = dave.body["token"].as_str().unwrap();
    let stuck = app
        .call(
            reqwest::Method::DELETE,
            "/hserve/v2.0/idp/acme/user-association/",
            Some(t),
            Some(json!({})),
        )
        .await;
    assert_eq!(stuck.status, StatusCode::BAD_REQUEST);
    assert!(
        stuck.error_msg().contains("only way to sign in"),
        "{}",
        stuck.error_msg()
    );
}

async fn forged_or_misdirected_sign_ins_are_refused(backend: Backend) {
    let (app, _idp) = app_with_idp(backend).await;
    let forged = app
        .client
        .get(format!(
            "{}/oauth/acme/callback/?code=abc&state=forged",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("unknown, expired or was already used"));
    let elsewhere = app
        .post(
            "/hserve/v2.0/idp/acme/redirect/",
            None,
            json!({"callback_url": "https://evil.test/steal"}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    assert!(elsewhere.error_msg().starts_with("callback_url:"));
    let unknown = app
        .post(
            "/hserve/v2.0/idp/nope/redirect/",
            None,
            json!({"callback_url": APP_CALLBACK}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    let bogus = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": "made-up"}),
        )
        .await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
    // A sign-in is bound to the browser that opened its start page.
    let r = app
        .post(
            "/hserve/v2.0/idp/acme/redirect/",
            None,
            json!({"callback_url": APP_CALLBACK}),
        )
        .await;
    let start = r.body["redirect_url"].as_str().unwrap().to_owned();
    let state = start.split("state=").nth(1).unwrap().to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = |cookie: Option<String>| {
        let mut request = client.get(format!(
            "{}/oauth/acme/callback/?error=access_denied&state={state}",
            app.address
        ));
        if let Some(c) = cookie {
            request = request.header("Cookie", c);
        }
        request.send()
    };
    // Login CSRF: a return from the provider in another browser (no cookie)
    // is refused, and does not use the flow up.
    let elsewhere = callback(None).await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    let opened = client.get(&start).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::FOUND);
    let provider_url = opened.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        provider_url.contains("code_challenge_method=S256") && provider_url.contains("state="),
        "{provider_url}"
    );
    let set_cookie = opened.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let again = client.get(&start).send().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a start page binds once"
    );
    let wrong = callback(Some(format!(
        "{}=forged",
        cookie.split('=').next().unwrap()
    )))
    .await
    .unwrap();
    assert_eq!(
        wrong.status(),
        StatusCode::BAD_REQUEST,
        "another browser's cookie"
    );
    let denied = callback(Some(cookie)).await.unwrap();
    assert_eq!(denied.status(), StatusCode::FOUND);
    let location = denied.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://app.test/done?error=access_denied"),
        "{location}"
    );
}

async fn a_plain_oauth2_provider_signs_in_through_its_user_info_endpoint(backend: Backend) {
    let (app, _idp) = app_with_idp(backend).await;
    let token = sign_in_with(&app, "plain", "frank", None).await;
    let r = app
        .post(
            "/hserve/v2.0/idp/plain/authenticate/",
            None,
            json!({"auth_token": token, "create_user": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["_provider"]["plain"]["id"], "frank");
    assert_eq!(
        r.body["nickname"], "Name of frank",
        "mapped from the user-info answer"
    );
    let other = sign_in_with(&app, "plain", "frank", None).await;
    let r = app
        .post(
            "/hserve/v2.0/idp/acme/authenticate/",
            None,
            json!({"auth_token": other}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a token is only good at the provider that issued it"
    );
}
