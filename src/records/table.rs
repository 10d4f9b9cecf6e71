//! The record API of data tables: create, get, update, delete. Lists live in
//! `table_list.rs`, batch and bulk operations in `batch.rs`.
//!
//! Rules: every write runs in one transaction that holds the row (or the
//! owner's lock), checks permissions inside it, applies atomic operators to the
//! current value and validates the result, so concurrent writes never lose an
//! update or break a limit.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::access::Viewer;
use super::acl::{Access, Who};
use super::catalog::{Catalog, TableEntry};
use super::error::RecordsError;
use super::present::{expand, present, select_keys, Shape};
use super::table_fields::{normalize, readable_columns};
use super::update_ops::{apply, parse_change, split_update_body, Change};
use crate::auth::Principal;
use crate::domain::{acl_json, now_unix, AclEntry, InvalidInput, RecordId};
use crate::query::SqlValue;
use crate::schema::{FieldKind, ObjectType, PointerTarget, WriteRule, PROFILE_TYPE};
use crate::store::record_tables::rule_index_name;
use crate::store::records::{self as store_records, Tombstone};
use crate::store::rows::to_sql_value;
use crate::store::users::PROFILE_TABLE;
use crate::store::{AnyConnection, Store, StoreError};

/// Reads and writes data-table records; cheap to clone.
#[derive(Clone, Debug)]
pub struct TableService {
    pub(super) store: Store,
    pub(super) catalog: Arc<Catalog>,
}

/// Why a write inside a transaction was refused; carried through the store's
/// error type and restored afterwards.
pub(super) fn refuse(e: RecordsError) -> StoreError {
    StoreError::Refused(Box::new(e))
}

impl TableService {
    /// Builds the service over the known tables.
    pub fn new(store: Store, catalog: Arc<Catalog>) -> Self {
        Self { store, catalog }
    }

    /// The catalog of tables.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Creates one record from a flat body; returns it as the caller sees it.
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn create(
        &self,
        caller: &Principal,
        table: &str,
        body: Value,
        expand_raw: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        let shape = Shape::parse(&entry.object, query_viewer(who), None, expand_raw)?;
        may_create(who, entry)?;
        let values = prepare_create(entry, who, &body)?;
        let catalog = self.catalog.clone();
        let name = entry.object.name.clone();
        let mut records = self
            .store
            .transaction(move |conn| {
                let entry = catalog.resolve(&name).map_err(refuse)?;
                let id = insert_checked(conn, &catalog, entry, values)?;
                let columns = readable_columns(&entry.object, Viewer::Admin);
                let row = store_records::get(conn, &entry.sql, &columns, &id, false)?
                    .ok_or_else(|| StoreError::Corrupt("record vanished after insert".into()))?;
                Ok(vec![row])
            })
            .await
            .map_err(|e| restore(e, entry))?;
        self.finish(who, entry, &mut records, &shape).await?;
        records.pop().ok_or(RecordsError::NotFound)
    }

    /// The record `id` if the caller may read it (404 otherwise).
    #[tracing::instrument(skip(self, caller))]
    pub async fn get(
        &self,
        caller: &Principal,
        table: &str,
        id: &str,
        keys: Option<&str>,
        expand_raw: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        let shape = Shape::parse(&entry.object, query_viewer(who), keys, expand_raw)?;
        let id = RecordId::parse(id).map_err(|_| RecordsError::NotFound)?;
        let columns = readable_columns(&entry.object, Viewer::Admin);
        let sql = entry.sql.clone();
        let row = self
            .store
            .run(move |conn| store_records::get(conn, &sql, &columns, id.as_str(), false))
            .await?
            .ok_or(RecordsError::NotFound)?;
        if !who.may(Access::Read, created_by(&row), &acl_of(&row, Access::Read)) {
            return Err(RecordsError::NotFound);
        }
        let mut records = vec![row];
        self.finish(who, entry, &mut records, &shape).await?;
        records.pop().ok_or(RecordsError::NotFound)
    }

