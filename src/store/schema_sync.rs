//! Bringing the database in line with a compiled schema: the profile's columns,
//! every data table with its columns and uniqueness rules, and the one-time
//! data steps. Start-up calls it, and so will a schema reload; only additive
//! changes happen (see [`super::ddl`]).

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::QueryableByName;

use super::connection::AnyConnection;
use super::ddl::{self, ColumnDecl};
use super::documents::to_sql_value;
use super::error::StoreError;
use super::exec;
use super::migrate::STARTUP_LOCK;
use super::record_tables;
use crate::domain::{now_unix, Dialect, IsoDate};
use crate::query::{SqlFragment, SqlValue};
use crate::schema::{FieldKind, ObjectType, Registry, PROFILE_TYPE};

/// The one-time step that rewrote profile dates stored as sent into the UTC
/// form record dates use.
const PROFILE_DATES_STEP: &str = "profile-dates-utc";

/// Applies `registry` to the database; returns the data tables' numeric ids.
pub fn apply(
    conn: &mut AnyConnection,
    registry: &Registry,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let report = ddl::sync_columns(conn, PROFILE_TYPE, &column_decls(&registry.profile))?;
    log_report(PROFILE_TYPE, &report);
    normalise_profile_dates(conn, &registry.profile)?;
    let mut ids = BTreeMap::new();
    for (name, object) in &registry.tables {
        let decls = column_decls(object);
        let (id, report) = record_tables::ensure_table(conn, name, &decls, &object.rules.uniques)?;
        log_report(name, &report);
        ids.insert(name.clone(), id);
    }
    Ok(ids)
}

fn log_report(object_type: &str, report: &ddl::SyncReport) {
    if !report.added.is_empty() {
        tracing::info!(%object_type, columns = ?report.added, "added columns");
    }
    if !report.hidden.is_empty() {
        tracing::warn!(%object_type, columns = ?report.hidden, "fields no longer declared: kept with their data, hidden");
    }
}

/// The columns of an object type's declared fields. Pointers are always indexed.
fn column_decls(object: &ObjectType) -> Vec<ColumnDecl> {
    object
        .fields
        .iter()
        .map(|f| ColumnDecl {
            name: f.name.as_str().to_owned(),
            kind: f.kind,
            unique: f.unique,
            indexed: f.indexed || f.pointer.is_some(),
            case_insensitive: f.case_insensitive,
            default: f.default.as_ref().map(|d| to_sql_value(f.kind, d)),
        })
        .collect()
}

#[derive(QueryableByName)]
struct DateRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

/// Once per database: profile date fields used to be stored as sent; rewrite
/// them in the UTC form (`2018-09-26T03:22:51.100000Z`) so that text order is
/// time order. Values that do not parse are left alone (and logged). The rows'
/// `updated_at` is kept: the values mean the same instants.
fn normalise_profile_dates(
    conn: &mut AnyConnection,
    profile: &ObjectType,
) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        let dialect = conn.dialect();
        if dialect == Dialect::Postgres {
            conn.batch_execute(&format!("SELECT pg_advisory_xact_lock({STARTUP_LOCK})"))?;
        }
        let mut done = SqlFragment::new(dialect);
        done.push("SELECT COUNT(*) AS n FROM data_steps WHERE name = ")
            .push_bind(SqlValue::Text(PROFILE_DATES_STEP.into()));
        if exec::load::<exec::IntRow>(conn, &done)?
            .first()
            .is_some_and(|r| r.n > 0)
        {
            return Ok(());
        }
        for field in profile.fields.iter().filter(|f| f.kind == FieldKind::Date) {
            let column = field.name.as_str();
            let mut rows = SqlFragment::new(dialect);
            rows.push("SELECT id, ")
                .push_ident(column)
                .push(" AS value FROM ")
                .push_ident(PROFILE_TYPE)
                .push(" WHERE ")
                .push_ident(column)
                .push(" IS NOT NULL");
            for row in exec::load::<DateRow>(conn, &rows)? {
                let Ok(date) = IsoDate::parse(column, &row.value) else {
                    tracing::warn!(
                        user_id = row.id,
                        field = column,
                        "a stored date does not parse; left as it is"
                    );
                    continue;
                };
                if date.stored() != row.value {
                    let mut fix = SqlFragment::new(dialect);
                    fix.push("UPDATE ")
                        .push_ident(PROFILE_TYPE)
                        .push(" SET ")
                        .push_ident(column)
                        .push(" = ")
                        .push_bind(SqlValue::Text(date.stored()))
                        .push(" WHERE id = ")
                        .push_bind(SqlValue::Int(row.id));
                    exec::execute(conn, &fix)?;
                }
            }
        }
        let mut mark = SqlFragment::new(dialect);
        mark.push("INSERT INTO data_steps (name, applied_at) VALUES (")
            .push_bind(SqlValue::Text(PROFILE_DATES_STEP.into()))
            .push(", ")
            .push_bind(SqlValue::Int(now_unix()))
            .push(")");
        exec::execute(conn, &mark)?;
        Ok(())
    })
}
