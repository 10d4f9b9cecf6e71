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
    Provider(#[source] Failure),
    /// A message could not be handed to the provider.
    #[error("{0}")]
    Delivery(String),
    /// Every password hashing thread is busy and the queue is full: retry shortly.
    #[error("the server is busy checking passwords; retry in a moment")]
    Busy,
    /// The password hasher failed.
    #[error("password hashing failed: {0}")]
    Hash(#[source] Failure),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

/// What failed, in the words the error shows, with the library error behind
/// it when there is one: the words stay as they are, the cause is kept for
/// the cause chain in the logs.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct Failure {
    /// The words shown for the failure.
    text: String,
    /// The library error behind it.
    #[source]
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Failure {
    /// A failure with no library error behind it.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            cause: None,
        }
    }

    /// A failure described as `text`, caused by `cause`.
    pub fn caused_by(
        text: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            text: text.into(),
            cause: Some(Box::new(cause)),
        }
    }

    /// A failure described in `cause`'s own words.
    pub fn of(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::caused_by(cause.to_string(), cause)
    }
}

impl From<crate::store::InitError> for AuthError {
    /// A sign-up's profile fields refused, as the account flow reports them.
    fn from(e: crate::store::InitError) -> Self {
        use crate::domain::ProfileRefusal;
        match e {
            crate::store::InitError::Refused(ProfileRefusal::Invalid(i)) => AuthError::Invalid(i),
            crate::store::InitError::Refused(ProfileRefusal::Forbidden(m)) => {
                AuthError::Forbidden(m)
            }
            crate::store::InitError::Refused(ProfileRefusal::Taken { field }) => {
                AuthError::Taken { field }
            }
            crate::store::InitError::Store(s) => AuthError::Store(s),
        }
    }
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::{AuthError, Failure};

    #[test]
    fn a_failure_shows_its_words_and_keeps_its_cause() {
        let cause = std::io::Error::other("no threads left");
        let err = AuthError::Hash(Failure::caused_by("cannot start a hashing thread", cause));
        assert_eq!(
            err.to_string(),
            "password hashing failed: cannot start a hashing thread"
        );
        let kept = err.source().and_then(|failure| failure.source());
        assert_eq!(
            kept.map(ToString::to_string).as_deref(),
            Some("no threads left")
        );
    }

    #[test]
    fn a_failure_in_its_causes_words_reads_as_before() {
        let err = AuthError::Provider(Failure::of(std::io::Error::other("builder error")));
        assert_eq!(err.to_string(), "sign-in provider: builder error");
        assert!(AuthError::Provider(Failure::new("token_url: bad"))
            .source()
            .is_some_and(|failure| failure.source().is_none()));
    }
}
