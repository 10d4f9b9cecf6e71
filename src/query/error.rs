//! Errors of the query layer: always the parameter and what is wrong with it.

/// A query the client sent cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct QueryError {
    /// The query parameter (`where`, `order_by`, `keys`, `limit`, `offset`).
    pub param: String,
    /// What is wrong, naming the field or operator.
    pub message: String,
}

impl QueryError {
    /// Builds an error.
    pub fn new(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            param: param.into(),
            message: message.into(),
        }
    }
}
