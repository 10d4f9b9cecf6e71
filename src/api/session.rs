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
use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{field, required, Body, BodyOrEmpty};
use super::error::ApiError;
use super::extract::{client_info, MaybeCaller};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::{login_object, Message, StatusOk};
use super::{sms, versions, AppState};
use crate::auth::{Identifier, PhoneProof, ProfileInit, Session, SessionToken};
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

/// A sign-up or sign-in body: the credentials its kind reads and, on
/// sign-up, initial profile fields beside them (`profile`).
#[derive(Debug, Deserialize)]
pub(super) struct SignIn {
    #[serde(default, deserialize_with = "field::text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    username: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) phone: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) region: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    pub(super) verification_token: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    create_user: Option<bool>,
    #[serde(default, deserialize_with = "field::text")]
    device_id: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    platform: Option<String>,
    /// Every other key: initial profile fields.
    #[serde(flatten)]
    profile: Map<String, Value>,
}

impl SignIn {
    /// The kind of a body without one in its path (SDK 2.0.0–2.0.2 post
    /// `{username|email|phone, password}` to `…/v2.0/register/` and `…/login/`).
    fn kind(&self) -> Result<String, ApiError> {
        [
            ("username", &self.username),
            ("email", &self.email),
            ("phone", &self.phone),
        ]
        .into_iter()
        .find(|(_, v)| v.is_some())
        .map(|(k, _)| k.to_owned())
        .ok_or_else(|| ApiError::BadRequest("name one of username, email or phone".into()))
    }

    /// Reads `{<kind>: …}` as a login identifier.
    pub(super) fn identifier(&self, state: &AppState, kind: &str) -> Result<Identifier, ApiError> {
        Ok(match kind {
            "email" => Identifier::Email(Email::parse(required(&self.email, "email")?)?),
            "username" => {
                Identifier::Username(Username::parse(required(&self.username, "username")?)?)
            }
            "phone" => Identifier::Phone(sms::phone(state, &self.phone, &self.region)?),
            _ => return Err(ApiError::NotFound),
        })
    }

    /// The texted `code` or `verification_token`, if either was sent.
    pub(super) fn proof(&self) -> Option<PhoneProof> {
        sms::proof(&self.code, &self.verification_token)
    }

    /// The profile fields (every key but the credential keys), checked as an
    /// update is; what the sign-up transaction then applies.
    fn initial_profile(
        self,
        state: &AppState,
        required: Required,
    ) -> Result<ProfileInit, ApiError> {
        initial_profile(state, self.profile, required)
    }
}

async fn register_by_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: MaybeCaller,
    body: Body<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let kind = body.0.kind()?;
    register(req, state, web::Path::from((version, kind)), caller, body).await
}

async fn login_by_body(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let kind = body.0.kind()?;
    login(
        req,
        state,
        web::Path::from((version, kind)),
        BodyOrEmpty(body.0),
    )
    .await
}

async fn respond(state: &AppState, session: Session) -> Result<HttpResponse, ApiError> {
    let profile = state.records.get_own(session.user_id).await?;
    Ok(HttpResponse::Created().json(login_object(&session, profile)))
}

/// The profile fields of a sign-up body's other keys (less any credential
/// key), checked as an update is.
pub(super) fn initial_profile(
    state: &AppState,
    mut fields: Map<String, Value>,
    required: Required,
) -> Result<ProfileInit, ApiError> {
    fields.retain(|k, _| !CREDENTIAL_KEYS.contains(&k.as_str()));
    Ok(state.records.signup_profile(fields, required)?)
}

async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    caller: MaybeCaller,
    body: Body<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    let body = body.0;
    state.auth_limit.check(&req).await?;
    let ident = body.identifier(&state, &kind)?;
    let password = state
        .password_policy
        .parse("password", required(&body.password, "password")?)?;
    // A phone registration may carry an SMS code or verification_token: the
    // number is then verified.
    let proof = body.proof();
    let init = body.initial_profile(&state, Required::Enforced)?;
    let proven = match (&ident, proof) {
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
    body: BodyOrEmpty<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let (_, kind) = path.into_inner();
    let body = body.0;
    state.auth_limit.check(&req).await?;
    let create_user = body.create_user.unwrap_or(true);
    match kind.as_str() {
        "device" => {
            let device = DeviceId::parse(required(&body.device_id, "device_id")?)?;
            let platform = Platform::parse(required(&body.platform, "platform")?)?;
            let init = body.initial_profile(&state, Required::Enforced)?;
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
            respond(&state, session).await
        }
        "anonymous" => {
            let init = body.initial_profile(&state, Required::Deferred)?;
            let session = state.auth.anonymous_login(client_info(&req), init).await?;
            respond(&state, session).await
        }
        "sms" => {
            let phone = sms::phone(&state, &body.phone, &body.region)?;
            let code = PhoneProof::Code(required(&body.code, "code")?.to_owned());
            let init = body.initial_profile(&state, Required::Enforced)?;
            let session = state
                .sms
                .login(phone, code, create_user, client_info(&req), init)
                .await?;
            respond(&state, session).await
        }
        _ => {
            let ident = body.identifier(&state, &kind)?;
            let password = Password::candidate("password", required(&body.password, "password")?)?;
            let session = state.auth.login(ident, password, client_info(&req)).await?;
            respond(&state, session).await
        }
    }
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
    Ok(HttpResponse::Created().json(StatusOk::with(Message {
        message: "Destroy succeed.",
    })))
}
