//! `POST /hserve/v2.0/idp/:provider/token/`: an app signs in with what it got
//! from the provider's own SDK — an access token (Weibo's `access_token` +
//! `uid`) checked against the provider's user-info endpoint, or an
//! authorization code (WeChat's `code`) exchanged first, by standard OAuth2 or
//! by the provider's declared mapping. The providers are fakes the tests start:
//! a Weibo that takes the token as a query parameter, and a WeChat whose token
//! endpoint is a GET with `appid` and `secret` that answers errors as
//! `errcode` under HTTP 200 and needs the `openid` it gave passed to user info.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use actix_web::{web, App, HttpRequest, HttpResponse};
use protium::config::{CodeExchangeSettings, ExchangeMethod, OAuthProviderSettings, ProviderKind};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{start_fake, Backend};

on_both_backends!(an_app_signs_in_with_a_token_from_the_providers_sdk);
on_both_backends!(an_app_signs_in_with_a_code_from_a_standard_oauth2_sdk);
on_both_backends!(an_app_signs_in_with_a_wechat_code);
on_both_backends!(a_browser_signs_in_with_weibo_as_its_token_owner);

/// The fake Weibo's accounts: who owns each valid token.
fn token_owner(token: &str) -> Option<i64> {
    match token {
        "good-token" => Some(1234567),
        "code-token" => Some(7654321),
        "liar-token" => Some(1111111),
        "busy-token" => Some(3333333),
        _ => None,
    }
}

/// The fake Weibo's user info, as the real one: any valid token may read any
/// uid's public profile (so the uid must never come from the app's body).
/// For `liar-token` it describes another account than asked.
async fn users_show(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let token = query
        .get("access_token")
        .map(String::as_str)
        .unwrap_or_default();
    match (token_owner(token), query.get("uid")) {
        // Weibo answers its rate limit with a 403 and an error_code.
        (Some(_), Some(_)) if token == "busy-token" => HttpResponse::Forbidden()
            .json(json!({"error_code": 10023, "error": "User requests out of rate limit!"})),
        (Some(_), Some(uid)) => {
            let id = if token == "liar-token" {
                2222222
            } else {
                uid.parse::<i64>().unwrap_or(0)
            };
            HttpResponse::Ok().json(json!({"id": id, "screen_name": format!("微博用户{id}")}))
        }
        _ => HttpResponse::Unauthorized().json(json!({"error": "invalid_access_token"})),
    }
}

/// The fake Weibo's `account/get_uid.json`: the token's owner.
async fn get_uid(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    match query.get("access_token").and_then(|t| token_owner(t)) {
        Some(uid) => HttpResponse::Ok().json(json!({"uid": uid})),
        None => HttpResponse::Unauthorized().json(json!({"error": "invalid_access_token"})),
    }
}

/// The fake Weibo as an OAuth2 provider, taking tokens from apps.
fn weibo(base: &str) -> OAuthProviderSettings {
    OAuthProviderSettings {
        name: "weibo".into(),
        kind: ProviderKind::Oauth2,
        client_id: "app".into(),
        client_secret: "secret".into(),
        authorize_url: format!("{base}/oauth2/authorize"),
        token_url: format!("{base}/oauth2/access_token"),
        userinfo_url: format!("{base}/2/users/show.json"),
        subject_claim: "id".into(),
        mapping: BTreeMap::from([("nickname".into(), "screen_name".into())]),
        native_token: true,
        token_param: "access_token".into(),
        token_owner_url: format!("{base}/2/account/get_uid.json"),
        token_owner_field: "uid".into(),
        owner_param: "uid".into(),
        error_field: "error_code".into(),
        provider_fault_codes: vec!["10022".into(), "10023".into(), "10024".into()],
        ..Default::default()
    }
}

/// Starts the fake Weibo (user info only): its provider settings, and a
/// handle to stop it.
pub(crate) fn start_fake_weibo() -> (OAuthProviderSettings, actix_web::dev::ServerHandle) {
    let (base, handle) = start_fake(|| {
        App::new()
            .route("/2/users/show.json", web::get().to(users_show))
            .route("/2/account/get_uid.json", web::get().to(get_uid))
    });
    (weibo(&base), handle)
}

