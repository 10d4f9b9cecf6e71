//! Register, login (password and anonymous) and logout.
//!
//! `POST /hserve/v2.1/register/{email|username|phone}/`,
//! `POST /hserve/v2.1/login/{email|username|phone}/`, `POST /hserve/v2.1/login/sms/`
//! (`{phone, code, create_user}`), `POST /hserve/v2.0/login/anonymous/`,
//! `POST /hserve/v2.0/session/destroy/`. Stale `Authorization` headers are ignored here.
//!
//! Sign-up bodies (`register/*`, and an SMS login that creates the user) may
//! carry initial profile fields as top-level keys beside the credentials.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::extract::{client_info, opt_bool, required_string, MaybeCaller};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::login_object;
use super::{sms, versions, AppState};
use crate::auth::{Identifier, ProfileInit, Session, SessionToken};
use crate::domain::{DeviceId, Email, Password, Platform, Username};
use crate::records::Required;
use crate::schema::CREDENTIAL_KEYS;

/// Sign-up, sign-in and sign-out.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/register/{kind}/",
        versions::SIGN_IN,
        || web::route().to(register),
        Doc::new(Tag::Users, Auth::Optional, "Register by {kind} and password, with initial profile fields beside them.")
            .with(details::register)
            .per_value("kind", &["email", "username", "phone"]),
    ),
    Endpoint::new(
        Method::Post,
        "/login/{kind}/",
        versions::SIGN_IN,
        || web::route().to(login),
        Doc::new(Tag::Users, Auth::Public, "Log in by {kind}: a password for email, username and phone; a texted code for sms (creates the user, with initial profile fields, unless create_user is false); a new device user for anonymous; the same user for the same device_id for device.")
            .with(details::login)
            .per_value("kind", &["email", "username", "phone", "sms", "anonymous", "device"]),
    ),
    Endpoint::new(
        Method::Post,
        "/register/",
        versions::SIGN_IN_BY_BODY,
        || web::route().to(register_by_body),
        Doc::new(Tag::Users, Auth::Optional, "Register by whichever of username, email or phone the body holds (SDK 2.0.0 to 2.0.2).")
            .with(details::sign_in_by_body),
    ),
    Endpoint::new(
        Method::Post,
        "/login/",
        versions::SIGN_IN_BY_BODY,
        || web::route().to(login_by_body),
        Doc::new(Tag::Users, Auth::Public, "Log in by whichever of username, email or phone the body holds (SDK 2.0.0 to 2.0.2).")
            .with(details::sign_in_by_body),
    ),
    Endpoint::new(
        Method::Post,
        "/session/destroy/",
        versions::SIGN_OUT,
        || web::route().to(logout),
        Doc::new(Tag::Users, Auth::Optional, "Log out (always 201).").with(details::logout),
    ),
];

/// The kind of a sign-up or sign-in body without one in its path (SDK
/// 2.0.0–2.0.2 post `{username|email|phone, password}` to `…/v2.0/register/`
/// and `…/login/`).
fn kind_in(body: &Map<String, Value>) -> Result<String, ApiError> {
    ["username", "email", "phone"]
        .into_iter()
        .find(|k| body.get(*k).is_some_and(|v| !v.is_null()))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::BadRequest("name one of username, email or phone".into()))
}

async fn register_by_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: MaybeCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let kind = kind_in(&body)?;
    register(req, state, web::Path::from((version, kind)), caller, body).await
}

async fn login_by_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let kind = kind_in(&body)?;
    login(req, state, web::Path::from((version, kind)), Some(body)).await
}

/// Reads `{<kind>: …}` from the body as a login identifier.
pub(super) fn identifier(
    state: &AppState,
    kind: &str,
    body: &Map<String, Value>,
) -> Result<Identifier, ApiError> {
    Ok(match kind {
        "email" => Identifier::Email(Email::parse(required_string(body, "email")?)?),
        "username" => Identifier::Username(Username::parse(required_string(body, "username")?)?),
        "phone" => Identifier::Phone(sms::phone(state, body)?),
        _ => return Err(ApiError::NotFound),
    })
}

async fn respond(state: &AppState, session: Session) -> Result<HttpResponse, ApiError> {
    let profile = state.records.get_own(session.user_id).await?;
    Ok(HttpResponse::Created().json(login_object(&session, profile)))
}

/// The profile fields of a sign-up body (every key but the credential keys),
/// checked as an update is; what the sign-up transaction then applies.
pub(super) fn initial_profile(
    state: &AppState,
    body: &Map<String, Value>,
    required: Required,
) -> Result<ProfileInit, ApiError> {
    let fields: Map<String, Value> = body
        .iter()
        .filter(|(k, _)| !CREDENTIAL_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(state.records.signup_profile(fields, required)?)
}

async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: MaybeCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    state.auth_limit.check(&req).await?;
    let ident = identifier(&state, &kind, &body)?;
    let password = state
        .password_policy
        .parse("password", required_string(&body, "password")?)?;
    let init = initial_profile(&state, &body, Required::Enforced)?;
    // A phone registration may carry an SMS code or verification_token: the
    // number is then verified.
    let proven = match (&ident, sms::proof(&body)?) {
        (Identifier::Phone(phone), Some(proof)) => {
            state.sms.take_proof(phone.clone(), proof).await?;
            true
        }
        _ => false,
    };
    let session = state
        .auth
        .register(ident, password, &caller.0, client_info(&req), proven, init)
        .await?;
    respond(&state, session).await
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Option<web::Json<Map<String, Value>>>,
) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    state.auth_limit.check(&req).await?;
    let body = body.map(web::Json::into_inner).unwrap_or_default();
    if kind == "device" {
        let device = DeviceId::parse(required_string(&body, "device_id")?)?;
        let platform = Platform::parse(required_string(&body, "platform")?)?;
        let create_user = opt_bool(&body, "create_user", true)?;
        let init = initial_profile(&state, &body, Required::Enforced)?;
        let platform_column = state.records.device_platform_column(platform.as_str())?;
        let (session, _) = state
            .auth
            .device_login(
                device,
                platform,
                create_user,
                client_info(&req),
                init,
                platform_column,
            )
            .await?;
        return respond(&state, session).await;
    }
    if kind == "anonymous" {
        let init = initial_profile(&state, &body, Required::Deferred)?;
        let session = state.auth.anonymous_login(client_info(&req), init).await?;
        return respond(&state, session).await;
    }
    if kind == "sms" {
        let phone = sms::phone(&state, &body)?;
        let code = crate::auth::PhoneProof::Code(required_string(&body, "code")?.to_owned());
        let create_user = opt_bool(&body, "create_user", true)?;
        let init = initial_profile(&state, &body, Required::Enforced)?;
        let session = state
            .sms
            .login(phone, code, create_user, client_info(&req), init)
            .await?;
        return respond(&state, session).await;
    }
    let ident = identifier(&state, &kind, &body)?;
    let password = Password::candidate("password", required_string(&body, "password")?)?;
    let session = state.auth.login(ident, password, client_info(&req)).await?;
    respond(&state, session).await
}

/// Always 201 so the SDK clears its local session, even for an unknown or
/// expired token (HYDROGEN-API.md §2.1).
async fn logout(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Hydrogen-r1 "))
        .map(|t| SessionToken::from_client(t.trim()));
    if let Some(token) = token {
        state.auth.logout(&token).await?;
    }
    Ok(HttpResponse::Created().json(json!({"message": "Destroy succeed.", "status": "ok"})))
}
