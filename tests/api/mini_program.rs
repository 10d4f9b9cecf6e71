//! Mini-program sign-in (`POST …/idp/<platform>/silent-login/` and
//! `authenticate/` with the platform's login `code`; `user-associate/` and
//! `user-association/` to link) for WeChat, QQ, ByteDance and Baidu, each
//! against a fake of the platform's code-to-session API that the test starts:
//! a new user, the same user again, a used or made-up code (400 naming
//! `code`), an unknown user without `create_user` (404), the platform down or
//! refusing our secret (502, no URL in the message), profile data taken only
//! with its signature, and linking to a signed-in user.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use actix_web::{web, App, HttpResponse};
use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::sign::{Signer, Verifier};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use crate::helpers::{run_node, spawn_app_with, start_fake, Backend, TestApp};
use protium::config::{OAuthProviderSettings, ProviderKind};

on_both_backends!(
    each_platform_signs_in_with_its_login_code,
    the_wechat_sdk_signs_in_with_its_login_code,
    alipay_signs_in_with_a_signed_gateway_call,
);

/// The four platforms: provider name, kind, and the fake's path.
const PLATFORMS: &[(&str, ProviderKind, &str)] = &[
    (
        "wechat",
        ProviderKind::WechatMiniapp,
        "/wechat/sns/jscode2session",
    ),
    ("qq", ProviderKind::QqMiniapp, "/qq/sns/jscode2session"),
    (
        "bytedance",
        ProviderKind::BytedanceMiniapp,
        "/tt/api/apps/v2/jscode2session",
    ),
    (
        "baidu",
        ProviderKind::BaiduMiniapp,
        "/baidu/oauth/jscode2sessionkey",
    ),
];

/// Codes each fake platform has seen (a code works once).
#[derive(Default)]
struct Seen(HashSet<String>);

/// What a fake platform answers for `code` sent with `app` and `secret`:
/// `good-<user>` and `good-<user>~<n>` are codes of user `<user>` (each
/// works once), `boom` takes the platform down.
fn session_for(
    platform: &str,
    app: &str,
    secret: &str,
    code: &str,
    seen: &Mutex<Seen>,
) -> Result<Map<String, Value>, (u16, Value)> {
    if code == "boom" {
        return Err((500, json!("upstream down")));
    }
    if app != format!("{platform}-app") || secret != format!("{platform}-secret") {
        return Err((200, json!("credentials")));
    }
    let Some(user) = code.strip_prefix("good-").and_then(|c| c.split('~').next()) else {
        return Err((200, json!("code")));
    };
    if !seen.lock().unwrap().0.insert(format!("{platform}:{code}")) {
        return Err((200, json!("code")));
    }
    let mut session = Map::new();
    session.insert("openid".into(), json!(format!("o-{platform}-{user}")));
    session.insert("session_key".into(), json!(format!("sk-{user}")));
    if platform == "wechat" {
        session.insert("unionid".into(), json!(format!("u-{user}")));
    }
    Ok(session)
}

/// WeChat's and QQ's answer: the session, or `{errcode, errmsg}` under 200.
fn tencent_answer(outcome: Result<Map<String, Value>, (u16, Value)>) -> HttpResponse {
    match outcome {
        Ok(session) => HttpResponse::Ok()
            .content_type("text/plain")
            .body(Value::Object(session).to_string()),
        Err((500, _)) => HttpResponse::InternalServerError().body("down"),
        Err((_, why)) if why == "credentials" => {
            HttpResponse::Ok().json(json!({"errcode": 40125, "errmsg": "invalid appsecret"}))
        }
        Err(_) => HttpResponse::Ok().json(json!({"errcode": 40029, "errmsg": "invalid code"})),
    }
}

async fn tencent(
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    seen: web::Data<Mutex<Seen>>,
) -> HttpResponse {
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return HttpResponse::Ok().json(json!({"errcode": 40002, "errmsg": "invalid grant_type"}));
    }
    let platform = path.into_inner();
    tencent_answer(session_for(
        &platform,
        get("appid"),
        get("secret"),
        get("js_code"),
        &seen,
    ))
}

