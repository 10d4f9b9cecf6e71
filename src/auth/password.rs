//! argon2id password hashing with OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is CPU-bound and takes 19 MiB: it runs on the dedicated threads of
//! [`super::hash_pool`], never on the async executor or the blocking pool, so
//! memory stays bounded and a flood of logins is refused with a 503 instead of
//! queueing without limit.

use argon2::Params;

use super::error::{AuthError, Failure};
use super::hash_pool::{self, HashPool};
use crate::domain::Password;

/// How many hashing threads and how long a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingSettings {
    /// Worker threads; 0 means one per core but one (at least one).
    pub threads: usize,
    /// Jobs that may wait for a worker before new ones are refused.
    pub queue: usize,
}

impl Default for HashingSettings {
    fn default() -> Self {
        Self {
            threads: 0,
            queue: 64,
        }
    }
}

/// Hashes and verifies passwords. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    pool: HashPool,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasher(argon2id, {:?})", self.pool)
    }
}

/// OWASP's recommended argon2id parameters.
pub fn owasp_params() -> Result<Params, AuthError> {
    Params::new(19 * 1024, 2, 1, None).map_err(|e| AuthError::Hash(Failure::of(e)))
}

impl PasswordHasher {
    /// Starts the hashing threads.
    pub fn new(settings: HashingSettings) -> Result<Self, AuthError> {
        let threads = match settings.threads {
            0 => hash_pool::default_threads(),
            n => n,
        };
        let pool = HashPool::start(owasp_params()?, threads, settings.queue)?;
        Ok(Self { pool })
    }

    /// A PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: &Password) -> Result<String, AuthError> {
        self.pool.hash(password).await
    }

    /// Whether `password` matches the PHC string `phc`; with none (an unknown
    /// account), spends the same time and answers false.
    pub async fn verify(
        &self,
        password: &Password,
        phc: Option<String>,
    ) -> Result<bool, AuthError> {
        self.pool.verify(password, phc).await
    }
}

#[cfg(test)]
#[path = "password_test.rs"]
mod tests;
