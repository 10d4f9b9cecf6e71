//! Row-level access to records: who the caller is, which ACL entries grant them
//! access, and the same rule as a SQL condition for lists.
//!
//! A record's creator and admins may always read and write it. Others need an
//! entry in the record's `read_perm` / `write_perm`: `user:anonymous` (reads:
//! everyone; writes: every session), `user:*` (registered users), `user:<id>`.

use crate::auth::Principal;
use crate::domain::AclEntry;
use crate::query::Condition;

/// The caller as the ACL rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    /// The logged-in user, if any.
    pub user: Option<i64>,
    /// The user logged in anonymously (device login).
    pub anonymous: bool,
    /// The admin token was used.
    pub admin: bool,
}

/// Reading or writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `read_perm`.
    Read,
    /// `write_perm`.
    Write,
}

impl Access {
    /// The ACL column.
    pub fn column(self) -> &'static str {
        match self {
            Access::Read => "read_perm",
            Access::Write => "write_perm",
        }
    }
}

impl Who {
    /// From the request's principal.
    pub fn of(principal: &Principal) -> Self {
        match principal {
            Principal::Guest => Self {
                user: None,
                anonymous: false,
                admin: false,
            },
            Principal::User { id, anonymous, .. } => Self {
                user: Some(id.get()),
                anonymous: *anonymous,
                admin: false,
            },
            Principal::Admin => Self {
                user: None,
                anonymous: false,
                admin: true,
            },
        }
    }

    /// Whether `entry` grants this caller `access`.
    pub fn granted_by(self, entry: AclEntry, access: Access) -> bool {
        match entry {
            AclEntry::Anonymous => access == Access::Read || self.user.is_some(),
            AclEntry::AnyUser => self.user.is_some() && !self.anonymous,
            AclEntry::User(id) => self.user == Some(id),
            AclEntry::Group(_) => false,
        }
    }

    /// Whether the caller may `access` a record created by `created_by` with `acl`.
    pub fn may(self, access: Access, created_by: Option<i64>, acl: &[AclEntry]) -> bool {
        self.admin
            || (self.user.is_some() && self.user == created_by)
            || acl.iter().any(|e| self.granted_by(*e, access))
    }

    /// Whether the caller may create records under the table's `create` entries.
    pub fn may_create(self, create: &[AclEntry]) -> bool {
        self.admin || create.iter().any(|e| self.granted_by(*e, Access::Write))
    }

    /// The entries that grant this caller `access`, as stored text.
    fn grants(self, access: Access) -> Vec<String> {
        let mut out = Vec::with_capacity(3);
        if access == Access::Read || self.user.is_some() {
            out.push(AclEntry::Anonymous.to_wire());
        }
        if let Some(id) = self.user {
            if !self.anonymous {
                out.push(AclEntry::AnyUser.to_wire());
            }
            out.push(AclEntry::User(id).to_wire());
        }
        out
    }

    /// The SQL condition selecting rows the caller may `access`; `None` for admins.
    pub fn filter(self, access: Access) -> Option<Condition> {
        if self.admin {
            return None;
        }
        Some(Condition::Acl {
            column: access.column(),
            owner: self.user,
            grants: self.grants(access),
        })
    }
}

#[cfg(test)]
#[path = "acl_test.rs"]
mod tests;
