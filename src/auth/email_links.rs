//! Mailed links: verifying an address, resetting a password, and the notices
//! of an email change. Link tokens are 256 random bits stored as SHA-256,
//! used once, and only while the account still has the address they went to.

use serde_json::json;

use super::email::{mark_verified, own_address, EmailService, LinkProblem, Purpose};
use super::error::AuthError;
use super::limits::lift_lockout;
use super::principal::{registered_user, Principal};
use super::session_cache::end_sessions;
use super::token::SessionToken;
use super::verdict::Verdict;
use crate::domain::{now_unix, Email, Password, UserId};
use crate::notify::Locale;
use crate::store::users;
use crate::store::verification::{self as ver, NewLinkToken};
use crate::store::{self, AnyConnection, StoreError};

impl EmailService {
    /// Mails a verification link to the caller's email address.
    #[tracing::instrument(skip(self, caller))]
    pub async fn request_verification(
        &self,
        caller: &Principal,
        accept_language: Option<String>,
    ) -> Result<(), AuthError> {
        let id = registered_user(caller, "using email features")?;
        let this = self.clone();
        self.transaction(move |conn| {
            let email = match own_address(conn, id, false)? {
                Verdict::Proceed(email) => email,
                Verdict::Refuse(why) => return Ok(Verdict::Refuse(why)),
            };
            if let Verdict::Refuse(why) = this.cooldown(conn, id, Purpose::VerifyEmail)? {
                return Ok(Verdict::Refuse(why));
            }
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            this.mail_link(conn, id, &email, Purpose::VerifyEmail, locale)?;
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Uses a verification link: marks the address verified. Returns the address.
    pub async fn confirm_email(
        &self,
        token: &str,
    ) -> Result<Result<String, LinkProblem>, AuthError> {
        let hash = SessionToken::from_client(token).hash();
        /// Why the link's use was undone.
        enum Undone {
            EmailChanged,
            Failed(StoreError),
        }
        impl From<StoreError> for Undone {
            fn from(e: StoreError) -> Self {
                Undone::Failed(e)
            }
        }
        let outcome = self
            .store
            .transaction(move |conn| {
                let now = now_unix();
                let link = match use_link(conn, &hash, Purpose::VerifyEmail, now)? {
                    Verdict::Proceed(link) => link,
                    Verdict::Refuse(problem) => return Ok(Verdict::Refuse(problem)),
                };
                if !mark_verified(conn, link.user_id, &link.email)? {
                    // The address changed between the check and the update: undo the use.
                    return Err(Undone::EmailChanged);
                }
                Ok(Verdict::Proceed(link.email))
            })
            .await;
        match outcome {
            Ok(verdict) => Ok(verdict.into_result()),
            Err(Undone::EmailChanged) => Ok(Err(LinkProblem::EmailChanged)),
            Err(Undone::Failed(other)) => Err(other.into()),
        }
    }

    /// Mails a password-reset link to `email` when it belongs to an account with
    /// a verified address. Otherwise answers as `password_reset_unknown` says.
    #[tracing::instrument(skip(self, email))]
    pub async fn request_password_reset(
        &self,
        email: Email,
        accept_language: Option<String>,
    ) -> Result<(), AuthError> {
        let this = self.clone();
        self.transaction(move |conn| {
            let Some(id) = this.verified_owner(conn, &email)? else {
                // Said in the log only: the answer must not tell.
                tracing::debug!(
                    email = email.as_str(),
                    "no reset mail sent: no account has this address verified"
                );
                return Ok(this.unknown_address());
            };
            if let Verdict::Refuse(why) = this.cooldown(conn, id, Purpose::ResetPassword)? {
                tracing::debug!(email = email.as_str(), "no reset mail sent: {why}");
                // Without enumeration, a known address must look like any other.
                return Ok(if this.settings.reset_unknown_is_404 {
                    Verdict::Refuse(why)
                } else {
                    Verdict::Proceed(())
                });
            }
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            this.mail_link(conn, id, email.as_str(), Purpose::ResetPassword, locale)?;
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Checks a verification link without using it; returns the address it is
    /// for (the page a link opens asks before it verifies: mail scanners
    /// follow links).
    pub async fn verification_form(
        &self,
        token: &str,
    ) -> Result<Result<String, LinkProblem>, AuthError> {
        let hash = SessionToken::from_client(token).hash();
        Ok(self
            .store
            .run(move |conn| usable_link(conn, &hash, Purpose::VerifyEmail, now_unix()))
            .await?
            .map(|link| link.email)
            .into_result())
    }

    /// Checks a reset link without using it; returns the address it is for.
    pub async fn reset_form(&self, token: &str) -> Result<Result<String, LinkProblem>, AuthError> {
        let hash = SessionToken::from_client(token).hash();
        Ok(self
            .store
            .run(move |conn| usable_link(conn, &hash, Purpose::ResetPassword, now_unix()))
            .await?
            .map(|link| link.email)
            .into_result())
    }

    /// Uses a reset link: sets the password and ends every session of the user.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &Password,
    ) -> Result<Result<(), LinkProblem>, AuthError> {
        let hash = SessionToken::from_client(token).hash();
        let new_hash = self.hasher.hash(password).await?;
        let cache = self.sessions.clone();
        let verdict = self
            .store
            .transaction(move |conn| -> Result<_, StoreError> {
                let now = now_unix();
                let link = match use_link(conn, &hash, Purpose::ResetPassword, now)? {
                    Verdict::Proceed(link) => link,
                    Verdict::Refuse(problem) => return Ok(Verdict::Refuse(problem)),
                };
                store::set_password_hash(conn, link.user_id, &new_hash, now)?;
                end_sessions(conn, &cache, link.user_id, None)?;
                lift_lockout(conn, link.user_id)?;
                Ok(Verdict::Proceed(()))
            })
            .await?;
        Ok(verdict.into_result())
    }

    /// After an email change: a verification link to the new address and a
    /// notice to the old one.
    pub async fn email_changed(
        &self,
        user_id: UserId,
        old: Option<String>,
        new: String,
        accept_language: Option<String>,
    ) -> Result<(), AuthError> {
        let id = user_id.get();
        let this = self.clone();
        self.transaction(move |conn| {
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            this.mail_link(conn, id, &new, Purpose::VerifyEmail, locale)?;
            if let Some(old) = old {
                let ctx =
                    json!({"app_name": this.settings.app_name, "email": old, "new_email": new});
                this.queue(conn, &old, locale, "email_changed", &ctx)?;
            }
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Stores a link token and queues its mail.
    pub(super) fn mail_link(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        email: &str,
        purpose: Purpose,
        locale: Locale,
    ) -> Result<(), StoreError> {
        let now = now_unix();
        let token = SessionToken::generate();
        let (path, ttl, template) = match purpose {
            Purpose::VerifyEmail => ("verify-email", self.settings.link_ttl, "verify_email"),
            Purpose::ResetPassword => ("reset-password", self.settings.reset_ttl, "reset_password"),
            Purpose::ChangeEmail | Purpose::Reauthenticate => {
                return Err(StoreError::Corrupt(format!(
                    "no link is mailed for {}",
                    purpose.as_str()
                )))
            }
        };
        ver::insert_link(
            conn,
            &NewLinkToken {
                token_hash: token.hash(),
                user_id: id,
                purpose: purpose.as_str().into(),
                email: email.to_owned(),
                created_at: now,
                expires_at: now + ttl,
            },
        )?;
        let link = format!(
            "{}/{path}/?token={}",
            self.settings.public_url,
            token.expose()
        );
        let ctx = json!({
            "app_name": self.settings.app_name, "email": email, "link": link,
            "hours": ttl / 3600, "minutes": ttl / 60,
        });
        self.queue(conn, email, locale, template, &ctx)
    }
}

/// Uses the link under `hash` once, if it can be used for `purpose` now.
fn use_link(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Verdict<ver::LinkTokenRow, LinkProblem>, StoreError> {
    let link = match usable_link(conn, hash, purpose, now)? {
        Verdict::Proceed(link) => link,
        Verdict::Refuse(problem) => return Ok(Verdict::Refuse(problem)),
    };
    if !ver::consume_link(conn, hash, purpose.as_str(), now)? {
        return Ok(Verdict::Refuse(LinkProblem::Used));
    }
    Ok(Verdict::Proceed(link))
}

/// The link under `hash` if it can be used for `purpose` now (refused with
/// the reason it cannot).
fn usable_link(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Verdict<ver::LinkTokenRow, LinkProblem>, StoreError> {
    let Some(link) = ver::find_link(conn, hash)?.filter(|l| l.purpose == purpose.as_str()) else {
        return Ok(Verdict::Refuse(LinkProblem::Unknown));
    };
    if link.used_at.is_some() {
        return Ok(Verdict::Refuse(LinkProblem::Used));
    }
    if link.expires_at <= now {
        return Ok(Verdict::Refuse(LinkProblem::Expired));
    }
    let current = users::account(conn, link.user_id, false)?.and_then(|a| a.email);
    if current.as_deref() != Some(link.email.as_str()) {
        return Ok(Verdict::Refuse(LinkProblem::EmailChanged));
    }
    Ok(Verdict::Proceed(link))
}
