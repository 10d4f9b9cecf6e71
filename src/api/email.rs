//! Mailed verification and password reset.
//!
//! Hydrogen: `POST /hserve/v2.0/user/email-verify/` (link to the caller's address)
//! and `POST /hserve/v2.0/user/password/reset/` (`{email}`: reset link).
//! Codes (ThinkSNS+ style): `POST /hserve/v2.0/user/email-code/` (`{purpose, email?}`),
//! `…/email-code/check/` (`{purpose, email?, code}`), `…/email-code/verify/` (`{code}`),
//! `POST /hserve/v2.0/user/password/reset/code/` (`{email, code, password}`).
//! A new address proven by a code mailed to it: `…/email-code/` with
//! `{purpose: "change_email", email}`, then `POST /hserve/v2.1/user/email/`
//! (`{email, code}`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::account::Proofs;
use super::body::{field, required, Body};
use super::error::ApiError;
use super::extract::{accept_language, LoggedIn, MaybeCaller};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::wire::StatusOk;
use super::{versions, AppState};
use crate::auth::{Principal, Purpose};
use crate::domain::Email;

/// Mailed links and codes.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Post,
        "/user/email-verify/",
        versions::EMAIL,
        || web::route().to(request_verification),
        Doc::new(Tag::Email, Auth::User, "Mail the caller a verification link.")
            .with(details::empty_created),
    ),
    Endpoint::new(
        Method::Post,
        "/user/password/reset/",
        versions::EMAIL,
        || web::route().to(request_reset),
        Doc::new(Tag::Email, Auth::Public, "Mail a password-reset link to a verified address.")
            .with(details::email_reset),
    ),
    Endpoint::new(
        Method::Post,
        "/user/password/reset/code/",
        versions::EMAIL,
        || web::route().to(reset_with_code),
        Doc::new(Tag::Email, Auth::Public, "Set a new password with a mailed code.")
            .with(details::email_reset_with_code),
    ),
    Endpoint::new(
        Method::Post,
        "/user/email-code/",
        versions::EMAIL,
        || web::route().to(send_code),
        Doc::new(Tag::Email, Auth::Optional, "Mail a code: verify_email (to your address), reset_password (to email), change_email (to the new address email), reauthenticate (to your verified address).")
            .with(details::email_code),
    ),
    Endpoint::new(
        Method::Post,
        "/user/email-code/check/",
        versions::EMAIL,
        || web::route().to(check_code),
        Doc::new(Tag::Email, Auth::Optional, "Check a mailed code without using it up (the try counts).")
            .with(details::email_code_check),
    ),
    Endpoint::new(
        Method::Post,
        "/user/email-code/verify/",
        versions::EMAIL,
        || web::route().to(verify_with_code),
        Doc::new(Tag::Email, Auth::User, "Verify the caller's address with a verify_email code.")
            .with(details::email_code_check),
    ),
    Endpoint::new(
        Method::Post,
        "/user/email/",
        versions::EMAIL,
        || web::route().to(change_with_code),
        Doc::new(Tag::Email, Auth::User, "Switch the caller to a new address, proven by the change_email code mailed to it (verified at once); under reauth_account_changes also with the password (and a phone_code or email_code with reauth_needs_code).")
            .with(details::email_change),
    ),
];

fn ok(status: actix_web::http::StatusCode) -> HttpResponse {
    HttpResponse::build(status).json(StatusOk::plain())
}

/// The body of the mail flows: what a code is for, the address, the code,
/// a new password, and the proofs a change of address may need.
#[derive(Debug, Deserialize)]
struct MailBody {
    #[serde(default, deserialize_with = "field::text")]
    purpose: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    phone_code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    email_code: Option<String>,
}

impl MailBody {
    /// `{purpose, email?}` of the code endpoints.
    fn code_target(&self) -> Result<(Purpose, Option<Email>), ApiError> {
        let purpose = Purpose::parse(required(&self.purpose, "purpose")?)?;
        let email = self.email.as_deref().map(Email::parse).transpose()?;
        Ok((purpose, email))
    }

    fn email(&self) -> Result<Email, ApiError> {
        Ok(Email::parse(required(&self.email, "email")?)?)
    }

    fn code(&self) -> Result<String, ApiError> {
        Ok(required(&self.code, "code")?.to_owned())
    }
}

/// A changed address, verified.
#[derive(Debug, Serialize)]
struct ChangedEmail<'a> {
    _email: &'a str,
    _email_verified: bool,
}

async fn request_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    state
        .email
        .request_verification(&caller.0, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let email = body.0.email()?;
    state
        .email
        .request_password_reset(email, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let (purpose, email) = body.0.code_target()?;
    state
        .email
        .send_code(purpose, &caller.0, email, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let (purpose, email) = body.0.code_target()?;
    let code = body.0.code()?;
    state
        .email
        .check_code(purpose, &caller.0, email, code)
        .await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

async fn verify_with_code(
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    let code = body.0.code()?;
    state.email.verify_email_with_code(&caller.0, code).await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

async fn reset_with_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let email = body.0.email()?;
    let code = body.0.code()?;
    let password = state
        .password_policy
        .parse("password", required(&body.0.password, "password")?)?;
    state.email.reset_with_code(email, code, &password).await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

/// `POST …/user/email/` (`{email, code}`, and the proofs `PUT …/account/`
/// asks for under `reauth_account_changes`): switches the caller to the new
/// address the code was mailed to, verified at once.
async fn change_with_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: Body<MailBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limit.check(&req).await?;
    let email = body.0.email()?;
    let code = body.0.code()?;
    // As for the account endpoint: a stolen session alone cannot move the
    // account to an address its thief reads.
    if let (true, Principal::User { id, .. }) = (state.reauth_account_changes, &caller.0) {
        let proofs = Proofs {
            password: &body.0.password,
            texted: ("phone_code", &body.0.phone_code),
            email_code: &body.0.email_code,
        };
        super::account::prove_identity(&state, *id, proofs).await?;
    }
    state
        .email
        .change_email_with_code(&caller.0, email.clone(), code, accept_language(&req))
        .await?;
    Ok(HttpResponse::Ok().json(ChangedEmail {
        _email: email.as_str(),
        _email_verified: true,
    }))
}
