//! Errors of the records layer.

use crate::domain::InvalidInput;
use crate::query::QueryError;
use crate::store::StoreError;

/// A record operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// A field value breaks the schema.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// A query parameter is unusable.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Login required.
    #[error("login required")]
    Unauthorized,
    /// No such record (or not visible).
    #[error("not found")]
    NotFound,
    /// No such table.
    #[error("no table named '{0}'")]
    NoTable(String),
    /// A per-owner limit is reached.
    #[error("{0}")]
    Limit(String),
    /// A unique field's value is taken.
    #[error("{field}: already taken")]
    Taken {
        /// The field.
        field: String,
    },
    /// A change-feed position older than the deletions kept (the client
    /// must list the table again).
    #[error("{0}")]
    Gone(String),
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for RecordsError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unique { column } => RecordsError::Taken { field: column },
            other => RecordsError::Store(other),
        }
    }
}
