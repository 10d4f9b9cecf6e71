//! The admin API under `/admin/api/`: JSON, the same error bodies as the
//! client API, every request authenticated as an admin credential (an admin
//! session, an API key or the bootstrap token) and checked against the scope
//! its endpoint needs (403 without it; 401 for an unknown, expired or revoked
//! credential). Every write is audited by the service it calls.

mod keys;
mod records;
mod schema;
mod session;
mod users;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use tracing_actix_web::RequestId;

use super::error::ApiError;
use super::AppState;
use crate::auth::{AdminGrant, Principal, Scope};
use crate::store::audit::Actor;

/// Registers the admin API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin/api")
            .configure(session::routes)
            .configure(users::routes)
            .configure(records::routes)
            .configure(schema::routes)
            .configure(keys::routes),
    );
}

/// An authenticated admin request: the credential and the audit actor.
#[derive(Debug)]
pub struct AdminCaller {
    /// The credential and its scopes.
    pub grant: AdminGrant,
    /// Who to name in the audit log, with the address and request id.
    pub actor: Actor,
}

impl AdminCaller {
    /// 403 unless the credential holds `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        Ok(self.grant.require(scope)?)
    }

    /// The principal the engine reads as (an admin).
    pub fn principal(&self) -> Principal {
        Principal::Admin(self.grant.identity.clone())
    }
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let ip = super::extract::client_info(req).ip;
        let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let grant = state.auth.authenticate_admin(header.as_deref()).await?;
            let actor = Actor {
                name: grant.identity.label(),
                ip,
                request_id,
            };
            Ok(AdminCaller { grant, actor })
        })
    }
}

/// Parses a positive integer id from a path.
fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ApiError::NotFound)
}
