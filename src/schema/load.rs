//! Reading a schema directory and compiling each file.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::counters::link_counters;
use super::error::SchemaError;
use super::field::{FieldKind, PointerTarget};
use super::field_keywords::strictness;
use super::file_compile::compile_file;
use super::object_type::{ObjectType, PROFILE_TYPE};
use super::relations::check_relations;
use super::EXTENSION_KEYWORD;

/// Keys that sign-up and sign-in bodies use beside profile fields: in those
/// bodies they are always the account's credentials, never profile fields
/// (a profile may declare `phone` or `email` as ordinary fields, as on
/// Hydrogen, whose account identifiers are `_phone` and `_email`; they are set
/// by profile updates).
pub const CREDENTIAL_KEYS: &[&str] = &[
    "email",
    "username",
    "phone",
    "region",
    "password",
    "new_password",
    "code",
    "verification_token",
    "create_user",
    "auth_token",
    "update_userprofile",
    "device_id",
    "platform",
];

/// Every object type declared in the schema directory.
#[derive(Debug)]
pub struct Registry {
    /// The user profile (`_userprofile.json`, or no custom fields when absent).
    pub profile: ObjectType,
    /// Every other object type, by name.
    pub tables: BTreeMap<String, ObjectType>,
}

impl Registry {
    /// The object type called `name` (`_userprofile` for the profile).
    pub fn get(&self, name: &str) -> Option<&ObjectType> {
        if name == PROFILE_TYPE {
            Some(&self.profile)
        } else {
            self.tables.get(name)
        }
    }

    /// [`Registry::get`], to change.
    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut ObjectType> {
        if name == PROFILE_TYPE {
            Some(&mut self.profile)
        } else {
            self.tables.get_mut(name)
        }
    }

    /// The digest of this schema and its files (`<name>.json` →
    /// `{sha256, schema}`): what the schema history records.
    pub fn fingerprint(&self) -> (String, Value) {
        use sha2::{Digest, Sha256};
        let mut files = Map::new();
        let mut all = Sha256::new();
        for object in std::iter::once(&self.profile).chain(self.tables.values()) {
            let sha = hex::encode(Sha256::digest(object.raw.to_string().as_bytes()));
            all.update(object.name.as_bytes());
            all.update(sha.as_bytes());
            files.insert(
                format!("{}.json", object.name),
                serde_json::json!({"sha256": sha, "schema": object.raw}),
            );
        }
        (hex::encode(all.finalize()), Value::Object(files))
    }
}

/// Loads and compiles every `*.json` file directly inside `dir` (sub-directories,
/// such as `examples/`, are ignored).
pub fn load_dir(dir: &Path) -> Result<Registry, SchemaError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let cwd = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| "?".into());
        SchemaError::new(
            dir,
            "",
            format!(
                "cannot read it ({e}); a relative path is taken from the working directory {cwd}. \
                 Set PROTIUM_SCHEMA_DIR (or schema_dir in protium.toml) to the directory that \
                 holds _userprofile.json and the table files, e.g. PROTIUM_SCHEMA_DIR=schema"
            ),
        )
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();

    let mut profile = None;
    let mut tables = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| SchemaError::new(&path, "", format!("cannot read: {e}")))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let object = compile_file(&path, &name, &text)?;
        if name == PROFILE_TYPE {
            profile = Some(object);
        } else {
            tables.insert(name, object);
        }
    }
    let profile = match profile {
        Some(p) => p,
        None => compile_file(&dir.join("_userprofile.json"), PROFILE_TYPE, "{}")?,
    };
    let mut registry = Registry { profile, tables };
    check_pointers(dir, &registry)?;
    link_counters(dir, &mut registry)?;
    check_relations(dir, &registry)?;
    Ok(registry)
}

/// Every pointer names a declared table (or `_userprofile`); a `*` pointer's
/// type field is a declared string field whose `enum` lists only such tables.
fn check_pointers(dir: &Path, registry: &Registry) -> Result<(), SchemaError> {
    let known = |name: &str| name == PROFILE_TYPE || registry.tables.contains_key(name);
    for object in std::iter::once(&registry.profile).chain(registry.tables.values()) {
        let file = dir.join(format!("{}.json", object.name));
        for field in &object.fields {
            let pointer = format!("/properties/{}/{EXTENSION_KEYWORD}", field.name.as_str());
            match &field.pointer {
                Some(PointerTarget::Table(t)) if !known(t) => {
                    return Err(SchemaError::new(
                        &file,
                        format!("{pointer}/pointer"),
                        format!("no schema file declares the table '{t}'"),
                    ))
                }
                Some(PointerTarget::ByField(type_field)) => {
                    // The pointer reads `{id, _table}`: its table is the type
                    // field's value, which must be no more hidden than it.
                    if let Some(tf) = object.field(type_field) {
                        if strictness(tf.read) > strictness(field.read) {
                            return Err(SchemaError::new(
                                &file,
                                format!("/properties/{type_field}/{EXTENSION_KEYWORD}/read"),
                                format!(
                                    "'{type_field}' is the type field of '{}', whose value shows it as `_table`: \
                                     it may not be less readable than '{}'",
                                    field.name.as_str(),
                                    field.name.as_str()
                                ),
                            ));
                        }
                    }
                    let targets = object
                        .field(type_field)
                        .filter(|f| f.kind == FieldKind::String)
                        .and_then(|f| f.enum_values.clone())
                        .ok_or_else(|| {
                            SchemaError::new(
                                &file,
                                format!("{pointer}/type_field"),
                                format!("'{type_field}' must be a declared string field with an \"enum\" of table names"),
                            )
                        })?;
                    if let Some(bad) = targets.iter().find(|t| !known(t)) {
                        return Err(SchemaError::new(
                            &file,
                            format!("/properties/{type_field}/enum"),
                            format!("no schema file declares the table '{bad}'"),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "load_test.rs"]
mod tests;
