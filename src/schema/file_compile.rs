//! One schema file compiled into an [`ObjectType`], pass by pass: the file
//! name, the document, its top level, its fields, the placement of the
//! keywords that belong on one class of object type, then the table rules,
//! guards and built-ins. Each pass stops at the first fault, with the file and
//! the JSON pointer of the fault; the order of the passes is the order in which
//! faults are reported.

use std::borrow::Cow;
use std::path::Path;

use serde_json::{Map, Value};

use super::builtin::builtin_fields;
use super::error::SchemaError;
use super::extension::TableExtension;
use super::field::{Field, FieldName};
use super::field_compile::{compile_field, reject_unknown_extensions};
use super::field_keywords;
use super::field_placement::check_field_placement;
use super::guards::compile_guards;
use super::object_type::{ObjectType, TypeClass, PROFILE_TYPE};
use super::table_rules::compile_rules;
use super::EXTENSION_KEYWORD;

/// A document's `properties`, by name: borrowed from the document, or empty.
type Properties<'a> = Cow<'a, Map<String, Value>>;

/// The top level of a schema document, read and checked: what the passes
/// after it work from.
struct TopLevel<'a> {
    /// The object type's own `x-protium` vocabulary (defaults when absent).
    extension: TableExtension,
    /// The `properties` object (empty when absent).
    properties: Properties<'a>,
    /// The property names listed in `required`.
    required: Vec<&'a str>,
}

/// Compiles one schema document. `path` is used only in error messages.
///
/// The passes, in order:
/// 1. [`type_class`]: the file name is an object type name; profile or table;
/// 2. [`read_document`]: the text is JSON and a valid JSON Schema;
/// 3. [`read_top_level`]: an object schema, its extension, its properties;
/// 4. [`compile_fields`]: each property compiled into a [`Field`];
/// 5. [`check_field_placement`]: profile-only keywords on the profile, once;
/// 6. [`assemble_object_type`]: table rules, guards and built-ins joined to
///    the fields.
pub fn compile_file(path: &Path, name: &str, text: &str) -> Result<ObjectType, SchemaError> {
    let err = |pointer: &str, message: String| SchemaError::new(path, pointer, message);
    let class = type_class(name, &err)?;
    let doc = read_document(text, &err)?;
    let top = read_top_level(&doc, class, &err)?;
    let fields = compile_fields(&top, &err)?;
    check_field_placement(class, &top.extension, &fields, &err)?;
    let extension = top.extension;
    assemble_object_type(name, class, extension, fields, doc, &err)
}

/// The class of the object type a file declares, once its name (the file
/// name) is known to be valid.
fn type_class(
    name: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<TypeClass, SchemaError> {
    if name == PROFILE_TYPE {
        return Ok(TypeClass::Profile);
    }
    match FieldName::parse(name) {
        Ok(_) => Ok(TypeClass::Table),
        Err(_) => Err(err(
            "",
            "object type names (file names) are 1-63 characters of a-z, 0-9 and '_', starting with a letter".into(),
        )),
    }
}

/// The document: JSON that is a valid JSON Schema.
fn read_document(
    text: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Value, SchemaError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| err("", format!("invalid JSON: {e}")))?;
    if let Err(e) = jsonschema::meta::validate(&doc) {
        return Err(err(
            e.instance_path().as_str(),
            format!("not a valid JSON Schema: {e}"),
        ));
    }
    Ok(doc)
}

/// The top level: an object schema ([`read_root`]), its extension
/// ([`read_table_extension`]) and its properties ([`read_properties`]).
fn read_top_level<'a>(
    doc: &'a Value,
    class: TypeClass,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<TopLevel<'a>, SchemaError> {
    let root = read_root(doc, err)?;
    let extension = read_table_extension(root, class, err)?;
    let (properties, required) = read_properties(root, err)?;
    Ok(TopLevel {
        extension,
        properties,
        required,
    })
}

/// The document is a JSON object whose `type`, if any, is `"object"`.
fn read_root<'a>(
    doc: &'a Value,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<&'a Map<String, Value>, SchemaError> {
    let root = doc
        .as_object()
        .ok_or_else(|| err("", "the document must be a JSON object".into()))?;
    if root.get("type").is_some_and(|t| t != "object") {
        return Err(err(
            "/type",
            "an object type's schema must have \"type\": \"object\"".into(),
        ));
    }
    Ok(root)
}

/// The object type's own extension: no unknown `x-…` keyword beside it, its
/// vocabulary well-formed, and no table-only keyword on the user profile.
fn read_table_extension(
    root: &Map<String, Value>,
    class: TypeClass,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<TableExtension, SchemaError> {
    reject_unknown_extensions(root, "", err)?;
    let extension: TableExtension = match root.get(EXTENSION_KEYWORD) {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| err(&format!("/{EXTENSION_KEYWORD}"), e.to_string()))?,
        None => TableExtension::default(),
    };
    let table_only = extension.permissions.is_some()
        || !extension.unique.is_empty()
        || extension.max_per_owner.is_some()
        || extension.on_owner_deleted.is_some();
    if class == TypeClass::Profile && table_only {
        return Err(err(
            &format!("/{EXTENSION_KEYWORD}"),
            "permissions, unique, max_per_owner and on_owner_deleted apply to data tables, not to the user profile"
                .into(),
        ));
    }
    Ok(extension)
}

/// `properties` (an object of at most [`super::MAX_FIELDS`] entries) and
/// `required` (names of declared properties only).
fn read_properties<'a>(
    root: &'a Map<String, Value>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(Properties<'a>, Vec<&'a str>), SchemaError> {
    let required: Vec<&str> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = match root.get("properties") {
        Some(Value::Object(p)) => Cow::Borrowed(p),
        Some(_) => return Err(err("/properties", "must be an object".into())),
        None => Cow::Owned(Map::new()),
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
    Ok((properties, required))
}

/// Every property compiled into a [`Field`], in the document's order; two
/// names that differ only in case are refused (SQLite's columns ignore case).
fn compile_fields(
    top: &TopLevel<'_>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Vec<Field>, SchemaError> {
    let properties = top.properties.as_ref();
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
            top.required.contains(&key.as_str()),
            &pointer,
            err,
        )?);
    }
    Ok(fields)
}

/// The object type from its checked parts: its table rules and guards
/// (compiled against the fields), its built-in fields, and the inputs of its
/// computed fields checked against both.
fn assemble_object_type(
    name: &str,
    class: TypeClass,
    extension: TableExtension,
    fields: Vec<Field>,
    raw: Value,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<ObjectType, SchemaError> {
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
        raw,
    })
}

#[cfg(test)]
#[path = "file_compile_test.rs"]
mod tests;
