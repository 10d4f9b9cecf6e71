//! The mailed flows' service: what a link or code is for, the settings, and
//! what links and codes share (the transaction that wakes the outbox, queued
//! mail in the user's language, cool-downs, the account's own address). The
//! flows are in `email_links`, `email_codes` and `email_change`.
//!
//! Rules: link tokens are 256 random bits stored as SHA-256, codes are 6 digits
//! stored as HMAC-SHA256 under a server key; both expire, work once, and are
//! checked with conditional updates so parallel use cannot succeed twice; codes
//! allow a limited number of tries. Mail is rendered and queued in the same
//! transaction that stores the link or code, then the outbox worker is woken.

use std::sync::Arc;

use super::code::CodeKey;
use super::error::AuthError;
use super::password::PasswordHasher;
use super::session_cache::SessionCache;
use super::verdict::Verdict;
use crate::domain::{now_unix, Email, InvalidInput};
use crate::notify::{Locale, Outbox, Templates};
use crate::query::SqlValue;
use crate::schema::{FieldKind, LiveSchema};
use crate::store::documents::Column;
use crate::store::outbox::NewMail;
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};
use crate::store::verification as ver;
use crate::store::{object_writes, objects};
use crate::store::{AnyConnection, Store, StoreError};

/// What a mailed link or code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirm the account's email address.
    VerifyEmail,
    /// Set a new password.
    ResetPassword,
    /// Prove a new address before the account switches to it (the code goes
    /// to the new address).
    ChangeEmail,
    /// Prove, for a sensitive change, that the caller reads the account's
    /// verified address.
    Reauthenticate,
}

impl Purpose {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
            Purpose::ChangeEmail => "change_email",
            Purpose::Reauthenticate => "reauthenticate",
        }
    }

    /// Parses the API's `purpose` value.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw {
            "verify_email" => Ok(Purpose::VerifyEmail),
            "reset_password" => Ok(Purpose::ResetPassword),
            "change_email" => Ok(Purpose::ChangeEmail),
            "reauthenticate" => Ok(Purpose::Reauthenticate),
            _ => Err(InvalidInput::new(
                "purpose",
                "must be 'verify_email', 'reset_password', 'change_email' or 'reauthenticate'",
            )),
        }
    }
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Not a token we issued (or altered).
    Unknown,
    /// Already used.
    Used,
    /// Past its expiry.
    Expired,
    /// The account's address changed since the link was sent.
    EmailChanged,
}

impl LinkProblem {
    /// Key of the explanation in the templates' `strings.json`.
    pub fn string_key(self) -> &'static str {
        match self {
            LinkProblem::Unknown => "link_unknown",
            LinkProblem::Used => "link_used",
            LinkProblem::Expired => "link_expired",
            LinkProblem::EmailChanged => "link_email_changed",
        }
    }
}

/// Settings of the mailed flows.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// Base of links, without a trailing slash.
    pub public_url: String,
    /// Shown in mails.
    pub app_name: String,
    /// Verification link lifetime, seconds.
    pub link_ttl: i64,
    /// Reset link lifetime, seconds.
    pub reset_ttl: i64,
    /// Code lifetime, seconds.
    pub code_ttl: i64,
    /// Tries per code.
    pub code_attempts: i32,
    /// Seconds between two mails of one kind to one user.
    pub cooldown: i64,
    /// Answer 404 to reset requests for unknown or unverified addresses.
    pub reset_unknown_is_404: bool,
}

/// The mailed flows; cheap to clone.
#[derive(Clone)]
pub struct EmailService {
    pub(super) store: Store,
    pub(super) templates: Arc<Templates>,
    pub(super) outbox: Outbox,
    pub(super) hasher: PasswordHasher,
    pub(super) code_key: CodeKey,
    pub(super) settings: Arc<EmailSettings>,
    pub(super) live: LiveSchema,
    pub(super) sessions: SessionCache,
}

impl std::fmt::Debug for EmailService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Links and codes of one kind a user can receive per day; with 5 tries per
/// code this bounds guessing a reset code to 50 tries a day.
const MAILS_PER_DAY: i64 = 10;

/// Name of the HMAC key of codes in `server_secrets`.
const CODE_KEY: &str = "email_code_hmac_key";

impl EmailService {
    /// Builds the service; creates (or reads) the shared HMAC key of codes.
    pub fn new(
        store: Store,
        templates: Arc<Templates>,
        outbox: Outbox,
        hasher: PasswordHasher,
        settings: EmailSettings,
        live: LiveSchema,
        sessions: SessionCache,
    ) -> Result<Self, StoreError> {
        let code_key = CodeKey::load(&store, CODE_KEY)?;
        Ok(Self {
            store,
            templates,
            outbox,
            hasher,
            code_key,
            settings: Arc::new(settings),
            live,
            sessions,
        })
    }

