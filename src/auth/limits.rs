//! Attempt limits every node shares: counted in the database in fixed
//! windows (`store::rate_counters`), so several nodes behind one address do
//! not multiply a budget and parallel requests cannot slip past it.
//!
//! Two uses: attempts per client address (sign-ups, logins, resets, code
//! requests), and the lockout of one login identifier after repeated wrong
//! passwords. A password attempt is counted *before* the password is checked
//! (one atomic upsert), and taken back when it was right: of any number of
//! parallel wrong guesses, at most the limit is ever checked. The lockout
//! counts identifiers whether or not an account has
//! them, so it says nothing about which accounts exist; it lasts at most the
//! rest of its window, and a completed password reset lifts it.

use super::error::AuthError;
use crate::domain::now_unix;
use crate::store::{rate_counters, users, AnyConnection, Store, StoreError};

/// At most `hits` attempts per `seconds`-long window; `hits` 0 is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Attempts allowed in one window.
    pub hits: u32,
    /// The window's length.
    pub seconds: i64,
}

impl Window {
    /// The start of the window holding `now`, and the seconds it has left.
    fn at(self, now: i64) -> (i64, i64) {
        let seconds = self.seconds.max(1);
        let start = now - now.rem_euclid(seconds);
        (start, (start + seconds - now).max(1))
    }
}

/// The shared counters.
#[derive(Debug, Clone)]
pub struct Limits {
    store: Store,
}

impl Limits {
    /// Counters in `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Counts one attempt on `key`; past the window's limit, refuses with the
    /// seconds until the window ends. `who` names the subject in the message
    /// (`this address`).
    pub async fn count(
        &self,
        key: String,
        window: Window,
        who: &'static str,
    ) -> Result<(), AuthError> {
        self.enforce(key, window, who, true).await
    }

    /// Refuses when `key` already reached the window's limit, without counting.
    pub async fn check(
        &self,
        key: String,
        window: Window,
        who: &'static str,
    ) -> Result<(), AuthError> {
        self.enforce(key, window, who, false).await
    }

    /// The attempts on `key` in the current window — after adding this one
    /// when `counting` — refused once they pass the limit.
    async fn enforce(
        &self,
        key: String,
        window: Window,
        who: &'static str,
        counting: bool,
    ) -> Result<(), AuthError> {
        if window.hits == 0 {
            return Ok(());
        }
        let (start, left) = window.at(now_unix());
        let hits = self
            .store
            .run(move |conn| {
                if counting {
                    rate_counters::hit(conn, &key, start)
                } else {
                    // The attempt about to be made counts as one more.
                    rate_counters::hits(conn, &key, start).map(|h| h + 1)
                }
            })
            .await?;
        if hits > i64::from(window.hits) {
            return Err(AuthError::TooManyAttempts {
                who,
                retry_in: left,
            });
        }
        Ok(())
    }

    /// Counts a password attempt on `key` before it is checked, refusing it
    /// past the window's limit; the returned [`Attempt`] is taken back with
    /// [`Limits::take_back`] when the password was right.
    pub async fn attempt(
        &self,
        key: String,
        window: Window,
        who: &'static str,
    ) -> Result<Attempt, AuthError> {
        let (start, _) = window.at(now_unix());
        self.enforce(key.clone(), window, who, true).await?;
        Ok(Attempt { key, start })
    }

    /// Takes back a counted attempt that succeeded or was never checked (best effort: a failure to
    /// take it back leaves one attempt counted, which is logged).
    pub async fn take_back(&self, attempt: Attempt) {
        let Attempt { key, start } = attempt;
        if let Err(e) = self
            .store
            .run(move |conn| rate_counters::unhit(conn, &key, start))
            .await
        {
            tracing::warn!(error = %e, "a successful attempt could not be taken back");
        }
    }

    /// Forgets `keys` (a lockout lifted).
    pub async fn clear(&self, keys: Vec<String>) -> Result<(), StoreError> {
        self.store
            .run(move |conn| {
                for key in &keys {
                    rate_counters::clear(conn, key)?;
                }
                Ok(())
            })
            .await
    }
}

/// A password attempt counted before it was checked.
#[derive(Debug)]
#[must_use = "a successful attempt is taken back with Limits::take_back"]
pub struct Attempt {
    key: String,
    start: i64,
}

/// The lockout key of a login identifier (`email`, `ann@example.com`), as
/// logins name it (usernames lower-cased).
pub fn lockout_key(kind: &str, identifier: &str) -> String {
    format!("login-failures:{kind}:{identifier}")
}

/// Lifts the lockout of every identifier of user `id` (in the transaction of
/// a completed password reset).
pub fn lift_lockout(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    let Some(account) = users::account(conn, id, false)? else {
        return Ok(());
    };
    let keys = [
        account.email.map(|e| lockout_key("email", &e)),
        account
            .username
            .map(|u| lockout_key("username", &u.to_lowercase())),
        account.phone.map(|p| lockout_key("phone", &p)),
    ];
    for key in keys.into_iter().flatten() {
        rate_counters::clear(conn, &key)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "limits_test.rs"]
mod tests;
