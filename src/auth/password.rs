//! argon2id password hashing with OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is CPU-bound and takes 19 MiB: callers run it through
//! [`PasswordHasher::hash_blocking`] and [`PasswordHasher::verify_blocking`], which
//! leave the async executor and admit at most two hashes per core at a time, so a
//! flood of logins queues instead of exhausting memory.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

use super::error::AuthError;
use crate::domain::Password;

/// Hashes and verifies passwords. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// A real hash of a random password, verified against when the account is unknown.
    dummy: std::sync::Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasher(argon2id)")
    }
}

impl PasswordHasher {
    /// OWASP's recommended argon2id parameters. Computes the dummy hash once.
    pub fn new() -> Result<Self, AuthError> {
        let params =
            Params::new(19 * 1024, 2, 1, None).map_err(|e| AuthError::Hash(e.to_string()))?;
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(2 * cores));
        let mut hasher = Self {
            params,
            permits,
            dummy: std::sync::Arc::from(""),
        };
        let random = super::token::SessionToken::generate();
        hasher.dummy = std::sync::Arc::from(hasher.hash(random.expose())?);
        Ok(hasher)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// PHC string of `password` with a fresh salt. Blocking.
    pub fn hash(&self, password: &str) -> Result<String, AuthError> {
        self.argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    }

    /// Whether `password` matches `phc`; with no hash, spends the same time on the
    /// dummy hash and answers false. Blocking.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        let target = phc.unwrap_or(&self.dummy);
        let ok = PasswordHash::new(target)
            .map(|parsed| {
                self.argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && phc.is_some()
    }

    /// Waits for a hashing slot.
    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AuthError> {
        self.permits
            .acquire()
            .await
            .map_err(|e| AuthError::Hash(e.to_string()))
    }

    /// [`Self::hash`] on the blocking thread pool.
    pub async fn hash_blocking(&self, password: &Password) -> Result<String, AuthError> {
        let _permit = self.permit().await?;
        let this = self.clone();
        let pw = password.clone();
        tokio::task::spawn_blocking(move || this.hash(pw.expose()))
            .await
            .map_err(|e| AuthError::Hash(e.to_string()))?
    }

    /// [`Self::verify`] on the blocking thread pool.
    pub async fn verify_blocking(
        &self,
        password: &Password,
        phc: Option<String>,
    ) -> Result<bool, AuthError> {
        let _permit = self.permit().await?;
        let this = self.clone();
        let pw = password.clone();
        tokio::task::spawn_blocking(move || this.verify(pw.expose(), phc.as_deref()))
            .await
            .map_err(|e| AuthError::Hash(e.to_string()))
    }
}

#[cfg(test)]
#[path = "password_test.rs"]
mod tests;
