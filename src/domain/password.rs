//! Plain-text passwords as they arrive, checked against the length policy.

use super::{InvalidInput, SecretString};

/// Shortest password accepted.
pub const MIN_PASSWORD_BYTES: usize = 6;
/// Longest password accepted (argon2 input stays bounded).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// A password that satisfies the policy; its content never appears in `Debug`.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    /// Parses a new password for `field` (`password` or `new_password`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        if raw.len() < MIN_PASSWORD_BYTES || raw.len() > MAX_PASSWORD_BYTES {
            return Err(InvalidInput::new(
                field,
                format!("must be {MIN_PASSWORD_BYTES} to {MAX_PASSWORD_BYTES} bytes long"),
            ));
        }
        Ok(Self(SecretString::new(raw.to_owned())))
    }

    /// Wraps a password offered at login, where only the upper bound is checked
    /// (an old password may predate the current policy).
    pub fn candidate(field: &str, raw: &str) -> Result<Self, InvalidInput> {
        if raw.is_empty() || raw.len() > MAX_PASSWORD_BYTES {
            return Err(InvalidInput::new(
                field,
                format!("must be 1 to {MAX_PASSWORD_BYTES} bytes long"),
            ));
        }
        Ok(Self(SecretString::new(raw.to_owned())))
    }

    /// The password bytes, for hashing only.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

#[cfg(test)]
#[path = "password_test.rs"]
mod tests;
