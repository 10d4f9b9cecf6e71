//! Columns and indexes of schema-driven tables, kept in step with the schema files.
//!
//! Only additive changes happen here: a new field becomes a new column (filled
//! with its default), `unique`/`indexed` become indexes. Nothing is ever dropped
//! (a node running older files must not remove what a newer node added): a field
//! that disappears keeps its column and data, hidden, and an index no longer
//! declared stays until an admin prunes it ([`super::prune`]). A field whose kind
//! changes is refused: that would rewrite stored data. Every column ever added is
//! recorded in `schema_columns`; every statement run is returned for the schema
//! history.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::connection::AnyConnection;
use super::error::StoreError;
use super::exec;
use super::sql_dialect as sql;
use super::tables::schema_columns;
use crate::domain::{now_unix, Dialect};
use crate::query::{SqlFragment, SqlIdent, SqlValue};
use crate::schema::FieldKind;

/// What an admin can do about a refused type change.
pub(super) const TYPE_CHANGE_HELP: &str = "changing a field's type would rewrite stored data: \
     declare a new field instead, or restore the old type. Trying another schema set (such as \
     schema/examples/…)? Give it its own database (PROTIUM_DATABASE_URL=sqlite://data/<set>.db), \
     or start afresh by stopping the server and deleting the data directory.";

/// A declared column.
#[derive(Debug, Clone)]
pub struct ColumnDecl {
    /// Column name (a validated field name).
    pub name: String,
    /// Storage kind.
    pub kind: FieldKind,
    /// Unique index wanted.
    pub unique: bool,
    /// Plain index wanted.
    pub indexed: bool,
    /// Index the lower-cased value (case-insensitive uniqueness).
    pub case_insensitive: bool,
    /// Value given to existing rows when the column is added.
    pub default: Option<SqlValue>,
}

/// What a sync changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Columns created now.
    pub added: Vec<String>,
    /// Columns kept with their data although no longer declared.
    pub hidden: Vec<String>,
    /// The DDL statements run, in order.
    pub ddl: Vec<String>,
}

/// The columns recorded for `table` in `schema_columns`, with their kind.
pub fn recorded_columns(
    conn: &mut AnyConnection,
    table: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(schema_columns::table
        .filter(schema_columns::object_type.eq(table))
        .select((schema_columns::field, schema_columns::kind))
        .load(conn)?)
}

/// Brings `table` (which must exist) in line with `columns`. Runs inside the
/// caller's schema transaction ([`super::schema_transaction`]).
pub fn sync_columns(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[ColumnDecl],
) -> Result<SyncReport, StoreError> {
    {
        let dialect = conn.dialect();
        let table_ident = exec::ident(table)?;
        let recorded = recorded_columns(conn, table)?;
        let existing = existing_indexes(conn, table)?;
        let mut report = SyncReport::default();
        for col in columns {
            match recorded.iter().find(|(name, _)| name == &col.name) {
                Some((_, kind)) if kind != col.kind.type_name() => {
                    return Err(StoreError::SchemaChange(format!(
                        "{table}.{}: the field was '{kind}' and is now declared '{}'; {TYPE_CHANGE_HELP}",
                        col.name,
                        col.kind.type_name()
                    )));
                }
                Some(_) => {}
                None => {
                    report
                        .ddl
                        .push(add_column(conn, dialect, &table_ident, col)?);
                    report.added.push(col.name.clone());
                }
            }
            for index in wanted_indexes(table, col) {
                if !existing.contains(&index.name) {
                    report
                        .ddl
                        .push(create_index(conn, dialect, &table_ident, &index)?);
                }
            }
        }
        report.hidden = recorded
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !columns.iter().any(|c| &c.name == name))
            .collect();
        Ok(report)
    }
}

/// Adds the column (filling existing rows with its default); returns the DDL.
fn add_column(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &SqlIdent,
    col: &ColumnDecl,
) -> Result<String, StoreError> {
    let column = exec::ident(&col.name)?;
    let mut ddl = SqlFragment::new(dialect);
    ddl.push("ALTER TABLE ")
        .push_ident(table)
        .push(" ADD COLUMN ");
    ddl.push_ident(&column)
        .push(" ")
        .push(column_type(col.kind, dialect));
    exec::execute(conn, &ddl)?;
    if let Some(default) = &col.default {
        let mut fill = SqlFragment::new(dialect);
        fill.push("UPDATE ")
            .push_ident(table)
            .push(" SET ")
            .push_ident(&column)
            .push(" = ");
        fill.push_bind(default.clone())
            .push(" WHERE ")
            .push_ident(&column)
            .push(" IS NULL");
        exec::execute(conn, &fill)?;
    }
    diesel::insert_into(schema_columns::table)
        .values((
            schema_columns::object_type.eq(table.as_str()),
            schema_columns::field.eq(&col.name),
            schema_columns::kind.eq(col.kind.type_name()),
            schema_columns::added_at.eq(now_unix()),
        ))
        .execute(conn)?;
    Ok(ddl.sql().to_owned())
}