    /// Updates the record `id` with `{$set, $unset}` or a flat body.
    #[tracing::instrument(skip(self, caller, body))]
    pub async fn update(
        &self,
        caller: &Principal,
        table: &str,
        id: &str,
        body: Map<String, Value>,
        expand_raw: Option<&str>,
    ) -> Result<Map<String, Value>, RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        let shape = Shape::parse(&entry.object, query_viewer(who), None, expand_raw)?;
        if who.user.is_none() && !who.admin {
            return Err(RecordsError::Unauthorized);
        }
        let id = RecordId::parse(id).map_err(|_| RecordsError::NotFound)?;
        let changes = prepare_update(entry, who, &body)?;
        let catalog = self.catalog.clone();
        let name = entry.object.name.clone();
        let mut records = self
            .store
            .transaction(move |conn| {
                let entry = catalog.resolve(&name).map_err(refuse)?;
                let row = update_checked(conn, &catalog, entry, who, id.as_str(), &changes)?;
                Ok(vec![row])
            })
            .await
            .map_err(|e| restore(e, entry))?;
        self.finish(who, entry, &mut records, &shape).await?;
        records.pop().ok_or(RecordsError::NotFound)
    }

    /// Deletes the record `id` (leaving a tombstone for the change feed).
    #[tracing::instrument(skip(self, caller))]
    pub async fn delete(
        &self,
        caller: &Principal,
        table: &str,
        id: &str,
    ) -> Result<(), RecordsError> {
        let who = Who::of(caller);
        let entry = self.catalog.resolve(table)?;
        if who.user.is_none() && !who.admin {
            return Err(RecordsError::Unauthorized);
        }
        let id = RecordId::parse(id).map_err(|_| RecordsError::NotFound)?;
        let catalog = self.catalog.clone();
        let name = entry.object.name.clone();
        self.store
            .transaction(move |conn| {
                let entry = catalog.resolve(&name).map_err(refuse)?;
                delete_checked(conn, entry, who, id.as_str())
            })
            .await
            .map_err(|e| restore(e, entry))
    }

    /// Presents rows for `who`: visibility, pointers, expand, keys.
    pub(super) async fn finish(
        &self,
        who: Who,
        entry: &TableEntry,
        records: &mut Vec<Map<String, Value>>,
        shape: &Shape,
    ) -> Result<(), RecordsError> {
        for r in records.iter_mut() {
            present(&entry.object, who, r);
        }
        if !shape.expand.is_empty() {
            let catalog = self.catalog.clone();
            let shape_owned = shape.clone();
            let mut owned = std::mem::take(records);
            owned = self
                .store
                .run(move |conn| {
                    expand(conn, &catalog, who, &mut owned, &shape_owned)?;
                    Ok(owned)
                })
                .await
                .map_err(|e| restore(e, entry))?;
            *records = owned;
        }
        for r in records.iter_mut() {
            select_keys(shape, r);
        }
        Ok(())
    }
}

/// The viewer for queries, keys and expand: admins see all, others public fields.
pub(super) fn query_viewer(who: Who) -> Viewer {
    if who.admin {
        Viewer::Admin
    } else {
        Viewer::Other
    }
}

pub(super) fn created_by(row: &Map<String, Value>) -> Option<i64> {
    row.get("created_by").and_then(Value::as_i64)
}

