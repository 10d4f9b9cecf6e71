//! SQL identifiers as a type: the only names [`super::SqlFragment::push_ident`]
//! writes into SQL text.
//!
//! An [`SqlIdent`] is made from a name that follows the identifier rule the
//! schema enforces ([`SqlIdent::parse`], or a field name of the compiled schema
//! through `From<&FieldName>`), from one of this crate's constants
//! ([`SqlIdent::from_static`]), or derived from such names (prefixes, suffixes,
//! dotted index names, digests). Every one of those is made of ASCII letters,
//! digits, `_` and (in derived names) `.`, so its quoted form can never end
//! early: no quote, space or other character that could change the statement.

use std::borrow::Cow;
use std::fmt;

use crate::schema::{FieldName, ObjectType};

/// A name that is safe to write, quoted, into SQL text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SqlIdent(Cow<'static, str>);

/// A name refused as an SQL identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an SQL identifier (letters, digits and '_', starting with a letter or '_')")]
pub struct InvalidIdent(pub String);

/// Whether `name` follows the identifier rule: ASCII letters, digits and `_`,
/// starting with a letter or `_`.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl SqlIdent {
    /// The `id` column every schema-driven table has.
    pub const ID: SqlIdent = SqlIdent::from_static("id");

    /// Parses a name that must follow the identifier rule.
    pub fn parse(name: &str) -> Result<Self, InvalidIdent> {
        if is_plain_name(name) {
            Ok(Self(Cow::Owned(name.to_owned())))
        } else {
            Err(InvalidIdent(name.to_owned()))
        }
    }

    /// Parses a dotted name such as an index name this crate derives
    /// (`uq.tbl_books.title`, `ur.tbl_books.<hex digest>`): parts of ASCII
    /// letters, digits and `_` joined by `.`.
    pub fn parse_dotted(name: &str) -> Result<Self, InvalidIdent> {
        let part_ok =
            |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if name.split('.').all(part_ok) {
            Ok(Self(Cow::Owned(name.to_owned())))
        } else {
            Err(InvalidIdent(name.to_owned()))
        }
    }

    /// Wraps a name written in this crate's source (a table, column or alias
    /// constant): trusted as it stands.
    pub const fn from_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// `<prefix><self>`, such as `tbl_<name>`; `prefix` is this crate's text.
    pub fn prefixed(&self, prefix: &'static str) -> Self {
        Self(Cow::Owned(format!("{prefix}{}", self.0)))
    }

    /// `<self><suffix>`, such as `<table>.insert`; `suffix` is this crate's text.
    pub fn suffixed(&self, suffix: &'static str) -> Self {
        Self(Cow::Owned(format!("{}{suffix}", self.0)))
    }

    /// `<prefix>.<part>.<part>…`: the dotted names of indexes.
    pub fn dotted(prefix: &'static str, parts: &[&SqlIdent]) -> Self {
        let mut name = prefix.to_owned();
        for part in parts {
            name.push('.');
            name.push_str(part.as_str());
        }
        Self(Cow::Owned(name))
    }

    /// The bare name, unquoted.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the name is empty: never for a parsed or derived name.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The quoted form, `"name"`.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl From<&FieldName> for SqlIdent {
    /// A field of the compiled schema: its name already follows the rule
    /// (declared names) or is one of this crate's built-in names.
    fn from(name: &FieldName) -> Self {
        Self(Cow::Owned(name.as_str().to_owned()))
    }
}

impl From<&ObjectType> for SqlIdent {
    /// An object type of the compiled schema: the loader admits only names of
    /// `a-z`, `0-9` and `_` starting with a letter (the profile is this
    /// crate's `_userprofile`).
    fn from(object: &ObjectType) -> Self {
        Self(Cow::Owned(object.name.clone()))
    }
}

impl std::ops::Deref for SqlIdent {
    type Target = str;

    /// The bare name, for code that reads it as text (messages, lookups).
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SqlIdent {
    /// The bare name, as in messages (`table.column`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SqlIdent {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SqlIdent {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
#[path = "sql_ident_test.rs"]
mod tests;
