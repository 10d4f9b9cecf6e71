//! A small in-process cache of resolved sessions, so an authenticated request
//! usually costs no database round trip for its token.
//!
//! Rules: an entry is trusted for at most [`SessionCache::TTL`] (under a
//! second), so a session ended on another node — logout, a password change, an
//! admin disabling the user — is refused everywhere within a second; on this
//! node the flows that end sessions forget the user's entries at once. The
//! cache is bounded: when full, stale entries go, and if none are stale it
//! starts afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A resolved session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachedSession {
    /// The user.
    pub user_id: i64,
    /// Logged in anonymously.
    pub anonymous: bool,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug)]
struct Entry {
    session: CachedSession,
    checked: Instant,
}

/// The cache; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct SessionCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    capacity: usize,
}

impl Default for SessionCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl SessionCache {
    /// How long a resolved session is trusted without asking the database.
    pub const TTL: Duration = Duration::from_millis(900);

    /// A cache of at most `capacity` sessions.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// The session stored under `token_hash`, if resolved less than [`Self::TTL`] ago.
    pub fn get(&self, token_hash: &str) -> Option<CachedSession> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token_hash)
            .filter(|e| e.checked.elapsed() < Self::TTL)
            .map(|e| e.session)
    }

    /// Remembers a session just resolved from the database.
    pub fn put(&self, token_hash: String, session: CachedSession) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity {
            entries.retain(|_, e| e.checked.elapsed() < Self::TTL);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            token_hash,
            Entry {
                session,
                checked: Instant::now(),
            },
        );
    }

    /// Forgets one session (logout).
    pub fn forget(&self, token_hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(token_hash);
        }
    }

    /// Forgets every session of `user_id` (password change, reset, disabling,
    /// revocation, deletion).
    pub fn forget_user(&self, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.session.user_id != user_id);
        }
    }
}

#[cfg(test)]
#[path = "session_cache_test.rs"]
mod tests;

/// Ends every session of `user_id` but `keep` (a token hash) in the database and
/// forgets them in `cache`: this node refuses them at once, other nodes within
/// [`SessionCache::TTL`].
pub fn end_sessions(
    conn: &mut crate::store::AnyConnection,
    cache: &SessionCache,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, crate::store::StoreError> {
    cache.forget_user(user_id);
    crate::store::delete_sessions_of_user(conn, user_id, keep)
}
