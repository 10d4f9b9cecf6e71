//! Rows of schema-driven tables — the user profile and every data table — read
//! through one set of functions: by id, by ids, by condition with a page, counts.
//! Writes are in [`super::object_writes`].
//!
//! Callers pass allow-listed column names and compiled conditions; values are binds.

use diesel::sql_types::Text;
use diesel::QueryableByName;
use serde_json::{Map, Value};

use super::connection::AnyConnection;
use super::documents::{decode, push_document, Column};
use super::error::StoreError;
use super::exec::{self, DocRow, IntRow};
use super::sql_dialect as sql;
use crate::domain::{Dialect, GeoPoint};
use crate::query::{
    render_condition, render_order_near, Condition, OrderBy, SqlFragment, SqlIdent, SqlValue,
};
use crate::schema::{ObjectType, TypeClass, PROFILE_TYPE};

/// Prefix of data tables' SQL names, keeping them apart from system tables.
pub const TABLE_PREFIX: &str = "tbl_";

/// The SQL table of a data table named `name`.
pub fn data_table(name: &SqlIdent) -> SqlIdent {
    name.prefixed(TABLE_PREFIX)
}

/// The table indexing the ACL entries of the data table `name`'s rows:
/// `(record_id, access, entry)`, kept by triggers on `tbl_<name>`.
pub fn acl_table(name: &SqlIdent) -> SqlIdent {
    name.prefixed("acl_")
}

/// The SQL table of an object type: `_userprofile`, or `tbl_<name>`.
pub fn sql_table(object: &ObjectType) -> SqlIdent {
    match object.class {
        TypeClass::Profile => SqlIdent::from_static(PROFILE_TYPE),
        TypeClass::Table => data_table(&SqlIdent::from(object)),
    }
}

/// The SQL table of the object type `name` of class `class`, for callers that
/// hold only the type's name (a counter's target): `_userprofile`, or
/// `tbl_<name>` when `name` is an identifier (a type of the compiled schema
/// always is).
pub fn sql_table_of(name: &str, class: TypeClass) -> Result<SqlIdent, StoreError> {
    Ok(match class {
        TypeClass::Profile => SqlIdent::from_static(PROFILE_TYPE),
        TypeClass::Table => data_table(&exec::ident(name)?),
    })
}

/// Page and order of a list.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// Sort keys.
    pub order: &'a [OrderBy],
    /// Last sort key (unique), for stable pages.
    pub tie_breaker: &'a SqlIdent,
    /// Rows wanted.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// Sort by distance from this point first (`$nearsphere`).
    pub near: Option<(&'a SqlIdent, GeoPoint)>,
}

