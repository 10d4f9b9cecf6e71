//! One property of a schema file compiled into a [`Field`]: its kind (from
//! `type`, `format` and the extension), its `x-protium` rules and keywords, and
//! its JSON Schema validator, each fault with the JSON pointer of the property.

use serde_json::{Map, Value};

use super::builtin::is_builtin_name;
use super::error::SchemaError;
use super::extension::{FieldExtension, GeoKind, ReadRule, WriteRule};
use super::field::{Field, FieldKind, FieldName, PointerTarget};
use super::field_checks::{
    check_file_shape, check_indexing, check_not_required_if_server_managed, check_profile_switches,
};
use super::field_keywords::{self, Keywords};
use super::file_rules::FileRules;
use super::relations;
use super::EXTENSION_KEYWORD;

/// A property read far enough to be checked: its name, its schema, its
/// extension, its kind and pointer target, and where its faults are reported.
pub(super) struct Property<'a> {
    /// The property's name, checked.
    pub(super) name: FieldName,
    /// The property's schema as written.
    pub(super) raw: &'a Value,
    /// The same schema, an object.
    pub(super) obj: &'a Map<String, Value>,
    /// Whether `required` lists the property.
    pub(super) required: bool,
    /// JSON pointer of the property.
    pub(super) pointer: &'a str,
    /// JSON pointer of the property's extension.
    pub(super) ext_pointer: String,
    /// The property's `x-protium` vocabulary (defaults when absent).
    pub(super) ext: FieldExtension,
    /// The kind, from `type`, `format` and the extension.
    pub(super) kind: FieldKind,
    /// What a pointer field points at.
    pub(super) target: Option<PointerTarget>,
}

impl Property<'_> {
    /// Whether the schema declares a `default`.
    pub(super) fn has_default(&self) -> bool {
        self.obj.contains_key("default")
    }

    /// Whether the server sets the field's value (the client never writes it).
    pub(super) fn is_server_managed(&self, keywords: &Keywords) -> bool {
        self.ext.last_active
            || self.ext.device_platform
            || keywords.computed.is_some()
            || keywords.generated.is_some()
            || keywords.counter.is_some()
            || keywords.viewer_link.is_some()
            || keywords.related.is_some()
    }
}

/// Compiles the property `key` (schema `sub`, at JSON pointer `pointer`).
///
/// The passes, in order:
/// 1. [`read_property`]: the name, the schema object, its extension, its kind
///    and pointer target;
/// 2. [`check_indexing`]: `unique`, `indexed` and `case_insensitive` fit it,
///    and [`check_file_shape`]: a file field leaves its shape to the server;
/// 3. [`compile_keywords`]: the extension's keywords, each checked;
/// 4. [`check_profile_switches`]: the profile's keywords fit the field;
/// 5. [`check_not_required_if_server_managed`];
/// 6. [`compile_validator`]: the JSON Schema validator and the default;
/// 7. [`assemble_field`]: the field, with its `read_linked` rule.
pub(super) fn compile_field(
    key: &str,
    sub: &Value,
    required: bool,
    pointer: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Field, SchemaError> {
    let property = read_property(key, sub, required, pointer, err)?;
    check_indexing(&property, err)?;
    check_file_shape(&property, err)?;
    let keywords = compile_keywords(&property, err)?;
    check_profile_switches(&property, &keywords, err)?;
    check_not_required_if_server_managed(&property, &keywords, err)?;
    let (validator, default) = compile_validator(&property, &keywords, err)?;
    assemble_field(property, keywords, validator, default, err)
}

/// The property's name (a valid field name, not a built-in one), its schema
/// (an object without unknown `x-…` keywords), its extension, its kind and
/// what it points at.
fn read_property<'a>(
    key: &str,
    raw: &'a Value,
    required: bool,
    pointer: &'a str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Property<'a>, SchemaError> {
    let name = FieldName::parse(key).map_err(|e| err(pointer, e.rule))?;
    if is_builtin_name(key) {
        return Err(err(
            pointer,
            format!("'{key}' is a built-in field and cannot be declared"),
        ));
    }
    let obj = raw
        .as_object()
        .ok_or_else(|| err(pointer, "a property's schema must be an object".into()))?;
    reject_unknown_extensions(obj, pointer, err)?;
    let json_kind = field_kind(obj.get("type"), &format!("{pointer}/type"), err)?;
    let ext: FieldExtension = match obj.get(EXTENSION_KEYWORD) {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| err(&format!("{pointer}/{EXTENSION_KEYWORD}"), e.to_string()))?,
        None => FieldExtension::default(),
    };
    let ext_pointer = format!("{pointer}/{EXTENSION_KEYWORD}");
    let kind = refine_kind(json_kind, obj, &ext)
        .map_err(|(k, m)| err(&format!("{ext_pointer}/{k}"), m))?;
    let target = pointer_target(&ext, &ext_pointer, err)?;
    Ok(Property {
        name,
        raw,
        obj,
        required,
        pointer,
        ext_pointer,
        ext,
        kind,
        target,
    })
}

