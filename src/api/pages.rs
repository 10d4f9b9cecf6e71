//! The pages mailed links open: `GET /verify-email/?token=…` asks the reader
//! to confirm the address with a button, which posts to `POST /verify-email/`
//! (a bare `GET` changes nothing: mail scanners and link previews follow links);
//! `GET /reset-password/?token=…` shows the new-password form, which posts to
//! `POST /reset-password/`; `GET /oauth/:provider/callback/` is where sign-in
//! providers send the browser back. Pages follow the browser's `Accept-Language`.
//!
//! Pages carry strict headers: no caching, no referrer (the token is in the URL),
//! no framing, and a CSP that allows only inline styles and same-origin forms.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::error::ApiError;
use super::extract::accept_language;
use super::AppState;
use crate::auth::{browser_cookie, CallbackOutcome, LinkProblem};
use crate::notify::Locale;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify-email/", web::get().to(verify_form))
        .route("/verify-email/", web::post().to(verify_email))
        .route("/reset-password/", web::get().to(reset_form))
        .route("/reset-password/", web::post().to(reset_submit))
        .route("/oauth/{provider}/start/", web::get().to(oauth_start))
        .route("/oauth/{provider}/callback/", web::get().to(oauth_callback));
}

fn locale(req: &HttpRequest) -> Locale {
    Locale::pick(None, accept_language(req).as_deref())
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .body(body)
}

fn render(
    state: &AppState,
    locale: Locale,
    page: &str,
    status: StatusCode,
    ctx: serde_json::Value,
) -> Result<HttpResponse, ApiError> {
    let mut ctx = ctx;
    if let Some(map) = ctx.as_object_mut() {
        map.insert("app_name".into(), json!(state.app_name));
    }
    let body = state
        .templates
        .page(locale, page, &ctx)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(html(status, body))
}

fn invalid(
    state: &AppState,
    locale: Locale,
    problem: LinkProblem,
) -> Result<HttpResponse, ApiError> {
    let status = match problem {
        LinkProblem::Used | LinkProblem::Expired => StatusCode::GONE,
        LinkProblem::Unknown | LinkProblem::EmailChanged => StatusCode::BAD_REQUEST,
    };
    let reason = state.templates.string(locale, problem.string_key(), &[]);
    render(
        state,
        locale,
        "page_link_invalid",
        status,
        json!({"reason": reason}),
    )
}

fn token(query: &HashMap<String, String>) -> &str {
    query.get("token").map(String::as_str).unwrap_or_default()
}

async fn verify_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    let token = token(&query);
    match state.email.verification_form(token).await? {
        Ok(email) => render(
            &state,
            locale,
            "page_verify_confirm",
            StatusCode::OK,
            json!({
                "email": email, "token": token,
                "action": format!("{}/verify-email/", state.public_path),
            }),
        ),
        Err(problem) => invalid(&state, locale, problem),
    }
}

async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    match state.email.confirm_email(token(&form)).await? {
        Ok(email) => render(
            &state,
            locale,
            "page_verified",
            StatusCode::OK,
            json!({"email": email}),
        ),
        Err(problem) => invalid(&state, locale, problem),
    }
}

/// The password policy in the page's language.
fn policy_text(state: &AppState, locale: Locale) -> String {
    let policy = &state.password_policy;
    let (min, max) = (policy.min_bytes.to_string(), policy.max_bytes.to_string());
    if policy.forbidden.is_empty() {
        state
            .templates
            .string(locale, "policy", &[("min", &min), ("max", &max)])
    } else {
        let chars: Vec<String> = policy.forbidden.chars().map(|c| format!("'{c}'")).collect();
        let chars = chars.join(", ");
        state.templates.string(
            locale,
            "policy_forbidden",
            &[("min", &min), ("max", &max), ("chars", &chars)],
        )
    }
}

