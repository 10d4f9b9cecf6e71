//! The schema history: every schema version applied to this database, with
//! its files, the DDL it ran, when and by whom.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::tables::schema_versions;

/// One applied version.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schema_versions)]
pub struct VersionRow {
    /// Increasing id.
    pub id: i64,
    /// SHA-256 over every file's digest.
    pub digest: String,
    /// JSON: file name → `{sha256, schema}`.
    pub files: String,
    /// JSON array of the DDL statements run.
    pub ddl: String,
    /// Unix seconds.
    pub applied_at: i64,
    /// `node:<host>` (start or reload) or an admin.
    pub applied_by: String,
}

/// A version to record.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// SHA-256 over every file's digest.
    pub digest: String,
    /// JSON: file name → `{sha256, schema}`.
    pub files: String,
    /// JSON array of the DDL statements run.
    pub ddl: String,
    /// Unix seconds.
    pub applied_at: i64,
    /// Who applied it.
    pub applied_by: String,
}

/// Records a version.
pub fn insert(conn: &mut AnyConnection, v: &NewVersion) -> Result<(), StoreError> {
    diesel::insert_into(schema_versions::table)
        .values((
            schema_versions::digest.eq(&v.digest),
            schema_versions::files.eq(&v.files),
            schema_versions::ddl.eq(&v.ddl),
            schema_versions::applied_at.eq(v.applied_at),
            schema_versions::applied_by.eq(&v.applied_by),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest recorded version.
pub fn latest(conn: &mut AnyConnection) -> Result<Option<VersionRow>, StoreError> {
    Ok(schema_versions::table
        .order(schema_versions::id.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The newest `limit` versions, newest first.
pub fn list(conn: &mut AnyConnection, limit: i64) -> Result<Vec<VersionRow>, StoreError> {
    Ok(schema_versions::table
        .order(schema_versions::id.desc())
        .limit(limit)
        .select(VersionRow::as_select())
        .load(conn)?)
}
