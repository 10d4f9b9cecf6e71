//! Mailed links and codes: email verification, password reset (by link or code),
//! and the notices of an email change.
//!
//! Rules: link tokens are 256 random bits stored as SHA-256, codes are 6 digits
//! stored as HMAC-SHA256 under a server key; both expire, work once, and are
//! checked with conditional updates so parallel use cannot succeed twice; codes
//! allow a limited number of tries. Mail is rendered and queued in the same
//! transaction that stores the link or code, then the outbox worker is woken.

use std::sync::Arc;

use serde_json::json;

use super::code::{new_code, CodeKey};
use super::error::AuthError;
use super::limits::lift_lockout;
use super::password::PasswordHasher;
use super::principal::{registered_user, Principal};
use super::session_cache::{end_sessions, SessionCache};
use super::token::SessionToken;
use crate::domain::{now_unix, Email, InvalidInput, Password, UserId};
use crate::notify::{Locale, Outbox, Templates};
use crate::query::SqlValue;
use crate::schema::{FieldKind, LiveSchema};
use crate::store::documents::Column;
use crate::store::outbox::NewMail;
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};
use crate::store::verification::{self as ver, NewCode, NewLinkToken};
use crate::store::{self, AnyConnection, Store, StoreError};
use crate::store::{object_writes, objects};

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
    templates: Arc<Templates>,
    pub(super) outbox: Outbox,
    hasher: PasswordHasher,
    code_key: CodeKey,
    pub(super) settings: Arc<EmailSettings>,
    live: LiveSchema,
    sessions: SessionCache,
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

