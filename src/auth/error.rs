//! Errors of the auth layer.

use crate::domain::InvalidInput;
use crate::store::StoreError;

/// An authentication or account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Malformed input.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Unknown account or wrong password (deliberately not saying which).
    #[error("invalid credentials: unknown account or wrong password")]
    InvalidCredentials,
    /// No valid session.
    #[error("not logged in or session expired")]
    Unauthorized,
    /// Logged in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// An identifier is already used by another account.
    #[error("{field}: already taken by another account")]
    Taken {
        /// Wire name: `username`, `email`, `phone`, or the unique profile field.
        field: String,
    },
    /// The account is disabled by an admin.
    #[error("this account is disabled")]
    Disabled,
    /// No such object (an API key, a user) where an admin may know it.
    #[error("{0}")]
    Missing(String),
    /// No such account (only where the API may say so).
    #[error("no account with a verified address like that")]
    NotFound,
    /// The same thing was sent moments ago (`what`: "email: a mail of this
    /// kind", "phone: a code to this number").
    #[error("{what} was sent moments ago; retry in {retry_in} seconds")]
    TooSoon {
        /// What was sent, led by the field it concerns.
        what: &'static str,
        /// Seconds to wait.
        retry_in: i64,
    },
    /// Too many attempts by one subject (`this address`, `this account`).
    #[error("too many attempts from {who}; retry in {retry_in} seconds")]
    TooManyAttempts {
        /// Who made them.
        who: &'static str,
        /// Seconds until the next attempt is counted.
        retry_in: i64,
    },
    /// A sending limit was reached (`message` says which).
    #[error("{message}")]
    Limit {
        /// The limit, led by the field it concerns.
        message: String,
        /// Seconds until one more is allowed.
        retry_in: i64,
    },
    /// A sign-in provider failed or is misconfigured.
    #[error("sign-in provider: {0}")]
    Provider(String),
    /// A message could not be handed to the provider.
    #[error("{0}")]
    Delivery(String),
    /// Every password hashing thread is busy and the queue is full: retry shortly.
    #[error("the server is busy checking passwords; retry in a moment")]
    Busy,
    /// The password hasher failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unique { column } => AuthError::Taken {
                field: match column.as_str() {
                    "_email" => "email".to_owned(),
                    "_phone" => "phone".to_owned(),
                    "_username_key" | "_username" => "username".to_owned(),
                    other => other.to_owned(),
                },
            },
            other => AuthError::Store(other),
        }
    }
}
