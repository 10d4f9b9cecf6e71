//! Login names. Unique regardless of case (the database enforces that on `lower(_username)`).

use super::InvalidInput;

/// A username: 1–64 characters of letters, digits, `_`, `-` and `.`;
/// kept as typed, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Parses `raw` (trimmed).
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let value = raw.trim();
        let count = value.chars().count();
        if count == 0 || count > 64 {
            return Err(InvalidInput::new(
                "username",
                "must be 1 to 64 characters long",
            ));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !value.chars().all(allowed) {
            return Err(InvalidInput::new(
                "username",
                "may contain only letters, digits, '_', '-' and '.'",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The username as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "username_test.rs"]
mod tests;
