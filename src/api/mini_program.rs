//! Mini-program sign-in (WeChat, QQ, ByteDance, Baidu, Alipay): the login
//! code a mini-program gets from its platform traded for a session
//! (`silent-login/`, and `authenticate/` for a mini-program provider), and
//! linked to the signed-in user (`user-associate/`, `user-association/`).
//! The provider routes and their body are in [`super::oauth`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{Map, Value};

use super::body::{required, Body};
use super::error::ApiError;
use super::extract::LoggedIn;
use super::oauth::{open_session, ProviderBody};
use super::wire::StatusOk;
use super::AppState;
use crate::auth::{AuthError, MiniAccount, MiniPlatform, Principal};
use crate::domain::UserId;

/// A mini-program account linked to a user.
#[derive(Debug, Serialize)]
struct Linked {
    message: &'static str,
    user_id: UserId,
    #[serde(flatten)]
    account: PlatformIds,
}

/// The platform's ids of a mini-program account (Alipay's SDK reads the
/// account as `alipay_user_id`).
#[derive(Debug, Serialize)]
struct PlatformIds {
    openid: String,
    unionid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alipay_user_id: Option<String>,
}

impl From<&MiniAccount> for PlatformIds {
    fn from(account: &MiniAccount) -> Self {
        PlatformIds {
            openid: account.openid.clone(),
            unionid: account.unionid.clone(),
            alipay_user_id: (account.platform == MiniPlatform::Alipay)
                .then(|| account.openid.clone()),
        }
    }
}

/// `POST …/idp/:provider/silent-login/` (`{code, create_user}`): a
/// mini-program's sign-in with the login code from its platform.
pub(super) async fn silent_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<ProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    state.auth_limit.check(&req).await?;
    sign_in(&req, &state, &provider, &body.0).await
}

/// A mini-program sign-in's answer: the login object, the user's own
/// profile again as `user_info` (the SDK builds its current user from it)
/// and the platform ids.
#[derive(Debug, Serialize)]
struct MiniSignIn<'a> {
    #[serde(flatten)]
    login: super::wire::LoginObject<'a>,
    user_info: Map<String, Value>,
    #[serde(flatten)]
    account: PlatformIds,
}

/// Signs in with a mini-program's login code: 201 with the session, the
/// user's own profile as `user_info` and the platform ids.
pub(super) async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    provider: &str,
    body: &ProviderBody,
) -> Result<HttpResponse, ApiError> {
    let code = required(&body.code, "code")?;
    let (token, account) = state
        .oauth
        .mini_program_code(provider, code, body.signed_profile()?, None)
        .await?;
    let (session, profile) = open_session(req, state, provider, token.expose(), body).await?;
    Ok(HttpResponse::Created().json(MiniSignIn {
        login: super::wire::login_object(&session, profile.clone()),
        user_info: profile,
        account: PlatformIds::from(&account),
    }))
}

/// Links the mini-program account of a login `code` to the caller (WeChat's
/// `user-associate/`, QQ's, Baidu's and ByteDance's `user-association/`,
/// Alipay's `PUT`): 200 `{status, message, user_id, openid, unionid}`.
pub(super) async fn link(
    req: &HttpRequest,
    state: &AppState,
    caller: &LoggedIn,
    provider: &str,
    body: &ProviderBody,
) -> Result<HttpResponse, ApiError> {
    // Linking is a new way to sign in as the caller: the same proofs as an
    // identifier change under `reauth_account_changes`.
    let proofs = body.proofs(("phone_code", &body.phone_code));
    super::account::prove_if_required(req, state, &caller.0, proofs).await?;
    let Principal::User { id, .. } = &caller.0 else {
        return Err(AuthError::Forbidden("only users link their accounts".into()).into());
    };
    let code = required(&body.code, "code")?;
    let (token, account) = state
        .oauth
        .mini_program_code(provider, code, body.signed_profile()?, Some(id.get()))
        .await?;
    let update = body.profile_update()?;
    let user = state
        .oauth
        .associate(&caller.0, provider, token.expose(), "code", update)
        .await?;
    Ok(HttpResponse::Ok().json(StatusOk::with(Linked {
        message: "User associated.",
        user_id: user,
        account: PlatformIds::from(&account),
    })))
}
