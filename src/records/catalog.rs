//! The data tables the server knows: each object type with its SQL table and
//! numeric id, looked up by name or id as Hydrogen paths allow.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::error::RecordsError;
use crate::schema::ObjectType;

/// One data table.
#[derive(Debug)]
pub struct TableEntry {
    /// The compiled object type.
    pub object: ObjectType,
    /// Its SQL table (`tbl_<name>`).
    pub sql: String,
    /// Its numeric id (stable across restarts).
    pub id: i64,
}

/// Every data table plus the user profile (the target of user pointers).
#[derive(Debug)]
pub struct Catalog {
    /// Tables by name.
    pub tables: BTreeMap<String, TableEntry>,
    /// The user profile type.
    pub profile: Arc<ObjectType>,
}

impl Catalog {
    /// The table named `key`, or whose numeric id is `key`; 404 otherwise.
    pub fn resolve(&self, key: &str) -> Result<&TableEntry, RecordsError> {
        if let Some(t) = self.tables.get(key) {
            return Ok(t);
        }
        key.parse::<i64>()
            .ok()
            .and_then(|id| self.tables.values().find(|t| t.id == id))
            .ok_or_else(|| RecordsError::NoTable(key.to_owned()))
    }
}