    /// Runs `work` in a transaction; a [`Verdict::Refuse`] commits what was
    /// done (a counted attempt) and is returned, an `Err` rolls back; the
    /// outbox is woken afterwards.
    pub(super) async fn transaction<F>(&self, work: F) -> Result<(), AuthError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Verdict<()>, AuthError> + Send + 'static,
    {
        let verdict = self.store.transaction(work).await?;
        self.outbox.wake();
        verdict.into_result()
    }

    /// The answer for an address no account has verified: 404 when the
    /// settings allow telling, else the same success as for a known address.
    pub(super) fn unknown_address(&self) -> Verdict<()> {
        if self.settings.reset_unknown_is_404 {
            Verdict::Refuse(AuthError::NotFound)
        } else {
            Verdict::Proceed(())
        }
    }

    /// The id of the user whose verified address is `email`.
    pub(super) fn verified_owner(
        &self,
        conn: &mut AnyConnection,
        email: &Email,
    ) -> Result<Option<i64>, StoreError> {
        let Some(found) = users::find_login(conn, LoginColumn::Email, email.as_str())? else {
            return Ok(None);
        };
        let account = users::account(conn, found.id, true)?;
        Ok(account.filter(|a| a.email_verified != 0).map(|_| found.id))
    }

    /// Refuses a second mail of `purpose` within the cool-down.
    pub(super) fn cooldown(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        purpose: Purpose,
    ) -> Result<Verdict<()>, StoreError> {
        let now = now_unix();
        let today = ver::sent_since(conn, id, purpose.as_str(), now - 86_400)?;
        Ok(match today.last {
            Some(at) if now - at < self.settings.cooldown => Verdict::Refuse(AuthError::TooSoon {
                what: "email: a mail of this kind",
                retry_in: self.settings.cooldown - (now - at),
            }),
            _ if today.count >= MAILS_PER_DAY => Verdict::Refuse(AuthError::Limit {
                message: format!(
                    "email: {MAILS_PER_DAY} mails of this kind were sent in the last 24 hours; try again later"
                ),
                retry_in: today.frees_in(86_400, now),
            }),
            _ => Verdict::Proceed(()),
        })
    }

    pub(super) fn queue(
        &self,
        conn: &mut AnyConnection,
        to: &str,
        locale: Locale,
        template: &str,
        ctx: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mail = self
            .templates
            .mail(locale, template, ctx)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = now_unix();
        self.outbox.enqueue(
            conn,
            &NewMail {
                recipient: to.to_owned(),
                subject: mail.subject,
                body_text: mail.text,
                body_html: mail.html,
                created_at: now,
                next_attempt_at: now,
            },
        )
    }

    /// The user's `language` field (when the profile declares one), else the request's.
    pub(super) fn user_locale(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        accept: Option<&str>,
    ) -> Result<Locale, StoreError> {
        let mut language = None;
        let has_language = self
            .live
            .load()
            .profile()
            .field("language")
            .is_some_and(|f| f.kind == FieldKind::String);
        if has_language {
            let columns = [Column {
                name: "language".into(),
                kind: FieldKind::String,
            }];
            language = objects::get(conn, PROFILE_TABLE, &columns, &SqlValue::Int(id), false)?
                .and_then(|row| {
                    row.get("language")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                });
        }
        Ok(Locale::pick(language.as_deref(), accept))
    }
}

/// The caller's address, which must exist and be verified (`verified`: to
/// prove they read it) or not yet (to verify it).
pub(super) fn own_address(
    conn: &mut AnyConnection,
    id: i64,
    verified: bool,
) -> Result<Verdict<String>, StoreError> {
    // A user deleted while their own request runs is signed out, not a fault.
    let Some(account) = users::account(conn, id, true)? else {
        return Ok(Verdict::Refuse(AuthError::Unauthorized));
    };
    let is_verified = account.email_verified != 0;
    Ok(match account.email {
        None => Verdict::refuse(InvalidInput::new(
            "email",
            "the account has no email address",
        )),
        Some(_) if is_verified && !verified => {
            Verdict::refuse(InvalidInput::new("email", "is already verified"))
        }
        Some(_) if !is_verified && verified => {
            Verdict::refuse(InvalidInput::new("email", "is not verified"))
        }
        Some(email) => Verdict::Proceed(email),
    })
}

/// Marks `email` verified for user `id`, only while it is still the user's address.
pub(super) fn mark_verified(
    conn: &mut AnyConnection,
    id: i64,
    email: &str,
) -> Result<bool, StoreError> {
    let set = [("_email_verified".to_owned(), SqlValue::Bool(true))];
    let guard = Some(("_email", SqlValue::Text(email.to_owned())));
    object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), guard, &set)
}
