//! Writes inside a transaction: insert a prepared row, update a row under its
//! lock, delete one. Each checks row access, per-owner limits and pointer
//! targets where it runs, so concurrent writes cannot break a rule; each
//! returns the stored row in the same statement.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::attach::{attach_files, track_files, untrack_files};
use super::counters;
use super::error::RecordsError;
use super::fields::{
    acl_of, column, describe, id_text, normalize_shown, owner_of, parse_id, readable_columns,
};
use super::generated::fill_generated;
use super::guards::check_guards;
use super::list::visible;
use super::prepare::PreparedChange;
use super::update_ops::{apply, Change};
use super::who::{Access, Viewer, Who};
use crate::domain::{acl_json, now_unix, FileLinks, InvalidInput};
use crate::query::{Condition, SqlValue};
use crate::schema::{ObjectType, PointerTarget, Snapshot};
use crate::store::documents::{to_sql_value, Column};
use crate::store::tombstones::{self, Tombstone};
use crate::store::{change_log, object_writes, objects, AnyConnection};

/// The SQL values of row columns named by fields of `object`.
pub fn sql_values(object: &ObjectType, row: &Map<String, Value>) -> Vec<(String, SqlValue)> {
    row.iter()
        .filter_map(|(name, v)| {
            let field = object.lookup(name)?;
            Some((field.name.as_str().to_owned(), to_sql_value(field.kind, v)))
        })
        .collect()
}

/// Inserts a prepared row of a data table: checks pointer targets (as `who`
/// may read them), then [`insert_row`]. Returns the stored row.
pub fn insert_checked(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    links: &FileLinks,
    row: Map<String, Value>,
) -> Result<Map<String, Value>, RecordsError> {
    check_pointers(conn, snapshot, object, who, &[&row])?
        .pop()
        .unwrap_or(Ok(()))?;
    insert_row(conn, object, who, links, row)
}

/// Inserts a prepared row whose pointers were checked: attaches its files
/// (as `who` may), checks the per-owner limit (under the owner's lock).
/// Returns the stored row.
pub fn insert_row(
    conn: &mut AnyConnection,
    object: &ObjectType,
    who: Who,
    links: &FileLinks,
    mut row: Map<String, Value>,
) -> Result<Map<String, Value>, RecordsError> {
    attach_files(conn, object, who, links, &mut row, None)?;
    fill_generated(conn, object, &mut row)?;
    let table = objects::sql_table(object);
    let owner = owner_of(object, &row);
    if let (Some(max), Some(owner)) = (object.rules.max_per_owner, owner) {
        object_writes::lock_owner(conn, &table, owner)?;
        if objects::count_owned(conn, &table, owner)? >= i64::from(max) {
            let records = if max == 1 { "record" } else { "records" };
            return Err(RecordsError::Limit(format!(
                "a user may have at most {max} {records} in {}",
                describe(object)
            )));
        }
    }
    let columns = readable_columns(object, Viewer::Admin);
    let stored = object_writes::insert(conn, &table, &sql_values(object, &row), &columns)?;
    track_files(conn, object, &stored, None)?;
    counters::on_write(conn, object, None, Some(&stored))?;
    log_change(conn, object, &stored, false)?;
    Ok(stored)
}

/// A row before and after an update.
#[derive(Debug, Clone)]
pub struct Updated {
    /// Every column before.
    pub before: Map<String, Value>,
    /// Every column after.
    pub after: Map<String, Value>,
}