async fn bytedance(body: web::Json<Value>, seen: web::Data<Mutex<Seen>>) -> HttpResponse {
    let get = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    match session_for(
        "bytedance",
        &get("appid"),
        &get("secret"),
        &get("code"),
        &seen,
    ) {
        Ok(session) => {
            HttpResponse::Ok().json(json!({"err_no": 0, "err_tips": "success", "data": session}))
        }
        Err((500, _)) => HttpResponse::BadGateway().body("down"),
        Err((_, why)) if why == "credentials" => {
            HttpResponse::Ok().json(json!({"err_no": 40017, "err_tips": "bad secret", "data": {}}))
        }
        Err(_) => {
            HttpResponse::Ok().json(json!({"err_no": 40018, "err_tips": "bad code", "data": {}}))
        }
    }
}

async fn baidu(
    form: web::Form<HashMap<String, String>>,
    seen: web::Data<Mutex<Seen>>,
) -> HttpResponse {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    match session_for("baidu", &get("client_id"), &get("sk"), &get("code"), &seen) {
        Ok(session) => HttpResponse::Ok().json(session),
        Err((500, _)) => HttpResponse::ServiceUnavailable().body("down"),
        Err((_, why)) if why == "credentials" => HttpResponse::Unauthorized()
            .json(json!({"errno": 1, "error": "invalid_client", "error_description": "unknown client id"})),
        Err(_) => HttpResponse::BadRequest()
            .json(json!({"errno": 40001, "error": "invalid_grant", "error_description": "invalid code"})),
    }
}

/// Starts the fake platforms; their base URL and a handle to stop them.
fn start_platforms() -> (String, actix_web::dev::ServerHandle) {
    let seen = web::Data::new(Mutex::new(Seen::default()));
    start_fake(move || {
        App::new()
            .app_data(seen.clone())
            .route("/{platform}/sns/jscode2session", web::get().to(tencent))
            .route("/tt/api/apps/v2/jscode2session", web::post().to(bytedance))
            .route("/baidu/oauth/jscode2sessionkey", web::post().to(baidu))
    })
}

/// Each platform as a provider; `<name>-wrong` has a secret the platform refuses.
fn providers(base: &str) -> Vec<OAuthProviderSettings> {
    let mut out = Vec::new();
    for (name, kind, path) in PLATFORMS {
        for (suffix, secret) in [("", format!("{name}-secret")), ("-wrong", "rotated".into())] {
            out.push(OAuthProviderSettings {
                name: format!("{name}{suffix}"),
                kind: *kind,
                client_id: format!("{name}-app"),
                client_secret: secret,
                token_url: format!("{base}{path}"),
                mapping: BTreeMap::from([("nickname".into(), "nickName".into())]),
                ..Default::default()
            });
        }
    }
    out
}

async fn silent(app: &TestApp, platform: &str, body: Value) -> crate::helpers::Reply {
    app.post(
        &format!("/hserve/v2.5/idp/{platform}/silent-login/"),
        None,
        body,
    )
    .await
}

