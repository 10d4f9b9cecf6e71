//! Who sees which profile field: built-in fields with fixed rules, declared fields
//! with their `x-protium` rules.

use crate::auth::Principal;
use crate::query::{FieldCatalog, QueryError, QueryField};
use crate::schema::{FieldKind, ObjectType, ReadRule};
use crate::store::rows::Column;

/// Built-in profile fields: name, kind, read rule. Account and contact data
/// (login name, email, phone, their verification, providers, the anonymous flag)
/// is for the user and admins only, so no query can enumerate login names.
pub const BUILTIN_FIELDS: &[(&str, FieldKind, ReadRule)] = &[
    ("id", FieldKind::Integer, ReadRule::Public),
    ("created_at", FieldKind::Integer, ReadRule::Public),
    ("updated_at", FieldKind::Integer, ReadRule::Public),
    ("created_by", FieldKind::Integer, ReadRule::Public),
    ("_username", FieldKind::String, ReadRule::Owner),
    ("_anonymous", FieldKind::Boolean, ReadRule::Owner),
    ("_email", FieldKind::String, ReadRule::Owner),
    ("_email_verified", FieldKind::Boolean, ReadRule::Owner),
    ("_phone", FieldKind::String, ReadRule::Owner),
    ("_phone_verified", FieldKind::Boolean, ReadRule::Owner),
    ("_provider", FieldKind::Object, ReadRule::Owner),
];

/// How the caller relates to the record(s) at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Reads public fields only.
    Other,
    /// The record is the caller's own: public and owner fields.
    Owner,
    /// Everything.
    Admin,
}

impl Viewer {
    /// The viewer for `principal` looking at the profile of `user_id`.
    pub fn of(principal: &Principal, user_id: i64) -> Self {
        match principal {
            Principal::Admin => Viewer::Admin,
            p if p.user_id().map(|u| u.get()) == Some(user_id) => Viewer::Owner,
            _ => Viewer::Other,
        }
    }

    /// The viewer for queries over many records: admins see all, everyone else
    /// only what is public on every row.
    pub fn for_queries(principal: &Principal) -> Self {
        if principal.is_admin() {
            Viewer::Admin
        } else {
            Viewer::Other
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

/// Every stored profile field (built-in and declared) with its kind and rule.
pub fn profile_fields(profile: &ObjectType) -> Vec<(String, FieldKind, ReadRule)> {
    BUILTIN_FIELDS
        .iter()
        .map(|(n, k, r)| ((*n).to_owned(), *k, *r))
        .chain(
            profile
                .fields
                .iter()
                .map(|f| (f.name.as_str().to_owned(), f.kind, f.read)),
        )
        .collect()
}

/// The columns `viewer` may read.
pub fn readable_columns(profile: &ObjectType, viewer: Viewer) -> Vec<Column> {
    profile_fields(profile)
        .into_iter()
        .filter(|(_, _, rule)| viewer.may_read(*rule))
        .map(|(name, kind, _)| Column { name, kind })
        .collect()
}

/// Resolves query field names for one viewer: unknown fields and fields the
/// viewer may not read are refused alike (so a query cannot probe private values).
pub struct ProfileCatalog<'a> {
    /// The profile type.
    pub profile: &'a ObjectType,
    /// The viewer.
    pub viewer: Viewer,
}

impl FieldCatalog for ProfileCatalog<'_> {
    fn resolve(&self, param: &str, name: &str) -> Result<QueryField, QueryError> {
        let found = profile_fields(self.profile)
            .into_iter()
            .find(|(n, _, _)| n == name);
        match found {
            Some((column, kind, rule)) if self.viewer.may_read(rule) => {
                Ok(QueryField { column, kind })
            }
            Some(_) => Err(QueryError::new(
                param,
                format!("field '{name}' is not readable by the caller"),
            )),
            None => Err(QueryError::new(param, format!("unknown field '{name}'"))),
        }
    }
}
