//! Bringing the database in line with a compiled schema: the profile's columns,
//! every data table with its columns and uniqueness rules, and the one-time
//! data steps. Start-up calls it, and so will a schema reload; only additive
//! changes happen (see [`super::ddl`]).

use std::collections::BTreeMap;

use super::connection::AnyConnection;
use super::counters;
use super::data_steps;
use super::ddl::{self, ColumnDecl};
use super::documents::to_sql_value;
use super::error::StoreError;
use super::exec;
use super::fit::{self, Misfits};
use super::objects::{self, sql_table};
use super::record_tables;
use super::schema_history::{self, NewVersion};
use super::sql_dialect as sql;
use crate::domain::now_unix;
use crate::schema::{narrowings, Narrowing, NarrowingStep, ObjectType, Registry, PROFILE_TYPE};
use serde_json::Value;

/// What to do with narrowing changes (stored rows might not fit them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NarrowingPolicy {
    /// Refuse any (start-up and reloads: additive changes only).
    Refuse,
    /// Apply them when every stored row fits (`protium schema apply --allow-narrowing`).
    WhenRowsFit,
}

/// How to apply a schema.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// What to do with narrowing changes.
    pub narrowing: NarrowingPolicy,
    /// Who applies it, for the schema history (`node:<host>`, an admin).
    pub applied_by: String,
    /// Report what would happen, then roll everything back.
    pub dry_run: bool,
}

/// A narrowing change and the stored rows that do not fit it.
#[derive(Debug, Clone)]
pub struct NarrowingReport {
    /// The change.
    pub step: NarrowingStep,
    /// The rows that do not fit.
    pub misfits: Misfits,
}

/// What applying a schema did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The data tables' numeric ids.
    pub ids: BTreeMap<String, i64>,
    /// The DDL statements run, in order.
    pub ddl: Vec<String>,
    /// Narrowing changes since the last applied version.
    pub narrowing: Vec<NarrowingReport>,
    /// Columns of fields no longer declared, kept hidden (`type.field`).
    pub hidden: Vec<String>,
    /// A new version was recorded in the schema history.
    pub recorded: bool,
    /// Dry runs only: why applying would be refused.
    pub refusal: Option<String>,
}

/// Applies `registry` to the database in one transaction: narrowing changes
/// are checked against the last applied version and the stored rows, then the
/// additive DDL runs, one-time data steps run, and a changed schema is
/// recorded in the history. A refusal changes nothing.
pub fn apply(
    conn: &mut AnyConnection,
    registry: &Registry,
    options: &ApplyOptions,
) -> Result<Applied, StoreError> {
    let mut outcome = Applied::default();
    let result =
        super::schema_transaction(conn, options.dry_run, |conn| {
            match apply_in_transaction(conn, registry, options, &mut outcome) {
                Err(StoreError::SchemaChange(why)) if options.dry_run => {
                    outcome.refusal = Some(why);
                    Ok(())
                }
                other => other,
            }
        });
    result.map(|()| outcome)
}

fn apply_in_transaction(
    conn: &mut AnyConnection,
    registry: &Registry,
    options: &ApplyOptions,
    outcome: &mut Applied,
) -> Result<(), StoreError> {
    let previous = schema_history::latest(conn)?;
    let (digest, files) = registry.fingerprint();
    if let Some(previous) = &previous {
        let docs: serde_json::Map<String, Value> =
            serde_json::from_str(&previous.files).unwrap_or_default();
        for object in std::iter::once(&registry.profile).chain(registry.tables.values()) {
            let Some(old) = docs
                .get(&format!("{}.json", object.name))
                .and_then(|f| f.get("schema"))
            else {
                continue;
            };
            let table = sql_table(object);
            let columns = ddl::recorded_columns(conn, &table)?;
            for step in narrowings(old, object) {
                let exists = columns.iter().any(|(c, _)| c == &step.field);
                let misfits = fit::misfits(conn, &table, &step.field, &step.rule, exists)?;
                outcome.narrowing.push(NarrowingReport { step, misfits });
            }
        }
    }
    // A dry run goes on to report the DDL too.
    match refuse_narrowing(&outcome.narrowing, options.narrowing) {
        Err(StoreError::SchemaChange(why)) if options.dry_run => outcome.refusal = Some(why),
        other => other?,
    }
    let report = ddl::sync_columns(conn, PROFILE_TYPE, &column_decls(&registry.profile))?;
    log_report(PROFILE_TYPE, &report);
    let mut added: Vec<(String, String)> = report
        .added
        .iter()
        .map(|c| (PROFILE_TYPE.to_owned(), c.clone()))
        .collect();
    outcome.absorb(PROFILE_TYPE, report);
    data_steps::normalise_profile_dates(conn, &registry.profile)?;
    for (name, object) in &registry.tables {
        let decls = column_decls(object);
        let (id, report) = record_tables::ensure_table(conn, name, &decls, &object.rules.uniques)?;
        log_report(name, &report);
        added.extend(report.added.iter().map(|c| (name.clone(), c.clone())));
        data_steps::backfill_change_log(conn, name, &objects::data_table(&exec::ident(name)?))?;
        outcome.absorb(name, report);
        outcome.ids.insert(name.clone(), id);
    }
    // A counter added to stored rows starts from their true count.
    for source in std::iter::once(&registry.profile).chain(registry.tables.values()) {
        for link in &source.counted_by {
            if added
                .iter()
                .any(|(t, c)| t == &link.target && c == &link.field)
            {
                let rows = counters::recount(conn, source, link)?;
                tracing::info!(counter = %format!("{}.{}", link.target, link.field), rows, "counted");
            }
        }
    }
    refresh_planner_statistics(conn, &outcome.ddl)?;
    if previous.as_ref().is_none_or(|p| p.digest != digest) {
        schema_history::insert(
            conn,
            &NewVersion {
                digest,
                files: files.to_string(),
                ddl: Value::from(outcome.ddl.clone()).to_string(),
                applied_at: now_unix(),
                applied_by: options.applied_by.clone(),
            },
        )?;
        outcome.recorded = true;
    }
    Ok(())
}

