//! Account changes: username, email, phone (`null` clears) and password.

use super::error::AuthError;
use super::principal::Principal;
use super::service::{AuthService, Identifier};
use crate::domain::{now_unix, Email, InvalidInput, Password, Phone, UserId, Username};
use crate::query::SqlValue;
use crate::store::rows::{self, Assign};
use crate::store::users::{self, PROFILE_TABLE};
use crate::store::{self};

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
    /// other session of the user.
    #[tracing::instrument(skip(self, change))]
    pub async fn update_account(
        &self,
        caller: &Principal,
        change: AccountChange,
    ) -> Result<UserId, AuthError> {
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
        let (account, hash) = self
            .store
            .run(move |conn| {
                Ok((
                    users::account(conn, id)?,
                    store::get_password_hash(conn, id)?,
                ))
            })
            .await?;
        let account = account.ok_or(AuthError::Unauthorized)?;

        let new_hash = match &change.new_password {
            None => None,
            Some(new_password) => {
                if hash.is_some() {
                    let old = change.password.as_ref().ok_or_else(|| {
                        InvalidInput::new(
                            "password",
                            "the current password is required to set a new one",
                        )
                    })?;
                    if !self.hasher.verify_blocking(old, hash.clone()).await? {
                        return Err(
                            InvalidInput::new("password", "is not the current password").into()
                        );
                    }
                }
                Some(self.hasher.hash_blocking(new_password).await?)
            }
        };

        let keeps = |changed: &Option<Option<String>>, old: &Option<String>| match changed {
            Some(v) => v.is_some(),
            None => old.is_some(),
        };
        let username = change
            .username
            .as_ref()
            .map(|u| u.as_ref().map(|u| u.as_str().to_owned()));
        let email = change
            .email
            .as_ref()
            .map(|e| e.as_ref().map(|e| e.as_str().to_owned()));
        let phone = change
            .phone
            .as_ref()
            .map(|p| p.as_ref().map(|p| p.as_str().to_owned()));
        let has_identifier = keeps(&username, &account.username)
            || keeps(&email, &account.email)
            || keeps(&phone, &account.phone);
        if !has_identifier {
            return Err(InvalidInput::new(
                "account",
                "at least one of username, email or phone must remain",
            )
            .into());
        }

        let mut set: Vec<(String, Assign)> = Vec::new();
        let null = || Assign::Value(SqlValue::Null);
        match change.username {
            Some(Some(u)) => set.extend(Identifier::Username(u).columns()),
            Some(None) => set.extend([
                ("_username".into(), null()),
                ("_username_key".into(), null()),
            ]),
            None => {}
        }
        if let Some(e) = change.email {
            let changed = e.as_ref().map(|e| e.as_str()) != account.email.as_deref();
            match e {
                Some(e) => set.extend(Identifier::Email(e).columns()),
                None => set.push(("_email".into(), null())),
            }
            if changed {
                set.push((
                    "_email_verified".into(),
                    Assign::Value(SqlValue::Bool(false)),
                ));
            }
        }
        if let Some(p) = change.phone {
            let changed = p.as_ref().map(|p| p.as_str()) != account.phone.as_deref();
            match p {
                Some(p) => set.extend(Identifier::Phone(p).columns()),
                None => set.push(("_phone".into(), null())),
            }
            if changed {
                set.push((
                    "_phone_verified".into(),
                    Assign::Value(SqlValue::Bool(false)),
                ));
            }
        }
        self.store
            .transaction(move |conn| {
                let now = now_unix();
                if !set.is_empty() {
                    set.push(("updated_at".into(), Assign::Value(SqlValue::Int(now))));
                    rows::update(conn, PROFILE_TABLE, id, &set)?;
                }
                if let Some(hash) = new_hash {
                    store::set_password_hash(conn, id, &hash, now)?;
                    store::delete_sessions_of_user(conn, id, Some(&session_hash))?;
                }
                Ok(())
            })
            .await?;
        Ok(user_id)
    }
}