fn form_context(
    state: &AppState,
    locale: Locale,
    token: &str,
    email: &str,
    error: Option<String>,
) -> serde_json::Value {
    let policy = &state.password_policy;
    let text = policy_text(state, locale);
    json!({
        "token": token, "email": email, "action": format!("{}/reset-password/", state.public_path), "policy": text,
        "min": policy.min_bytes, "max": policy.max_bytes, "error": error,
    })
}

async fn reset_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    let token = token(&query);
    match state.email.reset_form(token).await? {
        Ok(email) => {
            let ctx = form_context(&state, locale, token, &email, None);
            render(&state, locale, "page_reset_form", StatusCode::OK, ctx)
        }
        Err(problem) => invalid(&state, locale, problem),
    }
}

async fn reset_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let token = field("token");
    let email = match state.email.reset_form(token).await? {
        Ok(email) => email,
        Err(problem) => return invalid(&state, locale, problem),
    };
    let again = |error: String| {
        let ctx = form_context(&state, locale, token, &email, Some(error));
        render(
            &state,
            locale,
            "page_reset_form",
            StatusCode::BAD_REQUEST,
            ctx,
        )
    };
    if field("password") != field("password_confirm") {
        return again(state.templates.string(locale, "passwords_differ", &[]));
    }
    let password = match state.password_policy.parse("password", field("password")) {
        Ok(p) => p,
        Err(_) => return again(policy_text(&state, locale)),
    };
    match state.email.reset_password(token, &password).await? {
        Ok(()) => render(&state, locale, "page_reset_done", StatusCode::OK, json!({})),
        Err(problem) => invalid(&state, locale, problem),
    }
}

/// The browser opens a sign-in the app started: bind it to this browser with a
/// cookie and go on to the provider; a link opened twice, late or made up gets
/// an explanation instead.
async fn oauth_start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    let provider = path.into_inner();
    let flow_state = query.get("state").map(String::as_str).unwrap_or_default();
    match state.oauth.start(&provider, flow_state).await? {
        Some(binding) => {
            let cookie =
                actix_web::cookie::Cookie::build(binding.cookie_name, binding.cookie_value)
                    .path("/oauth/")
                    .http_only(true)
                    .secure(binding.secure)
                    .same_site(actix_web::cookie::SameSite::Lax)
                    .max_age(actix_web::cookie::time::Duration::seconds(binding.max_age))
                    .finish();
            Ok(HttpResponse::Found()
                .cookie(cookie)
                .insert_header(("Location", binding.authorize_url))
                .insert_header(("Cache-Control", "no-store"))
                .insert_header(("Referrer-Policy", "no-referrer"))
                .finish())
        }
        None => bad_oauth_state(&state, locale),
    }
}

fn bad_oauth_state(state: &AppState, locale: Locale) -> Result<HttpResponse, ApiError> {
    let reason = state.templates.string(locale, "oauth_state_invalid", &[]);
    render(
        state,
        locale,
        "page_link_invalid",
        StatusCode::BAD_REQUEST,
        json!({"reason": reason}),
    )
}

/// The browser returns from a sign-in provider: on to the app, or an
/// explanation when the request cannot be matched to one we started in this
/// browser.
async fn oauth_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, ApiError> {
    let locale = locale(&req);
    let provider = path.into_inner();
    let code = query.get("code").cloned();
    let error = query.get("error").cloned();
    let flow_state = query.get("state").map(String::as_str).unwrap_or_default();
    let cookie_name = browser_cookie(flow_state);
    let browser = req.cookie(&cookie_name).map(|c| c.value().to_owned());
    match state
        .oauth
        .callback(&provider, code, flow_state, error, browser.as_deref())
        .await?
    {
        CallbackOutcome::Redirect(url) => {
            let mut gone = actix_web::cookie::Cookie::build(cookie_name, "")
                .path("/oauth/")
                .finish();
            gone.make_removal();
            Ok(HttpResponse::Found()
                .cookie(gone)
                .insert_header(("Location", url))
                .insert_header(("Cache-Control", "no-store"))
                .insert_header(("Referrer-Policy", "no-referrer"))
                .finish())
        }
        CallbackOutcome::BadState => bad_oauth_state(&state, locale),
    }
}
