//! Errors of the schema layer: always a file and a JSON pointer.

use std::path::PathBuf;

/// A schema file that cannot be used.
#[derive(Debug, thiserror::Error)]
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

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.display();
        if self.file.extension().is_some_and(|x| x == "json") {
            write!(
                f,
                "schema file {file}: at '{}': {}",
                self.pointer, self.message
            )
        } else {
            write!(f, "schema directory {file}: {}", self.message)
        }
    }
}
