//! Device logins: the id an app gives its installation, and the platform.

use super::InvalidInput;
use crate::domain::SecretString;

/// An installation's id. It signs the device's user in, so it works like a
/// credential: 16 to 128 characters of letters, digits and `._:-` (a random
/// id the app generates once per installation), kept only hashed.
#[derive(Debug, Clone)]
pub struct DeviceId(SecretString);

impl DeviceId {
    /// Parses the `device_id` of a login body.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
        if !(16..=128).contains(&raw.len()) || !ok_chars {
            return Err(InvalidInput::new(
                "device_id",
                "must be 16 to 128 characters of letters, digits and ._:- (a random id per installation)",
            ));
        }
        Ok(Self(SecretString::new(raw.to_owned())))
    }

    /// The stored form: hex SHA-256.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.0.expose().as_bytes()))
    }
}

/// The device's platform (`ios`, `android`, `web`, …): 1 to 16 characters of
/// a-z, 0-9 and `_`, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform(String);

impl Platform {
    /// Parses the `platform` of a login body.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let lower = raw.trim().to_ascii_lowercase();
        let ok = (1..=16).contains(&lower.len())
            && lower
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(InvalidInput::new(
                "platform",
                "must be 1 to 16 characters of a-z, 0-9 and _, e.g. ios or android",
            ));
        }
        Ok(Self(lower))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[path = "device_test.rs"]
mod tests;
