//! Account changes: username, email, phone (`null` clears) and password.

use super::error::AuthError;
use super::limits::{lockout_key, Window};
use super::principal::Principal;
use super::service::{AuthService, Identifier};
use super::session_cache::end_sessions;
use super::verdict::Verdict;
use crate::domain::{now_unix, Email, InvalidInput, Password, Phone, UserId, Username};
use crate::query::SqlValue;
use crate::store::users::{self, AccountRow, PROFILE_TABLE};
use crate::store::{self};
use crate::store::{object_writes, StoreError};

/// What an account update did that others must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountUpdate {
    /// The user.
    pub user_id: UserId,
    /// `(old, new)` when the email address changed to a new one.
    pub email_change: Option<(Option<String>, String)>,
}

/// A requested account change. The outer `Option` is "not mentioned", the inner
/// `None` is "clear it".
#[derive(Debug, Default)]
pub struct AccountChange {
    /// New username.
    pub username: Option<Option<Username>>,
    /// New email (marks it unverified).
    pub email: Option<Option<Email>>,
    /// New phone (marks it unverified).
    pub phone: Option<Option<Phone>>,
    /// The current password, needed to set a new one when the user has one.
    pub password: Option<Password>,
    /// The new password.
    pub new_password: Option<Password>,
}

impl AuthService {
    /// Applies `change` to the caller's account. A password change revokes every
    /// other session of the user. The identifiers are read and rewritten in one
    /// transaction holding the row, so parallel changes cannot leave an account
    /// without any login identifier.
    #[tracing::instrument(skip(self, change))]
    pub async fn update_account(
        &self,
        caller: &Principal,
        change: AccountChange,
    ) -> Result<AccountUpdate, AuthError> {
        let (user_id, session_hash) = match caller {
            Principal::User {
                anonymous: true, ..
            } => {
                return Err(AuthError::Forbidden(
                    "anonymous users must register before changing account settings".into(),
                ))
            }
            Principal::User {
                id, session_hash, ..
            } => (*id, session_hash.clone()),
            _ => return Err(AuthError::Unauthorized),
        };
        let id = user_id.get();
        // The change is checked before any password work: a change that
        // cannot be made costs no hash.
        let current = self
            .store
            .run(move |conn| users::account(conn, id, false))
            .await?;
        let current = current.ok_or(AuthError::Unauthorized)?;
        plan(&current, &change)?;
        let new_hash = self.new_password_hash(id, &change).await?;
        let cache = self.sessions.clone();
        let verdict = self
            .store
            .transaction(move |conn| -> Result<Verdict<_>, StoreError> {
                let Some(account) = users::account(conn, id, true)? else {
                    return Ok(Verdict::Refuse(AuthError::Unauthorized));
                };
                let email_change = match &change.email {
                    Some(Some(new)) if account.email.as_deref() != Some(new.as_str()) => {
                        Some((account.email.clone(), new.as_str().to_owned()))
                    }
                    _ => None,
                };
                let set = match plan(&account, &change) {
                    Ok(set) => set,
                    Err(invalid) => return Ok(Verdict::refuse(invalid)),
                };
                let now = now_unix();
                if !set.is_empty() {
                    object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
                }
                if let Some(hash) = new_hash {
                    store::set_password_hash(conn, id, &hash, now)?;
                    end_sessions(conn, &cache, id, Some(&session_hash))?;
                }
                Ok(Verdict::Proceed(email_change))
            })
            .await?;
        verdict.into_result().map(|email_change| AccountUpdate {
            user_id,
            email_change,
        })
    }

    /// The hash of the requested new password, after checking the current one
    /// (required when the user has a password). New passwords per user are
    /// limited, and wrong current passwords count toward the account's lockout.
    async fn new_password_hash(
        &self,
        id: i64,
        change: &AccountChange,
    ) -> Result<Option<String>, AuthError> {
        let Some(new_password) = &change.new_password else {
            return Ok(None);
        };
        self.limits
            .count(
                format!("password-changes:{id}"),
                PASSWORD_CHANGES,
                "this account",
            )
            .await?;
        let has_password = self
            .store
            .run(move |conn| store::get_password_hash(conn, id))
            .await?
            .is_some();
        if has_password {
            let old = change.password.as_ref().ok_or_else(|| {
                InvalidInput::new(
                    "password",
                    "the current password is required to set a new one",
                )
            })?;
            self.confirm_password(UserId::from_db(id), old).await?;
        }
        Ok(Some(self.hasher.hash(new_password).await?))
    }
}

/// New passwords one user may set through the account endpoint per hour.
const PASSWORD_CHANGES: Window = Window {
    hits: 10,
    seconds: 3600,
};

