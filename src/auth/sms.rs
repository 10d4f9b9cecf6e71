//! Phone flows with SMS codes: send a code, verify it (optionally for a one-time
//! `verification_token`), SMS login (creating the user when asked), verify the
//! current user's phone, change the phone, reset the password.
//!
//! Rules: codes are 6 random digits stored as HMAC-SHA256, expire, allow a limited
//! number of tries and work once; sending is limited per number (per minute and
//! per day, counted in the database under a per-number lock so parallel requests
//! and several nodes cannot exceed it); a code or token proves one phone number.

use std::sync::Arc;

use serde_json::json;

use super::code::{new_code, CodeKey};
use super::error::AuthError;
use super::limits::lift_lockout;
use super::principal::{registered_user, Principal};
use super::service::{
    insert_profile, AuthService, ClientInfo, Identifier, LoginMethod, ProfileInit, Session,
};
use super::session_cache::end_sessions;
use super::token::SessionToken;
use super::verdict::Verdict;
use crate::domain::{now_unix, InvalidInput, Password, Phone};
use crate::notify::{Locale, SmsSender, Templates};
use crate::query::SqlValue;
use crate::store::object_writes;
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};
use crate::store::{self, sms, AnyConnection, StoreError};

/// Settings of the SMS flows.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// Shown in messages.
    pub app_name: String,
    /// Code lifetime, seconds.
    pub code_ttl: i64,
    /// Tries per code.
    pub code_attempts: i32,
    /// Codes per number per minute.
    pub per_minute: i64,
    /// Codes per number per day.
    pub per_day: i64,
    /// `verification_token` lifetime, seconds.
    pub token_ttl: i64,
}

/// What proves a phone number: a fresh code or a token from a verified code.
#[derive(Debug, Clone)]
pub enum PhoneProof {
    /// The code from the SMS.
    Code(String),
    /// A `verification_token` from `sms-verification-code/verify/`.
    Token(String),
}

/// A one-time proof handed out after a code was verified.
#[derive(Debug, Clone)]
pub struct PhoneToken {
    /// The token (shown once).
    pub token: SessionToken,
    /// Lifetime, seconds.
    pub expires_in: i64,
}

/// The SMS flows; cheap to clone.
#[derive(Clone)]
pub struct SmsService {
    auth: AuthService,
    sender: Arc<SmsSender>,
    templates: Arc<Templates>,
    key: CodeKey,
    settings: Arc<SmsSettings>,
}

impl std::fmt::Debug for SmsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Name of the HMAC key of SMS codes in `server_secrets`.
const SMS_KEY: &str = "sms_code_hmac_key";

impl SmsService {
    /// Builds the service; creates (or reads) the shared HMAC key.
    pub fn new(
        auth: AuthService,
        sender: Arc<SmsSender>,
        templates: Arc<Templates>,
        settings: SmsSettings,
    ) -> Result<Self, StoreError> {
        let key = CodeKey::load(&auth.store, SMS_KEY)?;
        Ok(Self {
            auth,
            sender,
            templates,
            key,
            settings: Arc::new(settings),
        })
    }

