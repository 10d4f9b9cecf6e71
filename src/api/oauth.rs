//! Third-party sign-in.
//!
//! `POST /hserve/v2.0/idp/:provider/redirect/` (`{callback_url}` → `redirect_url`),
//! `POST /hserve/v2.0/idp/:provider/authenticate/` (`{auth_token, create_user,
//! update_userprofile}` → login object; also `/v2.3/idp/oauth/:provider/authenticate/`),
//! `POST /hserve/v2.0/idp/:provider/user-association/` (link to the caller; the
//! `auth_token` must come from a `redirect/` the caller made while signed in) and
//! `DELETE` on the same path (unlink). The browser opens
//! `GET /oauth/:provider/start/` (binding the sign-in to it with a cookie) and
//! returns from the provider to `GET /oauth/:provider/callback/` (in `pages`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::account::Proofs;
use super::body::{field, required, Body};
use super::error::ApiError;
use super::extract::{client_info, LoggedIn, MaybeCaller};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::StatusOk;
use super::{versions, AppState};
use crate::auth::{ProfileUpdate, Session, SignedProfile};
use crate::records::Required;

/// An `idp/` endpoint.
const fn idp(
    method: Method,
    path: &'static str,
    handler: fn() -> actix_web::Route,
    doc: Doc,
) -> Endpoint {
    Endpoint::new(method, path, versions::IDP, handler, doc)
}

const AUTHENTICATE: Doc = Doc::new(Tag::SignIn, Auth::Optional, "Sign in with what the provider's page or a mini-program's login gave the app (auth_token, or code and the user's signed profile); creates the user unless create_user is false.")
    .with(details::provider_sign_in);
const NATIVE_TOKEN: Doc = Doc::new(Tag::SignIn, Auth::Optional, "Sign in with an access token (providers with native_token) or an authorization code (providers with native_code) from the provider's own SDK.")
    .with(details::provider_sign_in);
const SILENT_LOGIN: Doc = Doc::new(
    Tag::SignIn,
    Auth::Optional,
    "A mini-program's silent sign-in: the login code alone, the user created when new.",
)
.with(details::provider_sign_in);
const LINK: Doc = Doc::new(
    Tag::SignIn,
    Auth::User,
    "Link the caller's account to the provider's account the body proves.",
)
.with(details::provider_link);
const UNLINK: Doc = Doc::new(
    Tag::SignIn,
    Auth::User,
    "Unlink the caller's account from the provider.",
);

/// Third-party sign-in, under both `idp/{provider}/` and `idp/oauth/{provider}/`.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/idp/{provider}/redirect/",
        versions::IDP,
        || web::route().to(redirect),
        Doc::new(
            Tag::SignIn,
            Auth::Optional,
            "Where to send the browser to sign in with the provider (redirect_url).",
        )
        .with(details::provider_redirect),
    ),
    idp(
        Method::Post,
        "/idp/{provider}/authenticate/",
        || web::route().to(authenticate),
        AUTHENTICATE,
    ),
    idp(
        Method::Post,
        "/idp/{provider}/token/",
        || web::route().to(native_token),
        NATIVE_TOKEN,
    ),
    idp(
        Method::Post,
        "/idp/{provider}/silent-login/",
        || web::route().to(super::mini_program::silent_login),
        SILENT_LOGIN,
    ),
    idp(
        Method::Post,
        "/idp/{provider}/user-associate/",
        || web::route().to(associate),
        LINK,
    ),
    // Alipay's SDK links with PUT.
    idp(
        Method::Put,
        "/idp/{provider}/user-associate/",
        || web::route().to(associate),
        LINK,
    ),
    idp(
        Method::Post,
        "/idp/{provider}/user-association/",
        || web::route().to(associate),
        LINK,
    ),
    idp(
        Method::Delete,
        "/idp/{provider}/user-association/",
        || web::route().to(dissociate),
        UNLINK,
    ),
    idp(
        Method::Post,
        "/idp/oauth/{provider}/authenticate/",
        || web::route().to(authenticate),
        AUTHENTICATE,
    ),
    idp(
        Method::Post,
        "/idp/oauth/{provider}/token/",
        || web::route().to(native_token),
        NATIVE_TOKEN,
    ),
    idp(
        Method::Post,
        "/idp/oauth/{provider}/silent-login/",
        || web::route().to(super::mini_program::silent_login),
        SILENT_LOGIN,
    ),
    idp(
        Method::Post,
        "/idp/oauth/{provider}/user-associate/",
        || web::route().to(associate),
        LINK,
    ),
    idp(
        Method::Put,
        "/idp/oauth/{provider}/user-associate/",
        || web::route().to(associate),
        LINK,
    ),
    idp(
        Method::Post,
        "/idp/oauth/{provider}/user-association/",
        || web::route().to(associate),
        LINK,
    ),
    idp(
        Method::Delete,
        "/idp/oauth/{provider}/user-association/",
        || web::route().to(dissociate),
        UNLINK,
    ),
];

/// The body of the sign-in and link endpoints: the provider's proof (an
/// `auth_token` from `redirect/`, a mini-program's login `code`, a native
/// SDK's `access_token` or `code`), what to do with the profile, the proofs a
/// link may need, and every other key (initial profile fields, a
/// mini-program's signed `rawData`).
#[derive(Debug, Deserialize)]
pub(super) struct ProviderBody {
    #[serde(default, deserialize_with = "field::text")]
    callback_url: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    auth_token: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    create_user: Option<bool>,
    /// `setnx`, `overwrite` or `false` (read by [`ProfileUpdate::parse`]).
    #[serde(default)]
    update_userprofile: Option<Value>,
    #[serde(default, deserialize_with = "field::text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) phone_code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    email_code: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl ProviderBody {
    pub(super) fn profile_update(&self) -> Result<ProfileUpdate, ApiError> {
        Ok(ProfileUpdate::parse(self.update_userprofile.as_ref())?)
    }

