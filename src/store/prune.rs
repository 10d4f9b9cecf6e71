//! Pruning: the only place that drops anything from schema-driven tables. It
//! removes the columns of fields no longer declared (and their data) and the
//! indexes no declaration wants any more, when an admin runs
//! `protium schema prune` after seeing what goes.

use diesel::prelude::*;

use super::connection::AnyConnection;
use super::ddl::{
    existing_indexes, possible_indexes, recorded_columns, wanted_indexes, ColumnDecl,
};
use super::error::StoreError;
use super::exec;
use super::record_tables::rule_index_name;
use super::tables::schema_columns;
use crate::query::{SqlFragment, SqlIdent};
use crate::schema::UniqueRule;

/// What pruning one table drops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrunePlan {
    /// The SQL table.
    pub table: String,
    /// Columns of fields no longer declared (their data goes with them).
    pub columns: Vec<String>,
    /// Indexes no declaration wants.
    pub indexes: Vec<String>,
}

impl PrunePlan {
    /// Nothing to drop.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.indexes.is_empty()
    }
}

/// What pruning `table` (declaring `columns` and `rules`) would drop.
pub fn plan(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[ColumnDecl],
    rules: &[UniqueRule],
) -> Result<PrunePlan, StoreError> {
    let recorded = recorded_columns(conn, table)?;
    let existing = existing_indexes(conn, table)?;
    let mut wanted: Vec<String> = columns
        .iter()
        .flat_map(|c| wanted_indexes(table, c))
        .map(|i| i.name)
        .collect();
    wanted.extend(rules.iter().map(|r| rule_index_name(table, r)));
    // Indexes this code made: those of recorded columns, and rule indexes.
    let managed = |name: &str| {
        name.starts_with("ur.")
            || recorded.iter().any(|(c, _)| {
                possible_indexes(table, c)
                    .iter()
                    .any(|(i, _)| i.name == name)
            })
    };
    let indexes = existing
        .into_iter()
        .filter(|name| managed(name) && !wanted.contains(name))
        .collect();
    Ok(PrunePlan {
        table: table.to_owned(),
        columns: recorded
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| !columns.iter().any(|c| &c.name == name))
            .collect(),
        indexes,
    })
}

/// Drops what `plan` lists; returns the DDL run. Runs inside the caller's
/// schema transaction ([`super::schema_transaction`]). The plan's names are
/// those [`plan`] found (a schema table, its recorded columns and the indexes
/// this crate names); one that is not an identifier stops the prune before
/// anything is dropped.
pub fn execute(conn: &mut AnyConnection, plan: &PrunePlan) -> Result<Vec<String>, StoreError> {
    let dialect = conn.dialect();
    let table = exec::ident(&plan.table)?;
    let indexes = plan
        .indexes
        .iter()
        .map(|index| SqlIdent::parse_dotted(index))
        .collect::<Result<Vec<_>, _>>()?;
    let columns = exec::idents(plan.columns.iter().map(String::as_str))?;
    let mut done = Vec::new();
    for index in &indexes {
        let mut sql = SqlFragment::new(dialect);
        sql.push("DROP INDEX IF EXISTS ").push_ident(index);
        exec::execute(conn, &sql)?;
        done.push(sql.sql().to_owned());
    }
    for column in &columns {
        let mut sql = SqlFragment::new(dialect);
        sql.push("ALTER TABLE ")
            .push_ident(&table)
            .push(" DROP COLUMN ")
            .push_ident(column);
        exec::execute(conn, &sql)?;
        diesel::delete(
            schema_columns::table
                .filter(schema_columns::object_type.eq(&plan.table))
                .filter(schema_columns::field.eq(column.as_str())),
        )
        .execute(conn)?;
        done.push(sql.sql().to_owned());
    }
    Ok(done)
}
