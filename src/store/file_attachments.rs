//! `file_attachments`: which file field of which record holds which file,
//! kept in each write's transaction. A file no record holds any more is
//! marked detached, and the janitor removes it some time later
//! ([`super::files::delete_detached`]); the foreign key refuses to delete a
//! file a committed row here still names.

use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::{file_attachments as a, uploaded_files as f};

/// One file field of one record.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    /// The object type's name (`_userprofile` for the profile).
    pub object_type: &'a str,
    /// The record's id as text.
    pub record_id: &'a str,
    /// The field's name.
    pub field: &'a str,
}

/// Makes `holder` hold exactly the files `ids` (whose detached marks
/// [`super::files::take`] cleared); files it let go of that no other
/// record holds are marked detached at `now`.
pub fn set_field(
    conn: &mut AnyConnection,
    holder: Holder<'_>,
    ids: &[String],
    now: i64,
) -> Result<(), StoreError> {
    let here = a::table
        .filter(a::object_type.eq(holder.object_type))
        .filter(a::record_id.eq(holder.record_id))
        .filter(a::field.eq(holder.field));
    let before: Vec<String> = here.select(a::file_id).load(conn)?;
    diesel::delete(here).execute(conn)?;
    let mut held = ids.to_vec();
    held.sort();
    held.dedup();
    for id in &held {
        diesel::insert_into(a::table)
            .values((
                a::file_id.eq(id),
                a::object_type.eq(holder.object_type),
                a::record_id.eq(holder.record_id),
                a::field.eq(holder.field),
            ))
            .execute(conn)?;
    }
    let let_go: Vec<String> = before.into_iter().filter(|id| !held.contains(id)).collect();
    mark_detached(conn, &let_go, now)
}

/// Forgets every file the record holds (it is being deleted); files no
/// other record holds are marked detached at `now`.
pub fn drop_record(
    conn: &mut AnyConnection,
    object_type: &str,
    record_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let here = a::table
        .filter(a::object_type.eq(object_type))
        .filter(a::record_id.eq(record_id));
    let before: Vec<String> = here.select(a::file_id).load(conn)?;
    if before.is_empty() {
        return Ok(());
    }
    diesel::delete(here).execute(conn)?;
    mark_detached(conn, &before, now)
}

/// Forgets every record holding the file `id` (the file is being deleted
/// through the File API).
pub fn drop_file(conn: &mut AnyConnection, id: &str) -> Result<(), StoreError> {
    diesel::delete(a::table.filter(a::file_id.eq(id))).execute(conn)?;
    Ok(())
}

/// The fields holding the file `id`: `(object type, record id, field)`.
pub fn holders(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(a::table
        .filter(a::file_id.eq(id))
        .order((a::object_type, a::record_id, a::field))
        .select((a::object_type, a::record_id, a::field))
        .load(conn)?)
}

/// Marks those of `ids` that no record holds as detached at `now`.
fn mark_detached(conn: &mut AnyConnection, ids: &[String], now: i64) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(f::table.filter(f::id.eq_any(ids)))
        .filter(not(exists(a::table.filter(a::file_id.eq(f::id)))))
        .set(f::detached_at.eq(now))
        .execute(conn)?;
    Ok(())
}