    /// The proofs a link may need, the texted code read as `texted`.
    pub(super) fn proofs<'a>(&'a self, texted: (&'static str, &'a Option<String>)) -> Proofs<'a> {
        Proofs {
            password: &self.password,
            texted,
            email_code: &self.email_code,
        }
    }

    /// The profile data a mini-program sends with its platform's signature
    /// (`rawData` and `signature`), if any.
    pub(super) fn signed_profile(&self) -> Result<Option<SignedProfile>, ApiError> {
        match (self.rest.get("rawData"), self.rest.get("signature")) {
            (Some(Value::String(raw)), Some(Value::String(signature))) => Ok(Some(SignedProfile {
                raw_data: raw.clone(),
                signature: signature.clone(),
            })),
            (None | Some(Value::Null), _) => Ok(None),
            _ => Err(ApiError::BadRequest(
                "signature: rawData comes with the platform's signature (both strings)".into(),
            )),
        }
    }
}

/// Where the browser goes to sign in.
#[derive(Debug, Serialize)]
struct RedirectUrl {
    redirect_url: String,
}

async fn redirect(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: MaybeCaller,
    body: Body<ProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    // Each call stores a sign-in state: counted like a login attempt.
    state.auth_limit.check(&req).await?;
    let callback = required(&body.0.callback_url, "callback_url")?;
    let redirect_url = state.oauth.redirect(&provider, callback, &caller.0).await?;
    Ok(HttpResponse::Ok().json(StatusOk::with(RedirectUrl { redirect_url })))
}

async fn authenticate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<ProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    state.auth_limit.check(&req).await?;
    if state.oauth.is_mini_program(&provider) {
        // A mini-program's authenticate/: its login code and signed profile.
        return super::mini_program::sign_in(&req, &state, &provider, &body.0).await;
    }
    let token = required(&body.0.auth_token, "auth_token")?;
    sign_in(&req, &state, &provider, token, &body.0).await
}

/// `POST …/idp/:provider/token/` (`{access_token, …}` or `{code, …}`, with
/// `create_user` and `update_userprofile`): signs in with a token or an
/// authorization code the app got from the provider's own SDK, checked with
/// the provider's user-info endpoint.
async fn native_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<ProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    let body = body.0;
    state.auth_limit.check(&req).await?;
    let token = match (&body.code, &body.access_token) {
        (Some(code), None) => state.oauth.native_code(&provider, code).await?,
        (_, access) => {
            let access = required(access, "access_token")?;
            state.oauth.native_token(&provider, access).await?
        }
    };
    sign_in(&req, &state, &provider, token.expose(), &body).await
}

/// Trades a one-time `auth_token` for a session (creating the user unless
/// `create_user` is false), with the profile fields of the body.
async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    provider: &str,
    token: &str,
    body: &ProviderBody,
) -> Result<HttpResponse, ApiError> {
    let (session, profile) = open_session(req, state, provider, token, body).await?;
    Ok(HttpResponse::Created().json(super::wire::login_object(&session, profile)))
}

/// The session an `auth_token` opens, and the user's own profile.
pub(super) async fn open_session(
    req: &HttpRequest,
    state: &AppState,
    provider: &str,
    token: &str,
    body: &ProviderBody,
) -> Result<(Session, Map<String, Value>), ApiError> {
    let create_user = body.create_user.unwrap_or(true);
    let update = body.profile_update()?;
    // The SDK sends `nickname` for Apple whatever the profile declares: keys the
    // profile does not declare are not sign-up fields here.
    let profile = state.records.live().load();
    let fields: Map<String, Value> = body
        .rest
        .iter()
        .filter(|(k, _)| profile.profile().field(k).is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let init = super::session::initial_profile(state, fields, Required::Enforced)?;
    let session = state
        .oauth
        .authenticate(provider, token, create_user, update, client_info(req), init)
        .await?;
    let profile = state.records.get_own(session.user_id).await?;
    Ok((session, profile))
}

/// `POST …/idp/:provider/user-association/` (`{auth_token}`, and under
/// `reauth_account_changes` the account endpoint's proofs): links the
/// provider account to the caller, a new way to sign in as them.
async fn associate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: LoggedIn,
    body: Body<ProviderBody>,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    let body = body.0;
    if state.oauth.is_mini_program(&provider) {
        return super::mini_program::link(&req, &state, &caller, &provider, &body).await;
    }
    let token = required(&body.auth_token, "auth_token")?;
    let proofs = body.proofs(("code", &body.code));
    super::account::prove_if_required(&req, &state, &caller.0, proofs).await?;
    let update = body.profile_update()?;
    let user = state
        .oauth
        .associate(&caller.0, &provider, token, "auth_token", update)
        .await?;
    Ok(HttpResponse::Ok().json(state.records.get_own(user).await?))
}

async fn dissociate(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    let (_, provider) = path.into_inner();
    let user = state.oauth.dissociate(&caller.0, &provider).await?;
    Ok(HttpResponse::Ok().json(state.records.get_own(user).await?))
}
