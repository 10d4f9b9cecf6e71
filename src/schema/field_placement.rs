//! The keywords that belong on the user profile, checked across the compiled
//! fields of one object type: on the right class of object type, naming a
//! declared key, and at most once.

use super::error::SchemaError;
use super::extension::{FindBy, TableExtension};
use super::field::Field;
use super::object_type::TypeClass;
use super::EXTENSION_KEYWORD;

/// The placement checks, in order: [`refuse_profile_keywords_on_tables`],
/// [`check_find_by_keys`], [`check_one_device_platform`],
/// [`check_last_active`], [`check_guest_view`].
pub(super) fn check_field_placement(
    class: TypeClass,
    extension: &TableExtension,
    fields: &[Field],
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    refuse_profile_keywords_on_tables(class, fields, err)?;
    check_find_by_keys(fields, err)?;
    check_one_device_platform(fields, err)?;
    check_last_active(class, fields, err)?;
    check_guest_view(class, extension, err)
}

/// The JSON pointer of `keyword` in the extension of `field`.
fn keyword_pointer(field: &Field, keyword: &str) -> String {
    format!(
        "/properties/{}/{EXTENSION_KEYWORD}/{keyword}",
        field.name.as_str()
    )
}

/// `allows_find_by`, `find_key` and `device_platform` are not declared on a
/// data table.
fn refuse_profile_keywords_on_tables(
    class: TypeClass,
    fields: &[Field],
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if class != TypeClass::Table {
        return Ok(());
    }
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
                &keyword_pointer(f, keyword),
                format!("{keyword} belongs on the user profile"),
            ));
        }
    }
    Ok(())
}

/// An `allows_find_by` naming a field names one declared `find_key`.
fn check_find_by_keys(
    fields: &[Field],
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    for f in fields {
        if let Some(FindBy::Field(key)) = &f.allows_find_by {
            if !fields.iter().any(|k| k.find_key && k.name.as_str() == key) {
                return Err(err(
                    &keyword_pointer(f, "allows_find_by"),
                    format!(
                        "must be 'phone', 'email', 'username' or a profile field declared find_key; '{key}' is not"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// At most one field keeps the device platform.
fn check_one_device_platform(
    fields: &[Field],
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    match fields.iter().filter(|f| f.device_platform).nth(1) {
        Some(second) => Err(err(
            &keyword_pointer(second, "device_platform"),
            "only one field keeps the device platform".into(),
        )),
        None => Ok(()),
    }
}

/// `last_active` is declared on the user profile only, on one field at most.
fn check_last_active(
    class: TypeClass,
    fields: &[Field],
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    let mut actives = fields.iter().filter(|f| f.last_active);
    let Some(first) = actives.next() else {
        return Ok(());
    };
    if class == TypeClass::Table {
        return Err(err(
            &keyword_pointer(first, "last_active"),
            "last_active is a field of the user profile".into(),
        ));
    }
    match actives.next() {
        Some(second) => Err(err(
            &keyword_pointer(second, "last_active"),
            format!(
                "the profile keeps one last-active time, in '{}'",
                first.name.as_str()
            ),
        )),
        None => Ok(()),
    }
}

/// `guest_view` (fields a guest may read) is a keyword of the user profile.
fn check_guest_view(
    class: TypeClass,
    extension: &TableExtension,
    err: &impl Fn(&str, String) -> SchemaError,
) -> Result<(), SchemaError> {
    if !extension.guest_view.is_empty() && class != TypeClass::Profile {
        return Err(err(
            &format!("/{EXTENSION_KEYWORD}/guest_view"),
            "guest_view names fields of the user profile; data tables have row permissions".into(),
        ));
    }
    Ok(())
}
