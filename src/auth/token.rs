//! Session tokens: 256 random bits, hex on the wire, SHA-256 in storage.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::SecretString;

/// A bearer token as handed to a client. `Debug` hides it.
#[derive(Debug, Clone)]
pub struct SessionToken(SecretString);

impl SessionToken {
    /// A new random token (32 bytes from the OS RNG, hex encoded).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(SecretString::new(hex::encode(bytes)))
    }

    /// A new random token after a recognisable `prefix` (`ptk_…` API keys,
    /// `pts_…` admin sessions).
    pub fn prefixed(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(SecretString::new(format!("{prefix}{}", hex::encode(bytes))))
    }

    /// Wraps a token presented by a client.
    pub fn from_client(raw: &str) -> Self {
        Self(SecretString::new(raw.to_owned()))
    }

    /// The token, to send to its owner once.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The storage key: hex SHA-256 of the token.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.expose().as_bytes()))
    }
}

#[cfg(test)]
#[path = "token_test.rs"]
mod tests;
