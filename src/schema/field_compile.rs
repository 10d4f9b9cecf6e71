//! One property of a schema file compiled into a [`Field`]: its kind (from
//! `type`, `format` and the extension), its `x-protium` rules and keywords, and
//! its JSON Schema validator, each fault with the JSON pointer of the property.

use serde_json::{Map, Value};

use super::builtin::is_builtin_name;
use super::error::SchemaError;
use super::extension::{FieldExtension, GeoKind, ReadRule, WriteRule};
use super::field::{Field, FieldKind, FieldName, PointerTarget};
use super::field_keywords;
use super::relations;
use super::EXTENSION_KEYWORD;

pub(super) fn compile_field(
    key: &str,
    sub: &Value,
    required: bool,
    pointer: &str,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<Field, SchemaError> {
    let name = FieldName::parse(key).map_err(|e| err(pointer, e.rule))?;
    if is_builtin_name(key) {
        return Err(err(
            pointer,
            format!("'{key}' is a built-in field and cannot be declared"),
        ));
    }
    let obj = sub
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
    let target =
        match (&ext.pointer, &ext.type_field) {
            (Some(t), Some(f)) if t == "*" => Some(PointerTarget::ByField(f.clone())),
            (Some(t), None) if t != "*" => Some(PointerTarget::Table(t.clone())),
            (None, None) => None,
            _ => return Err(err(
                &ext_pointer,
                "use \"pointer\": \"<table>\", or \"pointer\": \"*\" together with \"type_field\""
                    .into(),
            )),
        };
    if ext.case_insensitive && (kind != FieldKind::String || !(ext.unique || ext.indexed)) {
        return Err(err(
            &format!("{ext_pointer}/case_insensitive"),
            "case_insensitive applies to unique or indexed string fields".into(),
        ));
    }
    if (ext.unique || ext.indexed) && kind.is_geo() {
        return Err(err(
            &ext_pointer,
            "geometry fields cannot be unique or indexed (geo queries scan the table)".into(),
        ));
    }
    if ext.unique && kind.is_json() {
        return Err(err(
            &format!("{pointer}/{EXTENSION_KEYWORD}/unique"),
            format!("a {} field cannot be unique", kind.type_name()),
        ));
    }
    if ext.unique && obj.contains_key("default") {
        return Err(err(
            &format!("{pointer}/default"),
            "a unique field cannot have a default: every new record would share it".into(),
        ));
    }
    let keywords = field_keywords::compile(kind, &ext, obj.contains_key("default"))
        .map_err(|(k, m)| err(&format!("{ext_pointer}/{k}"), m))?;
    if ext.allows_find_by.is_some() && kind != FieldKind::Boolean {
        return Err(err(
            &format!("{ext_pointer}/allows_find_by"),
            "allows_find_by is a boolean switch of the profile".into(),
        ));
    }
    if ext.last_active {
        let fits = matches!(kind, FieldKind::Integer | FieldKind::Date);
        if !fits || obj.contains_key("default") || ext.unique {
            return Err(err(
                &format!("{ext_pointer}/last_active"),
                "last_active is an integer (unix seconds) or date-time field without a default"
                    .into(),
            ));
        }
    }
    if ext.find_key {
        let public = matches!(ext.read, None | Some(ReadRule::Public)) && keywords.mask.is_none();
        let lookup_parameter = ["id", "username", "email", "phone", "region"].contains(&key);
        let why = if lookup_parameter {
            Some("find_key names a lookup parameter (user/find/?<name>=); id, username, email, phone and region already mean the account's own")
        } else if kind != FieldKind::String || !ext.unique {
            Some("find_key is a unique string field (add \"unique\": true)")
        } else if !public {
            Some("find_key is a public field without a mask: looking a user up by it must not confirm a value others may not read")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(err(&format!("{ext_pointer}/find_key"), why.into()));
        }
    }
    if ext.device_platform {
        let plain = kind == FieldKind::String
            && !obj.contains_key("default")
            && !ext.unique
            && !ext.last_active
            && !ext.immutable
            && keywords.mask.is_none()
            && keywords.computed.is_none()
            && keywords.generated.is_none()
            && keywords.counter.is_none()
            && keywords.viewer_link.is_none()
            && keywords.related.is_none();
        if !plain {
            return Err(err(
                &format!("{ext_pointer}/device_platform"),
                "device_platform is a plain stored string field: no default, not unique or immutable, no other keyword that sets or hides its value".into(),
            ));
        }
    }
    let server_managed = ext.last_active
        || ext.device_platform
        || keywords.computed.is_some()
        || keywords.generated.is_some()
        || keywords.counter.is_some()
        || keywords.viewer_link.is_some()
        || keywords.related.is_some();
    if required && server_managed {
        return Err(err(
            pointer,
            "a field the server sets (computed, generated, count, viewer_link, related, last_active, device_platform) cannot be listed in \"required\""
                .into(),
        ));
    }
    let mut plain = obj.clone();
    plain.remove(EXTENSION_KEYWORD);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&Value::Object(plain))
        .map_err(|e| err(pointer, format!("cannot compile: {e}")))?;
    // A counter starts at zero.
    let default = match keywords.counter {
        Some(_) => Some(Value::from(0)),
        None => obj.get("default").cloned(),
    };
    if let Some(d) = &default {
        if let Err(e) = validator.validate(d) {
            return Err(err(
                &format!("{pointer}/default"),
                format!("the default does not fit the field: {e}"),
            ));
        }
    }
    Ok(Field {
        name,
        builtin: None,
        kind,
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
        pointer: target,
        enum_values: obj.get("enum").and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        }),
        required,
        default,
        immutable: ext.immutable,
        mask: keywords.mask,
        generated: keywords.generated,
        bytes: keywords.bytes,
        computed: keywords.computed,
        counter: keywords.counter,
        viewer_link: keywords.viewer_link,
        related: keywords.related,
        last_active: ext.last_active,
        allows_find_by: ext.allows_find_by.clone(),
        find_key: ext.find_key,
        device_platform: ext.device_platform,
        read_linked: ext
            .read_linked
            .as_ref()
            .map(|g| relations::read_linked(ext.read, g))
            .transpose()
            .map_err(|m| err(&format!("{ext_pointer}/read_linked"), m))?,
        raw: sub.clone(),
        validator,
    })
}

/// The kind from `format` and the extension: dates, pointers, geometries.
fn refine_kind(
    json_kind: FieldKind,
    obj: &Map<String, Value>,
    ext: &FieldExtension,
) -> Result<FieldKind, (&'static str, String)> {
    let date = obj.get("format").and_then(Value::as_str) == Some("date-time");
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
