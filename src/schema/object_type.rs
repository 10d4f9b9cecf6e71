//! A compiled object type: the user profile or a data table.

use super::extension::TableExtension;
use super::field::Field;
use super::table_rules::TableRules;

/// Name of the user profile's object type and table.
pub const PROFILE_TYPE: &str = "_userprofile";

/// One schema file, compiled.
#[derive(Debug)]
pub struct ObjectType {
    /// Type (and table) name: the file name without `.json`.
    pub name: String,
    /// Declared fields in file order.
    pub fields: Vec<Field>,
    /// Table-level extension settings.
    pub extension: TableExtension,
    /// Compiled table rules (data tables; defaults for the profile).
    pub rules: TableRules,
}

impl ObjectType {
    /// The declared field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.as_str() == name)
    }

    /// An object type with no declared fields (used when no file declares it).
    pub fn empty(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            fields: Vec::new(),
            extension: TableExtension::default(),
            rules: TableRules::default(),
        }
    }
}