/// The stored ACL of a row (entries that fail to parse are ignored).
pub(super) fn acl_of(row: &Map<String, Value>, access: Access) -> Vec<AclEntry> {
    row.get(access.column())
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|s| AclEntry::parse("acl", s).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// 401 for guests, 403 for callers the table's `create` rule leaves out.
pub(super) fn may_create(who: Who, entry: &TableEntry) -> Result<(), RecordsError> {
    if who.may_create(&entry.object.rules.create) {
        return Ok(());
    }
    if who.user.is_none() && !who.admin {
        return Err(RecordsError::Unauthorized);
    }
    Err(RecordsError::Forbidden(format!(
        "you may not create records in table '{}'",
        entry.object.name
    )))
}

/// Turns a store error back into the records error it carries, naming the
/// fields of a broken unique rule.
pub(super) fn restore(e: StoreError, entry: &TableEntry) -> RecordsError {
    match e {
        StoreError::Refused(inner) => match inner.downcast::<RecordsError>() {
            Ok(e) => *e,
            Err(other) => RecordsError::Store(StoreError::Refused(other)),
        },
        StoreError::Unique { column } => RecordsError::Taken {
            field: unique_fields(entry, &column),
        },
        StoreError::Rejected(msg) => RecordsError::Invalid(InvalidInput::new("value", msg)),
        other => other.into(),
    }
}

/// Names the fields of a unique violation: a table rule's fields (and its
/// `where`) when the index or its column list is a rule's, else the column.
fn unique_fields(entry: &TableEntry, column: &str) -> String {
    entry
        .object
        .rules
        .uniques
        .iter()
        .find(|r| rule_index_name(&entry.sql, r) == column || r.fields.join(", ") == column)
        .map(|r| {
            let mut text = r.fields.join(", ");
            if !r.filter.is_empty() {
                let parts: Vec<String> =
                    r.filter.iter().map(|(f, v)| format!("{f} = {v}")).collect();
                text.push_str(&format!(" (among records with {})", parts.join(" and ")));
            }
            text
        })
        .unwrap_or_else(|| column.to_owned())
}

/// Builds the columns of a new record from a flat body, before any storage access.
pub(super) fn prepare_create(
    entry: &TableEntry,
    who: Who,
    body: &Value,
) -> Result<Map<String, Value>, RecordsError> {
    let object = &entry.object;
    let body = body
        .as_object()
        .ok_or_else(|| InvalidInput::new("body", "a record is a JSON object of field values"))?;
    let now = now_unix();
    let mut row = Map::new();
    let mut read_perm = object.rules.default_read.clone();
    let mut write_perm = object.rules.default_write.clone();
    let mut owner = who.user;
    let (mut created_at, mut updated_at) = (now, now);
    for (name, value) in body {
        match name.as_str() {
            "read_perm" | "write_perm" => {
                if !object.rules.client_acl && !who.admin {
                    return Err(RecordsError::Forbidden(format!(
                        "{name}: table '{}' does not let clients set ACLs",
                        object.name
                    )));
                }
                let list = AclEntry::parse_list(name, value)?;
                if name == "read_perm" {
                    read_perm = list;
                } else {
                    write_perm = list;
                }
            }
            "created_by" | "created_at" | "updated_at" => {
                if !who.admin {
                    return Err(RecordsError::Forbidden(format!(
                        "{name}: only admins may set this system field"
                    )));
                }
                let n = value.as_i64().filter(|n| *n > 0).ok_or_else(|| {
                    InvalidInput::new(name.as_str(), "must be a positive integer")
                })?;
                match name.as_str() {
                    "created_by" => owner = Some(n),
                    "created_at" => created_at = n,
                    _ => updated_at = n,
                }
            }
            "id" | "_id" => {
                return Err(InvalidInput::new(name.as_str(), "is assigned by the server").into())
            }
            _ => {
                let field = writable_field(object, who, name)?;
                let change = parse_change(name, field.kind, value)?;
                let start = if matches!(change, Change::Set(_)) {
                    Value::Null
                } else {
                    field.default.clone().unwrap_or(Value::Null)
                };
                let new = apply(name, &start, &change)?;
                row.insert(name.clone(), normalize(field, &new)?);
            }
        }
    }
    for field in &object.fields {
        let name = field.name.as_str();
        if !row.contains_key(name) {
            if let Some(d) = &field.default {
                row.insert(name.to_owned(), normalize(field, d)?);
            }
        }
        if field.required && row.get(name).is_none_or(Value::is_null) {
            return Err(InvalidInput::new(name, "is required").into());
        }
    }
    row.insert(
        "id".into(),
        Value::String(RecordId::generate().as_str().to_owned()),
    );
    row.insert("created_at".into(), Value::from(created_at));
    row.insert("updated_at".into(), Value::from(updated_at));
    row.insert("created_by".into(), owner.map_or(Value::Null, Value::from));
    row.insert("read_perm".into(), acl_json(&read_perm));
    row.insert("write_perm".into(), acl_json(&write_perm));
    Ok(row)
}

/// The declared field `name` if `who` may write it.
fn writable_field<'a>(
    object: &'a ObjectType,
    who: Who,
    name: &str,
) -> Result<&'a crate::schema::Field, RecordsError> {
    let field = object.field(name).ok_or_else(|| {
        InvalidInput::new(name, format!("is not a field of table '{}'", object.name))
    })?;
    match field.write {
        WriteRule::Owner => Ok(field),
        WriteRule::Admin if who.admin => Ok(field),
        WriteRule::Admin => Err(RecordsError::Forbidden(format!(
            "{name}: may be written only by admins"
        ))),
        WriteRule::Nobody => Err(RecordsError::Forbidden(format!(
            "{name}: may be written only by the server"
        ))),
    }
}

