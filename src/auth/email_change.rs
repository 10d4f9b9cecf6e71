//! Mailed codes that guard account changes: switching to a new address only
//! once a code mailed to it proves it (`change_email`), and a code mailed to
//! the verified address as the second proof of a sensitive change
//! (`reauthenticate`). The codes are sent by `EmailService::send_code`.

use serde_json::json;

use super::email::{own_address, EmailService, Purpose};
use super::error::AuthError;
use super::principal::{registered_user, Principal};
use super::service::Identifier;
use super::verdict::Verdict;
use crate::domain::{Email, InvalidInput, UserId};
use crate::query::SqlValue;
use crate::store::object_writes;
use crate::store::users::{self, LoginColumn, PROFILE_TABLE};

impl EmailService {
    /// Switches the caller's address to `email`, proven by the code mailed
    /// there: the address is verified at once, and the old one gets a notice.
    /// An address another account holds is refused and the code stays usable.
    pub async fn change_email_with_code(
        &self,
        caller: &Principal,
        email: Email,
        code: String,
        accept_language: Option<String>,
    ) -> Result<(), AuthError> {
        let id = registered_user(caller, "changing the email address")?;
        let this = self.clone();
        self.transaction(move |conn| {
            // A user deleted while their own request runs is signed out.
            let Some(account) = users::account(conn, id, true)? else {
                return Ok(Verdict::Refuse(AuthError::Unauthorized));
            };
            if account.email.as_deref() == Some(email.as_str()) {
                return Ok(Verdict::refuse(InvalidInput::new(
                    "email",
                    "is already the account's address",
                )));
            }
            let tried =
                this.try_code(conn, Purpose::ChangeEmail, id, email.as_str(), &code, true)?;
            if let Verdict::Refuse(why) = tried {
                return Ok(Verdict::refuse(why));
            }
            // An account that only typed this address in loses it to the prover.
            users::release_unproven(conn, LoginColumn::Email, email.as_str(), Some(id))?;
            let mut set = Identifier::Email(email.clone()).columns();
            set.push(("_email_verified".into(), SqlValue::Bool(true)));
            // A verified, taken address rolls the whole transaction back, the code's use included.
            object_writes::update(conn, PROFILE_TABLE, &SqlValue::Int(id), None, &set)?;
            if let Some(old) = account.email {
                let locale = this.user_locale(conn, id, accept_language.as_deref())?;
                let ctx = json!({
                    "app_name": this.settings.app_name, "email": old, "new_email": email.as_str(),
                });
                this.queue(conn, &old, locale, "email_changed", &ctx)?;
            }
            Ok(Verdict::Proceed(()))
        })
        .await
    }

    /// Uses a `reauthenticate` code mailed to user `id`'s verified address;
    /// errors name the body's `email_code`.
    pub async fn take_reauth_code(&self, id: UserId, code: String) -> Result<(), AuthError> {
        let id = id.get();
        let this = self.clone();
        self.transaction(move |conn| {
            let address = match own_address(conn, id, true)? {
                Verdict::Proceed(address) => address,
                Verdict::Refuse(why) => return Ok(Verdict::Refuse(why)),
            };
            let tried = this.try_code(conn, Purpose::Reauthenticate, id, &address, &code, true)?;
            Ok(tried.map_refusal(|why| InvalidInput::new("email_code", why.rule).into()))
        })
        .await
    }
}
