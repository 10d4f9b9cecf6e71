//! The single error type of the domain layer.

/// An input value broke a rule. `field` is the wire name of the input,
/// `rule` a short human sentence saying what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct InvalidInput {
    /// The wire name of the offending field.
    pub field: String,
    /// What the value must look like.
    pub rule: String,
}

impl InvalidInput {
    /// Builds an error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

/// Why the profile fields sent with a sign-up were refused: the records layer
/// decides, the account flow that runs the sign-up reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileRefusal {
    /// A field broke its rule.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// A field the caller may not set.
    #[error("{0}")]
    Forbidden(String),
    /// A unique field's value is another user's.
    #[error("{field} is taken")]
    Taken {
        /// The field.
        field: String,
    },
}