/// The SQL values of a prepared row.
fn sql_values(object: &ObjectType, row: &Map<String, Value>) -> Vec<(String, SqlValue)> {
    row.iter()
        .map(|(name, v)| {
            let kind = match name.as_str() {
                "id" => FieldKind::String,
                "created_at" | "updated_at" | "created_by" => FieldKind::Integer,
                "read_perm" | "write_perm" => FieldKind::Array,
                other => object.field(other).map_or(FieldKind::String, |f| f.kind),
            };
            (name.clone(), to_sql_value(kind, v))
        })
        .collect()
}

/// Inserts a prepared row: checks the per-owner limit (under the owner's lock)
/// and pointer targets. Runs inside a transaction; returns the new id.
pub(super) fn insert_checked(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    entry: &TableEntry,
    row: Map<String, Value>,
) -> Result<String, StoreError> {
    let owner = row.get("created_by").and_then(Value::as_i64);
    if let (Some(max), Some(owner)) = (entry.object.rules.max_per_owner, owner) {
        store_records::lock_owner(conn, &entry.sql, owner)?;
        if store_records::count_owned(conn, &entry.sql, owner)? >= i64::from(max) {
            return Err(refuse(RecordsError::Limit(format!(
                "a user may have at most {max} records in table '{}'",
                entry.object.name
            ))));
        }
    }
    check_pointers(conn, catalog, &entry.object, &row)?;
    let id = row
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    store_records::insert(conn, &entry.sql, &sql_values(&entry.object, &row))?;
    Ok(id)
}

/// Every pointer in `row` must name an existing record (or user).
fn check_pointers(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    object: &ObjectType,
    row: &Map<String, Value>,
) -> Result<(), StoreError> {
    for field in &object.fields {
        let (Some(target), Some(Value::String(id))) =
            (&field.pointer, row.get(field.name.as_str()))
        else {
            continue;
        };
        let table = match target {
            PointerTarget::Table(t) => t.clone(),
            PointerTarget::ByField(f) => match row.get(f).and_then(Value::as_str) {
                Some(t) => t.to_owned(),
                None => {
                    return Err(refuse(
                        InvalidInput::new(
                            f.as_str(),
                            format!(
                                "names the table '{}' points into and is required with it",
                                field.name.as_str()
                            ),
                        )
                        .into(),
                    ))
                }
            },
        };
        let found = if table == PROFILE_TYPE {
            match id.parse::<i64>() {
                Ok(n) => store_records::exists(conn, PROFILE_TABLE, "id", SqlValue::Int(n))?,
                Err(_) => false,
            }
        } else {
            match catalog.tables.get(&table) {
                Some(t) => store_records::exists(
                    conn,
                    &t.sql,
                    "id",
                    SqlValue::Text(id.to_ascii_lowercase()),
                )?,
                None => false,
            }
        };
        if !found {
            return Err(refuse(
                InvalidInput::new(
                    field.name.as_str(),
                    format!("no record '{id}' in table '{table}'"),
                )
                .into(),
            ));
        }
    }
    Ok(())
}

/// A field's change, checked against the schema before storage access.
#[derive(Debug, Clone)]
pub(super) enum PreparedChange {
    /// A declared field.
    Field(String, Change),
    /// `read_perm` or `write_perm`.
    Acl(Access, Vec<AclEntry>),
}