/// After new indexes, SQLite's planner needs statistics to weigh them: without
/// any it takes every equality index for a selective one and may read a third
/// of a table through it where a scan in sort order would stop after a page.
/// A sampled `ANALYZE` (at most 1000 rows per index) keeps this quick on big
/// tables. Postgres keeps its statistics itself.
fn refresh_planner_statistics(conn: &mut AnyConnection, ddl: &[String]) -> Result<(), StoreError> {
    if !sql::needs_analyze_after_new_indexes(conn.dialect())
        || !ddl.iter().any(|s| s.contains(" INDEX "))
    {
        return Ok(());
    }
    use diesel::connection::SimpleConnection;
    conn.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE;")?;
    Ok(())
}

impl Applied {
    fn absorb(&mut self, object_type: &str, report: ddl::SyncReport) {
        self.ddl.extend(report.ddl);
        self.hidden.extend(
            report
                .hidden
                .into_iter()
                .map(|c| format!("{object_type}.{c}")),
        );
    }
}

/// Refuses narrowing changes the policy does not admit, saying what to do.
fn refuse_narrowing(found: &[NarrowingReport], policy: NarrowingPolicy) -> Result<(), StoreError> {
    let type_changes: Vec<String> = found
        .iter()
        .filter(|n| matches!(n.step.rule, Narrowing::TypeChange(..)))
        .map(|n| n.step.describe())
        .collect();
    if !type_changes.is_empty() {
        return Err(StoreError::SchemaChange(format!(
            "{}: {}",
            type_changes.join("; "),
            ddl::TYPE_CHANGE_HELP
        )));
    }
    let describe = |n: &NarrowingReport| {
        format!(
            "{} ({} stored row(s) do not fit{})",
            n.step.describe(),
            n.misfits.count,
            if n.misfits.sample.is_empty() {
                String::new()
            } else {
                format!(", e.g. id {}", n.misfits.sample.join(", "))
            }
        )
    };
    match policy {
        NarrowingPolicy::Refuse if !found.is_empty() => Err(StoreError::SchemaChange(format!(
            "narrowing change(s) refused: {}. Stored rows might not fit: see them with \
             `protium schema diff`, then apply with `protium schema apply --allow-narrowing` \
             (or restore the old rules). Trying an example schema set? Give it its own database \
             (PROTIUM_DATABASE_URL=sqlite://data/<set>.db).",
            found.iter().map(describe).collect::<Vec<_>>().join("; ")
        ))),
        NarrowingPolicy::WhenRowsFit if found.iter().any(|n| n.misfits.count > 0) => {
            Err(StoreError::SchemaChange(format!(
                "narrowing change(s) refused while stored rows do not fit: {}. Fix or remove those rows first.",
                found
                    .iter()
                    .filter(|n| n.misfits.count > 0)
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            )))
        }
        _ => Ok(()),
    }
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
pub fn column_decls(object: &ObjectType) -> Vec<ColumnDecl> {
    object
        .fields
        .iter()
        .filter(|f| f.is_stored())
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
