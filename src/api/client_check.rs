//! Refuses requests whose `X-Hydrogen-Client-ID` is not configured (when a list is configured).

use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, ResponseError};
use futures_util::future::LocalBoxFuture;

use super::error::ApiError;

/// Header carrying the app's client id.
pub const CLIENT_ID_HEADER: &str = "X-Hydrogen-Client-ID";

/// Middleware factory.
#[derive(Debug, Clone)]
pub struct ClientCheck {
    allowed: Arc<Vec<String>>,
}

impl ClientCheck {
    /// `allowed` empty accepts any client.
    pub fn new(allowed: Vec<String>) -> Self {
        Self {
            allowed: Arc::new(allowed),
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for ClientCheck
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ClientCheckMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ClientCheckMiddleware {
            service: Rc::new(service),
            allowed: self.allowed.clone(),
        }))
    }
}

/// The middleware.
pub struct ClientCheckMiddleware<S> {
    service: Rc<S>,
    allowed: Arc<Vec<String>>,
}

impl<S, B> Service<ServiceRequest> for ClientCheckMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let refused = if self.allowed.is_empty() || req.method() == actix_web::http::Method::OPTIONS
        {
            None
        } else {
            match req
                .headers()
                .get(CLIENT_ID_HEADER)
                .and_then(|v| v.to_str().ok())
            {
                None => Some(format!("{CLIENT_ID_HEADER} header is required")),
                Some(id) if !self.allowed.iter().any(|a| a == id) => {
                    Some(format!("unknown client id '{id}'"))
                }
                Some(_) => None,
            }
        };
        if let Some(msg) = refused {
            let response = ApiError::UnknownClient(msg).error_response();
            return Box::pin(async move { Ok(req.into_response(response).map_into_right_body()) });
        }
        let service = self.service.clone();
        Box::pin(async move {
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}
