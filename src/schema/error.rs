//! Errors of the schema layer: always a file and a JSON pointer.

use std::path::PathBuf;

/// A schema file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("schema file {}: at '{pointer}': {message}", file.display())]
pub struct SchemaError {
    /// The offending file.
    pub file: PathBuf,
    /// JSON pointer to the fault inside the file (`""` for the whole document).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl SchemaError {
    /// Builds an error.
    pub fn new(
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}