/// What a user must show for a sensitive change: deleting their account, or
/// (when the server requires it) changing their login identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProof {
    /// Their current password (the account has one).
    pub password: bool,
    /// Where a fresh code may come from, any one of them; empty: no code is
    /// needed (nothing beyond the session for an account with neither a
    /// password nor a verified phone or address: a device or third-party
    /// account).
    pub code_from: Vec<CodeChannel>,
}

/// Where a code proving a sensitive change comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChannel {
    /// Texted to the account's verified phone (the body's `code`).
    Phone(Phone),
    /// Mailed to the account's verified address, purpose `reauthenticate`
    /// (the body's `email_code`).
    Email,
}

impl AuthService {
    /// What user `id` must show for a sensitive change: the password when the
    /// account has one, and a code too when `code_too`; a code alone when it
    /// has no password.
    pub async fn proof_needed(
        &self,
        id: UserId,
        code_too: bool,
    ) -> Result<AccountProof, AuthError> {
        let id = id.get();
        let (hash, account) = self
            .store
            .run(move |conn| {
                Ok::<_, StoreError>((
                    store::get_password_hash(conn, id)?,
                    users::account(conn, id, false)?,
                ))
            })
            .await?;
        let account = account.ok_or(AuthError::Unauthorized)?;
        let mut channels = Vec::new();
        if let Some(phone) = account.phone.filter(|_| account.phone_verified != 0) {
            channels.push(CodeChannel::Phone(Phone::stored(phone)));
        }
        if account.email.is_some() && account.email_verified != 0 {
            channels.push(CodeChannel::Email);
        }
        let password = hash.is_some();
        Ok(AccountProof {
            password,
            code_from: if password && !code_too {
                Vec::new()
            } else {
                channels
            },
        })
    }

    /// Checks `password` against user `id`'s current password. Each check is
    /// counted toward the account's lockout before it is made (a stolen
    /// session cannot guess the password without limit), and taken back when
    /// the password is right.
    pub async fn confirm_password(&self, id: UserId, password: &Password) -> Result<(), AuthError> {
        let id = id.get();
        let attempt = self
            .limits
            .attempt(
                lockout_key("account", &id.to_string()),
                self.lockout,
                "this account",
            )
            .await?;
        let hash = self
            .store
            .run(move |conn| store::get_password_hash(conn, id))
            .await?;
        match self.hasher.verify(password, hash).await {
            Ok(true) => {
                self.limits.take_back(attempt).await;
                Ok(())
            }
            Ok(false) => Err(InvalidInput::new("password", "is not the current password").into()),
            Err(busy) => {
                self.limits.take_back(attempt).await;
                Err(busy)
            }
        }
    }
}

/// The column assignments for `change` on `account`, refusing to remove the last
/// login identifier. A changed email or phone becomes unverified.
fn plan(
    account: &AccountRow,
    change: &AccountChange,
) -> Result<Vec<(String, SqlValue)>, InvalidInput> {
    let keeps = |changed: Option<bool>, old: &Option<String>| changed.unwrap_or(old.is_some());
    let has_identifier = keeps(
        change.username.as_ref().map(Option::is_some),
        &account.username,
    ) || keeps(change.email.as_ref().map(Option::is_some), &account.email)
        || keeps(change.phone.as_ref().map(Option::is_some), &account.phone);
    if !has_identifier {
        return Err(InvalidInput::new(
            "account",
            "at least one of username, email or phone must remain",
        ));
    }
    let null = || SqlValue::Null;
    let unverified = |column: &str| (column.to_owned(), SqlValue::Bool(false));
    let mut set: Vec<(String, SqlValue)> = Vec::new();
    match &change.username {
        Some(Some(u)) => set.extend(Identifier::Username(u.clone()).columns()),
        Some(None) => set.extend([
            ("_username".into(), null()),
            ("_username_key".into(), null()),
        ]),
        None => {}
    }
    if let Some(email) = &change.email {
        if email.as_ref().map(Email::as_str) != account.email.as_deref() {
            set.push(unverified("_email_verified"));
        }
        match email {
            Some(e) => set.extend(Identifier::Email(e.clone()).columns()),
            None => set.push(("_email".into(), null())),
        }
    }
    if let Some(phone) = &change.phone {
        if phone.as_ref().map(Phone::as_str) != account.phone.as_deref() {
            set.push(unverified("_phone_verified"));
        }
        match phone {
            Some(p) => set.extend(Identifier::Phone(p.clone()).columns()),
            None => set.push(("_phone".into(), null())),
        }
    }
    Ok(set)
}
