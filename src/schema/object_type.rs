//! A compiled object type: the user profile or a data table. What differs between
//! the two is data here ([`TypeClass`]), not a second code path in the engine.

use serde_json::Value;

use super::counters::CounterLink;
use super::extension::TableExtension;
use super::field::{Builtin, Field, FieldKind};
use super::guards::Guard;
use super::table_rules::TableRules;

/// Name of the user profile's object type and table.
pub const PROFILE_TYPE: &str = "_userprofile";

/// The two classes of object types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    /// The user profile: integer ids, each row owned by itself, created only by
    /// sign-up, never deleted through the client API, `user_id` beside `id`.
    Profile,
    /// A data table: text ids, rows owned by their creator with row ACLs,
    /// `_id` beside `id`.
    Table,
}

/// One schema file, compiled.
#[derive(Debug)]
pub struct ObjectType {
    /// Type name: the file name without `.json`.
    pub name: String,
    /// Profile or data table.
    pub class: TypeClass,
    /// Built-in fields, in the order of the built-in table.
    pub builtins: Vec<Field>,
    /// Declared fields in file order.
    pub fields: Vec<Field>,
    /// Table-level extension settings.
    pub extension: TableExtension,
    /// Compiled table rules (data tables; defaults for the profile).
    pub rules: TableRules,
    /// Write guards, checked on every create and update.
    pub guards: Vec<Guard>,
    /// The counters (of this or other types) that writes of this type's rows move.
    pub counted_by: Vec<CounterLink>,
    /// The schema file as written.
    pub raw: Value,
}

impl ObjectType {
    /// The declared field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.as_str() == name)
    }

    /// Any field called `name` — built-in or declared — with the id alias
    /// (`user_id` or `_id`) standing for `id`.
    pub fn lookup(&self, name: &str) -> Option<&Field> {
        let name = if name == self.id_alias() { "id" } else { name };
        self.builtins
            .iter()
            .find(|f| f.name.as_str() == name)
            .or_else(|| self.field(name))
    }

    /// Built-in fields, then declared ones.
    pub fn all_fields(&self) -> impl Iterator<Item = &Field> {
        self.builtins.iter().chain(&self.fields)
    }

    /// The built-in field playing `role` (the first, for account fields).
    pub fn builtin(&self, role: Builtin) -> Option<&Field> {
        self.builtins.iter().find(|f| f.builtin == Some(role))
    }

    /// Whether this is the user profile.
    pub fn is_profile(&self) -> bool {
        self.class == TypeClass::Profile
    }

    /// The kind of the id: integer for users, string for records.
    pub fn id_kind(&self) -> FieldKind {
        match self.class {
            TypeClass::Profile => FieldKind::Integer,
            TypeClass::Table => FieldKind::String,
        }
    }

    /// The wire alias of `id`: `user_id` on users, `_id` on records.
    pub fn id_alias(&self) -> &'static str {
        match self.class {
            TypeClass::Profile => "user_id",
            TypeClass::Table => "_id",
        }
    }

    /// Keys kept by an including `keys` selection whatever it names: `id`,
    /// and on records `_id` too (Hydrogen records always carry it).
    pub fn kept_keys(&self) -> &'static [&'static str] {
        match self.class {
            TypeClass::Profile => &["id"],
            TypeClass::Table => &["id", "_id"],
        }
    }

    /// Whether rows carry their own `read_perm` / `write_perm`.
    pub fn has_row_acl(&self) -> bool {
        self.class == TypeClass::Table
    }
}
