//! Who is making a request: a guest, a user (by id, anonymous or not, with
//! the session used) or an admin (which credential). Resolved by `auth`,
//! read by every layer that decides what a caller may do.

use super::UserId;

/// The caller of a request, resolved from its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No (valid) credentials.
    Guest,
    /// A logged-in user.
    User {
        /// The user.
        id: UserId,
        /// Logged in anonymously (device login), not yet registered.
        anonymous: bool,
        /// Storage key of the session used, to keep it when revoking others.
        session_hash: String,
    },
    /// An admin; says which credential acted, for the audit log.
    Admin(AdminIdentity),
}

/// Which admin credential made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminIdentity {
    /// The shared bootstrap token (`PROTIUM_ADMIN_TOKEN`).
    SharedToken,
    /// An admin account, signed in.
    Account {
        /// Its id.
        id: i64,
        /// Its address.
        email: String,
    },
    /// An API key.
    Key {
        /// Its id.
        id: i64,
        /// Its name.
        name: String,
    },
}

impl AdminIdentity {
    /// How audit entries and logs name the actor: `token`, `admin:<email>`,
    /// `key:<id>:<name>`.
    pub fn label(&self) -> String {
        match self {
            AdminIdentity::SharedToken => "token".to_owned(),
            AdminIdentity::Account { email, .. } => format!("admin:{email}"),
            AdminIdentity::Key { id, name } => format!("key:{id}:{name}"),
        }
    }
}

impl Principal {
    /// The user id, for logged-in users.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Principal::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether the caller is an admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin(_))
    }
}