async fn an_app_signs_in_with_a_token_from_the_providers_sdk(backend: Backend) {
    let (weibo, handle) = start_fake_weibo();
    let app =
        crate::helpers::spawn_app_with(backend, move |s| s.oauth_providers = vec![weibo]).await;
    let sign_in = |token: &'static str, create: bool| {
        app.post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"access_token": token, "uid": 1234567, "create_user": create}),
        )
    };
    let unknown = sign_in("good-token", false).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{:?}", unknown.body);
    let first = sign_in("good-token", true).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["_provider"]["weibo"]["id"], "1234567");
    assert_eq!(first.body["nickname"], "微博用户1234567");
    let again = sign_in("good-token", false).await;
    assert_eq!(
        again.body["user_id"], first.body["user_id"],
        "the same user"
    );
    // The body's uid cannot pick the account: a token signs in its owner only.
    let other_owner = app
        .post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"access_token": "code-token", "uid": 1234567, "create_user": true}),
        )
        .await;
    assert_eq!(
        other_owner.status,
        StatusCode::CREATED,
        "{:?}",
        other_owner.body
    );
    assert_eq!(other_owner.body["_provider"]["weibo"]["id"], "7654321");
    assert_ne!(other_owner.body["user_id"], first.body["user_id"]);
    // User info about another account than the token's is refused.
    let liar = sign_in("liar-token", true).await;
    assert_eq!(liar.status, StatusCode::BAD_GATEWAY, "{:?}", liar.body);
    // The provider's rate limit is not the app's token being refused.
    let busy = sign_in("busy-token", true).await;
    assert_eq!(busy.status, StatusCode::BAD_GATEWAY, "{:?}", busy.body);
    assert!(
        busy.error_msg().contains("error_code 10023"),
        "{}",
        busy.error_msg()
    );
    let forged = sign_in("forged-token", true).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{:?}", forged.body);
    assert!(
        forged.error_msg().starts_with("access_token"),
        "{}",
        forged.error_msg()
    );
    let other = app
        .post(
            "/hserve/v2.0/idp/acme/token/",
            None,
            json!({"access_token": "x"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "an unknown provider");
    let code = app
        .post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"code": "weibo-code", "uid": 1234567}),
        )
        .await;
    assert_eq!(code.status, StatusCode::BAD_REQUEST, "{:?}", code.body);
    assert!(
        code.error_msg().contains("native_code"),
        "a provider that takes no codes says so: {}",
        code.error_msg()
    );
    handle.stop(false).await;
}

/// The fake Weibo's standard token endpoint: client credentials in a Basic
/// header, `weibo-code` good once.
async fn weibo_token(
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
    used: web::Data<Mutex<HashSet<String>>>,
) -> HttpResponse {
    let basic = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let code = form.get("code").cloned().unwrap_or_default();
    let fresh = used.lock().unwrap().insert(code.clone());
    if basic == Some("Basic YXBwOnNlY3JldA==")
        && form.get("grant_type").map(String::as_str) == Some("authorization_code")
        && code == "weibo-code"
        && fresh
    {
        HttpResponse::Ok()
            .json(json!({"access_token": "code-token", "token_type": "bearer", "expires_in": 3600}))
    } else {
        HttpResponse::BadRequest().json(json!({"error": "invalid_grant"}))
    }
}

async fn an_app_signs_in_with_a_code_from_a_standard_oauth2_sdk(backend: Backend) {
    let used = web::Data::new(Mutex::new(HashSet::<String>::new()));
    let (base, handle) = start_fake(move || {
        App::new()
            .app_data(used.clone())
            .route("/oauth2/access_token", web::post().to(weibo_token))
            .route("/2/users/show.json", web::get().to(users_show))
            .route("/2/account/get_uid.json", web::get().to(get_uid))
    });
    let weibo = OAuthProviderSettings {
        native_code: true,
        ..weibo(&base)
    };
    let app =
        crate::helpers::spawn_app_with(backend, move |s| s.oauth_providers = vec![weibo]).await;
    let sign_in = || {
        app.post(
            "/hserve/v2.0/idp/weibo/token/",
            None,
            json!({"code": "weibo-code", "uid": 7654321}),
        )
    };
    let first = sign_in().await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["_provider"]["weibo"]["id"], "7654321");
    assert_eq!(first.body["nickname"], "微博用户7654321");
    let replay = sign_in().await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "a code works once");
    assert!(
        replay.error_msg().starts_with("code"),
        "{}",
        replay.error_msg()
    );
    handle.stop(false).await;
}

/// What the fake WeChat has handed out: codes used, and token → openid.
#[derive(Default)]
struct WeChatState {
    used_codes: HashSet<String>,
    tokens: HashMap<String, String>,
}