/// Applies checked changes to the row `id` inside a transaction: locks the
/// row, checks read and write access, computes the new values from the current
/// ones and validates them, checks the pointers it sets and attaches the
/// files it names. Returns the row before and after.
pub fn update_checked(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    links: &FileLinks,
    id: &SqlValue,
    changes: &[PreparedChange],
) -> Result<Updated, RecordsError> {
    let (row, owner) = lock_writable(conn, object, who, id, "change")?;
    let mut new_values = Map::new();
    for change in changes {
        match change {
            PreparedChange::Acl(access, list) => {
                if !who.is_admin() && (who.user.is_none() || who.user != owner) {
                    return Err(RecordsError::Forbidden(format!(
                        "{}: only the record's creator may change its ACL",
                        access.column()
                    )));
                }
                new_values.insert(access.column().to_owned(), acl_json(list));
            }
            PreparedChange::Field(name, change) => {
                let Some(field) = object.field(name) else {
                    continue;
                };
                let current = row.get(name).cloned().unwrap_or(Value::Null);
                // An operator's result holds the stored value: its errors show
                // it only to callers who may read the field.
                let reveal = matches!(change, Change::Set(_))
                    || Viewer::of_row(who, owner).may_read(field.read);
                let new = normalize_shown(field, &apply(name, &current, change)?, reveal)?;
                new_values.insert(name.clone(), new);
            }
        }
    }
    // Check only pointers this update sets (or retargets): a pointer whose
    // target was deleted must not block edits of other fields.
    let mut changed = Map::new();
    for field in &object.fields {
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
    check_pointers(conn, snapshot, object, who, &[&changed])?
        .pop()
        .unwrap_or(Ok(()))?;
    attach_files(conn, object, who, links, &mut new_values, Some(&row))?;
    if !object.guards.is_empty() {
        let mut next = row.clone();
        next.extend(new_values.clone());
        check_guards(object, who, Some(&row), &next)?;
    }
    let set = sql_values(object, &new_values);
    let table = objects::sql_table(object);
    let columns = readable_columns(object, Viewer::Admin);
    let after = object_writes::update_returning(conn, &table, id, &set, &columns)?
        .ok_or(RecordsError::NotFound)?;
    track_files(conn, object, &after, Some(&new_values))?;
    counters::on_write(conn, object, Some(&row), Some(&after))?;
    log_change(conn, object, &after, false)?;
    Ok(Updated { before: row, after })
}

/// Logs a write of a data table's row for the change feed, in the write's
/// transaction (the profile has no feed).
fn log_change(
    conn: &mut AnyConnection,
    object: &ObjectType,
    row: &Map<String, Value>,
    deleted: bool,
) -> Result<(), RecordsError> {
    if object.has_row_acl() {
        let id = super::fields::id_text(row);
        change_log::record(conn, &object.name, &id, deleted, now_unix())?;
    }
    Ok(())
}

/// Locks the row `id` for the rest of the transaction and checks that `who`
/// may write it: a row they may not read is missing (404), one they may read
/// but not write is a 403 saying they may not `verb` it. Returns the row
/// (every column) and its owner.
fn lock_writable(
    conn: &mut AnyConnection,
    object: &ObjectType,
    who: Who,
    id: &SqlValue,
    verb: &str,
) -> Result<(Map<String, Value>, Option<i64>), RecordsError> {
    let table = objects::sql_table(object);
    let columns = readable_columns(object, Viewer::Admin);
    let row = objects::get(conn, &table, &columns, id, true)?.ok_or(RecordsError::NotFound)?;
    let owner = owner_of(object, &row);
    if !who.may(Access::Read, owner, &acl_of(object, &row, Access::Read)) {
        return Err(RecordsError::NotFound);
    }
    if !who.may(Access::Write, owner, &acl_of(object, &row, Access::Write)) {
        return Err(RecordsError::Forbidden(format!(
            "you may not {verb} this record"
        )));
    }
    Ok((row, owner))
}

/// Deletes the row `id` after checking access; a record leaves a tombstone
/// for the change feed. Users are deleted by admins only (their sessions,
/// credentials and codes go with them). Returns the deleted row.
pub fn delete_checked(
    conn: &mut AnyConnection,
    object: &ObjectType,
    who: Who,
    id: &SqlValue,
) -> Result<Map<String, Value>, RecordsError> {
    if object.is_profile() && !who.is_admin() {
        return Err(RecordsError::Forbidden(
            "users are deleted by admins only".into(),
        ));
    }
    let (row, owner) = lock_writable(conn, object, who, id, "delete")?;
    object_writes::delete(conn, &objects::sql_table(object), id)?;
    untrack_files(conn, object, &row)?;
    counters::on_write(conn, object, Some(&row), None)?;
    if !object.has_row_acl() {
        return Ok(row);
    }
    log_change(conn, object, &row, true)?;
    tombstones::record(
        conn,
        &Tombstone {
            object_type: object.name.clone(),
            record_id: super::fields::id_text(&row),
            deleted_at: now_unix(),
            created_by: owner,
            read_perm: row
                .get("read_perm")
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        },
    )?;
    Ok(row)
}

/// One pointer of a row being written.
struct PointerRef {
    field: String,
    table: String,
    id: String,
}

/// Checks that every pointer in each of `rows` names a row `who` may read:
/// one query per target table for all rows together. A row they may not read
/// is answered exactly as a row that does not exist (`no record '…' in table
/// '…'`), so a write cannot tell whether an unreadable record exists.
/// Profiles have no row ACL: every user is readable. Returns one result per row.
pub fn check_pointers(
    conn: &mut AnyConnection,
    snapshot: &Snapshot,
    object: &ObjectType,
    who: Who,
    rows: &[&Map<String, Value>],
) -> Result<Vec<Result<(), RecordsError>>, RecordsError> {
    // Per row: where each pointer points, or the row's error.
    let mut targets: Vec<Result<Vec<PointerRef>, RecordsError>> = Vec::new();
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let mut found = Vec::new();
        let mut failure = None;
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
                        failure = Some(
                            InvalidInput::new(
                                f.as_str(),
                                format!(
                                    "names the table '{}' points into and is required with it",
                                    field.name.as_str()
                                ),
                            )
                            .into(),
                        );
                        break;
                    }
                },
            };
            wanted.entry(table.clone()).or_default().insert(id.clone());
            found.push(PointerRef {
                field: field.name.as_str().to_owned(),
                table,
                id: id.clone(),
            });
        }
        targets.push(failure.map_or(Ok(found), Err));
    }
    let mut existing: BTreeSet<(String, String)> = BTreeSet::new();
    for (table, ids) in wanted {
        let Some(target) = snapshot.get(&table) else {
            continue;
        };
        let keys: Vec<SqlValue> = ids.iter().filter_map(|id| parse_id(target, id)).collect();
        let readable = visible(target, who, Access::Read, Condition::And(Vec::new()));
        let id_column: Vec<Column> = target.lookup("id").map(column).into_iter().collect();
        let table_name = objects::sql_table(target);
        for row in objects::get_many(conn, &table_name, &id_column, &keys, &readable)? {
            existing.insert((table.clone(), id_text(&row)));
        }
    }
    Ok(targets
        .into_iter()
        .map(|row| {
            for PointerRef { field, table, id } in row? {
                if !existing.contains(&(table.clone(), id.clone())) {
                    return Err(InvalidInput::new(
                        field,
                        format!("no record '{id}' in table '{table}'"),
                    )
                    .into());
                }
            }
            Ok(())
        })
        .collect())
}

/// Names the fields of a unique violation: a table rule's fields (and its
/// `where`) when the index or its column list is a rule's, else the column.
pub fn explain_taken(object: &ObjectType, e: RecordsError) -> RecordsError {
    let RecordsError::Taken { field: column } = e else {
        return e;
    };
    let table = objects::sql_table(object);
    let field = object
        .rules
        .uniques
        .iter()
        .find(|r| {
            crate::store::record_tables::rule_index_name(&table, r) == column
                || r.fields.join(", ") == column
        })
        .map(|r| {
            let mut text = r.fields.join(", ");
            if !r.filter.is_empty() {
                let parts: Vec<String> =
                    r.filter.iter().map(|(f, v)| format!("{f} = {v}")).collect();
                text.push_str(&format!(" (among records with {})", parts.join(" and ")));
            }
            text
        })
        .unwrap_or(column);
    RecordsError::Taken { field }
}