/// The column type of a field kind in `dialect`.
pub fn column_type(kind: FieldKind, dialect: Dialect) -> &'static str {
    match kind {
        FieldKind::String | FieldKind::Date | FieldKind::Pointer => "TEXT",
        FieldKind::Integer => "BIGINT",
        FieldKind::Number => sql::double_type(dialect),
        FieldKind::Boolean => sql::bool_type(dialect),
        FieldKind::Object
        | FieldKind::Array
        | FieldKind::Point
        | FieldKind::Polygon
        | FieldKind::File
        | FieldKind::Files => sql::json_type(dialect),
    }
}

/// Postgres truncates identifiers past 63 bytes; longer names are shortened with a
/// digest so two long fields never share an index name.
const MAX_IDENT: usize = 63;

/// `<prefix>.<table>.<column>`, or `<prefix>.<table prefix>.<digest>` when too long.
pub fn index_name(prefix: &str, table: &str, column: &str) -> String {
    use sha2::{Digest, Sha256};
    let full = format!("{prefix}.{table}.{column}");
    if full.len() <= MAX_IDENT {
        return full;
    }
    let digest = hex::encode(Sha256::digest(full.as_bytes()));
    let short_table: String = table.chars().take(24).collect();
    format!("{prefix}.{short_table}.{}", &digest[..24])
}

/// An index a declared column may have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIndex {
    /// Its name.
    pub name: String,
    /// The column.
    pub column: String,
    /// A unique index.
    pub unique: bool,
    /// On the lower-cased value.
    pub lower: bool,
}

/// Every index a column of `table` may be given, and whether `col` wants it:
/// `uq`/`uc` (unique, plain or lower-cased) and `ix`/`ic` (plain).
pub fn possible_indexes(table: &str, column: &str) -> [(FieldIndex, &'static str); 4] {
    let index = |prefix: &str, unique: bool, lower: bool| FieldIndex {
        name: index_name(prefix, table, column),
        column: column.to_owned(),
        unique,
        lower,
    };
    [
        (index("uq", true, false), "uq"),
        (index("uc", true, true), "uc"),
        (index("ix", false, false), "ix"),
        (index("ic", false, true), "ic"),
    ]
}

/// The indexes `col` declares.
pub fn wanted_indexes(table: &str, col: &ColumnDecl) -> Vec<FieldIndex> {
    let ci = col.case_insensitive;
    let plain = col.indexed && !col.unique;
    possible_indexes(table, &col.name)
        .into_iter()
        .filter(|(_, prefix)| match *prefix {
            "uq" => col.unique && !ci,
            "uc" => col.unique && ci,
            "ix" => plain && !ci,
            _ => plain && ci,
        })
        .map(|(index, _)| index)
        .collect()
}

/// Creates `index`; returns the DDL. Stored rows that already share values
/// make a unique index impossible: a schema change refused with the reason.
fn create_index(
    conn: &mut AnyConnection,
    dialect: Dialect,
    table: &SqlIdent,
    index: &FieldIndex,
) -> Result<String, StoreError> {
    let name = SqlIdent::parse_dotted(&index.name)?;
    let column = exec::ident(&index.column)?;
    let mut sql = SqlFragment::new(dialect);
    sql.push(if index.unique {
        "CREATE UNIQUE INDEX IF NOT EXISTS "
    } else {
        "CREATE INDEX IF NOT EXISTS "
    });
    sql.push_ident(&name)
        .push(" ON ")
        .push_ident(table)
        .push(" (");
    if index.lower {
        sql.push("lower(").push_ident(&column).push("))");
    } else {
        sql.push_ident(&column).push(")");
    }
    exec::execute(conn, &sql).map_err(|e| match e {
        StoreError::Unique { .. } => StoreError::SchemaChange(format!(
            "{table}.{}: cannot become unique, stored rows already share values",
            index.column
        )),
        other => other,
    })?;
    Ok(sql.sql().to_owned())
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The names of the indexes on `table`.
pub fn existing_indexes(conn: &mut AnyConnection, table: &str) -> Result<Vec<String>, StoreError> {
    let mut q = SqlFragment::new(conn.dialect());
    sql::push_index_names_on(&mut q);
    q.push_bind(SqlValue::Text(table.to_owned()));
    Ok(exec::load::<NameRow>(conn, &q)?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

#[cfg(test)]
#[path = "ddl_test.rs"]
mod tests;