fn signature(raw: &str, key: &str) -> String {
    let mut h = Sha1::new();
    h.update(raw.as_bytes());
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

async fn each_platform_signs_in_with_its_login_code(backend: Backend) {
    let (base, handle) = start_platforms();
    let app = spawn_app_with(backend, |s| {
        s.oauth_providers = providers(&base);
        s.auth_rate_per_minute = 0;
    })
    .await;
    for (platform, _, _) in PLATFORMS {
        let first = silent(
            &app,
            platform,
            json!({"code": "good-ann", "create_user": true}),
        )
        .await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{platform}: {:?}",
            first.body
        );
        let id = first.body["user_id"].as_i64().unwrap();
        assert!(first.body["token"].is_string(), "{platform}");
        assert_eq!(
            first.body["user_info"]["id"], id,
            "{platform}: the SDK builds its user from user_info"
        );
        assert_eq!(first.body["openid"], format!("o-{platform}-ann"));
        assert_eq!(
            first.body["user_info"]["_provider"][*platform]["openid"],
            format!("o-{platform}-ann")
        );

        let again = silent(&app, platform, json!({"code": "good-ann~2"})).await;
        assert_eq!(
            again.status,
            StatusCode::CREATED,
            "{platform}: {:?}",
            again.body
        );
        assert_eq!(again.body["user_id"], id, "{platform}: the same user again");
        let same = app
            .post(
                &format!("/hserve/v2.4/idp/{platform}/silent-login/"),
                None,
                json!({"code": "good-ann"}),
            )
            .await;
        assert_eq!(
            same.status,
            StatusCode::BAD_REQUEST,
            "{platform}: a used code: {:?}",
            same.body
        );
        assert!(
            same.error_msg().starts_with("code"),
            "{platform}: {}",
            same.error_msg()
        );
        let made_up = silent(&app, platform, json!({"code": "forged"})).await;
        assert_eq!(made_up.status, StatusCode::BAD_REQUEST, "{platform}");
        assert!(made_up.error_msg().starts_with("code"), "{platform}");

        let unknown = silent(
            &app,
            platform,
            json!({"code": "good-bob", "create_user": false}),
        )
        .await;
        assert_eq!(
            unknown.status,
            StatusCode::NOT_FOUND,
            "{platform}: {:?}",
            unknown.body
        );
        let bob = silent(
            &app,
            platform,
            json!({"code": "good-bob~2", "create_user": true}),
        )
        .await;
        assert_eq!(
            bob.status,
            StatusCode::CREATED,
            "{platform}: {:?}",
            bob.body
        );
        let bob_token = bob.body["token"].as_str().unwrap().to_owned();

        let down = silent(&app, platform, json!({"code": "boom"})).await;
        assert_eq!(
            down.status,
            StatusCode::BAD_GATEWAY,
            "{platform}: {:?}",
            down.body
        );
        let wrong = silent(
            &app,
            &format!("{platform}-wrong"),
            json!({"code": "good-carl"}),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::BAD_GATEWAY,
            "{platform}: our secret refused: {:?}",
            wrong.body
        );
        for reply in [&down, &wrong] {
            assert!(
                !reply.error_msg().contains("http"),
                "no URL: {}",
                reply.error_msg()
            );
            assert!(
                !reply.error_msg().contains("secret"),
                "{}",
                reply.error_msg()
            );
        }

        // A registered user links their platform account, then signs in with it.
        let (dan, dan_id) = app
            .register_email(&format!("dan-{platform}@example.com"), "secret123")
            .await;
        let path = if *platform == "wechat" {
            "user-associate"
        } else {
            "user-association"
        };
        let linked = app
            .post(
                &format!("/hserve/v2.4/idp/{platform}/{path}/"),
                Some(&dan),
                json!({"code": "good-dan"}),
            )
            .await;
        assert_eq!(
            linked.status,
            StatusCode::OK,
            "{platform}: {:?}",
            linked.body
        );
        assert_eq!(linked.body["user_id"], dan_id);
        assert_eq!(linked.body["message"], "User associated.");
        assert_eq!(linked.body["openid"], format!("o-{platform}-dan"));
        let as_dan = silent(&app, platform, json!({"code": "good-dan~2"})).await;
        assert_eq!(
            as_dan.body["user_id"], dan_id,
            "{platform}: {:?}",
            as_dan.body
        );
        let taken = app
            .post(
                &format!("/hserve/v2.4/idp/{platform}/{path}/"),
                Some(&bob_token),
                json!({"code": "good-dan~3"}),
            )
            .await;
        assert_eq!(
            taken.status,
            StatusCode::BAD_REQUEST,
            "{platform}: Dan's account is not Bob's to link: {:?}",
            taken.body
        );
        assert!(
            taken.error_msg().starts_with("code") && taken.error_msg().contains("already linked"),
            "the refusal names what the app sent: {}",
            taken.error_msg()
        );
    }

    // WeChat's authenticate/: profile data counts only with its signature.
    let raw = json!({"nickName": "Ann W", "avatarUrl": "https://img.test/a.png"}).to_string();
    let signed = app
        .post(
            "/hserve/v2.5/idp/wechat/authenticate/",
            None,
            json!({"code": "good-eve", "rawData": raw, "signature": signature(&raw, "sk-eve"), "update_userprofile": "overwrite"}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::CREATED, "{:?}", signed.body);
    assert_eq!(signed.body["user_info"]["nickname"], "Ann W");
    let forged = app
        .post(
            "/hserve/v2.5/idp/wechat/authenticate/",
            None,
            json!({"code": "good-mallory", "rawData": raw, "signature": signature(&raw, "guessed")}),
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{:?}", forged.body);
    assert!(
        forged.error_msg().starts_with("signature"),
        "{}",
        forged.error_msg()
    );
    // Bad bodies are a 400 naming the field, never a 500.
    for (body, field) in [
        (json!({}), "code"),
        (json!({"code": 7}), "code"),
        (json!({"code": "good-zed", "rawData": raw}), "signature"),
        (
            json!({"code": "good-zed", "create_user": "yes"}),
            "create_user",
        ),
    ] {
        let r = app
            .post("/hserve/v2.5/idp/wechat/authenticate/", None, body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        assert!(
            r.error_msg().starts_with(field),
            "{body}: {}",
            r.error_msg()
        );
    }
    let browser = app
        .post(
            "/hserve/v2.0/idp/wechat/redirect/",
            None,
            json!({"callback_url": "http://app.test/cb"}),
        )
        .await;
    assert_eq!(
        browser.status,
        StatusCode::BAD_REQUEST,
        "no browser flow: {:?}",
        browser.body
    );
    handle.stop(false).await;
}

/// The SDK's WeChat builds sign in as a mini-program does: `wx.login` gives
/// the code, `loginWithWechat()` and `linkWechat()` send it
/// (`tests/sdk/wechat_login.js`).
async fn the_wechat_sdk_signs_in_with_its_login_code(backend: Backend) {
    let (base, handle) = start_platforms();
    let app = spawn_app_with(backend, |s| {
        s.oauth_providers = providers(&base);
        s.auth_rate_per_minute = 0;
    })
    .await;
    for build in [
        "minapp-sdk",
        "minapp-sdk-3-6",
        "minapp-sdk-2-9",
        "minapp-sdk-2-0",
    ] {
        let codes: Vec<String> = ["a", "a~2", "nobody", "linker", "linker~2"]
            .iter()
            .map(|c| format!("good-{build}-{c}"))
            .collect();
        run_node(
            "tests/sdk",
            "wechat_login.js",
            &[&app.address, build],
            &[("WX_LOGIN_CODES", &codes.join(","))],
            "all steps passed",
        )
        .await;
    }
    handle.stop(false).await;
}

/// The fake Alipay gateway's keys: its own (answers are signed with it, or
/// with `impostor` for codes `good-forged…`) and the app's public key (every
/// request's signature is checked with it).
struct AlipayKeys {
    own: PKey<Private>,
    impostor: PKey<Private>,
    app_public: PKey<Public>,
}

fn rsa_key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

fn pem(key: &PKey<Private>) -> (String, String) {
    (
        String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        String::from_utf8(key.public_key_to_pem().unwrap()).unwrap(),
    )
}

/// The fake `alipay.system.oauth.token`: the request's `RSA2` signature must
/// be the app's; `good-<user>` codes work once; answers are signed.
async fn alipay_gateway(
    form: web::Form<BTreeMap<String, String>>,
    keys: web::Data<AlipayKeys>,
    seen: web::Data<Mutex<Seen>>,
) -> HttpResponse {
    let content = form
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let sign = base64::engine::general_purpose::STANDARD
        .decode(form.get("sign").cloned().unwrap_or_default())
        .unwrap_or_default();
    let mut verifier = Verifier::new(MessageDigest::sha256(), &keys.app_public).unwrap();
    verifier.update(content.as_bytes()).unwrap();
    let error = |sub: &str| {
        HttpResponse::Ok().body(
            json!({"error_response": {"code": "40002", "msg": "Invalid Arguments", "sub_code": sub}, "sign": "x"})
                .to_string(),
        )
    };
    if !verifier.verify(&sign).unwrap_or(false)
        || form.get("method").map(String::as_str) != Some("alipay.system.oauth.token")
    {
        return error("isv.invalid-signature");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    match session_for(
        "alipay",
        form.get("app_id").map_or("", String::as_str),
        "alipay-secret",
        &code,
        &seen,
    ) {
        Err((500, _)) => HttpResponse::InternalServerError().body("down"),
        Err(_) => error("isv.code-invalid"),
        Ok(session) => {
            let user = session["openid"].as_str().unwrap().replace("o-alipay-", "");
            let member = json!({"user_id": format!("2088{user}"), "open_id": format!("open-{user}"), "access_token": "t", "expires_in": 1296000}).to_string();
            let key = if code.starts_with("good-forged") {
                &keys.impostor
            } else {
                &keys.own
            };
            let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
            signer.update(member.as_bytes()).unwrap();
            let sign =
                base64::engine::general_purpose::STANDARD.encode(signer.sign_to_vec().unwrap());
            HttpResponse::Ok().body(format!(
                r#"{{"alipay_system_oauth_token_response":{member},"sign":"{sign}"}}"#
            ))
        }
    }
}

/// Alipay's mini-program sign-in as its SDK sends it: `silent-login/` and
/// `authenticate/` with the `authCode`, linking by `PUT user-associate/`
/// (sent as `POST` with the method override), against a fake gateway that
/// checks our signatures and signs its answers.
async fn alipay_signs_in_with_a_signed_gateway_call(backend: Backend) {
    let (own, impostor, app_key, stranger) = (rsa_key(), rsa_key(), rsa_key(), rsa_key());
    let (app_private, app_public) = pem(&app_key);
    let (_, alipay_public) = pem(&own);
    let keys = web::Data::new(AlipayKeys {
        own,
        impostor,
        app_public: PKey::public_key_from_pem(app_public.as_bytes()).unwrap(),
    });
    let seen = web::Data::new(Mutex::new(Seen::default()));
    let (base, handle) = start_fake(move || {
        App::new()
            .app_data(keys.clone())
            .app_data(seen.clone())
            .route("/gateway.do", web::post().to(alipay_gateway))
    });
    let alipay = |name: &str, secret: String| OAuthProviderSettings {
        name: name.into(),
        kind: ProviderKind::AlipayMiniapp,
        client_id: "alipay-app".into(),
        client_secret: secret,
        token_url: format!("{base}/gateway.do"),
        platform_public_key: alipay_public.clone(),
        ..Default::default()
    };
    let providers = vec![
        alipay("alipay", app_private.clone()),
        alipay("alipay-wrong", pem(&stranger).0),
    ];
    let app = spawn_app_with(backend, move |s| {
        s.oauth_providers = providers;
        s.auth_rate_per_minute = 0;
    })
    .await;

    let first = silent(
        &app,
        "alipay",
        json!({"code": "good-ann", "create_user": true}),
    )
    .await;
    assert_eq!(
        first.status,
        StatusCode::CREATED,
        "Alipay's SDK wants exactly 201: {:?}",
        first.body
    );
    let id = first.body["user_id"].as_i64().unwrap();
    assert_eq!(first.body["alipay_user_id"], "2088ann");
    assert_eq!(
        first.body["user_info"]["_provider"]["alipay"]["user_id"],
        "2088ann"
    );
    let again = app
        .post(
            "/hserve/v2.5/idp/alipay/authenticate/",
            None,
            json!({"code": "good-ann~2", "create_user": true, "update_userprofile": "setnx"}),
        )
        .await;
    assert_eq!(again.body["user_id"], id, "{:?}", again.body);
    let used = silent(&app, "alipay", json!({"code": "good-ann"})).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST, "{:?}", used.body);
    assert!(used.error_msg().starts_with("code"), "{}", used.error_msg());
    let forged = silent(&app, "alipay", json!({"code": "good-forged"})).await;
    assert_eq!(
        forged.status,
        StatusCode::BAD_GATEWAY,
        "an answer Alipay did not sign: {:?}",
        forged.body
    );
    let ours = silent(&app, "alipay-wrong", json!({"code": "good-carl"})).await;
    assert_eq!(
        ours.status,
        StatusCode::BAD_GATEWAY,
        "our key refused: {:?}",
        ours.body
    );
    assert!(!ours.error_msg().contains("http"), "{}", ours.error_msg());

    let (dan, dan_id) = app
        .register_email("dan-alipay@example.com", "secret123")
        .await;
    let linked = app
        .client
        .post(format!(
            "{}/hserve/v2.0/idp/alipay/user-associate/",
            app.address
        ))
        .header("X-Hydrogen-Client-ID", "test")
        .header("Authorization", format!("Hydrogen-r1 {dan}"))
        .header("X-Hydrogen-Request-Method", "PUT")
        .json(&json!({"code": "good-dan", "authorized": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        linked.status(),
        StatusCode::OK,
        "Alipay's SDK wants exactly 200"
    );
    let body: Value = linked.json().await.unwrap();
    assert_eq!(
        (body["user_id"].clone(), body["alipay_user_id"].clone()),
        (json!(dan_id), json!("2088dan"))
    );
    let as_dan = silent(&app, "alipay", json!({"code": "good-dan~2"})).await;
    assert_eq!(as_dan.body["user_id"], dan_id);
    handle.stop(false).await;
}