/// The one answer to a failed reset code, whatever the reason, so the reset
/// endpoints do not tell which addresses have accounts.
fn reset_code_refused() -> AuthError {
    InvalidInput::new("code", "is wrong or has expired; request a new code").into()
}

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
                Ok(email) => email,
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = this.cooldown(conn, id, Purpose::VerifyEmail)? {
                return Ok(Err(e));
            }
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            this.mail_link(conn, id, &email, Purpose::VerifyEmail, locale)?;
            Ok(Ok(()))
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
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                let link = match use_link(conn, &hash, Purpose::VerifyEmail, now)? {
                    Ok(link) => link,
                    Err(problem) => return Ok(Err(problem)),
                };
                if !mark_verified(conn, link.user_id, &link.email)? {
                    // The address changed between the check and the update: undo the use.
                    return Err(Undone::EmailChanged);
                }
                Ok(Ok(link.email))
            })
            .await
            .or_else(|e| match e {
                Undone::EmailChanged => Ok(Err(LinkProblem::EmailChanged)),
                Undone::Failed(other) => Err(other.into()),
            })
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
            if let Err(e) = this.cooldown(conn, id, Purpose::ResetPassword)? {
                tracing::debug!(email = email.as_str(), "no reset mail sent: {e}");
                // Without enumeration, a known address must look like any other.
                return Ok(if this.settings.reset_unknown_is_404 {
                    Err(e)
                } else {
                    Ok(())
                });
            }
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            this.mail_link(conn, id, email.as_str(), Purpose::ResetPassword, locale)?;
            Ok(Ok(()))
        })
        .await
    }

    /// Checks a reset link without using it; returns the address it is for.
    pub async fn reset_form(&self, token: &str) -> Result<Result<String, LinkProblem>, AuthError> {
        let hash = SessionToken::from_client(token).hash();
        Ok(self
            .store
            .run(move |conn| usable_link(conn, &hash, Purpose::ResetPassword, now_unix()))
            .await?
            .map(|link| link.email))
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
        Ok(self
            .store
            .transaction(move |conn| -> Result<_, StoreError> {
                let now = now_unix();
                let link = match use_link(conn, &hash, Purpose::ResetPassword, now)? {
                    Ok(link) => link,
                    Err(problem) => return Ok(Err(problem)),
                };
                store::set_password_hash(conn, link.user_id, &new_hash, now)?;
                end_sessions(conn, &cache, link.user_id, None)?;
                lift_lockout(conn, link.user_id)?;
                Ok(Ok(()))
            })
            .await?)
    }

    /// Mails a numeric code: for `VerifyEmail` to the caller's unverified
    /// address; for `ResetPassword` to `email` (answering like a reset request
    /// when unknown); for `ChangeEmail` to the caller's new address `email`;
    /// for `Reauthenticate` to the caller's verified address.
    #[tracing::instrument(skip(self, caller, email))]
    pub async fn send_code(
        &self,
        purpose: Purpose,
        caller: &Principal,
        email: Option<Email>,
        accept_language: Option<String>,
    ) -> Result<(), AuthError> {
        let target = self.code_target(purpose, caller, email)?;
        let this = self.clone();
        self.transaction(move |conn| {
            let (id, address) = match this.resolve_target(conn, target)? {
                Ok(found) => found,
                Err(AuthError::NotFound) => return Ok(this.unknown_address()),
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = this.cooldown(conn, id, purpose)? {
                let hide = purpose == Purpose::ResetPassword && !this.settings.reset_unknown_is_404;
                return Ok(if hide { Ok(()) } else { Err(e) });
            }
            let now = now_unix();
            let code = new_code();
            ver::insert_code(
                conn,
                &NewCode {
                    user_id: id,
                    purpose: purpose.as_str().into(),
                    email: address.clone(),
                    code_hmac: this.code_hmac(purpose, id, &code),
                    created_at: now,
                    expires_at: now + this.settings.code_ttl,
                },
            )?;
            let locale = this.user_locale(conn, id, accept_language.as_deref())?;
            let action =
                this.templates
                    .string(locale, &format!("action_{}", purpose.as_str()), &[]);
            let ctx = json!({
                "app_name": this.settings.app_name, "code": code, "action": action,
                "minutes": this.settings.code_ttl / 60, "email": address,
            });
            this.queue(conn, &address, locale, "email_code", &ctx)?;
            Ok(Ok(()))
        })
        .await
    }

    /// Checks a code without using it up (a wrong code still counts as a try).
    pub async fn check_code(
        &self,
        purpose: Purpose,
        caller: &Principal,
        email: Option<Email>,
        code: String,
    ) -> Result<(), AuthError> {
        let target = self.code_target(purpose, caller, email)?;
        let this = self.clone();
        self.transaction(move |conn| {
            let (id, address) = match this.resolve_target(conn, target)? {
                Ok(found) => found,
                Err(_) if purpose == Purpose::ResetPassword => {
                    return Ok(Err(reset_code_refused()))
                }
                Err(e) => return Ok(Err(e)),
            };
            Ok(this
                .try_code(conn, purpose, id, &address, &code, false)?
                .map_err(|e| {
                    if purpose == Purpose::ResetPassword {
                        reset_code_refused()
                    } else {
                        e.into()
                    }
                }))
        })
        .await
    }

    /// Verifies the caller's address with a mailed code.
    pub async fn verify_email_with_code(
        &self,
        caller: &Principal,
        code: String,
    ) -> Result<(), AuthError> {
        let id = registered_user(caller, "using email features")?;
        let this = self.clone();
        self.transaction(move |conn| {
            let address = match own_address(conn, id, false)? {
                Ok(address) => address,
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = this.try_code(conn, Purpose::VerifyEmail, id, &address, &code, true)? {
                return Ok(Err(e.into()));
            }
            if !mark_verified(conn, id, &address)? {
                // The address changed meanwhile: undo the code's use.
                return Err(
                    InvalidInput::new("email", "changed while it was being verified").into(),
                );
            }
            Ok(Ok(()))
        })
        .await
    }

    /// Sets a new password with a mailed code and ends every session of the user.
    pub async fn reset_with_code(
        &self,
        email: Email,
        code: String,
        password: &Password,
    ) -> Result<(), AuthError> {
        let new_hash = self.hasher.hash(password).await?;
        let this = self.clone();
        self.transaction(move |conn| {
            let Some(id) = this.verified_owner(conn, &email)? else {
                return Ok(Err(reset_code_refused()));
            };
            let tried = this.try_code(
                conn,
                Purpose::ResetPassword,
                id,
                email.as_str(),
                &code,
                true,
            )?;
            if tried.is_err() {
                return Ok(Err(reset_code_refused()));
            }
            let now = now_unix();
            store::set_password_hash(conn, id, &new_hash, now)?;
            end_sessions(conn, &this.sessions, id, None)?;
            lift_lockout(conn, id)?;
            Ok(Ok(()))
        })
        .await
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
            Ok(Ok(()))
        })
        .await
    }

    // ---- helpers ----

    /// Runs `work` in a transaction; its inner `Err` commits what was done (a
    /// counted attempt) and is returned, its outer `Err` rolls back; the outbox
    /// is woken afterwards.
    pub(super) async fn transaction<F>(&self, work: F) -> Result<(), AuthError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Result<(), AuthError>, AuthError> + Send + 'static,
    {
        let outcome = self.store.transaction(work).await?;
        self.outbox.wake();
        outcome
    }

    fn unknown_address(&self) -> Result<(), AuthError> {
        if self.settings.reset_unknown_is_404 {
            Err(AuthError::NotFound)
        } else {
            Ok(())
        }
    }

    fn code_target(
        &self,
        purpose: Purpose,
        caller: &Principal,
        email: Option<Email>,
    ) -> Result<CodeTarget, AuthError> {
        match purpose {
            Purpose::VerifyEmail => Ok(CodeTarget::User(registered_user(
                caller,
                "using email features",
            )?)),
            Purpose::ResetPassword => email
                .map(CodeTarget::Address)
                .ok_or_else(|| InvalidInput::new("email", "is required").into()),
            Purpose::ChangeEmail => {
                let id = registered_user(caller, "changing the email address")?;
                let email = email.ok_or_else(|| {
                    InvalidInput::new("email", "is required: the new address the code goes to")
                })?;
                Ok(CodeTarget::NewAddress(id, email))
            }
            Purpose::Reauthenticate => Ok(CodeTarget::Verified(registered_user(
                caller,
                "using email features",
            )?)),
        }
    }

    /// The user and address a code goes to.
    fn resolve_target(
        &self,
        conn: &mut AnyConnection,
        target: CodeTarget,
    ) -> Result<Result<(i64, String), AuthError>, StoreError> {
        match target {
            CodeTarget::User(id) => Ok(own_address(conn, id, false)?.map(|email| (id, email))),
            CodeTarget::NewAddress(id, email) => {
                let current = users::account(conn, id, false)?.and_then(|a| a.email);
                Ok(if current.as_deref() == Some(email.as_str()) {
                    Err(InvalidInput::new("email", "is already the account's address").into())
                } else {
                    Ok((id, email.as_str().to_owned()))
                })
            }
            CodeTarget::Verified(id) => Ok(own_address(conn, id, true)?.map(|email| (id, email))),
            CodeTarget::Address(email) => Ok(match self.verified_owner(conn, &email)? {
                Some(id) => Ok((id, email.as_str().to_owned())),
                None => {
                    tracing::debug!(
                        email = email.as_str(),
                        "no code mailed: no account has this address verified"
                    );
                    Err(AuthError::NotFound)
                }
            }),
        }
    }

    /// The id of the user whose verified address is `email`.
    fn verified_owner(
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
    fn cooldown(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        purpose: Purpose,
    ) -> Result<Result<(), AuthError>, StoreError> {
        let now = now_unix();
        let today = ver::sent_since(conn, id, purpose.as_str(), now - 86_400)?;
        Ok(match today.last {
            Some(at) if now - at < self.settings.cooldown => Err(AuthError::TooSoon {
                what: "email: a mail of this kind",
                retry_in: self.settings.cooldown - (now - at),
            }),
            _ if today.count >= MAILS_PER_DAY => Err(AuthError::Limit {
                message: format!(
                    "email: {MAILS_PER_DAY} mails of this kind were sent in the last 24 hours; try again later"
                ),
                retry_in: today.frees_in(86_400, now),
            }),
            _ => Ok(()),
        })
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

    fn code_hmac(&self, purpose: Purpose, user_id: i64, code: &str) -> String {
        self.code_key
            .digest(&format!("{}:{user_id}", purpose.as_str()), code)
    }

    /// Counts one try on the newest code and compares it; `consume` uses it up.
    pub(super) fn try_code(
        &self,
        conn: &mut AnyConnection,
        purpose: Purpose,
        id: i64,
        address: &str,
        code: &str,
        consume: bool,
    ) -> Result<Result<(), InvalidInput>, StoreError> {
        let now = now_unix();
        let max = self.settings.code_attempts;
        let Some(row) = ver::attempt_code(conn, id, purpose.as_str(), now, max)? else {
            return Ok(Err(InvalidInput::new(
                "code",
                "has expired or was tried too often; request a new code",
            )));
        };
        let context = format!("{}:{id}", purpose.as_str());
        let matches = self.code_key.matches(&context, code, &row.code_hmac) && row.email == address;
        if !matches {
            let left = (max - row.attempts).max(0);
            return Ok(Err(InvalidInput::new(
                "code",
                format!("is wrong; {left} tries left"),
            )));
        }
        if consume && !ver::consume_code(conn, row.id, now)? {
            return Ok(Err(InvalidInput::new(
                "code",
                "was already used; request a new code",
            )));
        }
        Ok(Ok(()))
    }
}

/// Where a code goes.
enum CodeTarget {
    /// The user's unverified address.
    User(i64),
    /// The account that has this address verified.
    Address(Email),
    /// An address the user wants to switch to.
    NewAddress(i64, Email),
    /// The user's verified address.
    Verified(i64),
}

/// The caller's address, which must exist and be verified (`verified`: to
/// prove they read it) or not yet (to verify it).
pub(super) fn own_address(
    conn: &mut AnyConnection,
    id: i64,
    verified: bool,
) -> Result<Result<String, AuthError>, StoreError> {
    let account =
        users::account(conn, id, true)?.ok_or(StoreError::Corrupt("user vanished".into()))?;
    let is_verified = account.email_verified != 0;
    Ok(match account.email {
        None => Err(InvalidInput::new("email", "the account has no email address").into()),
        Some(_) if is_verified && !verified => {
            Err(InvalidInput::new("email", "is already verified").into())
        }
        Some(_) if !is_verified && verified => {
            Err(InvalidInput::new("email", "is not verified").into())
        }
        Some(email) => Ok(email),
    })
}

/// Marks `email` verified for user `id`, only while it is still the user's address.
fn mark_verified(conn: &mut AnyConnection, id: i64, email: &str) -> Result<bool, StoreError> {
    let set = [("_email_verified".to_owned(), SqlValue::Bool(true))];
    let guard = Some(("_email", SqlValue::Text(email.to_owned())));
    object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), guard, &set)
}

/// Uses the link under `hash` once, if it can be used for `purpose` now.
fn use_link(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Result<ver::LinkTokenRow, LinkProblem>, StoreError> {
    let link = match usable_link(conn, hash, purpose, now)? {
        Ok(link) => link,
        Err(problem) => return Ok(Err(problem)),
    };
    if !ver::consume_link(conn, hash, purpose.as_str(), now)? {
        return Ok(Err(LinkProblem::Used));
    }
    Ok(Ok(link))
}

/// The link under `hash` if it can be used for `purpose` now.
fn usable_link(
    conn: &mut AnyConnection,
    hash: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Result<ver::LinkTokenRow, LinkProblem>, StoreError> {
    let Some(link) = ver::find_link(conn, hash)?.filter(|l| l.purpose == purpose.as_str()) else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if link.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if link.expires_at <= now {
        return Ok(Err(LinkProblem::Expired));
    }
    let current = users::account(conn, link.user_id, false)?.and_then(|a| a.email);
    if current.as_deref() != Some(link.email.as_str()) {
        return Ok(Err(LinkProblem::EmailChanged));
    }
    Ok(Ok(link))
}
