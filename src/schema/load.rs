//! Reading a schema directory and compiling each file.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::builtin::builtin_fields;
use super::counters::link_counters;
use super::error::SchemaError;
use super::extension::{FindBy, TableExtension};
use super::field::{Field, FieldKind, FieldName, PointerTarget};
use super::field_compile::{compile_field, reject_unknown_extensions};
use super::field_keywords::{self, strictness};
use super::guards::compile_guards;
use super::object_type::{ObjectType, TypeClass, PROFILE_TYPE};
use super::relations::check_relations;
use super::table_rules::compile_rules;
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

/// Compiles one schema document. `path` is used only in error messages.
pub fn compile_file(path: &Path, name: &str, text: &str) -> Result<ObjectType, SchemaError> {
    let err = |pointer: &str, message: String| SchemaError::new(path, pointer, message);
    if name != PROFILE_TYPE && FieldName::parse(name).is_err() {
        return Err(err(
            "",
            "object type names (file names) are 1-63 characters of a-z, 0-9 and '_', starting with a letter".into(),
        ));
    }
    let doc: Value =
        serde_json::from_str(text).map_err(|e| err("", format!("invalid JSON: {e}")))?;
    if let Err(e) = jsonschema::meta::validate(&doc) {
        return Err(err(
            e.instance_path().as_str(),
            format!("not a valid JSON Schema: {e}"),
        ));
    }
    let root = doc
        .as_object()
        .ok_or_else(|| err("", "the document must be a JSON object".into()))?;
    if root.get("type").is_some_and(|t| t != "object") {
        return Err(err(
            "/type",
            "an object type's schema must have \"type\": \"object\"".into(),
        ));
    }
    reject_unknown_extensions(root, "", &err)?;
    let extension: TableExtension = match root.get(EXTENSION_KEYWORD) {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| err(&format!("/{EXTENSION_KEYWORD}"), e.to_string()))?,
        None => TableExtension::default(),
    };
    let table_only = extension.permissions.is_some()
        || !extension.unique.is_empty()
        || extension.max_per_owner.is_some()
        || extension.on_owner_deleted.is_some();
    if name == PROFILE_TYPE && table_only {
        return Err(err(
            &format!("/{EXTENSION_KEYWORD}"),
            "permissions, unique, max_per_owner and on_owner_deleted apply to data tables, not to the user profile"
                .into(),
        ));
    }
    let required: Vec<&str> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let empty = Map::new();
    let properties = match root.get("properties") {
        Some(Value::Object(p)) => p,
        Some(_) => return Err(err("/properties", "must be an object".into())),
        None => &empty,
    };
    if properties.len() > super::MAX_FIELDS {
        return Err(err(
            "/properties",
            format!("at most {} fields per object type", super::MAX_FIELDS),
        ));
    }
    for (index, name) in required.iter().enumerate() {
        if !properties.contains_key(*name) {
            return Err(err(
                &format!("/required/{index}"),
                format!("'{name}' is not a declared property"),
            ));
        }
    }
    let class = if name == PROFILE_TYPE {
        TypeClass::Profile
    } else {
        TypeClass::Table
    };
    let mut fields = Vec::with_capacity(properties.len());
    for (key, sub) in properties {
        let pointer = format!("/properties/{}", key.replace('~', "~0").replace('/', "~1"));
        if let Some(other) = properties
            .keys()
            .find(|o| *o != key && o.eq_ignore_ascii_case(key))
        {
            return Err(err(
                &pointer,
                format!(
                    "'{key}' and '{other}' differ only in case; SQLite's column names ignore case, \
                     so one table cannot hold both"
                ),
            ));
        }
        fields.push(compile_field(
            key,
            sub,
            required.contains(&key.as_str()),
            &pointer,
            &err,
        )?);
    }
    if class == TypeClass::Table {
        let profile_only = [
            (
                "allows_find_by",
                (|f: &Field| f.allows_find_by.is_some()) as fn(&Field) -> bool,
            ),
            ("find_key", |f: &Field| f.find_key),
            ("device_platform", |f: &Field| f.device_platform),
        ];
        for (keyword, declared) in profile_only {
            if let Some(f) = fields.iter().find(|f| declared(f)) {
                return Err(err(
                    &format!(
                        "/properties/{}/{EXTENSION_KEYWORD}/{keyword}",
                        f.name.as_str()
                    ),
                    format!("{keyword} belongs on the user profile"),
                ));
            }
        }
    }
    for f in &fields {
        if let Some(FindBy::Field(key)) = &f.allows_find_by {
            if !fields.iter().any(|k| k.find_key && k.name.as_str() == key) {
                return Err(err(
                    &format!(
                        "/properties/{}/{EXTENSION_KEYWORD}/allows_find_by",
                        f.name.as_str()
                    ),
                    format!(
                        "must be 'phone', 'email', 'username' or a profile field declared find_key; '{key}' is not"
                    ),
                ));
            }
        }
    }
    if let Some(second) = fields.iter().filter(|f| f.device_platform).nth(1) {
        return Err(err(
            &format!(
                "/properties/{}/{EXTENSION_KEYWORD}/device_platform",
                second.name.as_str()
            ),
            "only one field keeps the device platform".into(),
        ));
    }
    let mut actives = fields.iter().filter(|f| f.last_active);
    if let Some(first) = actives.next() {
        let at = format!(
            "/properties/{}/{EXTENSION_KEYWORD}/last_active",
            first.name.as_str()
        );
        if class == TypeClass::Table {
            return Err(err(
                &at,
                "last_active is a field of the user profile".into(),
            ));
        }
        if let Some(second) = actives.next() {
            return Err(err(
                &format!(
                    "/properties/{}/{EXTENSION_KEYWORD}/last_active",
                    second.name.as_str()
                ),
                format!(
                    "the profile keeps one last-active time, in '{}'",
                    first.name.as_str()
                ),
            ));
        }
    }
    if !extension.guest_view.is_empty() && class != TypeClass::Profile {
        return Err(err(
            &format!("/{EXTENSION_KEYWORD}/guest_view"),
            "guest_view names fields of the user profile; data tables have row permissions".into(),
        ));
    }
    let rules = compile_rules(&extension, &fields).map_err(|(p, m)| err(&p, m))?;
    let guards = compile_guards(&extension.guards, &fields).map_err(|(p, m)| err(&p, m))?;
    let builtins = builtin_fields(class)?;
    field_keywords::check_computed_inputs(&builtins, &fields).map_err(|(p, m)| err(&p, m))?;
    Ok(ObjectType {
        name: name.to_owned(),
        class,
        builtins,
        fields,
        extension,
        rules,
        guards,
        counted_by: Vec::new(),
        raw: doc.clone(),
    })
}

#[cfg(test)]
#[path = "load_test.rs"]
mod tests;
