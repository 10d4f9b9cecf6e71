//! Errors of the notify layer.

/// A notification could not be prepared or configured.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A template is missing or does not render.
    #[error("template {name}: {reason}")]
    Template {
        /// Template name, e.g. `en/verify_email.html`.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// Mail settings are unusable.
    #[error("{key}: {reason}")]
    Config {
        /// Setting name.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
}
