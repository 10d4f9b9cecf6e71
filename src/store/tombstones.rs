//! What deleted records leave behind for the change feed: their id, when they
//! went, and who could read them.

use diesel::sql_types::Text;
use diesel::QueryableByName;
use serde_json::Value;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use crate::query::{render_condition, Condition, SqlFragment, SqlValue};

/// A deleted record, as the change feed remembers it.
#[derive(Debug, Clone)]
pub struct Tombstone {
    /// Object type name (not the SQL table).
    pub object_type: String,
    /// The record's id.
    pub record_id: String,
    /// Unix seconds.
    pub deleted_at: i64,
    /// The record's creator.
    pub created_by: Option<i64>,
    /// The record's `read_perm`, so the feed shows the deletion only to those
    /// who could read the record.
    pub read_perm: Value,
}

/// Records a deletion (a record deleted again after being re-created keeps
/// one tombstone, with the newer time).
pub fn record(conn: &mut AnyConnection, tombstone: &Tombstone) -> Result<(), StoreError> {
    let mut t = SqlFragment::new(conn.dialect());
    t.push("INSERT INTO record_tombstones (object_type, record_id, deleted_at, created_by, read_perm) VALUES (")
        .push_bind(SqlValue::Text(tombstone.object_type.clone()))
        .push(", ")
        .push_bind(SqlValue::Text(tombstone.record_id.clone()))
        .push(", ")
        .push_bind(SqlValue::Int(tombstone.deleted_at))
        .push(", ")
        .push_bind(tombstone.created_by.map_or(SqlValue::Null, SqlValue::Int))
        .push(", ")
        .push_bind(SqlValue::Json(tombstone.read_perm.clone()))
        .push(") ON CONFLICT (object_type, record_id) DO UPDATE SET deleted_at = excluded.deleted_at");
    exec::execute(conn, &t)?;
    Ok(())
}

/// Which of `ids` have a tombstone of `object_type` that `acl` lets the
/// caller see.
pub fn visible(
    conn: &mut AnyConnection,
    object_type: &str,
    ids: &[String],
    acl: &Condition,
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = Text)]
        record_id: String,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT record_id FROM record_tombstones WHERE object_type = ")
        .push_bind(SqlValue::Text(object_type.to_owned()))
        .push(" AND record_id IN (");
    q.push_list(ids, ", ", |o, id| {
        o.push_bind(SqlValue::Text(id.clone()));
    });
    q.push(") AND ");
    render_condition(acl, &mut q);
    Ok(exec::load::<IdRow>(conn, &q)?
        .into_iter()
        .map(|r| r.record_id)
        .collect())
}
