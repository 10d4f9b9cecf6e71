//! `file_categories`: the categories admins make and uploads may name. A
//! file keeps its category's id and name; renaming a category renames it on
//! its files, deleting one leaves its files without a category.

use std::collections::HashMap;

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::files::{ids_page, in_order};
use super::tables::{file_categories as c, uploaded_files as f};
use crate::query::Condition;

/// A category.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = c)]
pub struct CategoryRow {
    /// Record-style id.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// How a list of categories is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryOrder {
    /// Newest first (the default).
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// By name.
    Name,
    /// By name, descending.
    NameDesc,
}

/// Makes a category.
pub fn insert(conn: &mut AnyConnection, row: &CategoryRow) -> Result<(), StoreError> {
    diesel::insert_into(c::table)
        .values((
            c::id.eq(&row.id),
            c::name.eq(&row.name),
            c::created_at.eq(row.created_at),
            c::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The category `id`.
pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<CategoryRow>, StoreError> {
    Ok(c::table
        .filter(c::id.eq(id))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?)
}

/// The category called `name`.
pub fn named(conn: &mut AnyConnection, name: &str) -> Result<Option<CategoryRow>, StoreError> {
    Ok(c::table
        .filter(c::name.eq(name))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Renames the category `id`, and its files with it; whether there was one.
pub fn rename(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = diesel::update(c::table.filter(c::id.eq(id)))
        .set((c::name.eq(name), c::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(f::table.filter(f::category_id.eq(id)))
        .set(f::category_name.eq(name))
        .execute(conn)?;
    Ok(changed > 0)
}

/// Deletes the category `id`; its files keep no category. Whether there
/// was one.
pub fn delete(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    diesel::update(f::table.filter(f::category_id.eq(id)))
        .set((
            f::category_id.eq(None::<String>),
            f::category_name.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(diesel::delete(c::table.filter(c::id.eq(id))).execute(conn)? > 0)
}

impl CategoryOrder {
    /// The `ORDER BY` list, with the id as tie-breaker.
    fn sql(self) -> &'static str {
        match self {
            Self::NewestFirst => "created_at DESC, id DESC",
            Self::OldestFirst => "created_at ASC, id ASC",
            Self::Name => "name ASC, id ASC",
            Self::NameDesc => "name DESC, id DESC",
        }
    }
}

/// A page of the categories matching `filter`.
pub fn list(
    conn: &mut AnyConnection,
    filter: &Condition,
    order: CategoryOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<CategoryRow>, StoreError> {
    let ids = ids_page(conn, "file_categories", filter, order.sql(), limit, offset)?;
    let rows: Vec<CategoryRow> = c::table
        .filter(c::id.eq_any(&ids))
        .select(CategoryRow::as_select())
        .load(conn)?;
    Ok(in_order(&ids, rows, |r| &r.id))
}

/// How many categories match `filter`.
pub fn count(conn: &mut AnyConnection, filter: &Condition) -> Result<i64, StoreError> {
    super::objects::count(conn, "file_categories", filter)
}

/// How many stored files each of `ids` holds.
pub fn file_counts(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, i64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<String>, i64)> = f::table
        .filter(f::stored.eq(true))
        .filter(f::category_id.eq_any(ids))
        .group_by(f::category_id)
        .select((f::category_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}
