//! The checks of one property between reading it and compiling it: its index
//! keywords, the profile's keywords, and `required` on a field the server
//! sets. Each fault is reported at the JSON pointer of the keyword.

use super::error::SchemaError;
use super::extension::ReadRule;
use super::field::FieldKind;
use super::field_compile::Property;
use super::field_keywords::Keywords;
use super::EXTENSION_KEYWORD;

/// `case_insensitive` on unique or indexed strings only; no index on a
/// geometry; no `unique` on a JSON field or beside a `default`.
pub(super) fn check_indexing(
    p: &Property<'_>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    let (ext, kind) = (&p.ext, p.kind);
    if ext.case_insensitive && (kind != FieldKind::String || !(ext.unique || ext.indexed)) {
        return Err(err(
            &format!("{}/case_insensitive", p.ext_pointer),
            "case_insensitive applies to unique or indexed string fields".into(),
        ));
    }
    if (ext.unique || ext.indexed) && kind.is_geo() {
        return Err(err(
            &p.ext_pointer,
            "geometry fields cannot be unique or indexed (geo queries scan the table)".into(),
        ));
    }
    if ext.unique && kind.is_json() {
        return Err(err(
            &format!("{}/{EXTENSION_KEYWORD}/unique", p.pointer),
            format!("a {} field cannot be unique", kind.type_name()),
        ));
    }
    if ext.unique && p.has_default() {
        return Err(err(
            &format!("{}/default", p.pointer),
            "a unique field cannot have a default: every new record would share it".into(),
        ));
    }
    Ok(())
}

/// A file field's value is the file object the server builds, so its schema
/// declares no shape, default or index of its own (`maxItems` and
/// `minItems` on a list of files are fine).
pub(super) fn check_file_shape(
    p: &Property<'_>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if !p.kind.is_file() {
        return Ok(());
    }
    const SHAPE: [&str; 6] = [
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "default",
    ];
    if let Some(k) = SHAPE.iter().find(|k| p.obj.contains_key(**k)) {
        return Err(err(
            &format!("{}/{k}", p.pointer),
            format!("a file field's value is the file object the server builds: leave out '{k}'"),
        ));
    }
    if p.ext.unique || p.ext.indexed {
        return Err(err(
            &p.ext_pointer,
            "file fields cannot be unique or indexed (they are queried with $isnull and $exists)"
                .into(),
        ));
    }
    Ok(())
}

/// The profile's keywords fit the field, in order: `allows_find_by` is a
/// boolean, then [`check_last_active_kind`], [`check_find_key`],
/// [`check_device_platform`].
pub(super) fn check_profile_switches(
    p: &Property<'_>,
    keywords: &Keywords,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if p.ext.allows_find_by.is_some() && p.kind != FieldKind::Boolean {
        return Err(err(
            &format!("{}/allows_find_by", p.ext_pointer),
            "allows_find_by is a boolean switch of the profile".into(),
        ));
    }
    check_last_active_kind(p, err)?;
    check_find_key(p, keywords, err)?;
    check_device_platform(p, keywords, err)
}

/// A `last_active` field is an integer or a date-time, without a default,
/// not unique.
fn check_last_active_kind(
    p: &Property<'_>,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if !p.ext.last_active {
        return Ok(());
    }
    let fits = matches!(p.kind, FieldKind::Integer | FieldKind::Date);
    if !fits || p.has_default() || p.ext.unique {
        return Err(err(
            &format!("{}/last_active", p.ext_pointer),
            "last_active is an integer (unix seconds) or date-time field without a default".into(),
        ));
    }
    Ok(())
}

/// A `find_key` field is a unique public string without a mask, whose name is
/// not one of `user/find/`'s own parameters.
fn check_find_key(
    p: &Property<'_>,
    keywords: &Keywords,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if !p.ext.find_key {
        return Ok(());
    }
    let public = matches!(p.ext.read, None | Some(ReadRule::Public)) && keywords.mask.is_none();
    let lookup_parameter =
        ["id", "username", "email", "phone", "region"].contains(&p.name.as_str());
    let why = if lookup_parameter {
        Some("find_key names a lookup parameter (user/find/?<name>=); id, username, email, phone and region already mean the account's own")
    } else if p.kind != FieldKind::String || !p.ext.unique {
        Some("find_key is a unique string field (add \"unique\": true)")
    } else if !public {
        Some("find_key is a public field without a mask: looking a user up by it must not confirm a value others may not read")
    } else {
        None
    };
    match why {
        Some(why) => Err(err(&format!("{}/find_key", p.ext_pointer), why.into())),
        None => Ok(()),
    }
}

/// A `device_platform` field is a plain stored string: nothing else sets,
/// fixes or hides its value.
fn check_device_platform(
    p: &Property<'_>,
    keywords: &Keywords,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if !p.ext.device_platform {
        return Ok(());
    }
    let plain = p.kind == FieldKind::String
        && !p.has_default()
        && !p.ext.unique
        && !p.ext.last_active
        && !p.ext.immutable
        && keywords.mask.is_none()
        && keywords.computed.is_none()
        && keywords.generated.is_none()
        && keywords.counter.is_none()
        && keywords.viewer_link.is_none()
        && keywords.related.is_none();
    if !plain {
        return Err(err(
            &format!("{}/device_platform", p.ext_pointer),
            "device_platform is a plain stored string field: no default, not unique or immutable, no other keyword that sets or hides its value".into(),
        ));
    }
    Ok(())
}

/// A field the server sets is not listed in `required`.
pub(super) fn check_not_required_if_server_managed(
    p: &Property<'_>,
    keywords: &Keywords,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if p.required && p.is_server_managed(keywords) {
        return Err(err(
            p.pointer,
            "a field the server sets (computed, generated, count, viewer_link, related, last_active, device_platform) cannot be listed in \"required\""
                .into(),
        ));
    }
    Ok(())
}
