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
use serde::{Deserialize, Serialize};

use super::account::Proofs;
use super::body::{field, required, Body};
use super::error::ApiError;
use super::extract::{accept_language, LoggedIn};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::StatusOk;
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

/// The body of the phone flows: a number (in its `region`), the code texted
/// to it or the `verification_token` a verified code gave, a new password,
/// and the proofs an account change may ask for.
#[derive(Debug, Deserialize)]
struct PhoneBody {
    #[serde(default, deserialize_with = "field::text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    region: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    verification_token: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    phone_code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    email_code: Option<String>,
}

impl PhoneBody {
    fn phone(&self, state: &AppState) -> Result<Phone, ApiError> {
        phone(state, &self.phone, &self.region)
    }

    fn code(&self) -> Result<String, ApiError> {
        Ok(required(&self.code, "code")?.to_owned())
    }

    /// The texted `code` or the `verification_token`, one of which is required.
    fn required_proof(&self) -> Result<PhoneProof, ApiError> {
        proof(&self.code, &self.verification_token).ok_or_else(|| {
            InvalidInput::new("code", "is required (or a verification_token)").into()
        })
    }
}

/// A `phone` (read in `region`, or the server's default region).
pub(super) fn phone(
    state: &AppState,
    phone: &Option<String>,
    region: &Option<String>,
) -> Result<Phone, ApiError> {
    Ok(Phone::parse(
        required(phone, "phone")?,
        region.as_deref(),
        state.phone_region,
    )?)
}

/// The texted `code`, else the `verification_token`, if either was sent.
pub(super) fn proof(code: &Option<String>, token: &Option<String>) -> Option<PhoneProof> {
    match (code, token) {
        (Some(code), _) => Some(PhoneProof::Code(code.clone())),
        (None, Some(token)) => Some(PhoneProof::Token(token.clone())),
        (None, None) => None,
    }
}

/// A verified code's one-time token.
#[derive(Debug, Serialize)]
struct VerificationToken {
    verification_token: String,
    expires_in: i64,
}

fn ok() -> HttpResponse {
    HttpResponse::Ok().json(StatusOk::plain())
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let phone = body.0.phone(&state)?;
    state.sms_ip_limit.check(&req).await?;
    let locale = Locale::pick(None, accept_language(&req).as_deref());
    state.sms.send_code(phone, locale).await?;
    Ok(ok())
}

async fn verify_code(
    state: web::Data<AppState>,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let (phone, code) = (body.0.phone(&state)?, body.0.code()?);
    let token = state.sms.verify_code(phone, code).await?;
    Ok(HttpResponse::Ok().json(StatusOk::with(VerificationToken {
        verification_token: token.token.expose().to_owned(),
        expires_in: token.expires_in,
    })))
}

/// `{phone, code}`: is the code right? It stays usable (the try counts).
async fn check_code(
    state: web::Data<AppState>,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let (phone, code) = (body.0.phone(&state)?, body.0.code()?);
    state.sms.check_code(phone, code).await?;
    Ok(ok())
}

async fn verify_current_phone(
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let code = body.0.code()?;
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
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let phone = body.phone(&state)?;
    let proofs = Proofs {
        password: &body.password,
        texted: ("phone_code", &body.phone_code),
        email_code: &body.email_code,
    };
    super::account::prove_if_required(&req, &state, &caller.0, proofs).await?;
    state
        .sms
        .change_phone(&caller.0, phone, body.required_proof()?)
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
    body: Body<PhoneBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    state.auth_limit.check(&req).await?;
    let phone = body.phone(&state)?;
    let proof = body.required_proof()?;
    let password = state
        .password_policy
        .parse("password", required(&body.password, "password")?)?;
    state.sms.reset_password(phone, proof, &password).await?;
    Ok(ok())
}
