//! What admins do to users' accounts: disable and enable them, end their
//! sessions, send them a password reset. Each is audited in its transaction.

use serde_json::json;

use super::email::{EmailService, Purpose};
use super::error::AuthError;
use super::service::AuthService;
use super::session_cache::end_sessions;
use crate::domain::{now_unix, InvalidInput};
use crate::query::SqlValue;
use crate::store::audit::{self, Actor};
use crate::store::object_writes;
use crate::store::users::{self, PROFILE_TABLE};

fn no_user(id: i64) -> AuthError {
    AuthError::Missing(format!("no user {id}"))
}

impl AuthService {
    /// Disables (or enables) user `id`. Disabling ends every session of the
    /// user at once: the session rows go, and every node's session lookup
    /// refuses a disabled user's token. A disabled user cannot log in by any
    /// method.
    pub async fn set_disabled(
        &self,
        id: i64,
        disabled: bool,
        actor: Actor,
    ) -> Result<(), AuthError> {
        let cache = self.sessions.clone();
        self.store
            .transaction(move |conn| {
                let account = users::account(conn, id, true)?.ok_or_else(|| no_user(id))?;
                let was = account.disabled != 0;
                let set = [("_disabled".to_owned(), SqlValue::Bool(disabled))];
                object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
                let ended = if disabled {
                    end_sessions(conn, &cache, id, None)?
                } else {
                    0
                };
                let action = if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                };
                let changes =
                    json!({"_disabled": {"old": was, "new": disabled}, "sessions_ended": ended});
                audit::insert(
                    conn,
                    &actor.entry(action, PROFILE_TABLE, Some(id.to_string()), &changes),
                )?;
                Ok(())
            })
            .await
    }

    /// Ends every session of user `id`; returns how many.
    pub async fn revoke_sessions(&self, id: i64, actor: Actor) -> Result<usize, AuthError> {
        let cache = self.sessions.clone();
        self.store
            .transaction(move |conn| {
                users::account(conn, id, true)?.ok_or_else(|| no_user(id))?;
                let ended = end_sessions(conn, &cache, id, None)?;
                let changes = json!({"sessions_ended": ended});
                audit::insert(
                    conn,
                    &actor.entry(
                        "user.revoke_sessions",
                        PROFILE_TABLE,
                        Some(id.to_string()),
                        &changes,
                    ),
                )?;
                Ok(ended)
            })
            .await
    }
}

impl EmailService {
    /// Mails user `id` a password-reset link (to their address, verified or
    /// not: an admin vouches for it); returns the address.
    pub async fn admin_password_reset(&self, id: i64, actor: Actor) -> Result<String, AuthError> {
        let this = self.clone();
        let email = self
            .store
            .transaction(move |conn| {
                let account = users::account(conn, id, true)?.ok_or_else(|| no_user(id))?;
                let email = account.email.ok_or_else(|| {
                    AuthError::from(InvalidInput::new("email", "the user has no email address"))
                })?;
                let locale = this.user_locale(conn, id, None)?;
                this.mail_link(conn, id, &email, Purpose::ResetPassword, locale)?;
                let changes = json!({"email": email, "at": now_unix()});
                audit::insert(
                    conn,
                    &actor.entry(
                        "user.password_reset",
                        PROFILE_TABLE,
                        Some(id.to_string()),
                        &changes,
                    ),
                )?;
                Ok::<_, AuthError>(email)
            })
            .await?;
        self.outbox.wake();
        Ok(email)
    }
}
