//! What an admin credential may do: the [`Scope`]s of the admin API and the
//! [`AdminGrant`] every credential resolves to. A grant gives no more than it
//! holds: a new key's scopes are a subset of its creator's, and a key made by
//! an expiring key expires no later.

use std::collections::BTreeSet;

use super::error::AuthError;
use super::principal::AdminIdentity;
use crate::domain::InvalidInput;

/// One right over one area of the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read users.
    UsersRead,
    /// Change, disable, delete users.
    UsersWrite,
    /// Read records of every table.
    RecordsRead,
    /// Create, change, delete records.
    RecordsWrite,
    /// Read the schema and its history.
    SchemaRead,
    /// Reload the schema.
    SchemaWrite,
    /// List API keys.
    KeysRead,
    /// Create and revoke API keys.
    KeysWrite,
    /// Read the audit log.
    AuditRead,
    /// Read files and file categories.
    FilesRead,
    /// Delete files; make, rename and delete file categories.
    FilesWrite,
}

impl Scope {
    /// Every scope, in order.
    pub const ALL: [Scope; 11] = [
        Scope::UsersRead,
        Scope::UsersWrite,
        Scope::RecordsRead,
        Scope::RecordsWrite,
        Scope::SchemaRead,
        Scope::SchemaWrite,
        Scope::KeysRead,
        Scope::KeysWrite,
        Scope::AuditRead,
        Scope::FilesRead,
        Scope::FilesWrite,
    ];

    /// The wire name, e.g. `users:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::UsersRead => "users:read",
            Scope::UsersWrite => "users:write",
            Scope::RecordsRead => "records:read",
            Scope::RecordsWrite => "records:write",
            Scope::SchemaRead => "schema:read",
            Scope::SchemaWrite => "schema:write",
            Scope::KeysRead => "keys:read",
            Scope::KeysWrite => "keys:write",
            Scope::AuditRead => "audit:read",
            Scope::FilesRead => "files:read",
            Scope::FilesWrite => "files:write",
        }
    }

    /// Parses a list like `users:read,records:write`; `*` means every scope.
    pub fn parse_list(field: &str, raw: &[String]) -> Result<BTreeSet<Scope>, InvalidInput> {
        let mut out = BTreeSet::new();
        for item in raw.iter().flat_map(|s| s.split(',')).map(str::trim) {
            if item.is_empty() {
                continue;
            }
            if item == "*" {
                out.extend(Scope::ALL);
                continue;
            }
            let scope = Scope::ALL
                .into_iter()
                .find(|s| s.as_str() == item)
                .ok_or_else(|| {
                    let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                    InvalidInput::new(
                        field,
                        format!("unknown scope '{item}'; use {} or *", known.join(", ")),
                    )
                })?;
            out.insert(scope);
        }
        if out.is_empty() {
            return Err(InvalidInput::new(field, "at least one scope is required"));
        }
        Ok(out)
    }
}

/// An authenticated admin credential and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminGrant {
    /// Which credential acted.
    pub identity: AdminIdentity,
    /// What it may do.
    pub scopes: BTreeSet<Scope>,
    /// Unix seconds when the credential ends, for an expiring API key (`None`
    /// for keys without expiry, admin sessions and the bootstrap token).
    pub expires_at: Option<i64>,
}

impl AdminGrant {
    /// 403 unless the grant holds `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), AuthError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(format!(
                "this credential lacks the scope {}",
                scope.as_str()
            )))
        }
    }

    /// 403 unless the grant holds `scope`, saying what needs it (`why`, e.g.
    /// `expand=created_by, which reads user profiles`).
    pub fn require_for(&self, scope: Scope, why: &str) -> Result<(), AuthError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(format!(
                "this credential lacks the scope {}, needed by {why}",
                scope.as_str()
            )))
        }
    }

    /// 403 unless the grant holds every scope of `scopes`, naming those it
    /// lacks: a credential grants only what it holds itself.
    pub fn may_grant(&self, scopes: &BTreeSet<Scope>) -> Result<(), AuthError> {
        let missing: Vec<&str> = scopes
            .difference(&self.scopes)
            .map(|s| s.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let noun = if missing.len() == 1 {
            "scope"
        } else {
            "scopes"
        };
        Err(AuthError::Forbidden(format!(
            "this credential lacks the {noun} {}, so it cannot grant {} to a new key: a key's \
             scopes must be among its creator's",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        )))
    }

    /// The expiry of a key this grant creates: what was asked, which may not
    /// be later than the grant's own end (403); without one asked, the
    /// grant's own end.
    pub fn expiry_for_new_key(&self, wanted: Option<i64>) -> Result<Option<i64>, AuthError> {
        match (self.expires_at, wanted) {
            (Some(end), Some(at)) if at > end => Err(AuthError::Forbidden(format!(
                "expires_at: this credential expires at {end}; a key it creates may not outlive it"
            ))),
            (Some(end), None) => Ok(Some(end)),
            (_, wanted) => Ok(wanted),
        }
    }
}