/// The fake WeChat's token endpoint: `GET ?appid&secret&code&grant_type`; any
/// `good-…` code works once; errors are `errcode` under HTTP 200, and `boom`
/// makes it fail outright.
async fn wechat_token(
    query: web::Query<HashMap<String, String>>,
    state: web::Data<Mutex<WeChatState>>,
) -> HttpResponse {
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    if get("code") == "boom" {
        return HttpResponse::InternalServerError().body("upstream down");
    }
    if get("appid") != "wx-app" || get("secret") != "wx-secret-value" {
        return HttpResponse::Ok().json(json!({"errcode": 40125, "errmsg": "invalid appsecret"}));
    }
    let code = get("code").to_owned();
    let mut state = state.lock().unwrap();
    if !code.starts_with("good-") || get("grant_type") != "authorization_code" {
        return HttpResponse::Ok().json(json!({"errcode": 40029, "errmsg": "invalid code"}));
    }
    if !state.used_codes.insert(code.clone()) {
        return HttpResponse::Ok().json(json!({"errcode": 40163, "errmsg": "code been used"}));
    }
    let token = format!("wx-token-{code}");
    state.tokens.insert(token.clone(), "o-openid-1".into());
    // WeChat answers JSON as text/plain.
    HttpResponse::Ok().content_type("text/plain").body(
        json!({
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": "r",
            "openid": "o-openid-1",
            "scope": "snsapi_userinfo",
            "unionid": "u-union-1",
        })
        .to_string(),
    )
}

/// The fake WeChat's user info: the token and the `openid` it was issued for.
async fn wechat_userinfo(
    query: web::Query<HashMap<String, String>>,
    state: web::Data<Mutex<WeChatState>>,
) -> HttpResponse {
    let state = state.lock().unwrap();
    let owner = query.get("access_token").and_then(|t| state.tokens.get(t));
    match (owner, query.get("openid")) {
        (Some(owner), Some(openid)) if owner == openid => HttpResponse::Ok().json(json!({
            "openid": openid,
            "nickname": "微信用户",
            "sex": 1,
            "headimgurl": "https://wx.example/head.png",
            "unionid": "u-union-1",
        })),
        _ => HttpResponse::Ok().json(json!({"errcode": 40003, "errmsg": "invalid openid"})),
    }
}

/// Starts the fake WeChat: the provider settings that map its code exchange,
/// and a handle to stop it.
pub(crate) fn start_fake_wechat() -> (OAuthProviderSettings, actix_web::dev::ServerHandle) {
    let state = web::Data::new(Mutex::new(WeChatState::default()));
    let (base, handle) = start_fake(move || {
        App::new()
            .app_data(state.clone())
            .route("/sns/oauth2/access_token", web::get().to(wechat_token))
            .route("/sns/userinfo", web::get().to(wechat_userinfo))
    });
    let wechat = OAuthProviderSettings {
        name: "wechat".into(),
        kind: ProviderKind::Oauth2,
        client_id: "wx-app".into(),
        client_secret: "wx-secret-value".into(),
        authorize_url: format!("{base}/connect/qrconnect"),
        token_url: format!("{base}/sns/oauth2/access_token"),
        userinfo_url: format!("{base}/sns/userinfo"),
        subject_claim: "unionid".into(),
        mapping: BTreeMap::from([("nickname".into(), "nickname".into())]),
        token_param: "access_token".into(),
        native_code: true,
        code_exchange: Some(CodeExchangeSettings {
            method: ExchangeMethod::Get,
            client_id_param: "appid".into(),
            client_secret_param: "secret".into(),
            token_field: "access_token".into(),
            pass_to_userinfo: vec!["openid".into()],
        }),
        error_field: "errcode".into(),
        provider_fault_codes: vec!["-1".into(), "40001".into(), "40013".into(), "40125".into()],
        ..Default::default()
    };
    (wechat, handle)
}

