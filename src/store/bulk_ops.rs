//! Asynchronous batch operations (`bulk_operations`): created by a batch update
//! or delete with more than 1000 matches, worked through in id order by a
//! background task that saves its cursor with every chunk.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec::{self, IntRow};
use crate::query::{SqlFragment, SqlValue};

/// One job.
#[derive(Debug, Clone, QueryableByName)]
pub struct BulkJob {
    /// Job id (the `operation_id`).
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Object type name.
    #[diesel(sql_type = Text)]
    pub object_type: String,
    /// `update` or `delete`.
    #[diesel(sql_type = Text)]
    pub operation: String,
    /// `pending`, `success` or `failed`.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// `user`, `anonymous` or `admin`.
    #[diesel(sql_type = Text)]
    pub caller_kind: String,
    /// The user who asked, if any.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub caller_id: Option<i64>,
    /// The `where` JSON.
    #[diesel(sql_type = Text)]
    pub where_json: String,
    /// The update body (`{}` for deletes).
    #[diesel(sql_type = Text)]
    pub body: String,
    /// Last record id done.
    #[diesel(sql_type = Nullable<Text>)]
    pub cursor: Option<String>,
    /// Records matched so far.
    #[diesel(sql_type = BigInt)]
    pub matched_count: i64,
    /// Records changed (or deleted) so far.
    #[diesel(sql_type = BigInt)]
    pub modified_count: i64,
    /// Why the job failed.
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    /// Unix seconds.
    #[diesel(sql_type = BigInt)]
    pub created_at: i64,
    /// Unix seconds.
    #[diesel(sql_type = BigInt)]
    pub updated_at: i64,
}

const COLUMNS: &str =
    "id, object_type, operation, status, caller_kind, caller_id, where_json, body, \
                       cursor, matched_count, modified_count, error, created_at, updated_at";

/// A job to create.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Object type name.
    pub object_type: &'a str,
    /// `update` or `delete`.
    pub operation: &'a str,
    /// `user`, `anonymous` or `admin`.
    pub caller_kind: &'a str,
    /// The user who asked.
    pub caller_id: Option<i64>,
    /// The `where` JSON.
    pub where_json: &'a str,
    /// The update body.
    pub body: &'a str,
    /// Unix seconds.
    pub now: i64,
}

/// Inserts a pending job; returns its id.
pub fn insert(conn: &mut AnyConnection, job: &NewJob<'_>) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("INSERT INTO bulk_operations (object_type, operation, status, caller_kind, caller_id, where_json, body, created_at, updated_at) VALUES (")
        .push_bind(SqlValue::Text(job.object_type.into()))
        .push(", ")
        .push_bind(SqlValue::Text(job.operation.into()))
        .push(", 'pending', ")
        .push_bind(SqlValue::Text(job.caller_kind.into()))
        .push(", ")
        .push_bind(job.caller_id.map_or(SqlValue::Null, SqlValue::Int))
        .push(", ")
        .push_bind(SqlValue::Text(job.where_json.into()))
        .push(", ")
        .push_bind(SqlValue::Text(job.body.into()))
        .push(", ")
        .push_bind(SqlValue::Int(job.now))
        .push(", ")
        .push_bind(SqlValue::Int(job.now))
        .push(") RETURNING id AS n");
    exec::load::<IntRow>(conn, &q)?
        .first()
        .map(|r| r.n)
        .ok_or_else(|| StoreError::Corrupt("INSERT returned no id".into()))
}

/// The job `id`.
pub fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<BulkJob>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push(&format!(
        "SELECT {COLUMNS} FROM bulk_operations WHERE id = "
    ))
    .push_bind(SqlValue::Int(id));
    Ok(exec::load::<BulkJob>(conn, &q)?.into_iter().next())
}

/// Takes the lease of a pending job until `until` if nobody holds it; returns
/// whether this caller now holds it.
pub fn lease(conn: &mut AnyConnection, id: i64, now: i64, until: i64) -> Result<bool, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE bulk_operations SET locked_until = ")
        .push_bind(SqlValue::Int(until))
        .push(" WHERE id = ")
        .push_bind(SqlValue::Int(id))
        .push(" AND status = 'pending' AND locked_until <= ")
        .push_bind(SqlValue::Int(now));
    Ok(exec::execute(conn, &q)? > 0)
}

/// Ids of pending jobs whose lease has run out (left by a stopped node).
pub fn orphaned(conn: &mut AnyConnection, now: i64) -> Result<Vec<i64>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT id AS n FROM bulk_operations WHERE status = 'pending' AND locked_until <= ")
        .push_bind(SqlValue::Int(now))
        .push(" ORDER BY id");
    Ok(exec::load::<IntRow>(conn, &q)?
        .into_iter()
        .map(|r| r.n)
        .collect())
}

/// Records one chunk's progress (in the chunk's transaction), if the job is
/// still where the chunk started (`from`, the cursor it read); otherwise
/// [`StoreError::LeaseLost`], and the caller rolls the chunk back.
#[allow(clippy::too_many_arguments)]
pub fn progress(
    conn: &mut AnyConnection,
    id: i64,
    from: Option<&str>,
    cursor: &str,
    matched: i64,
    modified: i64,
    now: i64,
    lease_until: i64,
) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE bulk_operations SET cursor = ")
        .push_bind(SqlValue::Text(cursor.into()))
        .push(", matched_count = matched_count + ")
        .push_bind(SqlValue::Int(matched))
        .push(", modified_count = modified_count + ")
        .push_bind(SqlValue::Int(modified))
        .push(", updated_at = ")
        .push_bind(SqlValue::Int(now))
        .push(", locked_until = ")
        .push_bind(SqlValue::Int(lease_until))
        .push(" WHERE id = ")
        .push_bind(SqlValue::Int(id))
        .push(" AND status = 'pending' AND COALESCE(cursor, '') = ")
        .push_bind(SqlValue::Text(from.unwrap_or_default().into()));
    // The chunk started from `from`: if the job moved on meanwhile, another
    // node did this chunk, and this transaction must not commit it again.
    if exec::execute(conn, &q)? == 0 {
        return Err(StoreError::LeaseLost);
    }
    Ok(())
}

/// Jobs `caller` started that are still pending.
pub fn pending_of(
    conn: &mut AnyConnection,
    kind: &str,
    caller: Option<i64>,
) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM bulk_operations WHERE status = 'pending' AND caller_kind = ")
        .push_bind(SqlValue::Text(kind.into()));
    match caller {
        Some(id) => q.push(" AND caller_id = ").push_bind(SqlValue::Int(id)),
        None => q.push(" AND caller_id IS NULL"),
    };
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}

/// Marks the job finished: `success`, or `failed` with the reason.
pub fn finish(
    conn: &mut AnyConnection,
    id: i64,
    error: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE bulk_operations SET status = ")
        .push_bind(SqlValue::Text(
            if error.is_some() { "failed" } else { "success" }.into(),
        ))
        .push(", error = ")
        .push_bind(error.map_or(SqlValue::Null, |e| SqlValue::Text(e.into())))
        .push(", updated_at = ")
        .push_bind(SqlValue::Int(now))
        .push(", locked_until = 0 WHERE id = ")
        .push_bind(SqlValue::Int(id));
    exec::execute(conn, &q)?;
    Ok(())
}
