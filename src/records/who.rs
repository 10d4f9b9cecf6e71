//! The caller as the engine sees them: which rows they may read and write
//! (row ACLs, ownership, admin and server rights) and which fields of a row
//! they may read ([`Viewer`]).
//!
//! A row's owner (a record's creator; on the profile, the user themself),
//! admins and the server may always read and write it. Others need an entry in
//! the row's `read_perm` / `write_perm`: `user:anonymous` (reads: everyone;
//! writes: every session), `user:*` (registered users), `user:<id>`.

use crate::domain::AclEntry;
use crate::domain::Principal;
use crate::query::{AclIndex, Condition};
use crate::schema::{ReadRule, WriteRule};

/// How much the caller may do beyond their own rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A guest or a user: row rules and field rules apply.
    Client,
    /// An admin: every row, every field, `write: admin` fields included.
    Admin,
    /// The server itself (account flows, the admin API, hooks): also sets
    /// `write: nobody` fields.
    Server,
}

/// The caller as the row and field rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    /// The logged-in user, if any.
    pub user: Option<i64>,
    /// The user logged in anonymously (device login).
    pub anonymous: bool,
    /// Client, admin or server.
    pub role: Role,
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
            Principal::Guest => Self::client(None, false),
            Principal::User { id, anonymous, .. } => Self::client(Some(id.get()), *anonymous),
            Principal::Admin(_) => Self {
                user: None,
                anonymous: false,
                role: Role::Admin,
            },
        }
    }

    /// A guest (`None`) or a user.
    pub fn client(user: Option<i64>, anonymous: bool) -> Self {
        Self {
            user,
            anonymous,
            role: Role::Client,
        }
    }

    /// The server itself.
    pub fn server() -> Self {
        Self {
            user: None,
            anonymous: false,
            role: Role::Server,
        }
    }

    /// Admins and the server.
    pub fn is_admin(self) -> bool {
        self.role >= Role::Admin
    }

    /// Neither logged in nor an admin.
    pub fn is_guest(self) -> bool {
        self.user.is_none() && !self.is_admin()
    }

    /// Whether this caller may read user profiles at all: guests may not,
    /// neither through the user API nor by expanding a pointer to a user.
    pub fn may_read_users(self) -> bool {
        !self.is_guest()
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

    /// Whether the caller may `access` a row owned by `owner` with `acl`.
    pub fn may(self, access: Access, owner: Option<i64>, acl: &[AclEntry]) -> bool {
        self.is_admin()
            || (self.user.is_some() && self.user == owner)
            || acl.iter().any(|e| self.granted_by(*e, access))
    }

    /// Whether the caller may create rows under the type's `create` entries.
    pub fn may_create(self, create: &[AclEntry]) -> bool {
        self.is_admin() || create.iter().any(|e| self.granted_by(*e, Access::Write))
    }

    /// Whether the caller may set a field under `rule` (row access aside).
    pub fn may_write_field(self, rule: WriteRule) -> bool {
        match rule {
            WriteRule::Owner => true,
            WriteRule::Admin => self.is_admin(),
            WriteRule::Nobody => self.role == Role::Server,
        }
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

    /// The SQL condition selecting rows the caller may `access`, through the
    /// ACL index (or each row's JSON column when `None`); `None` for admins.
    pub fn acl_filter(self, access: Access, index: Option<AclIndex>) -> Option<Condition> {
        if self.is_admin() {
            return None;
        }
        Some(Condition::Acl {
            column: access.column(),
            owner: self.user,
            grants: self.grants(access),
            index,
        })
    }
}

/// Which fields of one row a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Public fields only.
    Other,
    /// The row is the caller's own: public and owner fields.
    Owner,
    /// Everything.
    Admin,
}

impl Viewer {
    /// The viewer of a row owned by `owner`.
    pub fn of_row(who: Who, owner: Option<i64>) -> Self {
        if who.is_admin() {
            Viewer::Admin
        } else if who.user.is_some() && who.user == owner {
            Viewer::Owner
        } else {
            Viewer::Other
        }
    }

    /// The viewer for queries over many rows (`where`, `order_by`, `keys`,
    /// `expand`): admins see all, everyone else only what is public on every row.
    pub fn for_queries(who: Who) -> Self {
        if who.is_admin() {
            Viewer::Admin
        } else {
            Viewer::Other
        }
    }

    /// The widest viewer `who` can be of any row: what to load before each
    /// row is trimmed to its own viewer.
    pub fn widest(who: Who) -> Self {
        if who.is_admin() {
            Viewer::Admin
        } else {
            Viewer::Owner
        }
    }

    /// Whether this viewer may read a field under `rule`.
    pub fn may_read(self, rule: ReadRule) -> bool {
        match rule {
            ReadRule::Public => true,
            ReadRule::Owner => matches!(self, Viewer::Owner | Viewer::Admin),
            ReadRule::Admin => self == Viewer::Admin,
        }
    }
}

#[cfg(test)]
#[path = "who_test.rs"]
mod tests;
