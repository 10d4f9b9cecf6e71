//! Write bodies checked against the object type before any storage access: the
//! fields of a new row, and the changes of an update. Every field — built-in or
//! declared — is checked by its role and its write rule; values by the field's
//! JSON Schema and kind.

use serde_json::{Map, Value};

use super::error::RecordsError;
use super::fields::{describe, normalize};
use super::guards::check_guards;
use super::update_ops::{apply, parse_change, split_update_body, Change};
use super::who::{Access, Who};
use crate::domain::{acl_json, now_unix, AclEntry, InvalidInput, RecordId};
use crate::schema::{Builtin, Field, ObjectType, WriteRule};

/// A field's change, checked against the schema before storage access.
#[derive(Debug, Clone)]
pub enum PreparedChange {
    /// A declared field.
    Field(String, Change),
    /// `read_perm` or `write_perm`.
    Acl(Access, Vec<AclEntry>),
}

/// The field `name` of `object`, or a 400 naming it.
fn known<'a>(object: &'a ObjectType, name: &str) -> Result<&'a Field, InvalidInput> {
    object
        .lookup(name)
        .ok_or_else(|| InvalidInput::new(name, format!("is not a field of {}", describe(object))))
}

/// 403 unless `who` may write a field under its write rule. Computed
/// fields are never written, not even by the server.
fn may_write(who: Who, field: &Field) -> Result<(), RecordsError> {
    if !field.is_stored() {
        return Err(RecordsError::Forbidden(format!(
            "{}: is computed when read and cannot be written",
            field.name.as_str()
        )));
    }
    if who.may_write_field(field.write) {
        return Ok(());
    }
    let by = match field.write {
        WriteRule::Admin => "only by admins",
        _ => "only by the server",
    };
    Err(RecordsError::Forbidden(format!(
        "{}: may be written {by}",
        field.name.as_str()
    )))
}

/// The ACL in `value` for `field`, if the type lets `who` send one.
fn acl_value(
    object: &ObjectType,
    who: Who,
    name: &str,
    value: &Value,
) -> Result<Vec<AclEntry>, RecordsError> {
    if !object.rules.client_acl && !who.is_admin() {
        return Err(RecordsError::Forbidden(format!(
            "{name}: {} does not let clients set ACLs",
            describe(object)
        )));
    }
    Ok(AclEntry::parse_list(name, value)?)
}

/// What a client's body for a new row says: declared fields (operators applied
/// to the default) and, on data tables, system values an admin may set.
#[derive(Debug, Clone)]
pub struct SentFields {
    /// Declared fields, normalised.
    pub row: Map<String, Value>,
    read_perm: Option<Vec<AclEntry>>,
    write_perm: Option<Vec<AclEntry>>,
    owner: Option<Option<i64>>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
}

/// Checks a client's flat body for a new row of `object`.
pub fn prepare_sent(
    object: &ObjectType,
    who: Who,
    body: &Map<String, Value>,
) -> Result<SentFields, RecordsError> {
    let mut sent = SentFields {
        row: Map::new(),
        read_perm: None,
        write_perm: None,
        owner: None,
        created_at: None,
        updated_at: None,
    };
    for (name, value) in body {
        let field = known(object, name)?;
        match field.builtin {
            // As on Hydrogen, a client may send the system times and creator:
            // they are the server's, so a client's are ignored rather than
            // refused (an admin's are honoured below). An id is refused: a
            // new record's id is the server's to choose.
            Some(Builtin::CreatedAt | Builtin::UpdatedAt | Builtin::CreatedBy)
                if !who.is_admin() && !object.is_profile() => {}
            Some(Builtin::Id) => {
                return Err(InvalidInput::new(name.as_str(), "is assigned by the server").into())
            }
            Some(Builtin::Account) => return Err(account_field(name)),
            Some(role @ (Builtin::ReadPerm | Builtin::WritePerm)) => {
                may_write(who, field)?;
                let list = Some(acl_value(object, who, name, value)?);
                if role == Builtin::ReadPerm {
                    sent.read_perm = list;
                } else {
                    sent.write_perm = list;
                }
            }
            Some(role @ (Builtin::CreatedAt | Builtin::UpdatedAt | Builtin::CreatedBy)) => {
                may_write(who, field)?;
                let n = value.as_i64().filter(|n| *n > 0).ok_or_else(|| {
                    InvalidInput::new(name.as_str(), "must be a positive integer")
                })?;
                match role {
                    Builtin::CreatedBy => sent.owner = Some(Some(n)),
                    Builtin::CreatedAt => sent.created_at = Some(n),
                    _ => sent.updated_at = Some(n),
                }
            }
            None => {
                may_write(who, field)?;
                let change = parse_change(name, field.kind, value)?;
                let start = match change {
                    Change::Set(_) => Value::Null,
                    _ => field.default.clone().unwrap_or(Value::Null),
                };
                let new = apply(name, &start, &change)?;
                sent.row.insert(name.clone(), normalize(field, &new)?);
            }
        }
    }
    Ok(sent)
}

