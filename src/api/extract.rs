//! Request extractors: the caller's principal and client metadata (bodies
//! are read by [`super::body`]).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::ApiError;
use super::AppState;
use crate::auth::{AuthError, ClientInfo, Principal};

fn authorization(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// The caller: a guest, a user or an admin. A bad or expired token is a 401.
#[derive(Debug)]
pub struct Caller(pub Principal);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let header = authorization(req);
        Box::pin(async move {
            let state = state?;
            let principal = state.auth.authenticate(header.as_deref()).await?;
            if let Principal::User { id, .. } = &principal {
                state.records.touch_active(id.get());
            }
            Ok(Caller(principal))
        })
    }
}

/// A caller who must be logged in (user or admin); guests get 401.
#[derive(Debug)]
pub struct LoggedIn(pub Principal);

impl FromRequest for LoggedIn {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            match caller.await?.0 {
                Principal::Guest => Err(AuthError::Unauthorized.into()),
                p => Ok(LoggedIn(p)),
            }
        })
    }
}

/// The caller of a public endpoint (register, login): a stale or bad token is
/// ignored and the caller treated as a guest.
#[derive(Debug)]
pub struct MaybeCaller(pub Principal);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            match caller.await {
                Ok(c) => Ok(MaybeCaller(c.0)),
                Err(ApiError::Auth(AuthError::Unauthorized)) => Ok(MaybeCaller(Principal::Guest)),
                Err(e) => Err(e),
            }
        })
    }
}

/// The client's address (through trusted proxies) and user agent, kept with
/// sessions and audit entries.
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let ip = match req.app_data::<actix_web::web::Data<super::AppState>>() {
        Some(state) => state.proxies.client(req),
        None => req.peer_addr().map(|a| a.ip()),
    };
    ClientInfo {
        ip: ip.map(|a| a.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// The request's `Accept-Language` header.
pub fn accept_language(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