/// What a pointer field points at (`None` when it is no pointer): one table,
/// or (`"*"`) the table named by its type field.
fn pointer_target(
    ext: &FieldExtension,
    ext_pointer: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Option<PointerTarget>, SchemaError> {
    match (&ext.pointer, &ext.type_field) {
        (Some(t), Some(f)) if t == "*" => Ok(Some(PointerTarget::ByField(f.clone()))),
        (Some(t), None) if t != "*" => Ok(Some(PointerTarget::Table(t.clone()))),
        (None, None) => Ok(None),
        _ => Err(err(
            ext_pointer,
            "use \"pointer\": \"<table>\", or \"pointer\": \"*\" together with \"type_field\""
                .into(),
        )),
    }
}

/// The extension's keywords (mask, generated, bytes, computed, count,
/// viewer_link, related), compiled for the field's kind.
fn compile_keywords(
    p: &Property<'_>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Keywords, SchemaError> {
    field_keywords::compile(p.kind, &p.ext, p.has_default())
        .map_err(|(k, m)| err(&format!("{}/{k}", p.ext_pointer), m))
}

/// The JSON Schema validator of the property (its schema without the
/// extension) and its default (zero for a counter), which must pass it.
fn compile_validator(
    p: &Property<'_>,
    keywords: &Keywords,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(jsonschema::Validator, Option<Value>), SchemaError> {
    let mut plain = p.obj.clone();
    plain.remove(EXTENSION_KEYWORD);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&Value::Object(plain))
        .map_err(|e| err(p.pointer, format!("cannot compile: {e}")))?;
    // A counter starts at zero.
    let default = match keywords.counter {
        Some(_) => Some(Value::from(0)),
        None => p.obj.get("default").cloned(),
    };
    if let Some(d) = &default {
        if let Err(e) = validator.validate(d) {
            return Err(err(
                &format!("{}/default", p.pointer),
                format!("the default does not fit the field: {e}"),
            ));
        }
    }
    Ok((validator, default))
}

/// The field from its checked parts; its `read_linked` rule (the last thing
/// that can be refused) is compiled here.
fn assemble_field(
    p: Property<'_>,
    keywords: Keywords,
    validator: jsonschema::Validator,
    default: Option<Value>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Field, SchemaError> {
    let server_managed = p.is_server_managed(&keywords);
    let read_linked = p
        .ext
        .read_linked
        .as_ref()
        .map(|g| relations::read_linked(p.ext.read, g))
        .transpose()
        .map_err(|m| err(&format!("{}/read_linked", p.ext_pointer), m))?;
    let file = p
        .ext
        .file
        .as_ref()
        .map(FileRules::compile)
        .transpose()
        .map_err(|m| err(&format!("{}/file", p.ext_pointer), m))?;
    let ext = p.ext;
    Ok(Field {
        name: p.name,
        builtin: None,
        kind: p.kind,
        read: ext.read.unwrap_or(ReadRule::Public),
        write: if server_managed {
            WriteRule::Nobody
        } else {
            ext.write.unwrap_or(WriteRule::Owner)
        },
        // A generated code is unique: the index settles collisions.
        unique: ext.unique || keywords.generated.is_some(),
        indexed: ext.indexed,
        case_insensitive: ext.case_insensitive,
        pointer: p.target,
        enum_values: p.obj.get("enum").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        }),
        required: p.required,
        default,
        immutable: ext.immutable,
        mask: keywords.mask,
        generated: keywords.generated,
        bytes: keywords.bytes,
        file,
        computed: keywords.computed,
        counter: keywords.counter,
        viewer_link: keywords.viewer_link,
        related: keywords.related,
        last_active: ext.last_active,
        allows_find_by: ext.allows_find_by,
        find_key: ext.find_key,
        device_platform: ext.device_platform,
        read_linked,
        raw: p.raw.clone(),
        validator,
    })
}