async fn an_app_signs_in_with_a_wechat_code(backend: Backend) {
    let (wechat, handle) = start_fake_wechat();
    let misconfigured = OAuthProviderSettings {
        name: "wechat-old".into(),
        client_secret: "a-rotated-secret".into(),
        ..wechat.clone()
    };
    let app = crate::helpers::spawn_app_with(backend, move |s| {
        s.oauth_providers = vec![wechat, misconfigured]
    })
    .await;
    let sign_in = |code: &'static str, create: bool| {
        app.post(
            "/hserve/v2.0/idp/wechat/token/",
            None,
            json!({"code": code, "create_user": create}),
        )
    };

    let unknown = sign_in("good-1", false).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{:?}", unknown.body);
    let first = sign_in("good-2", true).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["_provider"]["wechat"]["id"], "u-union-1");
    assert_eq!(first.body["nickname"], "微信用户");
    let again = sign_in("good-3", false).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
    assert_eq!(
        again.body["user_id"], first.body["user_id"],
        "the same user"
    );

    for (code, why) in [("good-2", "a used code"), ("bad-code", "an unknown code")] {
        let refused = sign_in(code, true).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{why}: {:?}",
            refused.body
        );
        assert_eq!(
            refused.error_msg(),
            "code: the provider did not accept it",
            "{why}"
        );
    }
    let down = sign_in("boom", true).await;
    assert_eq!(down.status, StatusCode::BAD_GATEWAY, "{:?}", down.body);
    assert!(
        !down.error_msg().contains("wx-secret-value") && !down.error_msg().contains("boom"),
        "the message carries no URL with the secret or the code: {}",
        down.error_msg()
    );
    // A wrong app secret is the server's fault, not the app's code.
    let ours = app
        .post(
            "/hserve/v2.0/idp/wechat-old/token/",
            None,
            json!({"code": "good-9"}),
        )
        .await;
    assert_eq!(ours.status, StatusCode::BAD_GATEWAY, "{:?}", ours.body);
    assert!(
        ours.error_msg().contains("errcode 40125")
            && !ours.error_msg().contains("a-rotated-secret"),
        "{}",
        ours.error_msg()
    );
    let empty = app
        .post("/hserve/v2.0/idp/wechat/token/", None, json!({"code": ""}))
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{:?}", empty.body);
    assert!(
        empty.error_msg().starts_with("code"),
        "{}",
        empty.error_msg()
    );
    handle.stop(false).await;
}

/// The fake Weibo's authorize page: the user agrees at once, and the browser
/// goes back to Protium's callback with `weibo-code`.
async fn weibo_authorize(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let back = format!(
        "{}?{}",
        query.get("redirect_uri").cloned().unwrap_or_default(),
        serde_urlencoded::to_string([
            ("code", "weibo-code"),
            (
                "state",
                query.get("state").map(String::as_str).unwrap_or_default()
            ),
        ])
        .unwrap()
    );
    HttpResponse::Found()
        .insert_header(("Location", back))
        .finish()
}

/// The browser flow reads user info as tokens from apps are read: the token
/// as Weibo's query parameter, the account from `get_uid`.
async fn a_browser_signs_in_with_weibo_as_its_token_owner(backend: Backend) {
    let used = web::Data::new(Mutex::new(HashSet::<String>::new()));
    let (base, handle) = start_fake(move || {
        App::new()
            .app_data(used.clone())
            .route("/oauth2/authorize", web::get().to(weibo_authorize))
            .route("/oauth2/access_token", web::post().to(weibo_token))
            .route("/2/users/show.json", web::get().to(users_show))
            .route("/2/account/get_uid.json", web::get().to(get_uid))
    });
    let weibo = weibo(&base);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = crate::helpers::spawn_app_with(backend, move |s| {
        s.listen = format!("127.0.0.1:{port}");
        s.public_url = format!("http://127.0.0.1:{port}");
        s.oauth_providers = vec![weibo];
        s.oauth_callback_prefixes = "http://app.test/".into();
    })
    .await;
    let started = app
        .post(
            "/hserve/v2.0/idp/weibo/redirect/",
            None,
            json!({"callback_url": "http://app.test/done"}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    // A browser that follows redirects by hand and keeps Protium's cookie.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
    let start = browser
        .get(started.body["redirect_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let cookie = start.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let at_provider = browser.get(location(&start)).send().await.unwrap();
    let callback = browser
        .get(location(&at_provider))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    let landed = location(&callback);
    let query = landed.split_once('?').unwrap().1;
    let params: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap();
    let auth_token = params
        .get("auth_token")
        .unwrap_or_else(|| panic!("no auth_token: {landed}"));
    let signed_in = app
        .post(
            "/hserve/v2.0/idp/weibo/authenticate/",
            None,
            json!({"auth_token": auth_token}),
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::CREATED,
        "{:?}",
        signed_in.body
    );
    assert_eq!(
        signed_in.body["_provider"]["weibo"]["id"], "7654321",
        "the code token's owner"
    );
    assert_eq!(signed_in.body["nickname"], "微博用户7654321");
    handle.stop(false).await;
}
