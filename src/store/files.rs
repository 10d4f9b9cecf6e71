//! `uploaded_files`: the rows of Hydrogen's File API. A row is made when an
//! upload starts, with its authorization's hash; claiming that hash is
//! atomic, so an authorization opens one upload at most.

use diesel::dsl::{exists, not};
use diesel::prelude::*;

use std::collections::HashMap;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use super::tables::{file_attachments as a, uploaded_files as f};
use crate::query::{render_condition, Condition, SqlFragment, SqlIdent, SqlValue};
use crate::schema::FieldKind;

/// A stored (or announced) file.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = f)]
pub struct FileRow {
    /// Record-style id (24 hex digits).
    pub id: String,
    /// The name the uploader gave.
    pub name: String,
    /// Random, unguessable part of the file's URL and storage path.
    pub storage_key: String,
    /// Sniffed from the content when stored.
    pub mime_type: String,
    /// Bytes, when stored.
    pub size: i64,
    /// Pixels across, for an image whose header could be read.
    pub width: Option<i32>,
    /// Pixels down, for an image whose header could be read.
    pub height: Option<i32>,
    /// The category's id, if the upload named one.
    pub category_id: Option<String>,
    /// The category's name, if the upload named one.
    pub category_name: Option<String>,
    /// The uploading user (`None`: an admin).
    pub created_by: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds after which the upload's authorization is refused.
    pub upload_expires: i64,
    /// Whether the bytes are stored.
    pub stored: bool,
}

/// A file announced by the first step of an upload.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    /// Id.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Random part of its URL.
    pub storage_key: &'a str,
    /// Category id.
    pub category_id: Option<&'a str>,
    /// Category name.
    pub category_name: Option<&'a str>,
    /// Uploader.
    pub created_by: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
    /// SHA-256 of the upload's authorization.
    pub upload_hash: &'a str,
    /// When the authorization stops working.
    pub upload_expires: i64,
}

