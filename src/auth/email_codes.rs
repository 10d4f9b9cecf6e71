//! Mailed codes: six digits stored as HMAC-SHA256 under the server's key, with
//! limited tries, checked without being used or used once; for verifying an
//! address, resetting a password, proving a new address (`change_email`) and
//! a sensitive change (`reauthenticate`).

use serde_json::json;

use super::code::new_code;
use super::email::{mark_verified, own_address, EmailService, Purpose};
use super::error::AuthError;
use super::limits::lift_lockout;
use super::principal::{registered_user, Principal};
use super::session_cache::end_sessions;
use super::verdict::Verdict;
use crate::domain::{now_unix, Email, InvalidInput, Password};
use crate::store::users;
use crate::store::verification::{self as ver, NewCode};
use crate::store::{self, AnyConnection, StoreError};

/// The one answer to a failed reset code, whatever the reason, so the reset
/// endpoints do not tell which addresses have accounts.
fn reset_code_refused() -> AuthError {
    InvalidInput::new("code", "is wrong or has expired; request a new code").into()
}

impl EmailService {
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
                Verdict::Proceed(found) => found,
                Verdict::Refuse(AuthError::NotFound) => return Ok(this.unknown_address()),
                Verdict::Refuse(why) => return Ok(Verdict::Refuse(why)),
            };
            if let Verdict::Refuse(why) = this.cooldown(conn, id, purpose)? {
                let hide = purpose == Purpose::ResetPassword && !this.settings.reset_unknown_is_404;
                return Ok(if hide {
                    Verdict::Proceed(())
                } else {
                    Verdict::Refuse(why)
                });
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
            Ok(Verdict::Proceed(()))
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
                Verdict::Proceed(found) => found,
                Verdict::Refuse(_) if purpose == Purpose::ResetPassword => {
                    return Ok(Verdict::Refuse(reset_code_refused()))
                }
                Verdict::Refuse(why) => return Ok(Verdict::Refuse(why)),
            };
            Ok(this
                .try_code(conn, purpose, id, &address, &code, false)?
                .map_refusal(|why| {
                    if purpose == Purpose::ResetPassword {
                        reset_code_refused()
                    } else {
                        why.into()
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
                Verdict::Proceed(address) => address,
                Verdict::Refuse(why) => return Ok(Verdict::Refuse(why)),
            };
            let tried = this.try_code(conn, Purpose::VerifyEmail, id, &address, &code, true)?;
            if let Verdict::Refuse(why) = tried {
                return Ok(Verdict::refuse(why));
            }
            if !mark_verified(conn, id, &address)? {
                // The address changed meanwhile: undo the code's use.
                return Err(
                    InvalidInput::new("email", "changed while it was being verified").into(),
                );
            }
            Ok(Verdict::Proceed(()))
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
                return Ok(Verdict::Refuse(reset_code_refused()));
            };
            let tried = this.try_code(
                conn,
                Purpose::ResetPassword,
                id,
                email.as_str(),
                &code,
                true,
            )?;
            if let Verdict::Refuse(_) = tried {
                return Ok(Verdict::Refuse(reset_code_refused()));
            }
            let now = now_unix();
            store::set_password_hash(conn, id, &new_hash, now)?;
            end_sessions(conn, &this.sessions, id, None)?;
            lift_lockout(conn, id)?;
            Ok(Verdict::Proceed(()))
        })
        .await
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
    ) -> Result<Verdict<(i64, String)>, StoreError> {
        match target {
            CodeTarget::User(id) => Ok(own_address(conn, id, false)?.map(|email| (id, email))),
            CodeTarget::NewAddress(id, email) => {
                let current = users::account(conn, id, false)?.and_then(|a| a.email);
                Ok(if current.as_deref() == Some(email.as_str()) {
                    Verdict::refuse(InvalidInput::new(
                        "email",
                        "is already the account's address",
                    ))
                } else {
                    Verdict::Proceed((id, email.as_str().to_owned()))
                })
            }
            CodeTarget::Verified(id) => Ok(own_address(conn, id, true)?.map(|email| (id, email))),
            CodeTarget::Address(email) => Ok(match self.verified_owner(conn, &email)? {
                Some(id) => Verdict::Proceed((id, email.as_str().to_owned())),
                None => {
                    tracing::debug!(
                        email = email.as_str(),
                        "no code mailed: no account has this address verified"
                    );
                    Verdict::Refuse(AuthError::NotFound)
                }
            }),
        }
    }

    fn code_hmac(&self, purpose: Purpose, user_id: i64, code: &str) -> String {
        self.code_key
            .digest(&format!("{}:{user_id}", purpose.as_str()), code)
    }

    /// Counts one try on the newest code and compares it; `consume` uses it up.
    /// A refusal keeps the counted try once the caller's transaction commits.
    pub(super) fn try_code(
        &self,
        conn: &mut AnyConnection,
        purpose: Purpose,
        id: i64,
        address: &str,
        code: &str,
        consume: bool,
    ) -> Result<Verdict<(), InvalidInput>, StoreError> {
        let now = now_unix();
        let max = self.settings.code_attempts;
        let Some(row) = ver::attempt_code(conn, id, purpose.as_str(), now, max)? else {
            return Ok(Verdict::Refuse(InvalidInput::new(
                "code",
                "has expired or was tried too often; request a new code",
            )));
        };
        let context = format!("{}:{id}", purpose.as_str());
        let matches = self.code_key.matches(&context, code, &row.code_hmac) && row.email == address;
        if !matches {
            let left = (max - row.attempts).max(0);
            return Ok(Verdict::Refuse(InvalidInput::new(
                "code",
                format!("is wrong; {left} tries left"),
            )));
        }
        if consume && !ver::consume_code(conn, row.id, now)? {
            return Ok(Verdict::Refuse(InvalidInput::new(
                "code",
                "was already used; request a new code",
            )));
        }
        Ok(Verdict::Proceed(()))
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
