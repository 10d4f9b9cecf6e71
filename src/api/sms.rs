//! SMS codes and phone flows.
//!
//! Hydrogen: `POST /hserve/v2.2/sms-verification-code/` (`{phone}`: send a code),
//! `POST /hserve/v1.8/sms-verification-code/verify/` (`{phone, code}`; answers a
//! one-time `verification_token` too), `POST /hserve/v1.8/sms-verification-code/check/`
//! (`{phone, code}`: right or wrong, the code stays usable), `POST /hserve/v2.1/sms-phone-verification/`
//! (`{code}`: verify the caller's phone). SMS login is `POST /hserve/v2.1/login/sms/`
//! (in `session`). Also: `POST /hserve/v2.1/user/phone/` (`{phone, code|verification_token}`:
//! change the caller's phone) and `POST /hserve/v2.0/user/password/reset/phone/`
//! (`{phone, code|verification_token, password}`). Every `phone` may come with a `region`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::extract::{accept_language, opt_string, required_string, LoggedIn};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::{versions, AppState};
use crate::auth::PhoneProof;
use crate::domain::{InvalidInput, Phone};
use crate::notify::Locale;

/// Texted codes and phone flows.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/sms-verification-code/",
        versions::SMS,
        || web::route().to(send_code),
        Doc::new(Tag::Sms, Auth::Public, "Text a code to a phone number.")
            .with(details::sms_send),
    ),
    Endpoint::new(
        Method::Post,
        "/sms-verification-code/verify/",
        versions::SMS,
        || web::route().to(verify_code),
        Doc::new(Tag::Sms, Auth::Public, "Check a code; answers a one-time verification_token.")
            .with(details::sms_code),
    ),
    Endpoint::new(
        Method::Post,
        "/sms-verification-code/check/",
        versions::SMS,
        || web::route().to(check_code),
        Doc::new(Tag::Sms, Auth::Public, "Check a code without using it up (the try counts).")
            .with(details::sms_code),
    ),
    Endpoint::new(
        Method::Post,
        "/sms-phone-verification/",
        versions::SMS,
        || web::route().to(verify_current_phone),
        Doc::new(Tag::Sms, Auth::User, "Verify the caller's own phone number with a texted code.")
            .with(details::sms_verify_own),
    ),
    Endpoint::new(
        Method::Post,
        "/user/phone/",
        versions::SMS,
        || web::route().to(change_phone),
        Doc::new(Tag::Sms, Auth::User, "Switch the caller to a new phone number, proven by a texted code or verification_token.")
            .with(details::phone_change),
    ),
    Endpoint::new(
        Method::Post,
        "/user/password/reset/phone/",
        versions::SMS,
        || web::route().to(reset_password),
        Doc::new(Tag::Sms, Auth::Public, "Set a new password with an SMS code or verification_token.")
            .with(details::sms_reset),
    ),
];

/// `phone` (with the optional `region`) from a body.
pub(super) fn phone(state: &AppState, body: &Map<String, Value>) -> Result<Phone, ApiError> {
    let raw = required_string(body, "phone")?;
    Ok(Phone::parse(
        raw,
        opt_string(body, "region")?,
        state.phone_region,
    )?)
}

/// `code` or `verification_token` from a body.
pub(super) fn proof(body: &Map<String, Value>) -> Result<Option<PhoneProof>, ApiError> {
    Ok(
        match (
            opt_string(body, "code")?,
            opt_string(body, "verification_token")?,
        ) {
            (Some(code), _) => Some(PhoneProof::Code(code.to_owned())),
            (None, Some(token)) => Some(PhoneProof::Token(token.to_owned())),
            (None, None) => None,
        },
    )
}

fn required_proof(body: &Map<String, Value>) -> Result<PhoneProof, ApiError> {
    proof(body)?
        .ok_or_else(|| InvalidInput::new("code", "is required (or a verification_token)").into())
}

fn ok() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let phone = phone(&state, &body)?;
    state.sms_ip_limit.check(&req).await?;
    let locale = Locale::pick(None, accept_language(&req).as_deref());
    state.sms.send_code(phone, locale).await?;
    Ok(ok())
}

/// The `phone` (with its `region`) and `code` of a body.
fn phone_and_code(
    state: &AppState,
    body: &Map<String, Value>,
) -> Result<(Phone, String), ApiError> {
    Ok((
        phone(state, body)?,
        required_string(body, "code")?.to_owned(),
    ))
}

async fn verify_code(
    state: web::Data<AppState>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (phone, code) = phone_and_code(&state, &body)?;
    let token = state.sms.verify_code(phone, code).await?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "ok",
        "verification_token": token.token.expose(),
        "expires_in": token.expires_in,
    })))
}

/// `{phone, code}`: is the code right? It stays usable (the try counts).
async fn check_code(
    state: web::Data<AppState>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let (phone, code) = phone_and_code(&state, &body)?;
    state.sms.check_code(phone, code).await?;
    Ok(ok())
}

async fn verify_current_phone(
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let code = required_string(&body, "code")?.to_owned();
    state.sms.verify_current_phone(&caller.0, code).await?;
    Ok(ok())
}

/// `POST …/user/phone/` (`{phone, code}` for the new number, and the proofs
/// `PUT …/account/` asks for under `reauth_account_changes`, the texted one
/// as `phone_code`): moves the caller to the new number, verified.
async fn change_phone(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let phone = phone(&state, &body)?;
    super::account::prove_if_required(&req, &state, &caller.0, &body, "phone_code").await?;
    state
        .sms
        .change_phone(&caller.0, phone, required_proof(&body)?)
        .await?;
    let user = caller
        .0
        .user_id()
        .ok_or(crate::auth::AuthError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(state.records.get_own(user).await?))
}

async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let phone = phone(&state, &body)?;
    let proof = required_proof(&body)?;
    let password = state
        .password_policy
        .parse("password", required_string(&body, "password")?)?;
    state.sms.reset_password(phone, proof, &password).await?;
    Ok(ok())
}