    /// Sends a code to `phone`, within the per-number limits.
    #[tracing::instrument(skip(self))]
    pub async fn send_code(&self, phone: Phone, locale: Locale) -> Result<(), AuthError> {
        let code = new_code();
        let hmac = self.hmac(phone.as_str(), &code);
        let settings = self.settings.clone();
        let number = phone.as_str().to_owned();
        let allowed = self
            .auth
            .store
            .transaction(move |conn| -> Result<_, StoreError> {
                sms::lock_phone(conn, &number)?;
                let now = now_unix();
                let last_minute = sms::sent_since(conn, &number, now - 60)?;
                if last_minute.count >= settings.per_minute {
                    return Ok(Verdict::Refuse(AuthError::TooSoon {
                        what: "phone: a code to this number",
                        retry_in: last_minute.frees_in(60, now),
                    }));
                }
                let last_day = sms::sent_since(conn, &number, now - 86_400)?;
                if last_day.count >= settings.per_day {
                    let codes = if settings.per_day == 1 { "code" } else { "codes" };
                    return Ok(Verdict::Refuse(AuthError::Limit {
                        message: format!(
                            "phone: this number received {} {codes} in the last 24 hours; try again later",
                            settings.per_day
                        ),
                        retry_in: last_day.frees_in(86_400, now),
                    }));
                }
                sms::insert_code(conn, &number, &hmac, now, now + settings.code_ttl)?;
                Ok(Verdict::Proceed(()))
            })
            .await?;
        allowed.into_result()?;
        let ctx = json!({"app_name": self.settings.app_name, "code": code, "minutes": (self.settings.code_ttl / 60).max(1)});
        let text = self
            .templates
            .text(locale, "sms_code", &ctx)
            .map_err(|e| AuthError::Delivery(e.to_string()))?;
        self.sender
            .send(phone.as_str(), &text, &code)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "SMS not delivered");
                AuthError::Delivery("the SMS could not be sent; retry in a minute".into())
            })
    }

    /// Verifies a code (using it up) and returns a one-time `verification_token`.
    pub async fn verify_code(&self, phone: Phone, code: String) -> Result<PhoneToken, AuthError> {
        let this = self.clone();
        let token = SessionToken::generate();
        let hash = token.hash();
        self.transaction(move |conn| {
            if let Verdict::Refuse(why) = this.try_code(conn, phone.as_str(), &code, true)? {
                return Ok(Verdict::refuse(why));
            }
            let now = now_unix();
            sms::insert_token(
                conn,
                &hash,
                phone.as_str(),
                now,
                now + this.settings.token_ttl,
            )?;
            Ok(Verdict::Proceed(()))
        })
        .await?;
        Ok(PhoneToken {
            token,
            expires_in: self.settings.token_ttl,
        })
    }

    /// Checks a code without using it (a try counts, as for every check), for
    /// apps that check the code on one screen and use it on the next.
    pub async fn check_code(&self, phone: Phone, code: String) -> Result<(), AuthError> {
        let this = self.clone();
        self.transaction(move |conn| {
            Ok(this
                .try_code(conn, phone.as_str(), &code, false)?
                .map_refusal(AuthError::from))
        })
        .await
    }

    /// Logs in with phone and code; without an account, creates one with the
    /// profile `init` gives when `create_user` (else [`AuthError::NotFound`]).
    /// The phone becomes verified.
    pub async fn login(
        &self,
        phone: Phone,
        proof: PhoneProof,
        create_user: bool,
        client: ClientInfo,
        init: ProfileInit,
    ) -> Result<Session, AuthError> {
        let this = self.clone();
        let draft = self.auth.draft_session(LoginMethod::Sms, client);
        // A wrong code is answered after the transaction commits (its try
        // counts); a profile that does not fit rolls everything back.
        let verdict = self
            .auth
            .store
            .transaction(move |conn| {
                if let Verdict::Refuse(why) = this.prove(conn, phone.as_str(), &proof)? {
                    return Ok(Verdict::refuse(why));
                }
                let now = now_unix();
                let verified = ("_phone_verified".to_owned(), SqlValue::Bool(true));
                // Only an account that proved the number signs in with it; one
                // that merely typed it in loses it to the prover.
                let found = match users::find_login(conn, LoginColumn::Phone, phone.as_str())? {
                    Some(found) if found.verified == 0 => {
                        users::release_unproven(conn, LoginColumn::Phone, phone.as_str(), None)?;
                        None
                    }
                    other => other,
                };
                let id = match found {
                    Some(found) if found.disabled != 0 => return Err(AuthError::Disabled),
                    Some(found) => found.id,
                    None if create_user => {
                        let mut identity = Identifier::Phone(phone).columns();
                        identity.push(verified);
                        insert_profile(conn, identity, false, now, init)?
                    }
                    None => return Ok(Verdict::Refuse(AuthError::NotFound)),
                };
                store::insert_session(conn, &draft.row(id, now))?;
                Ok::<_, AuthError>(Verdict::Proceed(draft.session(id)))
            })
            .await?;
        verdict.into_result()
    }

    /// Marks the caller's own phone verified with a code sent to it.
    pub async fn verify_current_phone(
        &self,
        caller: &Principal,
        code: String,
    ) -> Result<(), AuthError> {
        let id = registered_user(caller, "changing their phone")?;
        let this = self.clone();
        self.transaction(move |conn| {
            // A user deleted while their own request runs is signed out.
            let Some(account) = users::account(conn, id, true)? else {
                return Ok(Verdict::Refuse(AuthError::Unauthorized));
            };
            let Some(phone) = account.phone else {
                return Ok(Verdict::refuse(InvalidInput::new(
                    "phone",
                    "the account has no phone number",
                )));
            };
            if let Verdict::Refuse(why) = this.try_code(conn, &phone, &code, true)? {
                return Ok(Verdict::refuse(why));
            }
            let set = [("_phone_verified".to_owned(), SqlValue::Bool(true))];
            object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Sets the caller's phone to `phone`, proven by a code or token; it is verified.
    pub async fn change_phone(
        &self,
        caller: &Principal,
        phone: Phone,
        proof: PhoneProof,
    ) -> Result<(), AuthError> {
        let id = registered_user(caller, "changing their phone")?;
        let this = self.clone();
        self.transaction(move |conn| {
            if let Verdict::Refuse(why) = this.prove(conn, phone.as_str(), &proof)? {
                return Ok(Verdict::refuse(why));
            }
            users::release_unproven(conn, LoginColumn::Phone, phone.as_str(), Some(id))?;
            let mut set = Identifier::Phone(phone).columns();
            set.push(("_phone_verified".to_owned(), SqlValue::Bool(true)));
            object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Sets a new password for the account of `phone`, proven by a code or token,
    /// and ends every session of the user.
    pub async fn reset_password(
        &self,
        phone: Phone,
        proof: PhoneProof,
        password: &Password,
    ) -> Result<(), AuthError> {
        let new_hash = self.auth.hasher.hash(password).await?;
        let this = self.clone();
        let cache = self.auth.sessions.clone();
        self.transaction(move |conn| {
            if let Verdict::Refuse(why) = this.prove(conn, phone.as_str(), &proof)? {
                return Ok(Verdict::refuse(why));
            }
            // A number nobody proved resets nothing: the account holding it
            // unproven loses it to the prover instead.
            let found = match users::find_login(conn, LoginColumn::Phone, phone.as_str())? {
                Some(found) if found.verified != 0 => found,
                Some(_) => {
                    users::release_unproven(conn, LoginColumn::Phone, phone.as_str(), None)?;
                    return Ok(Verdict::Refuse(AuthError::NotFound));
                }
                None => return Ok(Verdict::Refuse(AuthError::NotFound)),
            };
            let now = now_unix();
            store::set_password_hash(conn, found.id, &new_hash, now)?;
            end_sessions(conn, &cache, found.id, None)?;
            lift_lockout(conn, found.id)?;
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Uses a proof for `phone` in a transaction of its own (before registering).
    pub async fn take_proof(&self, phone: Phone, proof: PhoneProof) -> Result<(), AuthError> {
        let this = self.clone();
        self.transaction(move |conn| {
            Ok(this
                .prove(conn, phone.as_str(), &proof)?
                .map_refusal(AuthError::from))
        })
        .await
    }

    // ---- helpers ----

    /// Runs `work` in a transaction; a [`Verdict::Refuse`] commits what was
    /// done (a counted try) and is returned, an `Err` rolls back.
    async fn transaction<F>(&self, work: F) -> Result<(), AuthError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Verdict<()>, AuthError> + Send + 'static,
    {
        self.auth.store.transaction(work).await?.into_result()
    }

    fn hmac(&self, phone: &str, code: &str) -> String {
        self.key.digest(phone, code)
    }

    /// Uses `proof` for `phone` (a code counts a try); a refusal keeps what
    /// was used once the caller's transaction commits.
    fn prove(
        &self,
        conn: &mut AnyConnection,
        phone: &str,
        proof: &PhoneProof,
    ) -> Result<Verdict<(), InvalidInput>, StoreError> {
        match proof {
            PhoneProof::Code(code) => self.try_code(conn, phone, code, true),
            PhoneProof::Token(token) => {
                let hash = SessionToken::from_client(token).hash();
                Ok(if sms::use_token(conn, &hash, phone, now_unix())? {
                    Verdict::Proceed(())
                } else {
                    Verdict::Refuse(InvalidInput::new(
                        "verification_token",
                        "is unknown, expired, already used or for another number",
                    ))
                })
            }
        }
    }

    /// Counts one try on the newest code of `phone` and compares it.
    fn try_code(
        &self,
        conn: &mut AnyConnection,
        phone: &str,
        code: &str,
        consume: bool,
    ) -> Result<Verdict<(), InvalidInput>, StoreError> {
        let now = now_unix();
        let max = self.settings.code_attempts;
        let Some((id, stored, attempts)) = sms::attempt_code(conn, phone, now, max)? else {
            let why = match sms::spent_code(conn, phone, max)? {
                sms::SpentCode::Never => "was never sent to this number; request a code first",
                sms::SpentCode::Used => "has already been used; request a new code",
                sms::SpentCode::TriedOut => "was tried too often; request a new code",
                sms::SpentCode::Expired => "has expired; request a new code",
            };
            return Ok(Verdict::Refuse(InvalidInput::new("code", why)));
        };
        if !self.key.matches(phone, code, &stored) {
            let left = (max - attempts).max(0);
            return Ok(Verdict::Refuse(InvalidInput::new(
                "code",
                format!("is wrong; {left} tries left"),
            )));
        }
        if consume && !sms::consume_code(conn, id, now)? {
            return Ok(Verdict::Refuse(InvalidInput::new(
                "code",
                "was already used; request a new code",
            )));
        }
        Ok(Verdict::Proceed(()))
    }
}