/// Parses an update body into checked changes.
pub(super) fn prepare_update(
    entry: &TableEntry,
    who: Who,
    body: &Map<String, Value>,
) -> Result<Vec<PreparedChange>, RecordsError> {
    let object = &entry.object;
    let mut out = Vec::new();
    for (name, value, unset) in split_update_body(body)? {
        match name.as_str() {
            "read_perm" | "write_perm" => {
                if !object.rules.client_acl && !who.admin {
                    return Err(RecordsError::Forbidden(format!(
                        "{name}: table '{}' does not let clients set ACLs",
                        object.name
                    )));
                }
                let list = if unset {
                    Vec::new()
                } else {
                    AclEntry::parse_list(&name, &value)?
                };
                let access = if name == "read_perm" {
                    Access::Read
                } else {
                    Access::Write
                };
                out.push(PreparedChange::Acl(access, list));
            }
            "id" | "_id" | "created_at" | "updated_at" | "created_by" => {
                return Err(RecordsError::Forbidden(format!(
                    "{name}: is a system field and cannot be changed"
                )))
            }
            _ => {
                let field = writable_field(object, who, &name)?;
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

/// Applies checked changes to the record `id` inside a transaction: locks the
/// row, checks read and write access, computes and validates new values.
pub(super) fn update_checked(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    entry: &TableEntry,
    who: Who,
    id: &str,
    changes: &[PreparedChange],
) -> Result<Map<String, Value>, StoreError> {
    let columns = readable_columns(&entry.object, Viewer::Admin);
    let row = store_records::get(conn, &entry.sql, &columns, id, true)?
        .ok_or_else(|| refuse(RecordsError::NotFound))?;
    let owner = created_by(&row);
    if !who.may(Access::Read, owner, &acl_of(&row, Access::Read)) {
        return Err(refuse(RecordsError::NotFound));
    }
    if !who.may(Access::Write, owner, &acl_of(&row, Access::Write)) {
        return Err(refuse(RecordsError::Forbidden(
            "you may not change this record".into(),
        )));
    }
    let mut new_values = Map::new();
    for change in changes {
        match change {
            PreparedChange::Acl(access, list) => {
                if !who.admin && (who.user.is_none() || who.user != owner) {
                    return Err(refuse(RecordsError::Forbidden(format!(
                        "{}: only the record's creator may change its ACL",
                        access.column()
                    ))));
                }
                new_values.insert(access.column().to_owned(), acl_json(list));
            }
            PreparedChange::Field(name, change) => {
                let Some(field) = entry.object.field(name) else {
                    continue;
                };
                let current = row.get(name).cloned().unwrap_or(Value::Null);
                let new = apply(name, &current, change).map_err(|e| refuse(e.into()))?;
                let new = normalize(field, &new).map_err(|e| refuse(e.into()))?;
                new_values.insert(name.clone(), new);
            }
        }
    }
    // Check only pointers this update sets (or retargets): a pointer whose
    // target was deleted must not block edits of other fields.
    let mut changed = Map::new();
    for field in &entry.object.fields {
        let name = field.name.as_str();
        let retargeted = match &field.pointer {
            Some(PointerTarget::ByField(t)) => new_values.contains_key(t),
            Some(PointerTarget::Table(_)) => false,
            None => continue,
        };
        if new_values.contains_key(name) || retargeted {
            let value = new_values.get(name).or_else(|| row.get(name)).cloned();
            changed.insert(name.to_owned(), value.unwrap_or(Value::Null));
            if let Some(PointerTarget::ByField(t)) = &field.pointer {
                let ty = new_values.get(t).or_else(|| row.get(t)).cloned();
                changed.insert(t.clone(), ty.unwrap_or(Value::Null));
            }
        }
    }
    check_pointers(conn, catalog, &entry.object, &changed)?;
    new_values.insert("updated_at".into(), Value::from(now_unix()));
    store_records::update(
        conn,
        &entry.sql,
        id,
        &sql_values(&entry.object, &new_values),
    )?;
    store_records::get(conn, &entry.sql, &columns, id, false)?
        .ok_or_else(|| StoreError::Corrupt("record vanished during update".into()))
}

/// Deletes the record `id` inside a transaction after checking access.
pub(super) fn delete_checked(
    conn: &mut AnyConnection,
    entry: &TableEntry,
    who: Who,
    id: &str,
) -> Result<(), StoreError> {
    let columns = readable_columns(&entry.object, Viewer::Admin);
    let row = store_records::get(conn, &entry.sql, &columns, id, true)?
        .ok_or_else(|| refuse(RecordsError::NotFound))?;
    let owner = created_by(&row);
    if !who.may(Access::Read, owner, &acl_of(&row, Access::Read)) {
        return Err(refuse(RecordsError::NotFound));
    }
    if !who.may(Access::Write, owner, &acl_of(&row, Access::Write)) {
        return Err(refuse(RecordsError::Forbidden(
            "you may not delete this record".into(),
        )));
    }
    let tombstone = Tombstone {
        object_type: entry.object.name.clone(),
        record_id: id.to_owned(),
        deleted_at: now_unix(),
        created_by: owner,
        read_perm: row
            .get("read_perm")
            .cloned()
            .unwrap_or(Value::Array(Vec::new())),
    };
    store_records::delete(conn, &entry.sql, &tombstone)?;
    Ok(())
}
