//! Table-level rules of a data table, compiled from its top-level `x-protium`:
//! permissions as ACL entries, compound and partial uniqueness, per-owner limits.

use serde_json::Value;

use super::extension::{ReadRule, TableExtension};
use super::field::{Field, FieldKind};
use crate::domain::AclEntry;

/// Built-in record fields a uniqueness rule may name besides declared fields.
const UNIQUE_BUILTINS: &[&str] = &["created_by"];

/// Compiled table rules.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRules {
    /// Who may create records (creator-independent entries).
    pub create: Vec<AclEntry>,
    /// `read_perm` given to new records that send none.
    pub default_read: Vec<AclEntry>,
    /// `write_perm` given to new records that send none.
    pub default_write: Vec<AclEntry>,
    /// Whether clients may send `read_perm`/`write_perm`.
    pub client_acl: bool,
    /// Compound and partial uniqueness rules.
    pub uniques: Vec<UniqueRule>,
    /// Most records per creator.
    pub max_per_owner: Option<u32>,
    /// The profile's fields guests see of an expanded user (public, stored,
    /// unmasked); empty: guests see no user.
    pub guest_view: Vec<String>,
}

impl Default for TableRules {
    /// Hydrogen's usual table: registered users create, everyone reads, the
    /// creator (and admins) write.
    fn default() -> Self {
        Self {
            create: vec![AclEntry::AnyUser],
            default_read: vec![AclEntry::Anonymous],
            default_write: Vec::new(),
            client_acl: true,
            uniques: Vec::new(),
            max_per_owner: None,
            guest_view: Vec::new(),
        }
    }
}

/// One uniqueness rule.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueRule {
    /// Columns whose combination is unique, in order.
    pub fields: Vec<String>,
    /// Only rows where each column equals its literal take part.
    pub filter: Vec<(String, Value)>,
    /// String columns compared lower-cased.
    pub case_insensitive: bool,
}

impl UniqueRule {
    /// A stable name for the rule (used for its index), e.g. `created_by+is_default`.
    pub fn key(&self) -> String {
        let mut key = self.fields.join("+");
        if !self.filter.is_empty() {
            key.push_str("|where:");
            let parts: Vec<String> = self
                .filter
                .iter()
                .map(|(f, v)| format!("{f}={v}"))
                .collect();
            key.push_str(&parts.join(","));
        }
        if self.case_insensitive {
            key.push_str("|ci");
        }
        key
    }
}

/// Compiles table rules; errors are `(json pointer, message)`.
pub fn compile_rules(
    ext: &TableExtension,
    fields: &[Field],
) -> Result<TableRules, (String, String)> {
    let mut rules = TableRules::default();
    if let Some(p) = &ext.permissions {
        let acl = |name: &str, list: &Option<Vec<String>>, into: &mut Vec<AclEntry>| {
            if let Some(items) = list {
                let pointer = format!("/x-protium/permissions/{name}");
                *into = items
                    .iter()
                    .map(|raw| AclEntry::parse(name, raw).map_err(|e| (pointer.clone(), e.rule)))
                    .collect::<Result<_, _>>()?;
            }
            Ok::<(), (String, String)>(())
        };
        acl("create", &p.create, &mut rules.create)?;
        acl("read", &p.read, &mut rules.default_read)?;
        acl("write", &p.write, &mut rules.default_write)?;
        rules.client_acl = p.client_acl.unwrap_or(true);
    }
    for (i, name) in ext.guest_view.iter().enumerate() {
        let shown = fields
            .iter()
            .find(|f| f.name.as_str() == name)
            .is_some_and(|f| {
                f.read == ReadRule::Public
                    && f.mask.is_none()
                    && f.is_stored()
                    && f.read_linked.is_none()
            });
        if !shown {
            return Err((
                format!("/x-protium/guest_view/{i}"),
                format!("'{name}' is not a declared public field without a mask: guests may see only what every user sees"),
            ));
        }
        rules.guest_view.push(name.clone());
    }
    for (i, u) in ext.unique.iter().enumerate() {
        let pointer = format!("/x-protium/unique/{i}");
        if u.fields.is_empty() {
            return Err((pointer, "a uniqueness rule needs at least one field".into()));
        }
        let column_ok = |name: &str, what: &str| -> Result<(), (String, String)> {
            match fields.iter().find(|f| f.name.as_str() == name) {
                Some(f) if !f.kind.is_json() => Ok(()),
                Some(f) => Err((
                    pointer.clone(),
                    format!(
                        "'{name}' is a {} field and cannot be {what}",
                        f.kind.type_name()
                    ),
                )),
                None if UNIQUE_BUILTINS.contains(&name) => Ok(()),
                None => Err((pointer.clone(), format!("'{name}' is not a declared field"))),
            }
        };
        for f in &u.fields {
            column_ok(f, "part of a unique rule")?;
        }
        let mut filter = Vec::new();
        for (name, literal) in u.where_.iter().flatten() {
            column_ok(name, "used in a unique rule's where")?;
            let kind = fields
                .iter()
                .find(|f| f.name.as_str() == name)
                .map_or(FieldKind::Integer, |f| f.kind);
            let fits = matches!(
                (kind, literal),
                (FieldKind::Boolean, Value::Bool(_))
                    | (FieldKind::Integer, Value::Number(_))
                    | (FieldKind::String, Value::String(_))
            ) && literal.as_number().is_none_or(|n| n.is_i64());
            if !fits {
                return Err((
                    format!("{pointer}/where/{name}"),
                    "a unique rule's where compares boolean, integer or string fields with a literal of that type".into(),
                ));
            }
            filter.push((name.clone(), literal.clone()));
        }
        rules.uniques.push(UniqueRule {
            fields: u.fields.clone(),
            filter,
            case_insensitive: u.case_insensitive,
        });
    }
    if ext.max_per_owner == Some(0) {
        return Err((
            "/x-protium/max_per_owner".into(),
            "must be at least 1 (use permissions.create to forbid creating)".into(),
        ));
    }
    rules.max_per_owner = ext.max_per_owner;
    Ok(rules)
}
