//! HTTP: thin actix handlers speaking the Hydrogen client API
//! (extract → parse → service → wire type), plus `/health`.
//!
//! Rules: handlers hold no business logic; [`error`] alone picks statuses;
//! every `/hserve` request passes the client-id check in [`client_check`].

mod account;
mod admin;
mod body;
mod client_address;
mod client_check;
mod console;
mod content;
mod docs;
mod email;
pub mod error;
mod extract;
mod file_categories;
mod file_serving;
mod files;
mod meta;
mod method_override;
mod mini_program;
mod oauth;
mod openapi;
mod pages;
mod query_gate;
mod rate_limit;
mod record_wire;
mod records;
mod request_span;
mod route_table;
mod routes;
mod session;
mod sms;
mod user_info;
mod user_lookup;
mod versions;
mod wire;

use actix_web::{web, HttpResponse};

use std::sync::Arc;

use crate::admin::{AuditLog, OverviewService, SchemaControl};
use crate::auth::{AuthService, EmailService, OAuthService, SmsService};
use crate::domain::{PasswordPolicy, PhoneRegion};
use crate::files::FilesService;
use crate::notify::Templates;
use crate::records::Records;
pub use client_address::TrustedProxies;
pub use openapi::DocumentCache;
pub use query_gate::QueryGate;
pub use rate_limit::RateLimit;
pub use request_span::RequestSpan;

/// Services shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Authentication and accounts.
    pub auth: AuthService,
    /// Rows of every object type: user profiles and data-table records.
    pub records: Records,
    /// The live schema's lifecycle (reloads, errors, history).
    pub schema: SchemaControl,
    /// The audit log.
    pub audit: AuditLog,
    /// The console overview's numbers.
    pub overview: OverviewService,
    /// The OpenAPI document of the current schema version.
    pub openapi: openapi::DocumentCache,
    /// Limits on register and login attempts per address.
    pub auth_limit: RateLimit,
    /// Mailed links and codes.
    pub email: EmailService,
    /// What new passwords must look like.
    pub password_policy: PasswordPolicy,
    /// Page templates.
    pub templates: Arc<Templates>,
    /// Shown on pages.
    pub app_name: String,
    /// SMS codes and phone flows.
    pub sms: SmsService,
    /// Limits on SMS code requests per address.
    pub sms_ip_limit: RateLimit,
    /// Region of phone numbers given without a country code.
    pub phone_region: PhoneRegion,
    /// Proxies whose forwarding headers name the client.
    pub proxies: TrustedProxies,
    /// The cap of list queries running at once per caller.
    pub query_gate: QueryGate,
    /// Limits on user lookups and availability checks per address.
    pub lookup_limit: RateLimit,
    /// Whether `user/available/` answers (it tells whether accounts exist).
    pub availability_check: bool,
    /// Users may be found by a verified email address or phone number.
    pub find_by_contact: bool,
    /// Whether changing a login identifier needs the current password (or a
    /// texted code).
    pub reauth_account_changes: bool,
    /// Sensitive changes need a fresh code as well as the password.
    pub reauth_needs_code: bool,
    /// A new email address is proven by a mailed code before the switch.
    pub email_change_needs_code: bool,
    /// A new phone number is proven by a texted code before the switch.
    pub phone_change_needs_code: bool,
    /// Third-party sign-in.
    pub oauth: OAuthService,
    /// Path of `PROTIUM_PUBLIC_URL` (empty at the root), prefixed to page links.
    pub public_path: String,
    /// Uploaded files.
    pub files: FilesService,
}

/// Largest accepted JSON body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Registers every route. `client_ids` empty accepts any client.
pub fn configure(cfg: &mut web::ServiceConfig, client_ids: Vec<String>) {
    cfg.app_data(json_config())
        .app_data(query_config())
        .app_data(path_config())
        .route("/health/", web::get().to(health))
        .route("/openapi.json/", web::get().to(openapi::openapi_json))
        .route("/docs/", web::get().to(docs::page))
        .configure(console::routes)
        .configure(admin::routes)
        .configure(pages::routes)
        .configure(files::routes)
        .service(
            web::scope("/hserve")
                .wrap(client_check::ClientCheck::new(client_ids))
                .wrap(actix_web::middleware::from_fn(
                    method_override::method_override,
                ))
                .configure(|cfg| route_table::register(cfg, routes::client_endpoints())),
        )
        .default_service(web::to(not_found));
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(wire::StatusOk::plain())
}

/// A 404; for a known client path under a version it is not served at, one
/// naming the versions it is.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, error::ApiError> {
    let unserved =
        route_table::unserved_version(routes::client_endpoints(), req.method(), req.path());
    Err(match unserved {
        Some((version, served)) => error::ApiError::UnknownVersion { version, served },
        None => error::ApiError::NotFound,
    })
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .content_type_required(false)
        .error_handler(|err, _| error::ApiError::BadRequest(format!("request body: {err}")).into())
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err, _| error::ApiError::BadRequest(format!("query string: {err}")).into())
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _| error::ApiError::BadRequest(format!("path: {err}")).into())
}
