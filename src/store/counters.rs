//! Counter columns: moved by one in the transaction of each write that
//! changes what they count, and recounted from scratch on demand.

use super::connection::AnyConnection;
use super::documents::to_sql_value;
use super::error::StoreError;
use super::exec;
use super::objects::{sql_table, sql_table_of};
use crate::query::{SqlFragment, SqlIdent, SqlValue};
use crate::schema::{CounterLink, FieldKind, ObjectType};

/// Adds `delta` to the counter `column` (a field name of the compiled schema)
/// of the row `id` of `table` (a row that no longer exists is left alone).
/// The addition happens in the database, under the row's lock, so parallel
/// writes never lose one.
pub fn add(
    conn: &mut AnyConnection,
    table: &SqlIdent,
    column: &str,
    id: &SqlValue,
    delta: i64,
) -> Result<(), StoreError> {
    let column = exec::ident(column)?;
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE ")
        .push_ident(table)
        .push(" SET ")
        .push_ident(&column)
        .push(" = COALESCE(")
        .push_ident(&column)
        .push(", 0) + ")
        .push_bind(SqlValue::Int(delta))
        .push(" WHERE id = ")
        .push_bind(id.clone());
    exec::execute(conn, &q)?;
    Ok(())
}

/// Sets the counter `link` describes, on every row of its type, to the number
/// of rows of `source` it counts. Returns how many rows changed.
pub fn recount(
    conn: &mut AnyConnection,
    source: &ObjectType,
    link: &CounterLink,
) -> Result<usize, StoreError> {
    let target = sql_table_of(&link.target, link.target_class)?;
    let counted = sql_table(source);
    let field = exec::ident(&link.field)?;
    let pointer = exec::ident(&link.pointer)?;
    let mut q = SqlFragment::new(conn.dialect());
    q.push("UPDATE ")
        .push_ident(&target)
        .push(" SET ")
        .push_ident(&field)
        .push(" = (SELECT COUNT(*) FROM ")
        .push_ident(&counted)
        .push(" AS c WHERE c.")
        .push_ident(&pointer)
        .push(" = ");
    if link.pointer_is_integer {
        q.push_ident(&target).push(".id");
    } else {
        q.push("CAST(").push_ident(&target).push(".id AS TEXT)");
    }
    if let Some(tf) = &link.type_field {
        q.push(" AND c.")
            .push_ident(&exec::ident(tf)?)
            .push(" = ")
            .push_bind(SqlValue::Text(link.target.clone()));
    }
    for (name, literal) in &link.filter {
        let kind = source.field(name).map_or(FieldKind::String, |f| f.kind);
        q.push(" AND c.")
            .push_ident(&exec::ident(name)?)
            .push(" = ")
            .push_bind(to_sql_value(kind, literal));
    }
    q.push(")");
    exec::execute(conn, &q)
}

/// Recounts every counter that rows of `types` feed; returns `type.field`
/// with the rows each recount changed.
pub fn recount_all<'a>(
    conn: &mut AnyConnection,
    types: impl Iterator<Item = &'a ObjectType>,
) -> Result<Vec<(String, usize)>, StoreError> {
    let mut done = Vec::new();
    for source in types {
        for link in &source.counted_by {
            let rows = recount(conn, source, link)?;
            done.push((format!("{}.{}", link.target, link.field), rows));
        }
    }
    Ok(done)
}