/// Fills the declared fields `row` lacks with their defaults.
pub fn fill_defaults(
    object: &ObjectType,
    row: &mut Map<String, Value>,
) -> Result<(), RecordsError> {
    for field in &object.fields {
        let name = field.name.as_str();
        if !row.contains_key(name) {
            if let Some(d) = &field.default {
                row.insert(name.to_owned(), normalize(field, d)?);
            }
        }
    }
    Ok(())
}

/// Every required declared field has a non-null value in `row`.
pub fn check_required(object: &ObjectType, row: &Map<String, Value>) -> Result<(), RecordsError> {
    match object
        .fields
        .iter()
        .find(|f| f.required && row.get(f.name.as_str()).is_none_or(Value::is_null))
    {
        Some(f) => Err(InvalidInput::new(f.name.as_str(), "is required").into()),
        None => Ok(()),
    }
}

/// The columns of a new row of a data table from a client's flat body:
/// declared fields with defaults, required fields checked, then the id, times,
/// owner and ACLs.
pub fn prepare_create(
    object: &ObjectType,
    who: Who,
    body: &Value,
) -> Result<Map<String, Value>, RecordsError> {
    let body = body
        .as_object()
        .ok_or_else(|| InvalidInput::new("body", "a record is a JSON object of field values"))?;
    let sent = prepare_sent(object, who, body)?;
    let mut row = sent.row;
    fill_defaults(object, &mut row)?;
    check_required(object, &row)?;
    let now = now_unix();
    row.insert(
        "id".into(),
        Value::String(RecordId::generate().as_str().to_owned()),
    );
    row.insert(
        "created_at".into(),
        Value::from(sent.created_at.unwrap_or(now)),
    );
    row.insert(
        "updated_at".into(),
        Value::from(sent.updated_at.unwrap_or(now)),
    );
    let owner = sent.owner.unwrap_or(who.user);
    row.insert("created_by".into(), owner.map_or(Value::Null, Value::from));
    let read = sent
        .read_perm
        .unwrap_or_else(|| object.rules.default_read.clone());
    let write = sent
        .write_perm
        .unwrap_or_else(|| object.rules.default_write.clone());
    row.insert("read_perm".into(), acl_json(&read));
    row.insert("write_perm".into(), acl_json(&write));
    check_guards(object, who, None, &row)?;
    Ok(row)
}

fn account_field(name: &str) -> RecordsError {
    RecordsError::Forbidden(format!(
        "{name}: is an account field; change it with PUT /hserve/v2.2/user/account/"
    ))
}

/// Parses an update body (`{$set, $unset}` or flat) into checked changes.
pub fn prepare_update(
    object: &ObjectType,
    who: Who,
    body: &Map<String, Value>,
) -> Result<Vec<PreparedChange>, RecordsError> {
    let mut out = Vec::new();
    for (name, value, unset) in split_update_body(body)? {
        let field = known(object, &name)?;
        match field.builtin {
            Some(Builtin::Account) => return Err(account_field(&name)),
            Some(role @ (Builtin::ReadPerm | Builtin::WritePerm)) => {
                may_write(who, field)?;
                let list = if unset {
                    Vec::new()
                } else {
                    acl_value(object, who, &name, &value)?
                };
                let access = if role == Builtin::ReadPerm {
                    Access::Read
                } else {
                    Access::Write
                };
                out.push(PreparedChange::Acl(access, list));
            }
            // A client's echo of a record's id and system values is ignored,
            // as on Hydrogen; an admin asking to change them is told no, and
            // so is a profile update naming them (Hydrogen refuses those too).
            Some(_) if !who.is_admin() && !object.is_profile() => {}
            Some(_) => {
                return Err(RecordsError::Forbidden(format!(
                    "{name}: is a system field and cannot be changed"
                )))
            }
            None => {
                may_write(who, field)?;
                if field.immutable {
                    return Err(RecordsError::Forbidden(format!(
                        "{name}: is set when the record is created and cannot be changed"
                    )));
                }
                let change = if unset {
                    Change::Unset
                } else {
                    parse_change(&name, field.kind, &value)?
                };
                if let Change::Set(v) = &change {
                    normalize(field, v)?;
                }
                out.push(PreparedChange::Field(name, change));
            }
        }
    }
    Ok(out)
}