/// The kind from `format` and the extension: dates, pointers, geometries,
/// files.
fn refine_kind(
    json_kind: FieldKind,
    obj: &Map<String, Value>,
    ext: &FieldExtension,
) -> Result<FieldKind, (&'static str, String)> {
    let date = obj.get("format").and_then(Value::as_str) == Some("date-time");
    if ext.file.is_some() {
        return match (json_kind, &ext.pointer, ext.geo) {
            (FieldKind::Object, None, None) => Ok(FieldKind::File),
            (FieldKind::Array, None, None) => Ok(FieldKind::Files),
            _ => Err((
                "file",
                "a file field has \"type\": \"object\" (one file) or \"array\" (several), \
                 and is neither a pointer nor a geometry"
                    .into(),
            )),
        };
    }
    match (json_kind, &ext.pointer, ext.geo) {
        (FieldKind::String, Some(_), None) => Ok(FieldKind::Pointer),
        (_, Some(_), _) => Err(("pointer", "a pointer field has \"type\": \"string\"".into())),
        (FieldKind::Object, None, Some(GeoKind::Point)) => Ok(FieldKind::Point),
        (FieldKind::Object, None, Some(GeoKind::Polygon)) => Ok(FieldKind::Polygon),
        (_, None, Some(_)) => Err(("geo", "a geo field has \"type\": \"object\"".into())),
        (FieldKind::String, None, None) if date => Ok(FieldKind::Date),
        (kind, None, None) => Ok(kind),
    }
}

/// `"type": "string"` or `"type": ["string", "null"]`.
fn field_kind(
    ty: Option<&Value>,
    pointer: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<FieldKind, SchemaError> {
    let names: Vec<&str> = match ty {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| *s != "null")
            .collect(),
        _ => return Err(err(pointer, "every field must declare a \"type\"".into())),
    };
    match names.as_slice() {
        [one] => FieldKind::from_type_name(one).ok_or_else(|| {
            err(
                pointer,
                format!("unsupported type '{one}'; use string, integer, number, boolean, object or array"),
            )
        }),
        _ => Err(err(pointer, "a field has exactly one type (optionally with \"null\")".into())),
    }
}

/// Refuses `x-…` keys other than ours, so a misspelt extension is not ignored.
pub(super) fn reject_unknown_extensions(
    obj: &Map<String, Value>,
    pointer: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    match obj
        .keys()
        .find(|k| k.starts_with("x-") && k.as_str() != EXTENSION_KEYWORD)
    {
        Some(k) => Err(err(
            &format!("{pointer}/{k}"),
            format!("unknown extension keyword '{k}'; Protium's keyword is '{EXTENSION_KEYWORD}'"),
        )),
        None => Ok(()),
    }
}
