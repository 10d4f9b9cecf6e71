//! Plain-text passwords as they arrive, checked against the password policy.

use super::{InvalidInput, SecretString};

/// Longest password ever accepted, whatever the policy (argon2 input stays bounded).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// What a new password must look like: a length range in bytes (UTF-8) and
/// characters it may not contain. Configured by `password_*` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Fewest bytes.
    pub min_bytes: usize,
    /// Most bytes.
    pub max_bytes: usize,
    /// Characters not allowed (e.g. a space).
    pub forbidden: String,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_bytes: 6,
            max_bytes: 256,
            forbidden: String::new(),
        }
    }
}

impl PasswordPolicy {
    /// Checks the policy itself.
    pub fn check(&self) -> Result<(), String> {
        if self.min_bytes == 0
            || self.min_bytes > self.max_bytes
            || self.max_bytes > MAX_PASSWORD_BYTES
        {
            return Err(format!(
                "need 1 <= password_min_bytes <= password_max_bytes <= {MAX_PASSWORD_BYTES}"
            ));
        }
        Ok(())
    }

    /// The rule in words, for messages: `must be 6 to 20 bytes long and not contain ' '`.
    pub fn describe(&self) -> String {
        let mut rule = format!(
            "must be {} to {} bytes long",
            self.min_bytes, self.max_bytes
        );
        if !self.forbidden.is_empty() {
            let chars: Vec<String> = self.forbidden.chars().map(|c| format!("'{c}'")).collect();
            rule.push_str(&format!(" and not contain {}", chars.join(", ")));
        }
        rule
    }

    /// Parses a new password for `field` (`password`, `new_password`).
    pub fn parse(&self, field: &str, raw: &str) -> Result<Password, InvalidInput> {
        let bad_length = raw.len() < self.min_bytes || raw.len() > self.max_bytes;
        if bad_length || raw.chars().any(|c| self.forbidden.contains(c)) {
            return Err(InvalidInput::new(field, self.describe()));
        }
        Ok(Password(SecretString::new(raw.to_owned())))
    }
}

/// A password; its content never appears in `Debug`.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    /// Wraps a password offered at login or as the current password, where only
    /// the absolute bound is checked (it may predate the current policy).
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
