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
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::extract::{
    accept_language, opt_string, require_version, required_string, LoggedIn, MaybeCaller,
};
use super::AppState;
use crate::auth::{Principal, Purpose};
use crate::domain::Email;

const VERSIONS: &[&str] = &["v2.0", "v2.1"];

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{version}/user/email-verify/",
        web::post().to(request_verification),
    )
    .route(
        "/{version}/user/password/reset/",
        web::post().to(request_reset),
    )
    .route(
        "/{version}/user/password/reset/code/",
        web::post().to(reset_with_code),
    )
    .route("/{version}/user/email-code/", web::post().to(send_code))
    .route(
        "/{version}/user/email-code/check/",
        web::post().to(check_code),
    )
    .route(
        "/{version}/user/email-code/verify/",
        web::post().to(verify_with_code),
    )
    .route("/{version}/user/email/", web::post().to(change_with_code));
}

fn check_version(version: &str) -> Result<(), ApiError> {
    require_version(version, VERSIONS)
}

fn ok(status: actix_web::http::StatusCode) -> HttpResponse {
    HttpResponse::build(status).json(json!({"status": "ok"}))
}

/// `{purpose, email?}` of the code endpoints.
fn code_target(body: &Map<String, Value>) -> Result<(Purpose, Option<Email>), ApiError> {
    let purpose = Purpose::parse(required_string(body, "purpose")?)?;
    let email = opt_string(body, "email")?.map(Email::parse).transpose()?;
    Ok((purpose, email))
}

async fn request_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state
        .email
        .request_verification(&caller.0, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state.auth_limit.check(&req).await?;
    let email = Email::parse(required_string(&body, "email")?)?;
    state
        .email
        .request_password_reset(email, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: MaybeCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state.auth_limit.check(&req).await?;
    let (purpose, email) = code_target(&body)?;
    state
        .email
        .send_code(purpose, &caller.0, email, accept_language(&req))
        .await?;
    Ok(ok(actix_web::http::StatusCode::CREATED))
}

async fn check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: MaybeCaller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state.auth_limit.check(&req).await?;
    let (purpose, email) = code_target(&body)?;
    let code = required_string(&body, "code")?.to_owned();
    state
        .email
        .check_code(purpose, &caller.0, email, code)
        .await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

async fn verify_with_code(
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    let code = required_string(&body, "code")?.to_owned();
    state.email.verify_email_with_code(&caller.0, code).await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

async fn reset_with_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state.auth_limit.check(&req).await?;
    let email = Email::parse(required_string(&body, "email")?)?;
    let code = required_string(&body, "code")?.to_owned();
    let password = state
        .password_policy
        .parse("password", required_string(&body, "password")?)?;
    state.email.reset_with_code(email, code, &password).await?;
    Ok(ok(actix_web::http::StatusCode::OK))
}

/// `POST …/user/email/` (`{email, code}`, and the proofs `PUT …/account/`
/// asks for under `reauth_account_changes`): switches the caller to the new
/// address the code was mailed to, verified at once.
async fn change_with_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    check_version(&path.into_inner())?;
    state.auth_limit.check(&req).await?;
    let email = Email::parse(required_string(&body, "email")?)?;
    let code = required_string(&body, "code")?.to_owned();
    // As for the account endpoint: a stolen session alone cannot move the
    // account to an address its thief reads.
    if let (true, Principal::User { id, .. }) = (state.reauth_account_changes, &caller.0) {
        super::account::prove_identity(&state, *id, &body, "phone_code").await?;
    }
    state
        .email
        .change_email_with_code(&caller.0, email.clone(), code, accept_language(&req))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"_email": email.as_str(), "_email_verified": true})))
}
