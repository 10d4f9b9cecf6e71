//! Who is making a request: [`Principal`] lives in `domain` (every layer
//! reads it); what only the account flows need of it is here.

use super::error::AuthError;
pub use crate::domain::{AdminIdentity, Principal};

/// The id of a registered (not anonymous) logged-in user; anonymous users are
/// told they must register before `action`, guests get a 401.
pub(crate) fn registered_user(caller: &Principal, action: &str) -> Result<i64, AuthError> {
    match caller {
        Principal::User {
            anonymous: true, ..
        } => Err(AuthError::Forbidden(format!(
            "anonymous users must register before {action}"
        ))),
        Principal::User { id, .. } => Ok(id.get()),
        _ => Err(AuthError::Unauthorized),
    }
}
