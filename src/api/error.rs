//! The one place where errors become HTTP statuses and Hydrogen error bodies
//! (`{"status":"error","error_msg":…}`). A 5xx never shows internals; its whole
//! cause chain is logged instead.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::auth::AuthError;
use crate::domain::InvalidInput;
use crate::files::FilesError;
use crate::query::QueryError;
use crate::records::RecordsError;
use crate::store::StoreError;

/// Seconds a client is asked to wait after a 503 (the pool or the password
/// hashing queue is full; both drain within moments).
const RETRY_AFTER_BUSY: &str = "1";

/// Hydrogen's error body.
#[derive(Debug, serde::Serialize)]
struct ErrorBody {
    status: &'static str,
    error_msg: String,
}

/// Any failure of a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// From the auth layer.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// From the records layer.
    #[error(transparent)]
    Records(#[from] RecordsError),
    /// From the files layer.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// Malformed request (body, path, query).
    #[error("{0}")]
    BadRequest(String),
    /// Missing or unknown `X-Hydrogen-Client-ID`.
    #[error("{0}")]
    UnknownClient(String),
    /// No route.
    #[error("Not found.")]
    NotFound,
    /// A known path under an API version it is not served under.
    #[error("API version {version} is not served here; this endpoint answers under {served}")]
    UnknownVersion {
        /// The version asked for (cut short).
        version: String,
        /// The versions served, comma separated.
        served: String,
    },
    /// A server-side fault outside the layers' own errors (e.g. a page template).
    #[error("{0}")]
    Internal(String),
    /// The caller already has this many list queries running.
    #[error(
        "too many queries at once: at most {0} of yours run together; retry when one has finished"
    )]
    TooManyQueries(usize),
}

impl From<InvalidInput> for ApiError {
    fn from(e: InvalidInput) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Pool(_) | StoreError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        StoreError::Rejected { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// Whether a statement was stopped by its time budget.
    fn is_timeout(&self) -> bool {
        matches!(
            self,
            ApiError::Records(RecordsError::Store(StoreError::Timeout))
                | ApiError::Auth(AuthError::Store(StoreError::Timeout))
        )
    }

    /// Seconds a refused client should wait, for the `Retry-After` of a 429.
    fn retry_in(&self) -> Option<u64> {
        match self {
            ApiError::Auth(
                AuthError::TooSoon { retry_in, .. }
                | AuthError::Limit { retry_in, .. }
                | AuthError::TooManyAttempts { retry_in, .. },
            ) => Some(u64::try_from(*retry_in).unwrap_or(1).max(1)),
            ApiError::TooManyQueries(_) => Some(1),
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnknownClient(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound | ApiError::UnknownVersion { .. } => StatusCode::NOT_FOUND,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::TooManyQueries(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Auth(e) => match e {
                AuthError::Invalid(_) | AuthError::InvalidCredentials | AuthError::Taken { .. } => {
                    StatusCode::BAD_REQUEST
                }
                AuthError::Unauthorized => StatusCode::UNAUTHORIZED,
                AuthError::NotFound | AuthError::Missing(_) => StatusCode::NOT_FOUND,
                AuthError::Disabled => StatusCode::FORBIDDEN,
                AuthError::TooSoon { .. }
                | AuthError::Limit { .. }
                | AuthError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                AuthError::Delivery(_) | AuthError::Provider(_) => StatusCode::BAD_GATEWAY,
                AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
                AuthError::Hash(_) => StatusCode::INTERNAL_SERVER_ERROR,
                AuthError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                AuthError::Store(s) => store_status(s),
            },
            ApiError::Files(e) => match e {
                FilesError::Invalid(_) => StatusCode::BAD_REQUEST,
                FilesError::NotFound => StatusCode::NOT_FOUND,
                FilesError::TooLarge { .. } | FilesError::Quota(_) => StatusCode::PAYLOAD_TOO_LARGE,
                FilesError::TooManyPending(_) => StatusCode::TOO_MANY_REQUESTS,
                FilesError::Storage(_) | FilesError::Objects(_) | FilesError::OtherDisk { .. } => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
                FilesError::Store(s) => store_status(s),
            },
            ApiError::Records(e) => match e {
                RecordsError::Invalid(_)
                | RecordsError::Query(_)
                | RecordsError::Taken { .. }
                | RecordsError::Limit(_) => StatusCode::BAD_REQUEST,
                RecordsError::Forbidden(_) => StatusCode::FORBIDDEN,
                RecordsError::Unauthorized => StatusCode::UNAUTHORIZED,
                RecordsError::NotFound | RecordsError::NoTable(_) => StatusCode::NOT_FOUND,
                RecordsError::Gone(_) => StatusCode::GONE,
                RecordsError::Store(s) => store_status(s),
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = if self.is_timeout() {
            "The query took longer than the server allows and was stopped: filter on an indexed \
             field, ask for fewer rows, or leave out the total count."
                .to_owned()
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            "The service is busy; retry shortly.".to_owned()
        } else if status == StatusCode::BAD_GATEWAY {
            self.to_string()
        } else if status.is_server_error() {
            tracing::error!(error = %self, cause = ?self, "request failed");
            "Internal server error.".to_owned()
        } else if status == StatusCode::NOT_FOUND
            && !matches!(
                self,
                ApiError::Auth(AuthError::NotFound | AuthError::Missing(_))
                    | ApiError::Records(RecordsError::NoTable(_))
                    | ApiError::UnknownVersion { .. }
            )
        {
            "Not found.".to_owned()
        } else {
            self.to_string()
        };
        if status.is_client_error() {
            tracing::debug!(status = status.as_u16(), "{message}");
        }
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER_BUSY));
        }
        if let Some(seconds) = self.retry_in() {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(ErrorBody {
            status: "error",
            error_msg: message,
        })
    }
}
