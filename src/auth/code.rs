//! Six-digit codes sent by mail or SMS: drawn from the OS RNG, stored only as
//! HMAC-SHA256 under a random key kept in `server_secrets` (so every node
//! computes the same digest), and compared in constant time.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::store::{self, Store, StoreError};

/// A fresh code, `000000` to `999999`.
pub(crate) fn new_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The keyed digest of codes; cheap to clone.
#[derive(Clone)]
pub(crate) struct CodeKey(Hmac<Sha256>);

impl CodeKey {
    /// Reads the key `name` from `server_secrets`, creating it on first use.
    pub(crate) fn load(store: &Store, name: &str) -> Result<Self, StoreError> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        let key = store.run_blocking(|conn| store::secrets::get_or_create(conn, name, &fresh))?;
        <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
            .map(CodeKey)
            .map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))
    }

    /// Hex HMAC of `code` bound to `context` (what the code is for and whom).
    pub(crate) fn digest(&self, context: &str, code: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(format!("{context}:{code}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `code` (surrounding spaces ignored) is the one stored as `stored`.
    pub(crate) fn matches(&self, context: &str, code: &str, stored: &str) -> bool {
        bool::from(
            self.digest(context, code.trim())
                .as_bytes()
                .ct_eq(stored.as_bytes()),
        )
    }
}

#[cfg(test)]
#[path = "code_test.rs"]
mod tests;