/// Records an announced file.
pub fn insert(conn: &mut AnyConnection, file: &NewFile<'_>) -> Result<(), StoreError> {
    diesel::insert_into(f::table)
        .values((
            f::id.eq(file.id),
            f::name.eq(file.name),
            f::storage_key.eq(file.storage_key),
            f::category_id.eq(file.category_id),
            f::category_name.eq(file.category_name),
            f::created_by.eq(file.created_by),
            f::created_at.eq(file.created_at),
            f::upload_hash.eq(file.upload_hash),
            f::upload_expires.eq(file.upload_expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many uploads `owner` started that are neither stored nor expired at `now`.
pub fn pending_count(conn: &mut AnyConnection, owner: i64, now: i64) -> Result<i64, StoreError> {
    Ok(f::table
        .filter(f::created_by.eq(owner))
        .filter(f::stored.eq(false))
        .filter(f::upload_expires.gt(now))
        .count()
        .get_result(conn)?)
}

/// Uses up the authorization `hash` of the not yet stored file `id`, if it
/// is still valid at `now`: the file, once; `None` for a wrong, used or
/// expired authorization.
pub fn claim(
    conn: &mut AnyConnection,
    id: &str,
    hash: &str,
    now: i64,
) -> Result<Option<FileRow>, StoreError> {
    let claimed = diesel::update(
        f::table
            .filter(f::id.eq(id))
            .filter(f::upload_hash.eq(hash))
            .filter(f::upload_expires.gt(now))
            .filter(f::stored.eq(false)),
    )
    .set(f::upload_hash.eq(None::<String>))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    get(conn, id)
}

/// What was measured of a file's bytes when they arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// Bytes.
    pub size: i64,
    /// Sniffed from the content.
    pub mime_type: String,
    /// An image's width and height, when its header could be read.
    pub dimensions: Option<(i32, i32)>,
}

/// Bytes held by the stored files of `owner` (of everyone for `None`),
/// counting uploads being accepted (claimed, with their size noted).
pub fn bytes_held(conn: &mut AnyConnection, owner: Option<i64>) -> Result<i64, StoreError> {
    let mut q = f::table
        .filter(f::stored.eq(true).or(f::upload_hash.is_null()))
        .into_boxed();
    if let Some(user) = owner {
        q = q.filter(f::created_by.eq(user));
    }
    let total: Option<i64> = q
        .select(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        >("CAST(SUM(size) AS BIGINT)"))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

/// Notes the size of the claimed upload `id` while it is accepted, so
/// quotas count it.
pub fn reserve(conn: &mut AnyConnection, id: &str, size: i64) -> Result<(), StoreError> {
    diesel::update(f::table.filter(f::id.eq(id)))
        .set(f::size.eq(size))
        .execute(conn)?;
    Ok(())
}

/// Marks the file `id` stored, with what was measured of it.
pub fn mark_stored(conn: &mut AnyConnection, id: &str, m: &Measured) -> Result<(), StoreError> {
    diesel::update(f::table.filter(f::id.eq(id)))
        .set((
            f::stored.eq(true),
            f::size.eq(m.size),
            f::mime_type.eq(&m.mime_type),
            f::width.eq(m.dimensions.map(|d| d.0)),
            f::height.eq(m.dimensions.map(|d| d.1)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The file `id`, stored or not.
pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<FileRow>, StoreError> {
    Ok(f::table
        .filter(f::id.eq(id))
        .select(FileRow::as_select())
        .first(conn)
        .optional()?)
}

/// Clears the detached mark of the files `ids` a write is about to attach.
/// The update holds their rows to the end of the transaction, so the
/// janitor's delete either ran before (the files are gone, and the write
/// finds none) or waits and then sees them taken.
pub fn take(conn: &mut AnyConnection, ids: &[String]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(f::table.filter(f::id.eq_any(ids)))
        .set(f::detached_at.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// The stored files among `ids` (at most a few hundred: the files of one
/// write).
pub fn get_stored(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<FileRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(f::table
        .filter(f::id.eq_any(ids))
        .filter(f::stored.eq(true))
        .select(FileRow::as_select())
        .load(conn)?)
}

/// Names `disk` as the one holding the files, unless another disk was
/// named first; answers the disk that holds them (and since when).
pub fn claim_disk(
    conn: &mut AnyConnection,
    disk: &str,
    now: i64,
) -> Result<(String, i64), StoreError> {
    use super::connection::per_backend;
    use super::tables::file_disk as d;
    let claim = diesel::insert_into(d::table)
        .values((d::id.eq(1), d::disk.eq(disk), d::claimed_at.eq(now)))
        .on_conflict(d::id)
        .do_nothing();
    per_backend!(conn, c => claim.execute(c))?;
    Ok(d::table
        .filter(d::id.eq(1))
        .select((d::disk, d::claimed_at))
        .first(conn)?)
}

/// How a list of files is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOrder {
    /// Newest first (the default).
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// By name.
    Name,
    /// By name, descending.
    NameDesc,
    /// By size.
    Size,
    /// By size, descending.
    SizeDesc,
}

impl FileOrder {
    /// The `ORDER BY` list, with the id as tie-breaker.
    fn sql(self) -> &'static str {
        match self {
            Self::NewestFirst => "created_at DESC, id DESC",
            Self::OldestFirst => "created_at ASC, id ASC",
            Self::Name => "name ASC, id ASC",
            Self::NameDesc => "name DESC, id DESC",
            Self::Size => "size ASC, id ASC",
            Self::SizeDesc => "size DESC, id DESC",
        }
    }
}

static STORED: SqlIdent = SqlIdent::from_static("stored");
static CREATED_BY: SqlIdent = SqlIdent::from_static("created_by");

/// The files a list shows: stored ones, of `owner` when given, matching
/// `filter`.
fn listed(owner: Option<i64>, filter: &Condition) -> Condition {
    let mut all = vec![
        Condition::equals(&STORED, FieldKind::Boolean, SqlValue::Bool(true)),
        filter.clone(),
    ];
    if let Some(user) = owner {
        all.push(Condition::equals(
            &CREATED_BY,
            FieldKind::Integer,
            SqlValue::Int(user),
        ));
    }
    Condition::And(all)
}

/// Stored files of `owner` (every stored file for `None`) matching
/// `filter`, a page of them.
pub fn list(
    conn: &mut AnyConnection,
    owner: Option<i64>,
    filter: &Condition,
    order: FileOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<FileRow>, StoreError> {
    let ids = ids_page(
        conn,
        "uploaded_files",
        &listed(owner, filter),
        order.sql(),
        limit,
        offset,
    )?;
    let rows: Vec<FileRow> = f::table
        .filter(f::id.eq_any(&ids))
        .select(FileRow::as_select())
        .load(conn)?;
    Ok(in_order(&ids, rows, |r| &r.id))
}

/// `rows` in the order of `ids` (a page's order, from [`ids_page`]).
pub(super) fn in_order<T>(ids: &[String], rows: Vec<T>, id: impl Fn(&T) -> &String) -> Vec<T> {
    let mut by_id: HashMap<String, T> = rows.into_iter().map(|r| (id(&r).clone(), r)).collect();
    ids.iter().filter_map(|i| by_id.remove(i)).collect()
}

/// The ids of a page of the rows of the system table `table` matching
/// `cond`, in `order` (an `ORDER BY` list of its columns).
pub(super) fn ids_page(
    conn: &mut AnyConnection,
    table: &'static str,
    cond: &Condition,
    order: &'static str,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT id FROM ")
        .push_ident(&SqlIdent::from_static(table))
        .push(" WHERE ");
    render_condition(cond, &mut q);
    q.push(" ORDER BY ")
        .push(order)
        .push(" LIMIT ")
        .push_bind(SqlValue::Int(limit))
        .push(" OFFSET ")
        .push_bind(SqlValue::Int(offset));
    Ok(exec::load::<IdRow>(conn, &q)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// How many stored files `owner` has (every stored file for `None`)
/// matching `filter`.
pub fn count(
    conn: &mut AnyConnection,
    owner: Option<i64>,
    filter: &Condition,
) -> Result<i64, StoreError> {
    super::objects::count(conn, "uploaded_files", &listed(owner, filter))
}

/// Deletes the file row `id` and what says which records hold it; whether
/// there was one.
pub fn delete(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    super::file_attachments::drop_file(conn, id)?;
    Ok(diesel::delete(f::table.filter(f::id.eq(id))).execute(conn)? > 0)
}

/// Deletes the rows of files detached before `before` that no record holds
/// (a record that took one back since has cleared its mark); answers their
/// ids and storage keys.
pub fn delete_detached(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(diesel::delete(
        f::table
            .filter(f::detached_at.lt(before))
            .filter(not(exists(a::table.filter(a::file_id.eq(f::id))))),
    )
    .returning((f::id, f::storage_key))
    .get_results(conn)?)
}

/// Deletes the rows of files announced but never stored whose upload
/// expired before `before`; answers their ids and storage keys.
pub fn delete_unstored(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(diesel::delete(
        f::table
            .filter(f::stored.eq(false))
            .filter(f::upload_expires.lt(before)),
    )
    .returning((f::id, f::storage_key))
    .get_results(conn)?)
}