/// `SELECT <document> AS doc FROM <table> WHERE `.
fn select_from(
    dialect: Dialect,
    table: &str,
    columns: &[Column],
) -> Result<SqlFragment, StoreError> {
    let mut q = SqlFragment::new(dialect);
    q.push("SELECT ");
    push_document(&mut q, columns)?;
    q.push(" AS doc FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    Ok(q)
}

fn load_docs(
    conn: &mut AnyConnection,
    q: &SqlFragment,
    columns: &[Column],
) -> Result<Vec<Map<String, Value>>, StoreError> {
    exec::load::<DocRow>(conn, q)?
        .iter()
        .map(|row| decode(&row.doc, columns))
        .collect()
}

/// The first row (by id) that `cond` matches, if any.
pub fn select_first(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    cond: &Condition,
) -> Result<Option<Map<String, Value>>, StoreError> {
    let page = Page {
        order: &[],
        tie_breaker: &SqlIdent::ID,
        limit: 1,
        offset: 0,
        near: None,
    };
    Ok(select(conn, table, columns, cond, &page)?
        .into_iter()
        .next())
}

/// Rows of `table` matching `cond`, in page order.
///
/// The page is chosen in an inner query over the plain columns and only its
/// rows become documents: the database builds no document for a row an
/// `OFFSET` skips or a sort discards.
pub fn select(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    cond: &Condition,
    page: &Page<'_>,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT ");
    push_document(&mut q, columns)?;
    q.push(" AS doc FROM (SELECT * FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    render_order_near(page.near, page.order, page.tie_breaker, &mut q);
    q.push(" LIMIT ").push_bind(SqlValue::Int(page.limit));
    q.push(" OFFSET ").push_bind(SqlValue::Int(page.offset));
    q.push(") AS page");
    render_order_near(page.near, page.order, page.tie_breaker, &mut q);
    load_docs(conn, &q, columns)
}

/// The row `id`; with `lock`, held until the transaction ends (`FOR UPDATE` on
/// Postgres; SQLite's write transactions are exclusive already).
pub fn get(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    id: &SqlValue,
    lock: bool,
) -> Result<Option<Map<String, Value>>, StoreError> {
    let mut q = select_from(conn.dialect(), table, columns)?;
    q.push("id = ").push_bind(id.clone());
    if lock {
        sql::push_row_lock(&mut q);
    }
    Ok(load_docs(conn, &q, columns)?.into_iter().next())
}

/// Rows of `table` whose ids are in `ids` (any order), restricted by `cond`.
pub fn get_many(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[Column],
    ids: &[SqlValue],
    cond: &Condition,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = select_from(conn.dialect(), table, columns)?;
    q.push("id IN (");
    q.push_list(ids, ", ", |o, id| {
        o.push_bind(id.clone());
    });
    q.push(") AND ");
    render_condition(cond, &mut q);
    load_docs(conn, &q, columns)
}

/// Number of rows of `table` matching `cond`.
pub fn count(conn: &mut AnyConnection, table: &str, cond: &Condition) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS n FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}

/// Which of `ids` exist in `table`, as text: one query for any number of ids.
pub fn existing_ids(
    conn: &mut AnyConnection,
    table: &str,
    ids: &[SqlValue],
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = Text)]
        id: String,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT CAST(id AS TEXT) AS id FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE id IN (");
    q.push_list(ids, ", ", |o, id| {
        o.push_bind(id.clone());
    });
    q.push(")");
    Ok(exec::load::<IdRow>(conn, &q)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// The distinct values, as text, of `column` among the rows of `table`
/// matching `cond`.
pub fn distinct_texts(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    cond: &Condition,
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct TextRow {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let column = exec::ident(column)?;
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT DISTINCT CAST(")
        .push_ident(&column)
        .push(" AS TEXT) AS v FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    q.push(" AND ").push_ident(&column).push(" IS NOT NULL");
    Ok(exec::load::<TextRow>(conn, &q)?
        .into_iter()
        .map(|r| r.v)
        .collect())
}

/// Ids of rows matching `cond` with `id > after`, in id order, at most `limit`,
/// skipping `offset` of them first (paged in SQL).
pub fn ids_after(
    conn: &mut AnyConnection,
    table: &str,
    cond: &Condition,
    after: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct IdRow {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT id FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE ");
    render_condition(cond, &mut q);
    if let Some(after) = after {
        q.push(" AND id > ")
            .push_bind(SqlValue::Text(after.to_owned()));
    }
    q.push(" ORDER BY id LIMIT ")
        .push_bind(SqlValue::Int(limit))
        .push(" OFFSET ")
        .push_bind(SqlValue::Int(offset));
    Ok(exec::load::<IdRow>(conn, &q)?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Number of records of `table` created by `owner`.
pub fn count_owned(conn: &mut AnyConnection, table: &str, owner: i64) -> Result<i64, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    q.push("SELECT COUNT(*) AS n FROM ")
        .push_ident(&exec::ident(table)?)
        .push(" WHERE created_by = ")
        .push_bind(SqlValue::Int(owner));
    Ok(exec::load::<IntRow>(conn, &q)?.first().map_or(0, |r| r.n))
}
