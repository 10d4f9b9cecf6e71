//! The admin API under `/admin/api/`: JSON, the same error bodies as the
//! client API, every request authenticated as an admin credential (an admin
//! session, an API key or the bootstrap token) and checked against the scope
//! its endpoint needs (403 without it; 401 for an unknown, expired or revoked
//! credential). Every write is audited by the service it calls.
//!
//! Reads of users and records run as an admin in the engine, which sees every
//! field; so before a read is handed to it ([`AdminCaller::reader`]), every
//! field named in `expand` is checked against the scope of the type it reads
//! into: a pointer to the user profile (`created_by` included) needs
//! `users:read`, a pointer or a `related` field into a data table needs
//! `records:read`, and a credential without it gets a 403 naming the scope and
//! the field — rather than a shape that silently drops data.

mod files;
mod keys;
mod records;
mod schema;
mod session;
mod users;

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use tracing_actix_web::RequestId;

use super::error::ApiError;
use super::route_table::{self, Doc, Endpoint, Method};
use super::AppState;
use crate::auth::{AdminGrant, Principal, Scope};
use crate::records::Target;
use crate::schema::{Field, ObjectType, PointerTarget, Snapshot, PROFILE_TYPE};
use crate::store::audit::Actor;

/// Where the admin API lives.
pub const SCOPE: &str = "/admin/api";

/// An admin endpoint: unversioned, under [`SCOPE`].
const fn admin_endpoint(
    method: Method,
    path: &'static str,
    handler: fn() -> actix_web::Route,
    doc: Doc,
) -> Endpoint {
    Endpoint::new(method, path, &[], handler, doc)
}

/// Every admin endpoint, in the order they are matched.
static ENDPOINTS: LazyLock<Vec<&'static Endpoint>> = LazyLock::new(|| {
    [
        session::ENDPOINTS,
        users::ENDPOINTS,
        records::ENDPOINTS,
        schema::ENDPOINTS,
        keys::ENDPOINTS,
        files::ENDPOINTS,
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// Every admin endpoint.
pub fn endpoints() -> &'static [&'static Endpoint] {
    &ENDPOINTS
}

/// Registers the admin API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(SCOPE).configure(|cfg| route_table::register_unversioned(cfg, endpoints())),
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

    /// The principal to read `target` as with `expand`, once the credential
    /// is known to hold the scope of every type the expansion reads into
    /// (403 naming the scope and the field otherwise). Names `expand` does
    /// not know, and a table `snapshot` does not have, are left for the
    /// engine to refuse.
    pub fn reader(
        &self,
        snapshot: &Snapshot,
        target: Target<'_>,
        expand: Option<&str>,
    ) -> Result<Principal, ApiError> {
        let object = match target {
            Target::Users => Some(snapshot.profile()),
            Target::Table(key) => snapshot.table(key),
        };
        if let Some(object) = object {
            let names = expand
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty());
            for name in names {
                let Some(field) = object.lookup(name) else {
                    continue;
                };
                for (scope, what) in expansion_scopes(object, field) {
                    self.grant
                        .require_for(scope, &format!("expand={name}, which reads {what}"))?;
                }
            }
        }
        Ok(self.principal())
    }
}

/// The scopes that expanding `field` of `object` reads under, each with what
/// it reads: `users:read` for the user profile, `records:read` for a data
/// table — for a pointer's target (each table a `type_field` may name), and
/// for the table of a `related` field.
fn expansion_scopes(object: &ObjectType, field: &Field) -> Vec<(Scope, String)> {
    let mut types: Vec<String> = Vec::new();
    match &field.pointer {
        Some(PointerTarget::Table(t)) => types.push(t.clone()),
        Some(PointerTarget::ByField(f)) => {
            match object.field(f).and_then(|t| t.enum_values.clone()) {
                Some(tables) => types.extend(tables),
                // The loader requires the enum; without one, assume both kinds.
                None => types.extend([PROFILE_TYPE.to_owned(), format!("the tables {f} names")]),
            }
        }
        None => {}
    }
    if let Some(related) = &field.related {
        types.push(related.table.clone());
    }
    types
        .into_iter()
        .map(|t| {
            if t == PROFILE_TYPE {
                (Scope::UsersRead, "user profiles".to_owned())
            } else {
                (Scope::RecordsRead, format!("records of {t}"))
            }
        })
        .collect()
}

/// Who is asking before any credential is known: the client address
/// (through trusted proxies) and the request id, with no name yet.
pub(super) fn origin(req: &HttpRequest) -> Actor {
    Actor {
        name: String::new(),
        ip: super::extract::client_info(req).ip,
        request_id: req.extensions().get::<RequestId>().map(|r| r.to_string()),
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
        let from = origin(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let grant = state.auth.authenticate_admin(header.as_deref()).await?;
            let actor = Actor {
                name: grant.identity.label(),
                ..from
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
